package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Integration tests of SimpleConsumer against kafkatest, with franz-go
// (kgo) as the independent client that writes the data and checks
// committed offsets. Offsets always mean the next offset to read.
//
// Records written by scFill carry the value "<partition>-<offset>", so a
// consumed message checks its own placement.

// scKfake starts an embedded cluster with one topic and returns it with a
// client and the topic, for a test that needs the embedded cluster's
// controls, for the reason given: it is skipped against KAFKA_BROKERS.
func scKfake(t *testing.T, why, topic string, partitions int, opts ...kafkatest.Option) (*kafkatest.Cluster, *kafka.Client, *kafka.Topic) {
	t.Helper()
	cl := kafkatest.NeedsKfake(t, why, append([]kafkatest.Option{kafkatest.Topic(topic, partitions)}, opts...)...)
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
	tp, err := c.Topic(testCtx(t), topic)
	require.NoError(t, err)
	return cl, c, tp
}

// scOpen is scKfake on the backend the run chose (KAFKA_BROKERS or an
// embedded cluster): it creates a topic named after base, unique to the
// run, and returns the backend with a client and the topic (its name is
// topic.Name()).
func scOpen(t *testing.T, base string, partitions int, opts ...kafkatest.Option) (*kafkatest.Backend, *kafka.Client, *kafka.Topic) {
	t.Helper()
	b := kafkatest.NewBackend(t, opts...)
	name := b.NewTopic(base, partitions)
	c := newClient(t, kafka.Config{Hosts: b.Addrs(), RetryBackoff: 10 * time.Millisecond})
	tp, err := c.Topic(testCtx(t), name)
	require.NoError(t, err)
	return b, c, tp
}

// scKgo returns a franz-go client of cl (a cluster or a backend) that
// writes to the partition each record names.
func scKgo(t *testing.T, cl addrser, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	k, err := kgo.NewClient(kgoOpts(cl.Addrs(), append([]kgo.Opt{kgo.RecordPartitioner(kgo.ManualPartitioner())}, opts...)...)...)
	require.NoError(t, err)
	t.Cleanup(k.Close)
	return k
}

// scFill appends n records to each partition with franz-go. The partitions
// must hold from records each beforehand: record i gets offset from+i, the
// key "k<from+i>" and the value "<partition>-<from+i>".
func scFill(t *testing.T, k *kgo.Client, topic string, partitions []int32, from, n int) {
	t.Helper()
	var recs []*kgo.Record
	for _, p := range partitions {
		for i := from; i < from+n; i++ {
			recs = append(recs, &kgo.Record{Topic: topic, Partition: p, Key: fmt.Appendf(nil, "k%d", i), Value: fmt.Appendf(nil, "%d-%d", p, i)})
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res := k.ProduceSync(ctx, recs...)
	require.NoError(t, res.FirstErr())
	for _, r := range res {
		require.Equal(t, fmt.Sprintf("%d-%d", r.Record.Partition, r.Record.Offset), string(r.Record.Value), "test data placed where expected")
	}
}

// scConsumer makes a simple consumer that is closed when t ends.
func scConsumer(t *testing.T, topic *kafka.Topic, cfg kafka.SimpleConsumerConfig) *kafka.SimpleConsumer {
	t.Helper()
	sc, err := topic.SimpleConsumer(testCtx(t), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { sc.Close() })
	return sc
}

// scConsume consumes exactly n messages, failing on any error but
// ErrConsumerTimeout: the consumer's timeout is no deadline here (a loaded
// machine may take longer between fetches), the generous ctx is.
func scConsume(t *testing.T, sc *kafka.SimpleConsumer, n int) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := make([]kafka.Message, 0, n)
	for len(out) < n {
		msg, err := sc.Consume(ctx)
		if errors.Is(err, kafka.ErrConsumerTimeout) {
			continue
		}
		require.NoError(t, err, "after %d of %d messages", len(out), n)
		out = append(out, msg)
	}
	return out
}

// scDrain consumes exactly n messages, as scConsume does, then checks that
// no more come (scNoMore).
func scDrain(t *testing.T, sc *kafka.SimpleConsumer, n int) []kafka.Message {
	t.Helper()
	out := scConsume(t, sc, n)
	scNoMore(t, sc)
	return out
}

// scNoMore checks that the consumer has nothing more to return within its
// ConsumerTimeout, which must be set. The timeout only bounds how long the
// check looks: under load it may miss a late extra message, but it never
// fails a correct consumer.
func scNoMore(t *testing.T, sc *kafka.SimpleConsumer) {
	t.Helper()
	msg, err := sc.Consume(testCtx(t))
	require.ErrorIs(t, err, kafka.ErrConsumerTimeout, "no more messages; got offset %d of partition %d", msg.Offset, msg.Partition)
}

// scOffsets groups the offsets of msgs by partition, in consumption order,
// and checks that each message is intact and in its place.
func scOffsets(t *testing.T, topic string, msgs []kafka.Message) map[int32][]int64 {
	t.Helper()
	out := map[int32][]int64{}
	for _, m := range msgs {
		require.Equal(t, topic, m.Topic)
		require.Equal(t, fmt.Sprintf("%d-%d", m.Partition, m.Offset), string(m.Value), "message at %d/%d", m.Partition, m.Offset)
		require.Equal(t, fmt.Sprintf("k%d", m.Offset), string(m.Key))
		out[m.Partition] = append(out[m.Partition], m.Offset)
	}
	return out
}

// scSpan returns the offsets from, from+1, ..., to-1.
func scSpan(from, to int64) []int64 {
	var out []int64
	for o := from; o < to; o++ {
		out = append(out, o)
	}
	return out
}

func scParts(n int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(i)
	}
	return out
}

// scCommittedOn returns what the coordinator of b holds for group and topic.
func scCommittedOn(t *testing.T, b *kafkatest.Backend, group, topic string) map[int32]int64 {
	t.Helper()
	off, err := b.Committed(group, topic)
	require.NoError(t, err)
	return off
}

// scCommitted returns what the coordinator holds for group and topic.
func scCommitted(t *testing.T, cl *kafkatest.Cluster, group, topic string) map[int32]int64 {
	t.Helper()
	g, err := cl.Group(group)
	require.NoError(t, err)
	return g.Committed[topic]
}

// TestSimpleConsumerNewGroupLatest: a new group with OffsetLatest skips
// what was written before it started and sees what comes after.
func TestSimpleConsumerNewGroupLatest(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "latest", 2)
	name, group := topic.Name(), groupNames(b)
	k := scKgo(t, b)
	scFill(t, k, name, scParts(2), 0, 5)

	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{
		ConsumerGroup: group("g-latest"), AutoOffsetReset: kafka.OffsetLatest, ConsumerTimeout: 300 * time.Millisecond,
	})
	require.Equal(t, map[int32]int64{0: 5, 1: 5}, sc.HeldOffsets(), "positioned at the end before the first Consume")
	_, err := sc.Consume(testCtx(t))
	require.ErrorIs(t, err, kafka.ErrConsumerTimeout, "nothing written before the start is seen")

	scFill(t, k, name, scParts(2), 5, 3)
	got := scOffsets(t, name, scConsume(t, sc, 6))
	require.Equal(t, map[int32][]int64{0: {5, 6, 7}, 1: {5, 6, 7}}, got)
	scNoMore(t, sc)
	require.Equal(t, map[int32]int64{0: 8, 1: 8}, sc.HeldOffsets())

	// Nothing committed yet: the group is new for both partitions.
	off, err := sc.FetchOffsets(testCtx(t))
	require.NoError(t, err)
	require.Empty(t, off)
}

// TestSimpleConsumerGuideSequence follows the guide's three consumers: a
// new group at LATEST consumes and commits; consumer_2 in the same group
// starts after the commit; consumer_3 with EARLIEST and ResetOffsetOnStart
// starts at the beginning.
func TestSimpleConsumerGuideSequence(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "guide", 1)
	name, group := topic.Name(), groupNames(b)
	k := scKgo(t, b)
	scFill(t, k, name, scParts(1), 0, 3) // offsets 0-2, written before the group exists

	c1 := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group("mygroup"), AutoOffsetReset: kafka.OffsetLatest})
	scFill(t, k, name, scParts(1), 3, 4) // offsets 3-6
	m := scConsume(t, c1, 2)
	require.Equal(t, map[int32][]int64{0: {3, 4}}, scOffsets(t, name, m))
	require.NoError(t, c1.CommitOffsets(testCtx(t)))
	require.Equal(t, map[int32]int64{0: 5}, scCommittedOn(t, b, group("mygroup"), name), "consumed up to 4: the broker holds 5")
	require.NoError(t, c1.Close())

	c2 := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group("mygroup"), ConsumerTimeout: 300 * time.Millisecond})
	require.Equal(t, map[int32][]int64{0: {5, 6}}, scOffsets(t, name, scDrain(t, c2, 2)), "starts right after the last consumed offset")

	c3 := scConsumer(t, topic, kafka.SimpleConsumerConfig{
		ConsumerGroup: group("mygroup"), AutoOffsetReset: kafka.OffsetEarliest, ResetOffsetOnStart: true, ConsumerTimeout: 300 * time.Millisecond,
	})
	require.Equal(t, map[int32][]int64{0: scSpan(0, 7)}, scOffsets(t, name, scDrain(t, c3, 7)))
}

// TestSimpleConsumerContinuesAfterCommit: a new consumer in a group with
// commits starts exactly at each partition's committed offset.
func TestSimpleConsumerContinuesAfterCommit(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "resume", 3)
	name, group := topic.Name(), groupNames(b)
	scFill(t, scKgo(t, b), name, scParts(3), 0, 10)

	c1 := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group("g"), QueuedMaxMessages: 3})
	first := scConsume(t, c1, 13)
	held := c1.HeldOffsets()
	require.Len(t, held, 3)
	for p, offs := range scOffsets(t, name, first) {
		require.Equal(t, scSpan(0, int64(len(offs))), offs, "partition %d in order from 0", p)
		require.Equal(t, int64(len(offs)), held[p], "held is last consumed + 1 on partition %d", p)
	}
	require.NoError(t, c1.CommitOffsets(testCtx(t)))
	require.NoError(t, c1.Close())
	require.Equal(t, held, scCommittedOn(t, b, group("g"), name))

	c2 := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group("g"), ConsumerTimeout: 300 * time.Millisecond})
	fetched, err := c2.FetchOffsets(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, held, fetched)
	require.Equal(t, held, c2.HeldOffsets(), "positioned at the commits before the first Consume")
	rest := scOffsets(t, name, scDrain(t, c2, 17))
	for _, p := range scParts(3) {
		require.Equal(t, scSpan(held[p], 10), rest[p], "partition %d continues at %d with no gap or repeat", p, held[p])
	}
}

// TestSimpleConsumerResetOffsetOnStart: commits exist, but
// ResetOffsetOnStart moves every partition to AutoOffsetReset; without it
// the commits win, and partitions without a commit are new.
func TestSimpleConsumerResetOffsetOnStart(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "reset", 2)
	name, group := topic.Name(), groupNames(b)
	scFill(t, scKgo(t, b), name, scParts(2), 0, 10)

	c0 := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group("g")})
	require.NoError(t, c0.CommitPartitionOffsets(testCtx(t), map[int32]int64{0: 7, 1: 3}))
	require.NoError(t, c0.Close())
	require.Equal(t, map[int32]int64{0: 7, 1: 3}, scCommittedOn(t, b, group("g"), name))

	t.Run("earliest", func(t *testing.T) {
		sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{
			ConsumerGroup: group("g"), AutoOffsetReset: kafka.OffsetEarliest, ResetOffsetOnStart: true, ConsumerTimeout: 300 * time.Millisecond,
		})
		require.Equal(t, map[int32][]int64{0: scSpan(0, 10), 1: scSpan(0, 10)}, scOffsets(t, name, scDrain(t, sc, 20)))
	})
	t.Run("latest", func(t *testing.T) {
		sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{
			ConsumerGroup: group("g"), AutoOffsetReset: kafka.OffsetLatest, ResetOffsetOnStart: true, ConsumerTimeout: 300 * time.Millisecond,
		})
		require.Equal(t, map[int32]int64{0: 10, 1: 10}, sc.HeldOffsets())
		scNoMore(t, sc)
	})
	t.Run("commits win without it", func(t *testing.T) {
		sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group("g"), AutoOffsetReset: kafka.OffsetLatest, ConsumerTimeout: 300 * time.Millisecond})
		require.Equal(t, map[int32][]int64{0: scSpan(7, 10), 1: scSpan(3, 10)}, scOffsets(t, name, scDrain(t, sc, 10)))
	})
	t.Run("uncommitted partition is new", func(t *testing.T) {
		// Group g2 has a commit for partition 0 only: partition 1 starts
		// at AutoOffsetReset (latest), partition 0 at its commit.
		c := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group("g2")})
		require.NoError(t, c.CommitPartitionOffsets(testCtx(t), map[int32]int64{0: 4}))
		require.NoError(t, c.Close())
		sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group("g2"), AutoOffsetReset: kafka.OffsetLatest, ConsumerTimeout: 300 * time.Millisecond})
		off, err := sc.FetchOffsets(testCtx(t))
		require.NoError(t, err)
		require.Equal(t, map[int32]int64{0: 4}, off, "partitions with nothing committed are absent")
		require.Equal(t, map[int32]int64{0: 4, 1: 10}, sc.HeldOffsets())
		require.Equal(t, map[int32][]int64{0: scSpan(4, 10)}, scOffsets(t, name, scDrain(t, sc, 6)))
	})
}

// TestSimpleConsumerNoGroup: without a group the consumer is a new one
// (AutoOffsetReset, not offset 0 as pykafka did) and cannot commit.
func TestSimpleConsumerNoGroup(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "nogroup", 2)
	name := topic.Name()
	scFill(t, scKgo(t, b), name, scParts(2), 0, 6)
	require.NoError(t, b.DeleteRecords(name, 0, 2)) // partition 0's log now starts at 2

	t.Run("earliest", func(t *testing.T) {
		sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerTimeout: 300 * time.Millisecond})
		require.Equal(t, map[int32]int64{0: 2, 1: 0}, sc.HeldOffsets(), "the log start, not 0")
		require.Equal(t, map[int32][]int64{0: scSpan(2, 6), 1: scSpan(0, 6)}, scOffsets(t, name, scDrain(t, sc, 10)))

		err := sc.CommitOffsets(testCtx(t))
		require.Error(t, err)
		require.Error(t, sc.CommitPartitionOffsets(testCtx(t), map[int32]int64{0: 3}))
		_, err = sc.FetchOffsets(testCtx(t))
		require.Error(t, err)
	})
	t.Run("latest", func(t *testing.T) {
		sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{AutoOffsetReset: kafka.OffsetLatest, ConsumerTimeout: 300 * time.Millisecond})
		require.Equal(t, map[int32]int64{0: 6, 1: 6}, sc.HeldOffsets())
		scNoMore(t, sc)
	})
	t.Run("ResetOffsetOnStart changes nothing", func(t *testing.T) {
		sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ResetOffsetOnStart: true, ConsumerTimeout: 300 * time.Millisecond})
		require.Equal(t, map[int32][]int64{0: scSpan(2, 6), 1: scSpan(0, 6)}, scOffsets(t, name, scDrain(t, sc, 10)))
	})
}

// TestSimpleConsumerCommitRestartCycle consumes a little, commits and
// restarts, several times, while more is written: together the consumers
// see every offset exactly once.
func TestSimpleConsumerCommitRestartCycle(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "cycle", 3)
	name, group := topic.Name(), groupNames(b)
	k := scKgo(t, b)
	seen := map[int32][]int64{}
	written := 0
	for round := range 6 {
		scFill(t, k, name, scParts(3), written, 5)
		written += 5
		sc, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{ConsumerGroup: group("cycle"), QueuedMaxMessages: 4})
		require.NoError(t, err)
		start := sc.HeldOffsets()
		for _, p := range scParts(3) {
			require.Equal(t, int64(len(seen[p])), start[p], "round %d, partition %d starts after what was consumed", round, p)
		}
		for p, offs := range scOffsets(t, name, scConsume(t, sc, 7+round)) {
			seen[p] = append(seen[p], offs...)
		}
		require.NoError(t, sc.CommitOffsets(testCtx(t)))
		require.NoError(t, sc.Close())
	}
	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group("cycle"), ConsumerTimeout: 300 * time.Millisecond})
	for p, offs := range scOffsets(t, name, scDrain(t, sc, 3*written-57)) {
		seen[p] = append(seen[p], offs...)
	}
	for _, p := range scParts(3) {
		require.Equal(t, scSpan(0, int64(written)), seen[p], "partition %d: no gap, no repeat", p)
	}
}

// TestSimpleConsumerCommittedBelowLogStart: a committed offset below the
// log start (records deleted) moves to AutoOffsetReset when the consumer
// starts.
func TestSimpleConsumerCommittedBelowLogStart(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "oor", 1)
	name, group := topic.Name(), b.Name("g")
	scFill(t, scKgo(t, b), name, scParts(1), 0, 10)
	c := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group})
	require.NoError(t, c.CommitPartitionOffsets(testCtx(t), map[int32]int64{0: 2}))
	require.NoError(t, c.Close())
	require.NoError(t, b.DeleteRecords(name, 0, 6))

	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group, ConsumerTimeout: 200 * time.Millisecond})
	require.Equal(t, map[int32][]int64{0: scSpan(6, 10)}, scOffsets(t, name, scDrain(t, sc, 4)), "earliest is the new log start")

	sl := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group, AutoOffsetReset: kafka.OffsetLatest, ConsumerTimeout: 200 * time.Millisecond})
	require.Equal(t, map[int32]int64{0: 10}, sl.HeldOffsets())
	scNoMore(t, sl)
}

// TestSimpleConsumerOffsetOutOfRange: a committed offset that falls below
// the log start while the consumer fetches (a fetch answered
// OFFSET_OUT_OF_RANGE mid-way) moves to AutoOffsetReset.
func TestSimpleConsumerOffsetOutOfRange(t *testing.T) {
	t.Parallel()
	for name, reset := range map[string]kafka.OffsetType{"earliest": kafka.OffsetEarliest, "latest": kafka.OffsetLatest} {
		t.Run("mid-fetch "+name, func(t *testing.T) {
			cl, _, topic := scKfake(t, "deletes records while a fetch error is injected", "oor", 1)
			k := scKgo(t, cl)
			scFill(t, k, "oor", scParts(1), 0, 10)
			c := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: "g"})
			require.NoError(t, c.CommitPartitionOffsets(testCtx(t), map[int32]int64{0: 2}))
			require.NoError(t, c.Close())

			// The consumer starts at 2, but its fetches are turned away
			// (with a retriable error) until the records before 6 are
			// deleted: the fetch at 2 is then answered OFFSET_OUT_OF_RANGE.
			refuse := cl.InjectPartitionError(protocol.KeyFetch, "oor", 0, int16(kafka.ErrNotLeaderOrFollower), kafkatest.Always)
			sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: "g", AutoOffsetReset: reset, ConsumerTimeout: 200 * time.Millisecond})
			require.Equal(t, map[int32]int64{0: 2}, sc.HeldOffsets())
			require.NoError(t, refuse.Wait(testCtx(t), 1))
			require.NoError(t, cl.DeleteRecords("oor", 0, 6))
			refuse.Remove()
			if reset == kafka.OffsetEarliest {
				require.Equal(t, map[int32][]int64{0: scSpan(6, 10)}, scOffsets(t, "oor", scDrain(t, sc, 4)))
			} else {
				// Written after the reset resolved "latest" to 10.
				require.Eventually(t, func() bool { return sc.HeldOffsets()[0] == 10 }, 20*time.Second, 10*time.Millisecond)
				scFill(t, k, "oor", scParts(1), 10, 2)
				require.Equal(t, map[int32][]int64{0: {10, 11}}, scOffsets(t, "oor", scDrain(t, sc, 2)))
			}
		})
	}
}

// TestSimpleConsumerLastN is the guide's recipe for the last N messages:
// start at LATEST, then ResetOffsets to latest-n per partition, clamped to
// the log start (OffsetEarliest where latest-n is below 0, as the guide
// does).
func TestSimpleConsumerLastN(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "lastn", 3)
	name := topic.Name()
	k := scKgo(t, b)
	scFill(t, k, name, []int32{0}, 0, 10)
	scFill(t, k, name, []int32{1}, 0, 3)
	scFill(t, k, name, []int32{2}, 0, 8)
	require.NoError(t, b.DeleteRecords(name, 2, 6))
	const n = 5

	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{AutoOffsetReset: kafka.OffsetLatest, ResetOffsetOnStart: true, ConsumerTimeout: 300 * time.Millisecond})
	latest, err := topic.LatestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	earliest, err := topic.EarliestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	offsets := map[int32]int64{}
	for p, o := range latest {
		switch {
		case o-n < 0:
			offsets[p] = kafka.OffsetEarliest
		default:
			offsets[p] = max(o-n, earliest[p])
		}
	}
	require.Equal(t, map[int32]int64{0: 5, 1: kafka.OffsetEarliest, 2: 6}, offsets)
	require.NoError(t, sc.ResetOffsets(testCtx(t), offsets))
	require.Equal(t, map[int32]int64{0: 5, 1: 0, 2: 6}, sc.HeldOffsets(), "the special offsets resolve to real ones")
	require.Equal(t, map[int32][]int64{0: scSpan(5, 10), 1: scSpan(0, 3), 2: scSpan(6, 8)}, scOffsets(t, name, scDrain(t, sc, 10)))

	// nil moves every partition back to AutoOffsetReset (latest here);
	// OffsetLatest and explicit offsets work per partition.
	require.NoError(t, sc.ResetOffsets(testCtx(t), map[int32]int64{0: 8, 1: kafka.OffsetLatest}))
	require.Equal(t, map[int32][]int64{0: {8, 9}}, scOffsets(t, name, scDrain(t, sc, 2)))
	require.NoError(t, sc.ResetOffsets(testCtx(t), map[int32]int64{0: 1, 1: 1, 2: kafka.OffsetEarliest}))
	require.NoError(t, sc.ResetOffsets(testCtx(t), nil))
	require.Equal(t, map[int32]int64{0: 10, 1: 3, 2: 8}, sc.HeldOffsets())
	scNoMore(t, sc)
}

// TestSimpleConsumerResetDropsPrefetched: messages fetched ahead before a
// ResetOffsets are not returned after it.
func TestSimpleConsumerResetDropsPrefetched(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "rewind", 1)
	name := topic.Name()
	scFill(t, scKgo(t, b), name, scParts(1), 0, 50)
	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerTimeout: 300 * time.Millisecond})
	require.Equal(t, map[int32][]int64{0: scSpan(0, 3)}, scOffsets(t, name, scConsume(t, sc, 3)))
	// The 50 records were written before the consumer started, so the
	// fetch that brought offsets 0-2 brought the rest too: 47 are buffered.
	require.NoError(t, sc.ResetOffsets(testCtx(t), map[int32]int64{0: 40}))
	require.Equal(t, map[int32]int64{0: 40}, sc.HeldOffsets())
	require.Equal(t, map[int32][]int64{0: scSpan(40, 50)}, scOffsets(t, name, scDrain(t, sc, 10)))
	require.NoError(t, sc.ResetOffsets(testCtx(t), map[int32]int64{0: 0}))
	require.Equal(t, map[int32][]int64{0: scSpan(0, 50)}, scOffsets(t, name, scDrain(t, sc, 50)))
}

// TestSimpleConsumerCompactedTopic: compaction leaves gaps in the offsets;
// consumption goes through them without stalling and sees the surviving
// records only, in order.
func TestSimpleConsumerCompactedTopic(t *testing.T) {
	t.Parallel()
	for _, maxBytes := range []int{0, 1} {
		t.Run(fmt.Sprintf("FetchMessageMaxBytes=%d", maxBytes), func(t *testing.T) {
			cl := kafkatest.NeedsKfake(t, "compacts the log on demand")
			require.NoError(t, cl.CreateTopicWithConfigs("compacted", 1, map[string]string{"cleanup.policy": "compact"}))
			c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
			topic, err := c.Topic(testCtx(t), "compacted")
			require.NoError(t, err)
			k := scKgo(t, cl)
			// One record per batch; the last batch is never compacted,
			// so its key is unique. Surviving: b@4 d@6 c@7 e@8 a@9 z@10.
			keys := []string{"a", "b", "a", "c", "b", "a", "d", "c", "e", "a", "z"}
			for i, key := range keys {
				r := &kgo.Record{Topic: "compacted", Key: []byte(key), Value: fmt.Appendf(nil, "%s%d", key, i)}
				require.NoError(t, k.ProduceSync(testCtx(t), r).FirstErr())
				require.Equal(t, int64(i), r.Offset)
			}
			require.NoError(t, cl.Compact())
			want := []int64{4, 6, 7, 8, 9, 10}
			var check []int64
			for _, r := range readAll(t, cl.Addrs(), "compacted", len(want)) {
				check = append(check, r.Offset)
			}
			require.Equal(t, want, check, "franz-go sees the compacted log")

			sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{FetchMessageMaxBytes: maxBytes, ConsumerTimeout: 200 * time.Millisecond})
			var got []int64
			for _, m := range scDrain(t, sc, len(want)) {
				require.Equal(t, fmt.Sprintf("%s%d", m.Key, m.Offset), string(m.Value))
				got = append(got, m.Offset)
			}
			require.Equal(t, want, got)
			require.Equal(t, map[int32]int64{0: 11}, sc.HeldOffsets())

			// Restarting at an offset inside a gap goes to the next record.
			require.NoError(t, sc.ResetOffsets(testCtx(t), map[int32]int64{0: 1}))
			got = nil
			for _, m := range scDrain(t, sc, len(want)) {
				got = append(got, m.Offset)
			}
			require.Equal(t, want, got)
		})
	}
}

// TestSimpleConsumerTimeout: ConsumerTimeout ends Consume and Messages with
// ErrConsumerTimeout; the consumer stays usable; ctx ending first is ctx's
// error.
func TestSimpleConsumerTimeout(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "empty", 2)
	name := topic.Name()
	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerTimeout: 300 * time.Millisecond})

	start := time.Now()
	_, err := sc.Consume(testCtx(t))
	took := time.Since(start)
	require.ErrorIs(t, err, kafka.ErrConsumerTimeout)
	require.GreaterOrEqual(t, took, 300*time.Millisecond)
	require.Less(t, took, 20*time.Second, "ended by ConsumerTimeout, well before ctx's 30s")

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = sc.Consume(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded, "the caller's deadline came first")
	require.NotErrorIs(t, err, kafka.ErrConsumerTimeout)

	// Each Messages loop ends after yielding an error, its last yield. The
	// four messages may take more than one loop: on a loaded machine a
	// fetch may take longer than ConsumerTimeout.
	scFill(t, scKgo(t, b), name, scParts(2), 0, 2)
	var msgs []kafka.Message
	for loops := 1; len(msgs) < 4; loops++ {
		require.LessOrEqual(t, loops, 50, "the messages never came")
		var errs []error
		yields := 0
		for msg, err := range sc.Messages(testCtx(t)) {
			if yields++; yields > 10 {
				break
			}
			if err != nil {
				errs = append(errs, err)
				continue // the iterator must stop by itself
			}
			require.Empty(t, errs, "a message after the error")
			msgs = append(msgs, msg)
		}
		require.Len(t, errs, 1, "one error, then the iteration ended")
		require.ErrorIs(t, errs[0], kafka.ErrConsumerTimeout)
	}
	require.Equal(t, map[int32][]int64{0: {0, 1}, 1: {0, 1}}, scOffsets(t, name, msgs))

	// Still usable after a timeout.
	scFill(t, scKgo(t, b), name, []int32{1}, 2, 1)
	require.Equal(t, "1-2", string(scConsume(t, sc, 1)[0].Value))
}

// TestSimpleConsumerMessagesBreak: leaving a Messages loop early loses
// nothing: the next Consume returns the next message.
func TestSimpleConsumerMessagesBreak(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "brk", 1)
	name := topic.Name()
	scFill(t, scKgo(t, b), name, scParts(1), 0, 10)
	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerTimeout: 300 * time.Millisecond})
	var got []int64
	for len(got) < 3 { // again after a ConsumerTimeout (a slow first fetch under load), which ends Messages
		for msg, err := range sc.Messages(testCtx(t)) {
			if errors.Is(err, kafka.ErrConsumerTimeout) {
				break
			}
			require.NoError(t, err)
			got = append(got, msg.Offset)
			if len(got) == 3 {
				break
			}
		}
	}
	require.Equal(t, []int64{0, 1, 2}, got)
	require.Equal(t, map[int32]int64{0: 3}, sc.HeldOffsets())
	require.Equal(t, map[int32][]int64{0: scSpan(3, 10)}, scOffsets(t, name, scDrain(t, sc, 7)))
}

// TestSimpleConsumerClose: Close is safe twice (the second call returns
// ErrConsumerStopped), and Consume after Close returns ErrConsumerStopped,
// as does a Consume waiting when Close is called.
func TestSimpleConsumerClose(t *testing.T) {
	_, _, topic := scOpen(t, "close", 1)
	sc, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := sc.Consume(testCtx(t))
		done <- err
	}()
	// Waiting or not yet started when Close comes, it ends the same way.
	require.NoError(t, sc.Close())
	select {
	case err := <-done:
		require.ErrorIs(t, err, kafka.ErrConsumerStopped)
	case <-time.After(20 * time.Second):
		t.Fatal("a waiting Consume did not return after Close")
	}
	require.ErrorIs(t, sc.Close(), kafka.ErrConsumerStopped)
	_, err = sc.Consume(testCtx(t))
	require.ErrorIs(t, err, kafka.ErrConsumerStopped)
	calls := 0
	for _, err := range sc.Messages(testCtx(t)) {
		calls++
		require.ErrorIs(t, err, kafka.ErrConsumerStopped)
		if calls > 1 {
			break
		}
	}
	require.Equal(t, 1, calls, "Messages yields the error once and ends")
}

// TestSimpleConsumerConnectionLoss is the guide's connection-loss pattern:
// when no broker can serve the fetches, Consume returns an error wrapping
// ErrSocketDisconnected or ErrNoBrokersAvailable; a new consumer made after
// the fault is gone works.
func TestSimpleConsumerConnectionLoss(t *testing.T) {
	t.Parallel()
	cl, _, topic := scKfake(t, "drops connections", "loss", 2)
	k := scKgo(t, cl)
	scFill(t, k, "loss", scParts(2), 0, 5)
	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: "g", ConsumerTimeout: 20 * time.Second})
	require.Equal(t, map[int32][]int64{0: scSpan(0, 5), 1: scSpan(0, 5)}, scOffsets(t, "loss", scConsume(t, sc, 10)))
	require.NoError(t, sc.CommitOffsets(testCtx(t)))

	drop := cl.DropConnection(protocol.KeyFetch, kafkatest.Always)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, err := sc.Consume(ctx)
	require.Error(t, err)
	require.NoError(t, ctx.Err(), "the error came before the deadline: %v", err)
	require.True(t, errors.Is(err, kafka.ErrSocketDisconnected) || errors.Is(err, kafka.ErrNoBrokersAvailable), "got %v", err)
	require.NotErrorIs(t, err, kafka.ErrConsumerTimeout)
	require.Positive(t, drop.Hits())

	drop.Remove()
	sc.Close()
	scFill(t, k, "loss", scParts(2), 5, 2)
	sc2 := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: "g", ConsumerTimeout: 300 * time.Millisecond})
	require.Equal(t, map[int32][]int64{0: {5, 6}, 1: {5, 6}}, scOffsets(t, "loss", scDrain(t, sc2, 4)))
}

// scResilient consumes n messages, recreating the consumer at its held
// offsets when it reports lost connections, as the guide advises.
func scResilient(t *testing.T, topic *kafka.Topic, cfg kafka.SimpleConsumerConfig, sc *kafka.SimpleConsumer, n int) ([]kafka.Message, *kafka.SimpleConsumer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []kafka.Message
	for len(out) < n {
		msg, err := sc.Consume(ctx)
		if errors.Is(err, kafka.ErrConsumerTimeout) {
			continue // a slow failover is no failure: ctx is the deadline
		}
		if errors.Is(err, kafka.ErrSocketDisconnected) || errors.Is(err, kafka.ErrNoBrokersAvailable) {
			t.Logf("recreating the consumer after: %v", err)
			held := sc.HeldOffsets()
			sc.Close()
			sc = scConsumer(t, topic, cfg)
			require.NoError(t, sc.ResetOffsets(ctx, held))
			continue
		}
		require.NoError(t, err, "after %d of %d messages", len(out), n)
		out = append(out, msg)
	}
	return out, sc
}

// TestSimpleConsumerLeaderRemoved: the leader broker goes away mid-way; its
// partitions get new leaders and consumption goes on with nothing lost or
// repeated.
func TestSimpleConsumerLeaderRemoved(t *testing.T) {
	t.Parallel()
	cl, _, topic := scKfake(t, "removes a broker", "failover", 3)
	k := scKgo(t, cl)
	scFill(t, k, "failover", scParts(3), 0, 30)
	cfg := kafka.SimpleConsumerConfig{QueuedMaxMessages: 5, ConsumerTimeout: 500 * time.Millisecond}
	sc := scConsumer(t, topic, cfg)
	msgs, sc := scResilient(t, topic, cfg, sc, 20)

	leader, err := cl.Leader("failover", 0)
	require.NoError(t, err)
	require.NoError(t, cl.RemoveBroker(leader))
	// A fresh franz-go client: the old one would take seconds to notice.
	scFill(t, scKgo(t, cl), "failover", scParts(3), 30, 10)
	more, sc := scResilient(t, topic, cfg, sc, 100)
	msgs = append(msgs, more...)
	scNoMore(t, sc)
	got := scOffsets(t, "failover", msgs)
	for _, p := range scParts(3) {
		require.Equal(t, scSpan(0, 40), got[p], "partition %d", p)
	}
}

// TestSimpleConsumerLeaderMove: leaders move while consuming; the client
// follows them without an error reaching the caller, and no message is
// lost or repeated.
func TestSimpleConsumerLeaderMove(t *testing.T) {
	t.Parallel()
	cl, _, topic := scKfake(t, "moves partition leaders", "moving", 3)
	k := scKgo(t, cl)
	scFill(t, k, "moving", scParts(3), 0, 300)
	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{QueuedMaxMessages: 10, FetchMessageMaxBytes: 512, ConsumerTimeout: time.Second})
	var msgs []kafka.Message
	for round := range 4 {
		msgs = append(msgs, scConsume(t, sc, 150)...)
		for _, p := range scParts(3) {
			leader, err := cl.Leader("moving", p)
			require.NoError(t, err)
			require.NoError(t, cl.MoveLeader("moving", p, (leader+1)%3))
		}
		scFill(t, k, "moving", scParts(3), 300+round*10, 10)
	}
	msgs = append(msgs, scDrain(t, sc, 3*340-4*150)...)
	got := scOffsets(t, "moving", msgs)
	for _, p := range scParts(3) {
		require.Equal(t, scSpan(0, 340), got[p], "partition %d", p)
	}
}

// TestSimpleConsumerAutoCommit: with AutoCommitEnable, Close commits the
// held offsets, and so does the timer; without it nothing is committed.
func TestSimpleConsumerAutoCommit(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "auto", 2)
	name, group := topic.Name(), groupNames(b)
	scFill(t, scKgo(t, b), name, scParts(2), 0, 10)

	t.Run("on close", func(t *testing.T) {
		sc, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{ConsumerGroup: group("ac"), AutoCommitEnable: true, AutoCommitInterval: time.Hour})
		require.NoError(t, err)
		scConsume(t, sc, 7)
		held := sc.HeldOffsets()
		require.Equal(t, int64(7), held[0]+held[1])
		if off, err := b.Committed(group("ac"), name); err == nil {
			require.Empty(t, off, "nothing committed before Close")
		}
		require.NoError(t, sc.Close())
		require.Equal(t, held, scCommittedOn(t, b, group("ac"), name))
		require.ErrorIs(t, sc.Close(), kafka.ErrConsumerStopped)
		require.Equal(t, held, scCommittedOn(t, b, group("ac"), name))
	})
	t.Run("on the interval", func(t *testing.T) {
		sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group("tick"), AutoCommitEnable: true, AutoCommitInterval: 50 * time.Millisecond})
		scConsume(t, sc, 5)
		held := sc.HeldOffsets()
		require.Eventually(t, func() bool {
			off, err := b.Committed(group("tick"), name)
			return err == nil && maps.Equal(off, held)
		}, 20*time.Second, 10*time.Millisecond)
	})
	t.Run("disabled", func(t *testing.T) {
		sc, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{ConsumerGroup: group("manual")})
		require.NoError(t, err)
		scConsume(t, sc, 4)
		require.NoError(t, sc.Close())
		off, err := b.Committed(group("manual"), name)
		if err == nil {
			require.Empty(t, off)
		}
	})
}

// TestSimpleConsumerPartitionSubset: only the configured partitions are
// consumed, held and committed.
func TestSimpleConsumerPartitionSubset(t *testing.T) {
	t.Parallel()
	b, _, topic := scOpen(t, "subset", 4)
	name, group := topic.Name(), groupNames(b)
	scFill(t, scKgo(t, b), name, scParts(4), 0, 5)
	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group("sub"), Partitions: []int32{3, 1}, ConsumerTimeout: 300 * time.Millisecond})
	require.Equal(t, []int32{1, 3}, sc.Partitions())
	require.Equal(t, map[int32][]int64{1: scSpan(0, 5), 3: scSpan(0, 5)}, scOffsets(t, name, scDrain(t, sc, 10)))
	require.Equal(t, map[int32]int64{1: 5, 3: 5}, sc.HeldOffsets())
	require.NoError(t, sc.CommitOffsets(testCtx(t)))
	require.Equal(t, map[int32]int64{1: 5, 3: 5}, scCommittedOn(t, b, group("sub"), name))

	all := scConsumer(t, topic, kafka.SimpleConsumerConfig{ConsumerTimeout: 300 * time.Millisecond})
	require.Equal(t, []int32{0, 1, 2, 3}, all.Partitions())
	require.Len(t, scDrain(t, all, 20), 20)

	_, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{Partitions: []int32{1, 9}})
	require.ErrorIs(t, err, kafka.ErrUnknownTopicOrPartition)
}

// TestSimpleConsumerMessageFields: keys, headers and timestamps come back
// as written.
func TestSimpleConsumerMessageFields(t *testing.T) {
	b, _, topic := scOpen(t, "fields", 1)
	name := topic.Name()
	ts := time.UnixMilli(time.Now().Add(-time.Hour).UnixMilli())
	k := scKgo(t, b)
	r := &kgo.Record{Topic: name, Key: []byte("key"), Value: []byte("value"), Timestamp: ts,
		Headers: []kgo.RecordHeader{{Key: "h1", Value: []byte("v1")}, {Key: "h2", Value: nil}}}
	require.NoError(t, k.ProduceSync(testCtx(t), r, &kgo.Record{Topic: name}).FirstErr())
	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{})
	msgs := scConsume(t, sc, 2)
	m := msgs[0]
	require.Equal(t, name, m.Topic)
	require.Equal(t, int32(0), m.Partition)
	require.Equal(t, int64(0), m.Offset)
	require.Equal(t, "key", string(m.Key))
	require.Equal(t, "value", string(m.Value))
	require.Len(t, m.Headers, 2)
	require.Equal(t, "h1", m.Headers[0].Key)
	require.Equal(t, "v1", string(m.Headers[0].Value))
	require.Equal(t, "h2", m.Headers[1].Key)
	require.Empty(t, m.Headers[1].Value)
	require.True(t, ts.Equal(m.Timestamp), "%v != %v", ts, m.Timestamp)
	require.Equal(t, int64(1), msgs[1].Offset)
	require.Nil(t, msgs[1].Key, "a null key stays nil")
	require.Empty(t, msgs[1].Headers)
	require.True(t, slices.Equal([]int32{0}, sc.Partitions()))
}
