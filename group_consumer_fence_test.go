package kafka_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// kip848Cluster is the embedded cluster with fast KIP-848 heartbeats, for
// tests that use its controls.
func kip848Cluster(t *testing.T, why string, opts ...kafkatest.Option) *kafkatest.Cluster {
	opts = append([]kafkatest.Option{kafkatest.BrokerConfig("group.consumer.heartbeat.interval.ms", fmt.Sprint(kip848Interval.Milliseconds()))}, opts...)
	return kafkatest.NeedsKfake(t, why, opts...)
}

// TestConsumerProtocolFenced: a heartbeat answered FENCED_MEMBER_EPOCH
// takes the partitions away as lost: PreRebalanceCallback hears of them
// but nothing is committed (their new owner may have moved on); the member
// rejoins, gets them back, and consumption goes on.
func TestConsumerProtocolFenced(t *testing.T) {
	t.Parallel()
	cl := kip848Cluster(t, "answers a heartbeat FENCED_MEMBER_EPOCH", kafkatest.Topic("fence848", 4))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	p := newProducer(t, c, "fence848", kafka.ProducerConfig{})
	produce := func(from, to int) {
		for i := from; i < to; i++ {
			require.NoError(t, p.Produce(testCtx(t), kafka.Message{Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprint(i))}))
		}
		require.NoError(t, p.Flush(testCtx(t)))
	}
	produce(0, 100)

	var mu sync.Mutex
	var revoked []map[kafka.TopicPartition]int64
	cfg := kip848Config("fence848")
	cfg.TrackTaskDone = true
	cfg.AutoCommitEnable, cfg.AutoCommitInterval = true, time.Hour // only revocations and Close commit
	cfg.PreRebalanceCallback = func(_ context.Context, r map[kafka.TopicPartition]int64) {
		mu.Lock()
		revoked = append(revoked, r)
		mu.Unlock()
	}
	bc := newBalanced(t, c, "fence848", cfg)
	seen := map[string]int{}
	consume := func(distinct int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		for len(seen) < distinct {
			msg, err := bc.Consume(ctx)
			require.NoError(t, err, "consumed %d of %d", len(seen), distinct)
			seen[string(msg.Value)]++
			bc.TaskDone(msg)
		}
	}
	consume(100)
	_, epoch := bc.Membership()
	commits := cl.Requests(protocol.KeyOffsetCommit)

	inj := cl.InjectFault(kafkatest.Fault{APIs: []int16{protocol.KeyConsumerGroupHeartbeat}, Group: "fence848", TopLevel: true, Code: int16(protocol.FencedMemberEpoch)})
	require.NoError(t, inj.Wait(testCtx(t), 1))
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(revoked) == 1 && len(bc.Partitions()) == 4
	}, 20*time.Second, 10*time.Millisecond, "the partitions are lost, then assigned again")
	require.Len(t, revoked[0], 4, "PreRebalanceCallback hears of the lost partitions")
	require.Equal(t, commits, cl.Requests(protocol.KeyOffsetCommit), "nothing committed for lost partitions")
	committed, err := cl.Group("fence848")
	require.NoError(t, err)
	require.Empty(t, committed.Committed["fence848"])
	_, again := bc.Membership()
	t.Logf("member epoch %d before the fence, %d after rejoining", epoch, again)

	// Nothing was committed, so the member starts again from the
	// beginning: every message comes again, then the new ones.
	produce(100, 200)
	consume(200)
	require.NoError(t, bc.CommitOffsets(testCtx(t)))
	group, err := cl.Group("fence848")
	require.NoError(t, err)
	total := int64(0)
	for _, o := range group.Committed["fence848"] {
		total += o
	}
	require.Equal(t, int64(200), total, "commits after rejoining carry the new member epoch and land")
}

// TestConsumerProtocolStaticRestart: a static member (GroupInstanceID)
// that closes (leaving with epoch -2) and comes back within the session
// timeout gets its partitions back, while the other member keeps its own.
func TestConsumerProtocolStaticRestart(t *testing.T) {
	t.Parallel()
	b := kip848Backend(t)
	group := groupNames(b)("static848")
	name := b.NewTopic("static848", 6)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	cfgA, cfgB := kip848Config(group), kip848Config(group)
	cfgA.GroupInstanceID, cfgB.GroupInstanceID = "a", "b"
	a := newBalanced(t, c, name, cfgA)
	bb := newBalanced(t, c, name, cfgB)
	before := waitAssignment(t, 6, a, bb)
	require.Len(t, before[1], 3)
	require.NoError(t, bb.Close())
	time.Sleep(5 * kip848Interval) // a would have taken them by now, were b dynamic
	require.Len(t, a.Partitions(), 3, "a static member's partitions wait for it")
	b2 := newBalanced(t, c, name, cfgB)
	after := waitAssignment(t, 6, a, b2)
	require.Equal(t, before, after, "the restarted static member gets its partitions back")
}

// TestConsumerProtocolNeedsKafka4: against a broker without KIP-848 (3.6
// has no ConsumerGroupHeartbeat), Consume returns an error wrapping
// ErrUnsupportedVersion that names the API and the release needed.
func TestConsumerProtocolNeedsKafka4(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "emulates Kafka 3.6", kafkatest.Version("3.6"), kafkatest.Topic("old848", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	bc := newBalanced(t, c, "old848", kip848Config("old848"))
	_, err := bc.Consume(testCtx(t))
	require.ErrorIs(t, err, kafka.ErrUnsupportedVersion)
	require.ErrorContains(t, err, "ConsumerGroupHeartbeat needs Kafka 4.0")
	require.ErrorContains(t, err, "GroupProtocolConsumer")
	require.NoError(t, bc.Close())
}
