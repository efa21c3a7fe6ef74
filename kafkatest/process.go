package kafkatest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// processEnv carries the topics of a cluster to serve, "name:partitions,...",
// from StartProcess to the child's ServeProcess.
const processEnv = "KAFKATEST_SERVE_TOPICS"

// ServeProcess lets a test binary double as a cluster process for
// StartProcess: call it first in TestMain. In the child StartProcess
// starts, it serves a cluster until its parent goes away and then exits the
// process; anywhere else it returns at once.
//
//	func TestMain(m *testing.M) {
//		kafkatest.ServeProcess()
//		os.Exit(m.Run())
//	}
func ServeProcess() {
	spec, ok := os.LookupEnv(processEnv)
	if !ok {
		return
	}
	var opts []Option
	for _, t := range strings.Split(spec, ",") {
		name, n, _ := strings.Cut(t, ":")
		partitions, err := strconv.Atoi(n)
		if name == "" || err != nil {
			fmt.Fprintf(os.Stderr, "kafkatest: bad %s=%q\n", processEnv, spec)
			os.Exit(2)
		}
		opts = append(opts, Topic(name, partitions))
	}
	cl, err := NewCluster(opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(strings.Join(cl.Addrs(), ","))
	bufio.NewReader(os.Stdin).ReadString(0) // until the parent closes stdin or dies
	cl.Close()
	os.Exit(0)
}

// StartProcess starts a cluster holding topics (name to partitions) in a
// child process, the running test binary itself (whose TestMain must call
// ServeProcess), and returns its addresses; the cluster stops when tb ends.
// Benchmarks use it so that the allocations and CPU they measure are the
// client's alone, not the embedded broker's.
func StartProcess(tb testing.TB, topics map[string]int) []string {
	tb.Helper()
	var spec []string
	for name, n := range topics {
		spec = append(spec, fmt.Sprintf("%s:%d", name, n))
	}
	sort.Strings(spec)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), processEnv+"="+strings.Join(spec, ","))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		tb.Fatalf("kafkatest: cluster process: %v", err)
	}
	return strings.Split(strings.TrimSpace(line), ",")
}
