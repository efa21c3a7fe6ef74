package kafka_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// kip848Interval is the embedded cluster's KIP-848 heartbeat interval in
// these tests (Kafka's default is 5s).
const kip848Interval = 100 * time.Millisecond

// kip848Backend is a backend for a KIP-848 test: the embedded cluster with
// fast heartbeats, or a real Kafka 4.0+ (KAFKA_BROKERS); librdkafka
// 2.0.2's mock has no ConsumerGroupHeartbeat.
func kip848Backend(t *testing.T) *kafkatest.Backend {
	b := kafkatest.NewBackend(t, kafkatest.BrokerConfig("group.consumer.heartbeat.interval.ms", fmt.Sprint(kip848Interval.Milliseconds())))
	kafkatest.SkipOnMock(t, "KIP-848 consumer groups: librdkafka 2.0.2's mock has no ConsumerGroupHeartbeat")
	return b
}

// kip848Config is groupConfig under GroupProtocolConsumer.
func kip848Config(group string) kafka.BalancedConsumerConfig {
	cfg := groupConfig(group)
	cfg.GroupProtocol = kafka.GroupProtocolConsumer
	cfg.HeartbeatInterval = 0 // the broker's
	return cfg
}

func TestGroupProtocolConfigChecks(t *testing.T) {
	b := kafkatest.NewBackend(t)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	tp := mustTopic(t, c, b.NewTopic("cfg848", 1))
	for _, tc := range []struct {
		name string
		cfg  kafka.BalancedConsumerConfig
		want string
	}{
		{"assignor without KIP-848", kafka.BalancedConsumerConfig{ConsumerGroup: "g", ServerAssignor: "uniform"}, "needs GroupProtocol GroupProtocolConsumer"},
		{"client assignor with KIP-848", kafka.BalancedConsumerConfig{ConsumerGroup: "g", GroupProtocol: kafka.GroupProtocolConsumer, MembershipProtocol: kafka.RangeAssignor{}}, "is for GroupProtocolClassic"},
		{"unknown protocol", kafka.BalancedConsumerConfig{ConsumerGroup: "g", GroupProtocol: 7}, "GroupProtocol(7) is neither"},
	} {
		_, err := tp.BalancedConsumer(testCtx(t), tc.cfg)
		require.ErrorContains(t, err, tc.want, tc.name)
	}
	require.Equal(t, "consumer", kafka.GroupProtocolConsumer.String())
	require.Equal(t, "classic", kafka.GroupProtocolClassic.String())
}

// TestConsumerProtocolConsumesAndCommits: two members under KIP-848 split
// the partitions, consume every message once, and their commits (with the
// member epoch) reach the end of each partition.
func TestConsumerProtocolConsumesAndCommits(t *testing.T) {
	t.Parallel()
	b := kip848Backend(t)
	group := groupNames(b)
	name := b.NewTopic("kip848", 4)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	p := newProducer(t, c, name, kafka.ProducerConfig{})
	const n = 400
	for i := range n {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprint(i))}))
	}
	require.NoError(t, p.Flush(testCtx(t)))

	cfg := kip848Config(group("g"))
	cfg.TrackTaskDone = true
	cfg.ServerAssignor = "uniform"
	a := newBalanced(t, c, name, cfg)
	bb := newBalanced(t, c, name, cfg)
	waitAssignment(t, 4, a, bb)
	var mu sync.Mutex
	seen := map[string]int{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, bc := range []*kafka.BalancedConsumer{a, bb} {
		wg.Go(func() {
			for {
				msg, err := bc.Consume(ctx)
				if err != nil {
					return
				}
				mu.Lock()
				seen[string(msg.Value)]++
				done := len(seen) == n
				mu.Unlock()
				bc.TaskDone(msg)
				if done {
					cancel()
				}
			}
		})
	}
	wg.Wait()
	require.Len(t, seen, n)
	for v, k := range seen {
		require.Equal(t, 1, k, "message %s", v)
	}
	id, epoch := a.Membership()
	require.NotEmpty(t, id)
	require.Positive(t, epoch, "the member epoch")
	require.NoError(t, a.CommitOffsets(testCtx(t)))
	require.NoError(t, bb.CommitOffsets(testCtx(t)))
	require.NoError(t, a.Close())
	require.NoError(t, bb.Close())
	ends, err := mustTopic(t, c, name).LatestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	committed, err := b.Committed(group("g"), name)
	require.NoError(t, err)
	require.Equal(t, ends, committed)
}

func mustTopic(t *testing.T, c *kafka.Client, name string) *kafka.Topic {
	t.Helper()
	tp, err := c.Topic(testCtx(t), name)
	require.NoError(t, err)
	return tp
}
