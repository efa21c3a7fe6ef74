package kafka_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Transactions under both isolation levels, and committed offsets read
// the same way by gokafka and franz-go.

// TestSimpleConsumerTransactions: with an aborted and a committed
// transaction in the log, ReadUncommitted returns both, ReadCommitted only
// the committed one, and neither stalls at the control records.
func TestSimpleConsumerTransactions(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "txn", 1)
	kafkatest.SkipOnMock(t, "EndTxn writes no control records")
	name, group := topic.Name(), groupNames(b)
	plain := scKgo(t, b)
	tx := scKgo(t, b, kgo.TransactionalID(group("tx")))
	ctx := testCtx(t)
	put := func(k *kgo.Client, value string) {
		require.NoError(t, k.ProduceSync(ctx, &kgo.Record{Topic: name, Value: []byte(value)}).FirstErr())
	}
	put(plain, "plain") // 0
	require.NoError(t, tx.BeginTransaction())
	put(tx, "aborted-1")                                     // 1
	put(tx, "aborted-2")                                     // 2
	require.NoError(t, tx.EndTransaction(ctx, kgo.TryAbort)) // marker at 3
	require.NoError(t, tx.BeginTransaction())
	put(tx, "committed-4")                                    // 4
	put(tx, "committed-5")                                    // 5
	require.NoError(t, tx.EndTransaction(ctx, kgo.TryCommit)) // marker at 6
	put(plain, "after")                                       // 7
	latest, err := topic.LatestAvailableOffsets(ctx)
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 8}, latest)

	read := func(iso kafka.IsolationLevel, n int) (offsets []int64, values []string, held int64) {
		sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{IsolationLevel: iso, ConsumerTimeout: 200 * time.Millisecond})
		for _, m := range scDrain(t, sc, n) {
			offsets = append(offsets, m.Offset)
			values = append(values, string(m.Value))
		}
		return offsets, values, sc.HeldOffsets()[0]
	}
	offs, vals, held := read(kafka.ReadUncommitted, 6)
	require.Equal(t, []int64{0, 1, 2, 4, 5, 7}, offs)
	require.Equal(t, []string{"plain", "aborted-1", "aborted-2", "committed-4", "committed-5", "after"}, vals)
	require.Equal(t, int64(8), held)

	offs, vals, held = read(kafka.ReadCommitted, 4)
	require.Equal(t, []int64{0, 4, 5, 7}, offs)
	require.Equal(t, []string{"plain", "committed-4", "committed-5", "after"}, vals)
	require.Equal(t, int64(8), held)

	t.Run("open transaction", func(t *testing.T) {
		require.NoError(t, tx.BeginTransaction())
		put(tx, "pending-8") // 8
		// Starting at the earliest offset, not at the last stable one:
		// kfake holds a read-committed fetch at the last stable offset until
		// the transaction ends (Kafka answers after FetchWaitMax), and a
		// reset waits for the fetch in flight.
		rc := scConsumer(t, topic, kafka.SimpleConsumerConfig{IsolationLevel: kafka.ReadCommitted, ConsumerTimeout: 200 * time.Millisecond})
		ru := scConsumer(t, topic, kafka.SimpleConsumerConfig{IsolationLevel: kafka.ReadUncommitted, ConsumerTimeout: 200 * time.Millisecond})
		require.NoError(t, ru.ResetOffsets(ctx, map[int32]int64{0: 8}))
		require.NoError(t, rc.ResetOffsets(ctx, map[int32]int64{0: 7}))
		m := scDrain(t, ru, 1)
		require.Equal(t, "pending-8", string(m[0].Value))
		m = scDrain(t, rc, 1) // only what is before the last stable offset
		require.Equal(t, "after", string(m[0].Value))
		require.NoError(t, tx.EndTransaction(ctx, kgo.TryCommit))
		m = scDrain(t, rc, 1) // the commit releases it
		require.Equal(t, int64(8), m[0].Offset)
		require.Equal(t, "pending-8", string(m[0].Value))
	})
}

// scKgoCommitted asks the coordinator, through franz-go, for what group
// committed on topic.
func scKgoCommitted(t *testing.T, k *kgo.Client, group, topic string) map[int32]int64 {
	t.Helper()
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic = topic
	rt.Partitions = []int32{0, 1, 2}
	req.Topics = append(req.Topics, rt)
	kresp, err := k.Request(testCtx(t), req)
	require.NoError(t, err)
	resp := kresp.(*kmsg.OffsetFetchResponse)
	require.NoError(t, scKerr(resp.ErrorCode))
	topics := resp.Topics
	for _, g := range resp.Groups { // v8+
		require.NoError(t, scKerr(g.ErrorCode))
		for _, gt := range g.Topics {
			rt := kmsg.NewOffsetFetchResponseTopic()
			rt.Topic = gt.Topic
			for _, gp := range gt.Partitions {
				rp := kmsg.NewOffsetFetchResponseTopicPartition()
				rp.Partition, rp.Offset, rp.ErrorCode = gp.Partition, gp.Offset, gp.ErrorCode
				rt.Partitions = append(rt.Partitions, rp)
			}
			topics = append(topics, rt)
		}
	}
	out := map[int32]int64{}
	for _, rt := range topics {
		if rt.Topic != topic {
			continue
		}
		for _, rp := range rt.Partitions {
			require.NoError(t, scKerr(rp.ErrorCode))
			if rp.Offset >= 0 {
				out[rp.Partition] = rp.Offset
			}
		}
	}
	return out
}

func scKerr(code int16) error {
	if code == 0 {
		return nil
	}
	return fmt.Errorf("kafka error code %d", code)
}

// TestSimpleConsumerOffsetsInterop: offsets committed by gokafka mean the
// same positions to franz-go, and the reverse.
func TestSimpleConsumerOffsetsInterop(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "interop", 3)
	name, group := topic.Name(), groupNames(b)
	scFill(t, scKgo(t, b), name, scParts(3), 0, 10)

	t.Run("gokafka to franz-go", func(t *testing.T) {
		sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group("ours")})
		require.NoError(t, sc.CommitPartitionOffsets(testCtx(t), map[int32]int64{0: 3, 1: 7}))
		require.Equal(t, map[int32]int64{0: 3, 1: 7}, scKgoCommitted(t, scKgo(t, b), group("ours"), name))

		// A franz-go group member resumes there; partition 2, with no
		// commit, starts at its reset offset (the end).
		k := scKgo(t, b, kgo.ConsumerGroup(group("ours")), kgo.ConsumeTopics(name),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()), kgo.DisableAutoCommit())
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		got := map[int32][]int64{}
		n := 0
		for n < 10 {
			fs := k.PollFetches(ctx)
			require.NoError(t, ctx.Err(), "got %v", got)
			fs.EachRecord(func(r *kgo.Record) {
				got[r.Partition] = append(got[r.Partition], r.Offset)
				n++
			})
		}
		require.Equal(t, map[int32][]int64{0: scSpan(3, 10), 1: scSpan(7, 10)}, got)
	})

	t.Run("franz-go to gokafka", func(t *testing.T) {
		k := scKgo(t, b, kgo.ConsumerGroup(group("theirs")), kgo.ConsumeTopics(name),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit())
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		want := map[int32]int64{}
		polled := 0
		for polled < 7 {
			fs := k.PollRecords(ctx, 7-polled)
			require.NoError(t, ctx.Err())
			fs.EachRecord(func(r *kgo.Record) {
				want[r.Partition] = max(want[r.Partition], r.Offset+1)
				polled++
			})
		}
		require.NoError(t, k.CommitUncommittedOffsets(ctx))
		k.Close() // leaves the group
		require.Equal(t, want, scCommittedOn(t, b, group("theirs"), name))

		sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group("theirs"), ConsumerTimeout: 300 * time.Millisecond})
		off, err := sc.FetchOffsets(testCtx(t))
		require.NoError(t, err)
		require.Equal(t, want, off)
		rest := scOffsets(t, name, scDrain(t, sc, 30-7))
		for _, p := range scParts(3) {
			require.Equal(t, scSpan(want[p], 10), rest[p], "partition %d starts at franz-go's commit %d", p, want[p]) // absent: 0, earliest
		}
	})
}
