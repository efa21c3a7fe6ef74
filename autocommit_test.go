package kafka_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestAutoCommitEveryNMessages: with AutoCommitMessages, commits follow the
// message count (yelp_kafka's auto_commit_interval_messages), long before
// AutoCommitInterval, for both consumers.
func TestAutoCommitEveryNMessages(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	group := groupNames(b)
	name := b.NewTopic("counted", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	p := newProducer(t, c, name, kafka.ProducerConfig{})
	for i := range 30 {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: []byte(fmt.Sprint(i))}))
	}
	require.NoError(t, p.Flush(testCtx(t)))
	topic, err := c.Topic(testCtx(t), name)
	require.NoError(t, err)
	committed := func(group string) int64 {
		got, err := c.FetchGroupOffsets(testCtx(t), group, name)
		require.NoError(t, err)
		return got[0]
	}

	sc, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{
		ConsumerGroup: group("simple"), AutoCommitEnable: true, AutoCommitInterval: time.Hour, AutoCommitMessages: 10,
	})
	require.NoError(t, err)
	defer sc.Close()
	for range 10 {
		_, err := sc.Consume(testCtx(t))
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return committed(group("simple")) == 10 }, 10*time.Second, 10*time.Millisecond)

	cfg := groupConfig(group("balanced"))
	cfg.AutoCommitEnable, cfg.AutoCommitInterval, cfg.AutoCommitMessages = true, time.Hour, 20
	bc := newBalanced(t, c, name, cfg)
	for range 20 {
		_, err := bc.Consume(testCtx(t))
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return committed(group("balanced")) == 20 }, 10*time.Second, 10*time.Millisecond)
}
