// Package examples_test builds every example and runs it against its own
// in-process cluster, checking what it prints, so that none rots.
package examples_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var want = map[string][]string{
	"quickstart":        {"connected to a cluster of 3 brokers", "consumed 5 messages", "committed"},
	"initial-offset":    {"new group, OffsetLatest: starts at 10", "committed: next message is offset 5", "ResetOffsetOnStart with OffsetEarliest: next message is offset 0", "no group, OffsetLatest: starts at 10"},
	"last-n-messages":   {"partition 0, last 3: [p0-m7 p0-m8 p0-m9]", "partition 1, last 3: [p1-m7 p1-m8 p1-m9]"},
	"multiple-topics":   {"clicks: 2 messages", "views: 2 messages", "purchases: 1 messages"},
	"connection-loss":   {"consumed all 20 messages", "re-created after losing its connection"},
	"delivery-reports":  {"1000 delivered, 1 too large"},
	"sync-producer":     {"first: partition 0, offset 0", "third: partition 0, offset 2"},
	"balanced-consumer": {"two members share 4 partitions: 2 and 2", "the other has all 4"},
	"task-done":         {"done: tasks 0, 1, 3; committed up to 2", "done: all; committed up to 5"},
	"partition-workers": {"handled per partition: 10, 10, 10"},
	"producer-retries":  {"stored at offset 0 after 3 attempt(s)"},
	"topic-discovery":   {"in this cluster: [logs.db logs.web]", "in useast: [logs.batch]"},
	"metrics-hooks":     {"produced 100 messages, fetched 100", "Produce"},
	"topics":            {"topics: [example.orders]", "partition 2: leader"},
}

func TestExamples(t *testing.T) {
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "./...")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the examples: %v\n%s", err, out)
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "internal" {
			continue
		}
		if _, ok := want[e.Name()]; !ok {
			t.Errorf("example %s has no expected output here", e.Name())
		}
	}
	for name, lines := range want {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(filepath.Join(dir, name))
			cmd.Env = append(os.Environ(), "KAFKA_BROKERS=") // each starts its own cluster
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, out)
			}
			for _, line := range lines {
				if !strings.Contains(string(out), line) {
					t.Errorf("%s: output lacks %q:\n%s", name, line, out)
				}
			}
		})
	}
}
