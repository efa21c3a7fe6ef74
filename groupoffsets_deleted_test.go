package kafka_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestCommitForDeletedTopicFailsAtOnce: a commit the coordinator refuses
// with UNKNOWN_TOPIC_OR_PARTITION for a topic deleted since the client
// last looked (another client deleted it) fails at once, naming the
// cause, rather than being retried through every backoff as if the topic
// were still being created: a BalancedConsumer's revocation would wait
// behind it, and its group with it.
func TestCommitForDeletedTopicFailsAtOnce(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "no DeleteTopics")
	name := b.NewTopic("deleted-commit", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs(), MetadataMaxAge: time.Hour})
	p := newProducer(t, c, name, kafka.ProducerConfig{})
	_, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("v")})
	require.NoError(t, err)
	topic, err := c.Topic(testCtx(t), name)
	require.NoError(t, err)
	sc, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{
		ConsumerGroup:           b.Name("deleted-commit"),
		OffsetsChannelBackoff:   time.Second, // each retry would show
		OffsetsCommitMaxRetries: 3,
	})
	require.NoError(t, err)
	defer sc.Close()
	_, err = sc.Consume(testCtx(t))
	require.NoError(t, err)

	kc, err := kgo.NewClient(kgo.SeedBrokers(b.Addrs()...))
	require.NoError(t, err)
	defer kc.Close()
	resps, err := kadm.NewClient(kc).DeleteTopics(testCtx(t), name)
	require.NoError(t, err)
	require.NoError(t, resps.Error())

	start := time.Now()
	err = sc.CommitOffsets(testCtx(t))
	took := time.Since(start)
	require.Error(t, err)
	require.True(t, errors.Is(err, kafka.ErrUnknownTopicOrPartition) || errors.Is(err, kafka.ErrUnknownTopicID), "%v", err)
	require.Less(t, took, 900*time.Millisecond, "not retried after OffsetsChannelBackoff: %v", err)
}
