package kafka_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// apiCounter counts a client's answered requests of one API.
type apiCounter struct {
	api string
	n   atomic.Int64
}

func (c *apiCounter) OnBrokerRequest(e kafka.BrokerRequestEvent) {
	if e.API == c.api {
		c.n.Add(1)
	}
}

// TestLeaderHintsFollowedWithoutMetadata: when a partition's leader moves,
// the old leader's NOT_LEADER_OR_FOLLOWER answer to a Produce or a Fetch
// names the new one (KIP-951); the producer and the consumer go there at
// once, without asking for metadata and without backing off.
func TestLeaderHintsFollowedWithoutMetadata(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "moves a leader", kafkatest.Topic("hinted", 1))
	metas := &apiCounter{api: "Metadata"}
	// A backoff long enough that a retry after it, or a metadata round
	// first, would show in the time taken.
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), Hooks: []kafka.Hook{metas}, RetryBackoff: 2 * time.Second})
	p := newProducer(t, c, "hinted", kafka.ProducerConfig{})
	topic, err := c.Topic(testCtx(t), "hinted")
	require.NoError(t, err)
	sc, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{FetchWaitMax: 50 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { sc.Close() })

	next := 0
	roundTrip := func() time.Duration {
		t.Helper()
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		want := []byte{byte('a' + next)}
		next++
		_, err := p.ProduceSync(ctx, kafka.Message{Value: want})
		require.NoError(t, err)
		msg, err := sc.Consume(ctx)
		require.NoError(t, err)
		require.Equal(t, want, msg.Value)
		return time.Since(start)
	}
	roundTrip() // both know the leader
	for range 3 {
		before := metas.n.Load()
		leader, err := cl.Leader("hinted", 0)
		require.NoError(t, err)
		require.NoError(t, cl.MoveLeader("hinted", 0, (leader+1)%3))
		took := roundTrip()
		require.Equal(t, before, metas.n.Load(), "no metadata asked for: the answers named the new leader")
		require.Less(t, took, time.Second, "no RetryBackoff waited")
		now, err := cl.Leader("hinted", 0)
		require.NoError(t, err)
		require.Equal(t, (leader+1)%3, now)
	}
}

// TestShareConsumerFollowsLeaderHints: a share consumer whose partition's
// leader moves learns the new leader from the old one's
// NOT_LEADER_OR_FOLLOWER answer to its ShareFetch (KIP-951) and fetches
// there, without asking for metadata.
func TestShareConsumerFollowsLeaderHints(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "moves a leader; share groups (KIP-932)", kafkatest.Topic("share-hinted", 1))
	shareFromEarliest(t, cl, "g-hinted")
	metas := &apiCounter{api: "Metadata"}
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), Hooks: []kafka.Hook{metas}, RetryBackoff: 2 * time.Second})
	p := newProducer(t, c, "share-hinted", kafka.ProducerConfig{})
	sc := newShare(t, c, kafka.ShareConsumerConfig{Group: "g-hinted", Topics: []string{"share-hinted"}, FetchWaitMax: 50 * time.Millisecond})

	next := 0
	roundTrip := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		want := []byte{byte('a' + next)}
		next++
		_, err := p.ProduceSync(ctx, kafka.Message{Value: want})
		require.NoError(t, err)
		for {
			msg, err := sc.Consume(ctx)
			require.NoError(t, err)
			if msg.DeliveryCount > 1 {
				// The implicit acknowledgement of the last one rode on
				// a ShareFetch the old leader refused: delivered again.
				require.Less(t, msg.Value[0], want[0])
				continue
			}
			require.Equal(t, want, msg.Value)
			return
		}
	}
	roundTrip() // the producer and the share session know the leader
	for range 3 {
		before := metas.n.Load()
		leader, err := cl.Leader("share-hinted", 0)
		require.NoError(t, err)
		require.NoError(t, cl.MoveLeader("share-hinted", 0, (leader+1)%3))
		roundTrip()
		require.Equal(t, before, metas.n.Load(), "no metadata asked for: the answers named the new leader")
	}
}
