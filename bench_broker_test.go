package kafka_test

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/gokafka/kafka/kafkatest"
)

// TestMain lets benchmarks run the embedded cluster in a child process
// (kafkatest.StartProcess), so that what they count is the client's, and
// says how many integration tests ran on which backend (KAFKA_BROKERS or
// the embedded cluster).
//
// Unless -parallel is given, up to 4 parallel tests run at once rather than
// GOMAXPROCS: the integration tests marked parallel mostly wait on their
// clusters (group rebalances, session timeouts, linger), so that on a
// 2-core machine the suite under -race used about a third of the CPU at
// GOMAXPROCS of them at once. Tests that assert latencies or count
// process-wide goroutines or allocations are not parallel: they run
// before the parallel ones, alone.
func TestMain(m *testing.M) {
	kafkatest.ServeProcess()
	flag.Parse()
	if !flagGiven("test.parallel") && runtime.GOMAXPROCS(0) < defaultParallel {
		if err := flag.Set("test.parallel", fmt.Sprint(defaultParallel)); err != nil {
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

// defaultParallel is the -parallel TestMain sets when none is given.
const defaultParallel = 4

// flagGiven reports whether the named flag was set on the command line.
func flagGiven(name string) bool {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
