package kafka_test

import (
	"context"
	"sync"
	"testing"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestDeleteGroupsAndOffsets(t *testing.T) {
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "no DeleteGroups or OffsetDelete")
	topic := b.NewTopic("delete-groups", 2)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	adm := newKadm(t, b.Addrs())
	ctx := testCtx(t)
	ours, theirs := b.Name("ours"), b.Name("theirs")

	// Ours commits and deletes one partition's offset; kadm reads.
	require.NoError(t, c.CommitGroupOffsets(ctx, ours, topic, map[int32]int64{0: 5, 1: 7}))
	res, err := c.DeleteGroupOffsets(ctx, ours, kafka.TopicPartition{Topic: topic, Partition: 0})
	require.NoError(t, err)
	require.Equal(t, map[kafka.TopicPartition]error{{Topic: topic, Partition: 0}: nil}, res)
	fetched, err := adm.FetchOffsets(ctx, ours)
	require.NoError(t, err)
	_, has0 := fetched.Lookup(topic, 0)
	o1, has1 := fetched.Lookup(topic, 1)
	require.False(t, has0, "partition 0's offset deleted")
	require.True(t, has1)
	require.Equal(t, int64(7), o1.At)

	// kadm commits, ours deletes the group, kadm sees it gone.
	os := kadm.Offsets{}
	os.Add(kadm.Offset{Topic: topic, Partition: 1, At: 3})
	require.NoError(t, adm.CommitAllOffsets(ctx, theirs, os))
	missing := b.Name("never-existed")
	del, err := c.DeleteGroups(ctx, theirs, missing)
	require.ErrorIs(t, err, kafka.ErrGroupIDNotFound)
	require.NoError(t, del[theirs])
	require.ErrorIs(t, del[missing], kafka.ErrGroupIDNotFound)
	require.Contains(t, del[missing].Error(), missing)
	listed, err := adm.ListGroups(ctx)
	require.NoError(t, err)
	require.NotContains(t, listed.Groups(), theirs)

	// kadm deletes the group ours committed; ours reads nothing.
	dr, err := adm.DeleteGroups(ctx, ours)
	require.NoError(t, err)
	require.NoError(t, dr.Error())
	got, err := c.FetchGroupOffsets(ctx, ours, topic)
	require.NoError(t, err)
	require.Empty(t, got)

	_, err = c.DeleteGroupOffsets(ctx, missing, kafka.TopicPartition{Topic: topic, Partition: 0})
	require.ErrorIs(t, err, kafka.ErrGroupIDNotFound)
}

func TestDeleteLiveGroup(t *testing.T) {
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "no DeleteGroups or OffsetDelete")
	liveTopic, otherTopic, group := b.NewTopic("live", 1), b.NewTopic("other", 1), b.Name("live-group")
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	ctx := testCtx(t)
	require.NoError(t, c.CommitGroupOffsets(ctx, group, otherTopic, map[int32]int64{0: 1}))
	// The member is in the group, and the group knows what it consumes,
	// once the member has its assignment: that comes from the leader's
	// SyncGroup, which makes the group Stable.
	assigned := make(chan struct{})
	var once sync.Once
	kc, err := kgo.NewClient(kgoOpts(b.Addrs(), kgo.ConsumerGroup(group), kgo.ConsumeTopics(liveTopic),
		kgo.OnPartitionsAssigned(func(context.Context, *kgo.Client, map[string][]int32) { once.Do(func() { close(assigned) }) }))...)
	require.NoError(t, err)
	t.Cleanup(kc.Close)
	go kc.PollFetches(ctx)
	select {
	case <-assigned:
	case <-ctx.Done():
		t.Fatal("the franz-go member never got its assignment")
	}

	del, err := c.DeleteGroups(ctx, group)
	require.ErrorIs(t, err, kafka.ErrNonEmptyGroup)
	require.ErrorIs(t, del[group], kafka.ErrNonEmptyGroup)

	live, other := kafka.TopicPartition{Topic: liveTopic, Partition: 0}, kafka.TopicPartition{Topic: otherTopic, Partition: 0}
	res, err := c.DeleteGroupOffsets(ctx, group, live, other)
	require.ErrorIs(t, err, kafka.ErrGroupSubscribedToTopic)
	require.ErrorIs(t, res[live], kafka.ErrGroupSubscribedToTopic)
	require.NoError(t, res[other], "a topic the group does not consume can lose its offsets while the group lives")
}
