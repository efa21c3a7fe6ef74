// Package examples_test runs every example against its own in-process
// cluster and checks what it prints, so that none rots.
package examples_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var want = map[string][]string{
	"quickstart":        {"connected to a cluster of 3 brokers", "consumed 5 messages", "committed"},
	"initial-offset":    {"new group, OffsetLatest: starts at 10", "committed: next message is offset 5", "ResetOffsetOnStart with OffsetEarliest: next message is offset 0", "no group, OffsetLatest: starts at 10"},
	"last-n-messages":   {"partition 0, last 3: [p0-m7 p0-m8 p0-m9]", "partition 1, last 3: [p1-m7 p1-m8 p1-m9]", "whole topic, last 3: [p1-m8 p0-m9 p1-m9]"},
	"reset-to-time":     {"committed for minute 6: map[0:3 1:3]", "after the reset, the group reads: [e6 e7 e8 e9]"},
	"multiple-topics":   {"clicks: 2 messages", "views: 2 messages", "purchases: 1 message\n"},
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
	"share-group":       {"59 jobs done by", "of 6 workers on 2 partitions", "released 3 times, rejected [13] after 3 tries"},
	"consume-transform-produce": {
		"1 aborted, 1 fenced (producer recreated)",
		"output (read_committed): 200 messages, each of the 200 inputs exactly once",
	},
}

// TestExamples builds the examples into one program and runs each in a
// process of its own. Linking a binary per example took most of this test's
// time (fourteen links of 17 MB each: over a minute on a loaded machine);
// one link, without the debug information the test does not need, takes a
// few seconds. Each example's main.go goes into the program verbatim but
// for its package clause and main's name (a //line directive keeps compile
// errors pointing at the original lines).
func TestExamples(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "_") {
			continue
		}
		names = append(names, e.Name())
		if _, ok := want[e.Name()]; !ok {
			t.Errorf("example %s has no expected output here", e.Name())
		}
	}
	for name := range want {
		if _, err := os.Stat(filepath.Join(name, "main.go")); err != nil {
			t.Errorf("example %s: %v", name, err)
		}
	}
	bin := buildAll(t, names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(bin, name)
			cmd.Env = append(os.Environ(), "KAFKA_BROKERS=") // each starts its own cluster
			out, err := cmd.Output()
			if err != nil {
				var stderr []byte
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = ee.Stderr
				}
				t.Fatalf("%s: %v\n%s%s", name, err, out, stderr)
			}
			for _, line := range want[name] {
				if !strings.Contains(string(out), line) {
					t.Errorf("%s: output lacks %q:\n%s", name, line, out)
				}
			}
		})
	}
}

var (
	packageMain = regexp.MustCompile(`(?m)^package main$`)
	funcMain    = regexp.MustCompile(`(?m)^func main\(\) \{$`)
)

// buildAll turns each example into a package of one generated program
// (in a directory starting with "_", which ./... patterns skip) whose
// first argument names the example to run, builds it and returns its path.
func buildAll(t *testing.T, names []string) string {
	t.Helper()
	dir, err := os.MkdirTemp(".", "_run")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var imports, table strings.Builder
	for i, name := range names {
		files, err := filepath.Glob(filepath.Join(name, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("example %s: no Go files (%v)", name, err)
		}
		pkg := fmt.Sprintf("example%d", i)
		mains := 0
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			out := packageMain.ReplaceAll(src, []byte("package "+pkg))
			mains += len(funcMain.FindAll(out, -1))
			out = funcMain.ReplaceAll(out, []byte("func Main() {"))
			abs, err := filepath.Abs(file)
			if err != nil {
				t.Fatal(err)
			}
			out = append([]byte("//line "+filepath.ToSlash(abs)+":1\n"), out...)
			if err := os.MkdirAll(filepath.Join(dir, pkg), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, pkg, filepath.Base(file)), out, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if mains != 1 {
			t.Fatalf("example %s: want one \"func main() {\" line, found %d", name, mains)
		}
		fmt.Fprintf(&imports, "\t%s \"github.com/gokafka/kafka/examples/%s/%s\"\n", pkg, filepath.ToSlash(filepath.Base(dir)), pkg)
		fmt.Fprintf(&table, "\t%q: %s.Main,\n", name, pkg)
	}
	prog := fmt.Sprintf(`package main

import (
	"fmt"
	"os"

%s)

var examples = map[string]func(){
%s}

func main() {
	if len(os.Args) != 2 || examples[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: examples NAME")
		os.Exit(2)
	}
	examples[os.Args[1]]()
}
`, imports.String(), table.String())
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "examples")
	if out, err := exec.Command("go", "build", "-ldflags=-s -w", "-o", bin, "./"+filepath.Base(dir)).CombinedOutput(); err != nil {
		t.Fatalf("building the examples: %v\n%s", err, out)
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
