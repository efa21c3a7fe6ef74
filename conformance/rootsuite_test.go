package conformance

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gokafka/kafka/conformance/mock"
)

// TestRootSuiteOnMock runs gokafka's root integration suite against one
// librdkafka mock cluster: KAFKA_BROKERS names its brokers and
// KAFKATEST_RDKAFKA_MOCK the control endpoint through which kafkatest
// creates topics. The backend-agnostic tests (kafkatest.NewBackend) run
// there, except those kafkatest.SkipOnMock skips for an API or behaviour the
// mock lacks; the kfake-only ones (NeedsKfake) are skipped. It logs the
// count kafkatest.Summary prints. CONFORMANCE_ROOT_RUN narrows it with a
// -run pattern; -short skips it.
func TestRootSuiteOnMock(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the root suite against the mock takes a minute or two")
	}
	m := startMock(t)
	url, stop, err := mock.Serve(m)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	// -v: go test shows the count only then. No -race: the root suite
	// runs under the race detector against kfake in CI's main step; here
	// it checks the wire against another implementation, and the race
	// detector's slowdown (346 s instead of about 120) made the group
	// tests miss their deadlines on a loaded machine.
	args := []string{"test", "-count=1", "-v"}
	if run := os.Getenv("CONFORMANCE_ROOT_RUN"); run != "" {
		args = append(args, "-run", run)
	}
	args = append(args, ".")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = ".." // the root module
	cmd.Env = append(os.Environ(),
		"KAFKA_BROKERS="+strings.Join(m.Addrs(), ","),
		"KAFKATEST_RDKAFKA_MOCK="+url,
	)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("go %s against librdkafka %s mock %v: %v", strings.Join(args, " "), mock.Version(), m.Addrs(), time.Since(start).Round(time.Second))
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "kafkatest: ") {
			t.Log(sc.Text())
		}
	}
	if err != nil {
		t.Fatalf("root suite on the mock: %v\n%s", err, out)
	}
}
