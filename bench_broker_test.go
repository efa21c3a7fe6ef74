package kafka_test

import (
	"os"
	"testing"

	"github.com/gokafka/kafka/kafkatest"
)

// TestMain lets benchmarks run the embedded cluster in a child process
// (kafkatest.StartProcess), so that what they count is the client's.
func TestMain(m *testing.M) {
	kafkatest.ServeProcess()
	os.Exit(m.Run())
}

// benchBrokers starts a cluster holding topic in a child process.
func benchBrokers(b *testing.B, topic string, partitions int) []string {
	return kafkatest.StartProcess(b, map[string]int{topic: partitions})
}
