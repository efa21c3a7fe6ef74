package kafka_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestTransactionRebalanceGivesBack: a member hands out messages inside a
// transaction, then an eager rebalance takes its partitions away and gives
// it some back (a second member joined). The new assignment starts from
// the group's commits, before the messages the open transaction holds the
// output of, so committing that transaction would write their output twice:
// SendOffsetsToTransaction must fail (abortable, wrapping
// ErrRebalanceInProgress) even though the member holds partitions again.
func TestTransactionRebalanceGivesBack(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "waits for the group to be stable")
	const topic = "txn-rebalance"
	require.NoError(t, cl.CreateTopic(topic, 2))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	ctx := testCtx(t)
	tp, err := c.Topic(ctx, topic)
	require.NoError(t, err)

	w, err := tp.Producer(ctx, kafka.ProducerConfig{Partitioner: kafka.NewManualPartitioner()})
	require.NoError(t, err)
	for i := range 10 {
		require.NoError(t, w.Produce(ctx, kafka.Message{Partition: int32(i % 2), Value: fmt.Appendf(nil, "in-%d", i)}))
	}
	require.NoError(t, w.Close())

	const group = "txn-rebalance-group"
	cfg := kafka.BalancedConsumerConfig{ConsumerGroup: group, HeartbeatInterval: 100 * time.Millisecond, RebalanceTimeout: 10 * time.Second}
	first, err := tp.BalancedConsumer(ctx, cfg)
	require.NoError(t, err)
	defer first.Close()
	p := newTxnProducer(t, c, "txn-rebalance-id", kafka.ProducerConfig{})

	require.NoError(t, p.BeginTransaction())
	for range 4 {
		m, err := first.Consume(ctx)
		require.NoError(t, err)
		require.NoError(t, p.Produce(ctx, kafka.Message{Topic: topic + "-out", Value: m.Value}))
	}

	second, err := tp.BalancedConsumer(ctx, cfg)
	require.NoError(t, err)
	defer second.Close()
	_, err = cl.WaitGroupStable(ctx, group, 2)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(first.Partitions()) == 1 }, 10*time.Second, 20*time.Millisecond,
		"the first member holds one partition again")

	err = p.SendOffsetsToTransaction(ctx, first)
	require.ErrorIs(t, err, kafka.ErrRebalanceInProgress, "the transaction holds output of messages the member gave up")
	var te *kafka.TransactionError
	require.ErrorAs(t, err, &te)
	require.False(t, te.Fatal)
	require.NoError(t, p.AbortTransaction(ctx))
	require.NoError(t, first.RewindToCommitted(ctx))
}
