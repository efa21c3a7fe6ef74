package kafka_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

// produceAt writes one record with franz-go, an independent client, so
// that reads are checked against a writer that is not ours.
func produceAt(t *testing.T, cl addrser, topic string, partition int32, ts time.Time, value string) {
	t.Helper()
	k, err := kgo.NewClient(kgoOpts(cl.Addrs(), kgo.RecordPartitioner(kgo.ManualPartitioner()))...)
	require.NoError(t, err)
	defer k.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := &kgo.Record{Topic: topic, Partition: partition, Timestamp: ts, Value: []byte(value)}
	require.NoError(t, k.ProduceSync(ctx, r).FirstErr())
}

// addrser is what a test needs of a cluster to point clients at it: both
// *kafkatest.Cluster and *kafkatest.Backend are one.
type addrser interface{ Addrs() []string }

// groupNames returns a function that names consumer groups (and
// transactional IDs) after a base name, unique to the run on b, so that a
// real cluster's commits from earlier runs are never seen: the same base
// gives the same name within a test.
func groupNames(b *kafkatest.Backend) func(base string) string {
	var mu sync.Mutex
	names := map[string]string{}
	return func(base string) string {
		mu.Lock()
		defer mu.Unlock()
		if n, ok := names[base]; ok {
			return n
		}
		names[base] = b.Name(base)
		return names[base]
	}
}

// kgoOpts returns the options of a franz-go client of the brokers at addrs
// (see kgoopts_internal_test.go).
var kgoOpts = kafka.KgoOpts
