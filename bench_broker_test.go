package kafka_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/gokafka/kafka/kafkatest"
)

// brokerProcessEnv, set to "topic:partitions", makes the test binary serve
// an embedded cluster instead of running tests: benchmarks start it as a
// child process so that the allocations they count are the client's alone,
// not the in-process broker's.
const brokerProcessEnv = "GOKAFKA_BENCH_BROKER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(brokerProcessEnv); spec != "" {
		os.Exit(serveBrokerProcess(spec))
	}
	os.Exit(m.Run())
}

// serveBrokerProcess runs a cluster with the topic in spec, prints its
// addresses on a line of stdout, and stops when stdin closes (the parent
// finished or died).
func serveBrokerProcess(spec string) int {
	name, n, _ := strings.Cut(spec, ":")
	partitions, err := strconv.Atoi(n)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bad %s=%q\n", brokerProcessEnv, spec)
		return 2
	}
	cl, err := kafkatest.NewCluster(kafkatest.Topic(name, partitions))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cl.Close()
	fmt.Printf("%s\n", strings.Join(cl.Addrs(), ","))
	bufio.NewReader(os.Stdin).ReadString(0) // until EOF
	return 0
}

// benchBrokers starts an embedded cluster holding topic in a child process
// and returns its addresses; the cluster stops when b ends.
func benchBrokers(b *testing.B, topic string, partitions int) []string {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s:%d", brokerProcessEnv, topic, partitions))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("broker process: %v", err)
	}
	return strings.Split(strings.TrimSpace(line), ",")
}
