package kafka_test

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/gokafka/kafka/kafkatest"
)

// TestMain lets benchmarks run the embedded cluster in a child process
// (kafkatest.StartProcess), so that what they count is the client's, and
// says how many integration tests ran on which backend (KAFKA_BROKERS or
// the embedded cluster).
//
// Most integration tests spend their time waiting on a cluster's timers
// (heartbeats, lingers, backoffs), not on a core: unless -test.parallel is
// given, twice as many run at once as there are cores (at least 4).
func TestMain(m *testing.M) {
	kafkatest.ServeProcess()
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", strconv.Itoa(max(4, 2*runtime.GOMAXPROCS(0)))); err != nil {
			panic(err)
		}
	}
	code := m.Run()
	if s := kafkatest.Summary(); s != "" {
		fmt.Println(s)
	}
	os.Exit(code)
}

// benchBrokers starts a cluster holding topic in a child process.
func benchBrokers(b *testing.B, topic string, partitions int) []string {
	return kafkatest.StartProcess(b, map[string]int{topic: partitions})
}
