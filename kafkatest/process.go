package kafkatest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// processEnv carries the cluster to serve, as a JSON processSpec, from
// StartProcess to the child's ServeProcess.
const processEnv = "KAFKATEST_SERVE"

// processSpec is what of a cluster's options can cross to a child process.
type processSpec struct {
	Brokers           int               `json:"brokers,omitempty"` // only when NumBrokers was given
	Ports             []int             `json:"ports,omitempty"`
	Topics            []processTopic    `json:"topics,omitempty"`
	DefaultPartitions int               `json:"default_partitions"`
	AutoCreate        bool              `json:"auto_create,omitempty"`
	SASL              []processUser     `json:"sasl,omitempty"`
	Version           string            `json:"version,omitempty"`
	BrokerConfigs     map[string]string `json:"broker_configs,omitempty"`
	Latency           time.Duration     `json:"latency_ns,omitempty"`
	DataDir           string            `json:"data_dir,omitempty"`
}

type processTopic struct {
	Name       string `json:"name"`
	Partitions int    `json:"partitions"`
}

type processUser struct {
	Mechanism string `json:"mechanism"`
	User      string `json:"user"`
	Password  string `json:"password"`
}

// newProcessSpec describes a cluster made with opts and holding topics, or
// says why it cannot be served by a child process.
func newProcessSpec(topics map[string]int, opts []Option) (processSpec, error) {
	for _, name := range slices.Sorted(maps.Keys(topics)) {
		opts = append(opts, Topic(name, topics[name]))
	}
	cfg := newConfig(opts)
	if cfg.tls != nil || cfg.logger != nil {
		cfg.errorf("StartProcess: TLS and Logger cannot be sent to the cluster process; give them to ServeProcess in TestMain")
	}
	if _, err := cfg.kfakeOpts(); err != nil {
		return processSpec{}, err
	}
	spec := processSpec{
		Ports:             cfg.ports,
		DefaultPartitions: cfg.defaultPart,
		AutoCreate:        cfg.autoCreate,
		Version:           cfg.version,
		BrokerConfigs:     cfg.brokerCfgs,
		Latency:           cfg.latency,
		DataDir:           cfg.dataDir,
	}
	if cfg.brokersSet {
		spec.Brokers = cfg.brokers
	}
	for _, t := range cfg.topics {
		spec.Topics = append(spec.Topics, processTopic{t.name, t.partitions})
	}
	for _, u := range cfg.sasl {
		spec.SASL = append(spec.SASL, processUser{u.mechanism, u.user, u.password})
	}
	return spec, nil
}

// options turns the spec back into the options it was made from.
func (s processSpec) options() []Option {
	var opts []Option
	if s.Brokers > 0 {
		opts = append(opts, NumBrokers(s.Brokers))
	}
	if len(s.Ports) > 0 {
		opts = append(opts, Ports(s.Ports...))
	}
	for _, t := range s.Topics {
		opts = append(opts, Topic(t.Name, t.Partitions))
	}
	opts = append(opts, DefaultPartitions(s.DefaultPartitions))
	if s.AutoCreate {
		opts = append(opts, AutoCreateTopics())
	}
	for _, u := range s.SASL {
		opts = append(opts, SASLUser(u.Mechanism, u.User, u.Password))
	}
	if s.Version != "" {
		opts = append(opts, Version(s.Version))
	}
	for k, v := range s.BrokerConfigs {
		opts = append(opts, BrokerConfig(k, v))
	}
	if s.Latency > 0 {
		opts = append(opts, Latency(s.Latency))
	}
	if s.DataDir != "" {
		opts = append(opts, DataDir(s.DataDir))
	}
	return opts
}

// ServeProcess lets a test binary double as a cluster process for
// StartProcess: call it first in TestMain. In the child StartProcess
// starts, it serves a cluster, made with the options StartProcess was given
// and then opts (for what cannot cross processes, such as [TLS] or
// [Logger]), until its parent goes away, and then exits the process;
// anywhere else it returns at once.
//
//	func TestMain(m *testing.M) {
//		kafkatest.ServeProcess()
//		os.Exit(m.Run())
//	}
func ServeProcess(opts ...Option) {
	env, ok := os.LookupEnv(processEnv)
	if !ok {
		return
	}
	var spec processSpec
	if err := json.Unmarshal([]byte(env), &spec); err != nil {
		fmt.Fprintf(os.Stderr, "kafkatest: bad %s=%q: %v\n", processEnv, env, err)
		os.Exit(2)
	}
	cl, err := NewCluster(append(spec.options(), opts...)...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(strings.Join(cl.Addrs(), ","))
	bufio.NewReader(os.Stdin).ReadString(0) // until the parent closes stdin or dies
	cl.Close()
	os.Exit(0)
}

// StartProcess starts a cluster holding topics (name to partitions), made
// with opts, in a child process: the running test binary itself, whose
// TestMain must call ServeProcess. It returns the brokers' addresses; the
// cluster stops when tb ends. Benchmarks use it so that the allocations
// and CPU they measure are the client's alone, not the embedded broker's.
//
// Options that hold Go values, [TLS] and [Logger], cannot be sent to the
// child: StartProcess fails tb if given them; pass them to ServeProcess
// instead. [Ports] can: with it, the child listens on those ports.
func StartProcess(tb testing.TB, topics map[string]int, opts ...Option) []string {
	tb.Helper()
	spec, err := newProcessSpec(topics, opts)
	if err != nil {
		tb.Fatal(err)
	}
	env, err := json.Marshal(spec)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), processEnv+"="+string(env))
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
	if err != nil && !errors.Is(err, io.EOF) {
		tb.Fatalf("kafkatest: cluster process: %v", err)
	}
	addrs := strings.Split(strings.TrimSpace(line), ",")
	for _, a := range addrs {
		if _, _, err := net.SplitHostPort(a); err != nil {
			tb.Fatalf("kafkatest: cluster process printed %q, not broker addresses: does TestMain call kafkatest.ServeProcess first? (its errors are on stderr)", line)
		}
	}
	return addrs
}
