package kafka_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/stretchr/testify/require"
)

// TestSimpleConsumerPause: a paused partition's messages stop coming while
// the other's go on, even those fetched ahead before the pause; on resume
// it continues where it stopped, nothing skipped and nothing twice.
func TestSimpleConsumerPause(t *testing.T) {
	t.Parallel()
	cl, _, topic := scOpen(t, "pause", 2)
	name := topic.Name()
	k := scKgo(t, cl)
	scFill(t, k, name, []int32{0, 1}, 0, 20)
	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{
		AutoOffsetReset: kafka.OffsetEarliest, ConsumerTimeout: 300 * time.Millisecond,
	})

	// Consume until partition 0 has handed out 5 messages: by then both
	// partitions have been fetched ahead.
	var before []kafka.Message
	for n0 := 0; n0 < 5; {
		msg := scConsume(t, sc, 1)[0]
		before = append(before, msg)
		if msg.Partition == 0 {
			n0++
		}
	}
	require.NoError(t, sc.Pause(0))
	require.Equal(t, []int32{0}, sc.Paused())
	scFill(t, k, name, []int32{0, 1}, 20, 10)

	// Only partition 1 comes, to its end; then nothing.
	seen1 := scOffsets(t, name, before)[1]
	rest1 := scConsume(t, sc, 30-len(seen1))
	for _, m := range rest1 {
		require.Equal(t, int32(1), m.Partition, "a paused partition's message was handed out: offset %d", m.Offset)
	}
	scNoMore(t, sc)

	require.NoError(t, sc.Resume(0))
	require.Empty(t, sc.Paused())
	after := scDrain(t, sc, 25)
	got := scOffsets(t, name, append(before, append(rest1, after...)...))
	require.Equal(t, scSpan(0, 30), got[0], "partition 0: every message once, in order, across the pause")
	require.Equal(t, scSpan(0, 30), got[1], "partition 1: every message once, in order")
}

// TestSimpleConsumerPauseUnknownPartition: pausing or resuming a partition
// the consumer does not hold is refused, naming it, and pauses nothing.
func TestSimpleConsumerPauseUnknownPartition(t *testing.T) {
	_, _, topic := scOpen(t, "pause-unknown", 2)
	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{Partitions: []int32{0}})
	err := sc.Pause(0, 1)
	require.ErrorIs(t, err, kafka.ErrUnknownTopicOrPartition)
	var op *kafka.OpError
	require.True(t, errors.As(err, &op))
	require.Equal(t, int32(1), op.Partition)
	require.Empty(t, sc.Paused(), "nothing paused when one partition is refused")
	require.ErrorIs(t, sc.Resume(7), kafka.ErrUnknownTopicOrPartition)
}

// TestBalancedConsumerPauseOutlivesRebalance: a partition paused before the
// member has its assignment starts paused, stays paused when a second
// member joins and leaves again, and resumes from where it stopped.
func TestBalancedConsumerPauseOutlivesRebalance(t *testing.T) {
	t.Parallel()
	cl, c, topic := scOpen(t, "bpause", 2)
	name := topic.Name()
	k := scKgo(t, cl)
	scFill(t, k, name, []int32{0, 1}, 0, 10)
	cfg := groupConfig(cl.Name("bpause"))
	cfg.AutoOffsetReset = kafka.OffsetEarliest
	cfg.ConsumerTimeout = 300 * time.Millisecond
	bc := newBalanced(t, c, name, cfg)
	p0 := kafka.TopicPartition{Topic: name, Partition: 0}
	bc.Pause(p0)
	require.Equal(t, []kafka.TopicPartition{p0}, bc.Paused())
	waitAssignment(t, 2, bc)

	consume := func(n int) []kafka.Message {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var out []kafka.Message
		for len(out) < n {
			msg, err := bc.Consume(ctx)
			if errors.Is(err, kafka.ErrConsumerTimeout) || errors.Is(err, kafka.ErrRebalanceInProgress) {
				continue
			}
			require.NoError(t, err, "after %d of %d messages", len(out), n)
			out = append(out, msg)
		}
		return out
	}
	first := consume(10)
	for _, m := range first {
		require.Equal(t, int32(1), m.Partition, "a paused partition's message was handed out: offset %d", m.Offset)
	}

	// Positions are committed, so that partition 1 goes on from its end
	// whoever holds it. A second member comes and goes: partition 0 may
	// move to it and back.
	require.NoError(t, bc.CommitOffsets(testCtx(t)))
	other := newBalanced(t, c, name, cfg)
	waitAssignment(t, 2, bc, other)
	require.NoError(t, other.Close())
	waitAssignment(t, 2, bc)
	require.Equal(t, []kafka.TopicPartition{p0}, bc.Paused(), "the pause is remembered")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if msg, err := bc.Consume(ctx); err == nil {
		require.NotEqual(t, int32(0), msg.Partition, "partition 0 handed out while paused, after the rebalance: offset %d", msg.Offset)
	}

	bc.Resume(p0)
	require.Empty(t, bc.Paused())
	after := consume(10)
	got := scOffsets(t, name, after)
	require.Equal(t, scSpan(0, 10), got[0], "partition 0 from where it stopped (its start), once each, in order")
}
