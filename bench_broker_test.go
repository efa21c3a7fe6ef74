package kafka_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/gokafka/kafka/kafkatest"
)

// TestMain lets benchmarks run the embedded cluster in a child process
// (kafkatest.StartProcess), so that what they count is the client's, and
// says how many integration tests ran on which backend (KAFKA_BROKERS or
// the embedded cluster).
func TestMain(m *testing.M) {
	kafkatest.ServeProcess()
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
