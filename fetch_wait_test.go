package kafka_test

import (
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestFullBufferCutsLongPolls: while a busy partition's buffer is full,
// the fetch that goes on for the other partitions of its broker (idle
// ones, which the broker holds for FetchWaitMax) must not hold the busy
// partition back once the consumer has made room: each round of messages
// arrives long before FetchWaitMax, not one per long poll.
func TestFullBufferCutsLongPolls(t *testing.T) {
	// Two partitions led by one broker (one source): with a partition more
	// than there are brokers, two of them share a leader.
	cl := kafkatest.NewBackend(t)
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
	name := cl.NewTopic("fullwait", len(c.Brokers())+1)
	topic, err := c.Topic(testCtx(t), name)
	require.NoError(t, err)
	busy, idle := int32(-1), int32(-1)
	byLeader := map[int32]int32{}
	for _, p := range topic.Partitions() {
		if q, ok := byLeader[p.Leader]; ok {
			busy, idle = q, p.ID
			break
		}
		byLeader[p.Leader] = p.ID
	}
	require.GreaterOrEqual(t, idle, int32(0), "two partitions share a leader: %+v", topic.Partitions())
	k := scKgo(t, cl)
	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{
		AutoOffsetReset:   kafka.OffsetEarliest,
		FetchWaitMax:      2 * time.Second,
		QueuedMaxMessages: 10,
	})

	const rounds, per = 6, 50
	start := time.Now()
	for r := range rounds {
		scFill(t, k, name, []int32{busy}, r*per, per) // idle, and the others, stay idle
		got := scOffsets(t, name, scConsume(t, sc, per))
		require.Equal(t, scSpan(int64(r*per), int64((r+1)*per)), got[busy], "round %d", r)
	}
	// Held back by long polls, each round would take up to FetchWaitMax:
	// about 2s × rounds in all.
	require.Less(t, time.Since(start), time.Duration(rounds)*time.Second*2/3,
		"rounds held back by the idle partition's long polls")
}
