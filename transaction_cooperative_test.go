package kafka_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestTransactionCooperativeRevoke: under cooperative-sticky a rebalance
// takes one of a member's two partitions and leaves it the other
// throughout. The lost-partition check runs on that partial revoke: if
// the transaction holds output of messages of the partition given up past
// what it sent offsets for, SendOffsetsToTransaction fails (abortable,
// ErrRebalanceInProgress), although the member never stopped holding
// partitions; if it had sent offsets for everything handed out, the
// revoke loses nothing and the transaction commits.
func TestTransactionCooperativeRevoke(t *testing.T) {
	t.Parallel()
	for _, sentBefore := range []bool{false, true} {
		t.Run(fmt.Sprint("sent-before-", sentBefore), func(t *testing.T) {
			kb := kafkatest.NewBackend(t)
			kafkatest.SkipOnMock(t, "librdkafka 2.0.2's mock did not complete the eager rebalance of TestTransactionRebalanceGivesBack within 20 s")
			topic := kb.NewTopic(fmt.Sprint("txn-coop-", sentBefore), 2)
			// The output topic: without it the output failed with
			// UNKNOWN_TOPIC_OR_PARTITION, which the commit once ignored.
			out := kb.NewTopic(fmt.Sprint("txn-coop-", sentBefore, "-out"), 1)
			c := newClient(t, kafka.Config{Hosts: kb.Addrs()})
			ctx := testCtx(t)
			tp, err := c.Topic(ctx, topic)
			require.NoError(t, err)
			w, err := tp.Producer(ctx, kafka.ProducerConfig{Partitioner: kafka.NewManualPartitioner()})
			require.NoError(t, err)
			for i := range 40 {
				require.NoError(t, w.Produce(ctx, kafka.Message{Partition: int32(i % 2), Value: fmt.Appendf(nil, "in-%d", i)}))
			}
			require.NoError(t, w.Close())

			group := kb.Name(topic + "-group")
			cfg := kafka.BalancedConsumerConfig{ConsumerGroup: group, HeartbeatInterval: 100 * time.Millisecond, RebalanceTimeout: 10 * time.Second,
				MembershipProtocol: kafka.CooperativeStickyAssignor{}}
			var (
				mu      sync.Mutex
				revokes []int
			)
			fcfg := cfg
			fcfg.PreRebalanceCallback = func(_ context.Context, revoked map[kafka.TopicPartition]int64) {
				mu.Lock()
				revokes = append(revokes, len(revoked))
				mu.Unlock()
			}
			first, err := tp.BalancedConsumer(ctx, fcfg)
			require.NoError(t, err)
			defer first.Close()
			p := newTxnProducer(t, c, kb.Name(topic+"-id"), kafka.ProducerConfig{})

			require.NoError(t, p.BeginTransaction())
			// Messages of both partitions: whichever moves, the
			// transaction holds output of some of its messages.
			per := map[int32]int{}
			for per[0] == 0 || per[1] == 0 {
				m, err := first.Consume(ctx)
				require.NoError(t, err)
				per[m.Partition]++
				require.NoError(t, p.Produce(ctx, kafka.Message{Topic: out, Value: m.Value}))
			}
			if sentBefore {
				require.NoError(t, p.SendOffsetsToTransaction(ctx, first))
			}

			second, err := tp.BalancedConsumer(ctx, cfg)
			require.NoError(t, err)
			defer second.Close()
			require.Eventually(t, func() bool { return len(first.Partitions()) == 1 },
				10*time.Second, 5*time.Millisecond, "one partition given up")
			if sentBefore {
				// The partition's new owner waits for the transaction's
				// offsets to be committed or aborted (KIP-447).
				require.NoError(t, p.SendOffsetsToTransaction(ctx, first), "nothing handed out past the offsets sent: nothing lost")
				require.NoError(t, p.CommitTransaction(ctx))
				require.Eventually(t, func() bool { return len(second.Partitions()) == 1 },
					10*time.Second, 5*time.Millisecond, "the new owner starts after the commit")
				return
			}
			require.Eventually(t, func() bool { return len(second.Partitions()) == 1 },
				10*time.Second, 5*time.Millisecond, "one partition moved")
			waitAssignment(t, 2, first, second)
			err = p.SendOffsetsToTransaction(ctx, first)
			require.ErrorIs(t, err, kafka.ErrRebalanceInProgress, "the transaction holds output of messages of the partition given up")
			require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(revokes) > 0 }, 10*time.Second, 5*time.Millisecond)
			mu.Lock()
			require.Equal(t, []int{1}, revokes, "one partial revoke: the member kept the other partition")
			mu.Unlock()
			var te *kafka.TransactionError
			require.ErrorAs(t, err, &te)
			require.False(t, te.Fatal)
			require.NoError(t, p.AbortTransaction(ctx))
			require.NoError(t, first.RewindToCommitted(ctx))
			// The next transaction over the partition kept goes through.
			require.NoError(t, p.BeginTransaction())
			m, err := first.Consume(ctx)
			require.NoError(t, err)
			require.Equal(t, first.Partitions()[0], m.Partition)
			require.NoError(t, p.Produce(ctx, kafka.Message{Topic: out, Value: m.Value}))
			require.NoError(t, p.SendOffsetsToTransaction(ctx, first))
			require.NoError(t, p.CommitTransaction(ctx))
		})
	}
}
