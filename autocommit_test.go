package kafka_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
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

// TestRevocationSupersedesAutoCommit: an automatic commit backing off
// between retries (a coordinator loading) does not hold up a rebalance:
// the revocation cancels it and commits the newer positions itself, so the
// joining member gets its partitions within the rebalance, not after the
// automatic commit's backoff.
func TestRevocationSupersedesAutoCommit(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "injects commit errors", kafkatest.Topic("superseded", 4))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	p := newProducer(t, c, "superseded", kafka.ProducerConfig{})
	for i := range 40 {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprint(i))}))
	}
	require.NoError(t, p.Flush(testCtx(t)))

	const backoff = 10 * time.Second
	cfg := coopConfig("superseded")
	cfg.AutoCommitInterval = 200 * time.Millisecond
	cfg.OffsetsChannelBackoff = backoff
	a := newBalanced(t, c, "superseded", cfg)
	for range 40 {
		msg, err := a.Consume(testCtx(t))
		require.NoError(t, err)
		a.TaskDone(msg)
	}
	// The next automatic commit is refused once, and waits to retry.
	inj := cl.InjectError(protocol.KeyOffsetCommit, int16(protocol.CoordinatorLoadInProgress), 1)
	require.Eventually(t, func() bool { return inj.Hits() == 1 }, 10*time.Second, 10*time.Millisecond)

	start := time.Now()
	b := newBalanced(t, c, "superseded", cfg)
	waitAssignment(t, 4, a, b)
	took := time.Since(start)
	require.Less(t, took, backoff/2, "the rebalance waited for the automatic commit's backoff")

	topic, err := c.Topic(testCtx(t), "superseded")
	require.NoError(t, err)
	latest, err := topic.LatestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	g, err := cl.Group("superseded")
	require.NoError(t, err)
	for _, part := range b.Partitions() {
		require.Equal(t, latest[part], g.Committed["superseded"][part], "partition %d, given up by a: its progress committed", part)
	}
}
