package kafka_test

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kversion"
)

func TestTopicAdmin(t *testing.T) {
	c := newClient(t, kafka.Config{Hosts: kafkatest.Brokers(t)})
	kafkatest.SkipOnMock(t, "no CreateTopics, CreatePartitions or DeleteTopics")
	ctx := testCtx(t)
	name := "admin-" + time.Now().Format("150405.000000")

	require.NoError(t, c.CreateTopic(ctx, name, kafka.TopicConfig{Partitions: 3, ReplicationFactor: 1, Configs: map[string]string{"retention.ms": "3600000"}}))
	topic, err := c.Topic(ctx, name)
	require.NoError(t, err)
	require.Len(t, topic.Partitions(), 3, "CreateTopic returns once the partitions are ready")

	err = c.CreateTopic(ctx, name, kafka.TopicConfig{Partitions: 1})
	require.ErrorIs(t, err, kafka.ErrTopicAlreadyExists)
	require.False(t, kafka.IsRetriable(err))

	names, err := c.TopicsMatching(ctx, regexp.MustCompile("^"+regexp.QuoteMeta(name)+"$"))
	require.NoError(t, err)
	require.Equal(t, []string{name}, names)

	require.NoError(t, c.CreatePartitions(ctx, name, 5))
	require.Len(t, topic.Partitions(), 5, "the topic follows the client's metadata")

	require.NoError(t, c.DeleteTopic(ctx, name))
	names, err = c.Topics(ctx)
	require.NoError(t, err)
	require.NotContains(t, names, name)
	require.Empty(t, topic.Partitions())
	require.ErrorIs(t, c.DeleteTopic(ctx, name), kafka.ErrUnknownTopicOrPartition)
}

func TestCreateTopicValidateOnly(t *testing.T) {
	c := newClient(t, kafka.Config{Hosts: kafkatest.Brokers(t)})
	kafkatest.SkipOnMock(t, "no CreateTopics")
	ctx := testCtx(t)
	require.NoError(t, c.CreateTopic(ctx, "validated-only", kafka.TopicConfig{Partitions: 2, ValidateOnly: true}))
	_, err := c.Topic(ctx, "validated-only")
	require.ErrorIs(t, err, kafka.ErrUnknownTopicOrPartition)
}

// versionRecorder remembers the version of each API the client used.
type versionRecorder struct {
	mu   sync.Mutex
	used map[string]int16
}

func (r *versionRecorder) OnBrokerRequest(e kafka.BrokerRequestEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.used == nil {
		r.used = make(map[string]int16)
	}
	r.used[e.API] = e.Version
}

// TestOlderBrokers runs the client's calls against brokers emulating older
// Kafka releases: each request must use the newest version both sides
// speak, and everything must still work.
func TestOlderBrokers(t *testing.T) {
	t.Parallel()
	for _, release := range []struct {
		name string
		kv   *kversion.Versions
	}{{"0.11", kversion.V0_11_0()}, {"2.8", kversion.V2_8_0()}, {"3.9", kversion.V3_9_0()}, {"4.1", kversion.V4_1_0()}} {
		t.Run(release.name, func(t *testing.T) {
			cl := kafkatest.NeedsKfake(t, "emulates older Kafka releases", kafkatest.Version(release.name), kafkatest.Topic("old", 2))
			rec := &versionRecorder{}
			c := newClient(t, kafka.Config{Hosts: cl.Addrs(), Hooks: []kafka.Hook{rec}})
			ctx := testCtx(t)
			topic, err := c.Topic(ctx, "old")
			require.NoError(t, err)
			produceAt(t, cl, "old", 1, time.UnixMilli(1_000_000), "x")
			at, err := topic.OffsetsForTime(ctx, time.UnixMilli(999_000))
			require.NoError(t, err)
			require.Equal(t, map[int32]int64{0: 0, 1: 0}, at)
			require.NoError(t, c.CreateTopic(ctx, "new", kafka.TopicConfig{Partitions: 2}))
			require.NoError(t, c.DeleteTopic(ctx, "new"))

			for _, key := range []int16{protocol.KeyMetadata, protocol.KeyListOffsets, protocol.KeyCreateTopics, protocol.KeyDeleteTopics} {
				api := protocol.LookupAPI(key)
				theirs, ok := release.kv.LookupMaxKeyVersion(key)
				require.True(t, ok)
				rec.mu.Lock()
				used := rec.used[api.Name]
				rec.mu.Unlock()
				require.Equal(t, min(api.MaxVersion, theirs), used, "%s against %s", api.Name, release.name)
			}
		})
	}
}

// TestSlowAdminDoesNotDelayMetadata checks that an admin request the
// broker holds (CreateTopics waits up to its TimeoutMs) does not hold up
// metadata requests to the same broker: admin calls have a connection of
// their own.
func TestSlowAdminDoesNotDelayMetadata(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "holds CreateTopics back", kafkatest.NumBrokers(1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	ctx := testCtx(t)
	slow := cl.Delay(protocol.KeyCreateTopics, time.Hour, 1) // until the cluster closes
	adminCtx, cancelAdmin := context.WithCancel(ctx)
	created := make(chan error, 1)
	go func() { created <- c.CreateTopic(adminCtx, "slow-admin", kafka.TopicConfig{Partitions: 1}) }()
	require.NoError(t, slow.Wait(ctx, 1), "the broker holds the CreateTopics")

	// Far below the hour the CreateTopics is held, far above a metadata
	// round trip on a loaded machine.
	mctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	require.NoError(t, c.UpdateCluster(mctx), "metadata answered while CreateTopics is held")

	cancelAdmin()
	require.ErrorIs(t, <-created, context.Canceled)
}
