package kafka_test

import (
	"context"
	"testing"
	"time"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

// produceAt writes one record with franz-go, an independent client, so
// that reads are checked against a writer that is not ours.
func produceAt(t *testing.T, cl *kafkatest.Cluster, topic string, partition int32, ts time.Time, value string) {
	t.Helper()
	k, err := kgo.NewClient(kgo.SeedBrokers(cl.Addrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	require.NoError(t, err)
	defer k.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := &kgo.Record{Topic: topic, Partition: partition, Timestamp: ts, Value: []byte(value)}
	require.NoError(t, k.ProduceSync(ctx, r).FirstErr())
}
