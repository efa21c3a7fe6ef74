package kafka_test

import (
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/stretchr/testify/require"
)

// TestFullBufferCutsLongPolls: while a busy partition's buffer is full,
// the fetch that goes on for the other partitions of its broker (idle
// ones, which the broker holds for FetchWaitMax) must not hold the busy
// partition back once the consumer has made room: each round of messages
// arrives long before FetchWaitMax, not one per long poll.
func TestFullBufferCutsLongPolls(t *testing.T) {
	cl, _, topic := scEnv(t, "fullwait", 2)
	l0, err := cl.Leader("fullwait", 0)
	require.NoError(t, err)
	require.NoError(t, cl.MoveLeader("fullwait", 1, l0)) // one broker, one source
	k := scKgo(t, cl)
	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{
		AutoOffsetReset:   kafka.OffsetEarliest,
		FetchWaitMax:      2 * time.Second,
		QueuedMaxMessages: 10,
	})

	const rounds, per = 6, 50
	start := time.Now()
	for r := range rounds {
		scFill(t, k, "fullwait", []int32{0}, r*per, per) // partition 1 stays idle
		got := scOffsets(t, "fullwait", scConsume(t, sc, per))
		require.Equal(t, scSpan(int64(r*per), int64((r+1)*per)), got[0], "round %d", r)
	}
	// Held back by long polls, each round would take up to FetchWaitMax:
	// about 2s × rounds in all.
	require.Less(t, time.Since(start), time.Duration(rounds)*time.Second*2/3,
		"rounds held back by the idle partition's long polls")
}
