package kafka_test

import (
	"slices"
	"testing"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestGroupLag(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "no DeleteRecords")
	topic := b.NewTopic("lag", 2)
	kgoProduceN(t, b.Addrs(), topic, 0, 10)
	kgoProduceN(t, b.Addrs(), topic, 1, 6)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	adm := newKadm(t, b.Addrs())
	ctx := testCtx(t)
	group := b.Name("lag-group")

	require.NoError(t, c.CommitGroupOffsets(ctx, group, topic, map[int32]int64{0: 4}))
	_, err := c.DeleteRecords(ctx, map[kafka.TopicPartition]int64{{Topic: topic, Partition: 1}: 2})
	require.NoError(t, err)

	lag, err := c.GroupLag(ctx, group)
	require.NoError(t, err)
	require.Equal(t, map[kafka.TopicPartition]kafka.Lag{
		{Topic: topic, Partition: 0}: {Committed: 4, End: 10, Start: 0, Lag: 6},
		{Topic: topic, Partition: 1}: {Committed: -1, End: 6, Start: 2, Lag: 4}, // no commit: all that is left
	}, lag)

	// kadm counts the same.
	theirs, err := adm.Lag(ctx, group)
	require.NoError(t, err)
	gl := theirs[group]
	require.NoError(t, gl.Error())
	for tp, l := range lag {
		ml, ok := gl.Lag.Lookup(tp.Topic, tp.Partition)
		if !ok {
			continue // kadm lists only the partitions of topics with a commit
		}
		require.Equal(t, l.Lag, ml.Lag, "%s", tp)
		require.Equal(t, l.End, ml.End.Offset, "%s", tp)
	}

	_, err = c.GroupLag(ctx, b.Name("no-such-group"))
	require.ErrorIs(t, err, kafka.ErrGroupIDNotFound)
}

// TestGroupLagConsumerGroup reads the lag of a KIP-848 group (franz-go's
// server-side balancer), whose members only ConsumerGroupDescribe shows.
func TestGroupLagConsumerGroup(t *testing.T) {
	t.Parallel()
	b := kip848Backend(t)
	topic, group := b.NewTopic("lag848", 2), b.Name("g848")
	kgoProduceN(t, b.Addrs(), topic, 0, 5)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	ctx := testCtx(t)
	kc, err := kgo.NewClient(kgoOpts(b.Addrs(), kgo.ClientID("kip848-member"), kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.ServerSideBalancer(), kgo.Balancers(kgo.RangeBalancer()), kgo.DisableAutoCommit())...)
	require.NoError(t, err)
	t.Cleanup(kc.Close)
	go kc.PollFetches(ctx)
	require.Eventually(t, func() bool {
		ds, err := c.DescribeGroups(ctx, group)
		return err == nil && len(ds) == 1 && len(ds[0].Members) == 1 && len(ds[0].Members[0].Assignment[topic]) == 2
	}, 20e9, 50e6, "the member gets both partitions")

	descs, err := c.DescribeGroups(ctx, group)
	require.NoError(t, err)
	require.Equal(t, "consumer", descs[0].Type)
	listed, err := c.ListGroups(ctx)
	require.NoError(t, err)
	i := slices.IndexFunc(listed, func(l kafka.GroupListing) bool { return l.GroupID == group })
	require.GreaterOrEqual(t, i, 0, "listed: %v", listed)
	require.Equal(t, "consumer", listed[i].Type)

	lag, err := c.GroupLag(ctx, group)
	require.NoError(t, err)
	l := lag[kafka.TopicPartition{Topic: topic, Partition: 0}]
	require.Equal(t, int64(-1), l.Committed)
	require.Equal(t, int64(5), l.Lag)
	require.Equal(t, "kip848-member", l.ClientID)
	require.Equal(t, descs[0].Members[0].MemberID, l.MemberID)
	require.NotEmpty(t, l.MemberID)
}
