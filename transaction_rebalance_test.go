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
	kb := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "librdkafka 2.0.2's mock did not complete this eager rebalance within 20 s: the first member held no partition (not investigated further)")
	topic, out := kb.NewTopic("txn-rebalance", 2), kb.NewTopic("txn-rebalance-out", 1)
	c := newClient(t, kafka.Config{Hosts: kb.Addrs()})
	ctx := testCtx(t)
	tp, err := c.Topic(ctx, topic)
	require.NoError(t, err)

	w, err := tp.Producer(ctx, kafka.ProducerConfig{Partitioner: kafka.NewManualPartitioner()})
	require.NoError(t, err)
	for i := range 10 {
		require.NoError(t, w.Produce(ctx, kafka.Message{Partition: int32(i % 2), Value: fmt.Appendf(nil, "in-%d", i)}))
	}
	require.NoError(t, w.Close())

	group := kb.Name("txn-rebalance-group")
	cfg := kafka.BalancedConsumerConfig{ConsumerGroup: group, HeartbeatInterval: 100 * time.Millisecond, RebalanceTimeout: 10 * time.Second}
	first, err := tp.BalancedConsumer(ctx, cfg)
	require.NoError(t, err)
	defer first.Close()
	p := newTxnProducer(t, c, kb.Name("txn-rebalance-id"), kafka.ProducerConfig{})

	require.NoError(t, p.BeginTransaction())
	for range 4 {
		m, err := first.Consume(ctx)
		require.NoError(t, err)
		require.NoError(t, p.Produce(ctx, kafka.Message{Topic: out, Value: m.Value}))
	}

	second, err := tp.BalancedConsumer(ctx, cfg)
	require.NoError(t, err)
	defer second.Close()
	waitAssignment(t, 2, first, second)
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
