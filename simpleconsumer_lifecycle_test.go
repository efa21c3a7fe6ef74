package kafka_test

import (
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// Closing, and what a consumer refuses to be made with.

// TestSimpleConsumerConsumeAfterCloseWithBuffered: messages fetched ahead
// and not consumed are not handed out after Close: Consume returns
// ErrConsumerStopped and Messages yields it once and ends.
func TestSimpleConsumerConsumeAfterCloseWithBuffered(t *testing.T) {
	b, _, topic := scOpen(t, "buffered", 1)
	name := topic.Name()
	// One produce request: one record batch, so the fetch that brings
	// offset 0 brings all ten, and nine stay buffered.
	scFill(t, scKgo(t, b), name, scParts(1), 0, 10)
	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{})
	scConsume(t, sc, 1)
	require.NoError(t, sc.Close())

	_, err := sc.Consume(testCtx(t))
	require.ErrorIs(t, err, kafka.ErrConsumerStopped)
	var yields []error
	for _, err := range sc.Messages(testCtx(t)) {
		yields = append(yields, err)
		if len(yields) > 1 {
			break
		}
	}
	require.Len(t, yields, 1, "Messages yields once and ends")
	require.ErrorIs(t, yields[0], kafka.ErrConsumerStopped)
	require.Equal(t, map[int32]int64{0: 1}, sc.HeldOffsets(), "nothing more was handed out")
}

// TestSimpleConsumerCloseWakesEveryWaiter: every Consume waiting when the
// consumer, or its client, is closed returns ErrConsumerStopped, not only
// one of them.
func TestSimpleConsumerCloseWakesEveryWaiter(t *testing.T) {
	for _, closeClient := range []bool{false, true} {
		name := map[bool]string{false: "consumer closed", true: "client closed"}[closeClient]
		t.Run(name, func(t *testing.T) {
			_, c, topic := scOpen(t, "idle", 1)
			sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{})
			const waiters = 3
			done := make(chan error, waiters)
			for range waiters {
				go func() {
					_, err := sc.Consume(testCtx(t))
					done <- err
				}()
			}
			if closeClient {
				require.NoError(t, c.Close())
			} else {
				require.NoError(t, sc.Close())
			}
			for range waiters {
				select {
				case err := <-done:
					require.ErrorIs(t, err, kafka.ErrConsumerStopped)
				case <-time.After(20 * time.Second):
					t.Fatal("a waiting Consume did not return after Close")
				}
			}
		})
	}
}

// TestSimpleConsumerEmptyPartitions: a non-nil, empty Partitions is an
// error at creation, not a consumer that silently consumes nothing.
func TestSimpleConsumerEmptyPartitions(t *testing.T) {
	_, _, topic := scOpen(t, "none", 2)
	sc, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{Partitions: []int32{}})
	require.ErrorContains(t, err, "Partitions is empty")
	require.Nil(t, sc)

	all := scConsumer(t, topic, kafka.SimpleConsumerConfig{Partitions: nil})
	require.Equal(t, []int32{0, 1}, all.Partitions(), "nil still means every partition")
}

// TestSimpleConsumerCommitRetries: OffsetsCommitMaxRetries 0 means the
// default (5 retries), so a commit gets past a retriable error; a negative
// value means no retries, so the first error is returned.
func TestSimpleConsumerCommitRetries(t *testing.T) {
	cl, _, topic := scKfake(t, "injects commit errors", "retries", 1)
	for _, tc := range []struct {
		retries int
		fails   bool
	}{{0, false}, {-1, true}} {
		sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{
			ConsumerGroup: "g", OffsetsCommitMaxRetries: tc.retries, OffsetsChannelBackoff: 10 * time.Millisecond,
		})
		fault := cl.InjectError(protocol.KeyOffsetCommit, int16(kafka.ErrCoordinatorLoadInProgress), 1)
		err := sc.CommitPartitionOffsets(testCtx(t), map[int32]int64{0: 3})
		require.Equal(t, 1, fault.Hits(), "retries %d", tc.retries)
		if tc.fails {
			require.ErrorIs(t, err, kafka.ErrCoordinatorLoadInProgress, "retries %d: no retry", tc.retries)
		} else {
			require.NoError(t, err, "retries %d: the default retries", tc.retries)
		}
	}
}
