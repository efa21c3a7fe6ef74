package kafka

import (
	"maps"
	"testing"
	"time"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestProduceToLeaderMissingFromThePool: when the metadata a producer read
// names a leader that the broker pool no longer has (a refresh dropped the
// broker between dispatch reading the leader and the request going out,
// as when the broker leaves the cluster), the producer refreshes and
// retries; the messages used to fail at once with BROKER_NOT_AVAILABLE,
// which is not retriable (TestProduceChaos lost a batch so about one run
// in two).
func TestProduceToLeaderMissingFromThePool(t *testing.T) {
	cl := kafkatest.NewBackend(t)
	c := groupTestClient(t, cl)
	ctx := groupTestCtx(t)
	topic, err := c.Topic(ctx, cl.NewTopic("t", 1))
	require.NoError(t, err)
	p, err := topic.Producer(ctx, ProducerConfig{RetryBackoff: time.Millisecond})
	require.NoError(t, err)
	defer p.Close()
	_, err = p.ProduceSync(ctx, Message{Value: []byte("before")})
	require.NoError(t, err)

	leader := topic.Partitions()[0].Leader
	m := *c.meta.Load()
	m.brokers = maps.Clone(m.brokers)
	delete(m.brokers, leader) // the pool drops it; the topic still names it
	c.install(&m)
	msg, err := p.ProduceSync(ctx, Message{Value: []byte("after")})
	require.NoError(t, err)
	require.Equal(t, int64(1), msg.Offset)
}
