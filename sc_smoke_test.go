package kafka_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

func TestSmokeSimpleConsumer(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	group := groupNames(b)
	name := b.NewTopic("sc", 3)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	p := newProducer(t, c, name, kafka.ProducerConfig{})
	for i := range 30 {
		_, err := p.ProduceSync(testCtx(t), kafka.Message{Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprint(i))})
		require.NoError(t, err)
	}
	topic, _ := c.Topic(testCtx(t), name)
	sc, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{ConsumerGroup: group("g"), ConsumerTimeout: time.Second})
	require.NoError(t, err)
	require.Len(t, scDrain(t, sc, 30), 30)
	require.NoError(t, sc.CommitOffsets(testCtx(t)))
	off, err := sc.FetchOffsets(testCtx(t))
	require.NoError(t, err)
	t.Log(off, sc.HeldOffsets())
	require.NoError(t, sc.Close())
}
