package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// TestGroupFollowsAddedPartitions checks that partitions added to a topic
// are assigned to the group and consumed, without any member restarting.
func TestGroupFollowsAddedPartitions(t *testing.T) {
	t.Parallel()
	kb := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "no CreatePartitions")
	group := groupNames(kb)
	name := kb.NewTopic("growing", 4)
	c := newClient(t, kafka.Config{Hosts: kb.Addrs()})
	cfg := groupConfig(group("grow"))
	cfg.PartitionCheckInterval = 100 * time.Millisecond
	a := newBalanced(t, c, name, cfg)
	b := newBalanced(t, c, name, cfg)
	waitAssignment(t, 4, a, b)

	require.NoError(t, c.CreatePartitions(testCtx(t), name, 6))
	parts := waitAssignment(t, 6, a, b)
	require.Len(t, parts[0], 3, "range over 6 partitions and 2 members")
	require.Len(t, parts[1], 3)

	now := time.Now()
	produceAt(t, kb, name, 4, now, "on-4")
	produceAt(t, kb, name, 5, now, "on-5")
	seen := map[string]bool{}
	deadline := time.Now().Add(20 * time.Second)
	for len(seen) < 2 && time.Now().Before(deadline) {
		for _, m := range []*kafka.BalancedConsumer{a, b} {
			ctx, cancel := context.WithTimeout(testCtx(t), 100*time.Millisecond)
			msg, err := m.Consume(ctx)
			cancel()
			if err == nil {
				seen[string(msg.Value)] = true
			}
		}
	}
	require.Equal(t, map[string]bool{"on-4": true, "on-5": true}, seen)
}

// TestFailedAssignmentRejoins: when taking up an assignment fails (here
// the PostRebalanceCallback), the member reports it once and joins again,
// rather than holding partitions it does not read.
func TestFailedAssignmentRejoins(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	group := groupNames(b)
	name := b.NewTopic("flaky", 2)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	produceAt(t, b, name, 0, time.Now(), "m0")
	produceAt(t, b, name, 1, time.Now(), "m1")
	cfg := groupConfig(group("flaky"))
	calls := 0
	cfg.PostRebalanceCallback = func(context.Context, map[kafka.TopicPartition]int64, map[kafka.TopicPartition]int64) (map[kafka.TopicPartition]int64, error) {
		calls++ // run's goroutine only
		if calls == 1 {
			return nil, errors.New("not ready yet")
		}
		return nil, nil
	}
	bc := newBalanced(t, c, name, cfg)
	_, err := bc.Consume(testCtx(t))
	require.ErrorContains(t, err, "not ready yet", "the failure is reported once")
	got := map[string]bool{}
	for len(got) < 2 {
		msg, err := bc.Consume(testCtx(t))
		require.NoError(t, err)
		got[string(msg.Value)] = true
	}
	require.Equal(t, map[string]bool{"m0": true, "m1": true}, got)
}

// TestSlowStartKeepsTheSession: heartbeats run while an assignment is
// taken up, so a PostRebalanceCallback slower than the session timeout
// does not get the member thrown out of the group (which would make it
// rejoin and call the callback again).
func TestSlowStartKeepsTheSession(t *testing.T) {
	t.Parallel()
	kb := kafkatest.NewBackend(t, shortSessions)
	name := kb.NewTopic("slowstart", 1)
	c := newClient(t, kafka.Config{Hosts: kb.Addrs()})
	produceAt(t, kb, name, 0, time.Now(), "m")
	cfg := groupConfig(kb.Name("slowstart"))
	cfg.SessionTimeout = 3 * time.Second // still 30 heartbeats; the embedded cluster allows it (shortSessions)
	if kb.External() {
		cfg.SessionTimeout = 6 * time.Second // Kafka's default group.min.session.timeout.ms
	}
	var mu sync.Mutex
	calls := 0
	cfg.PostRebalanceCallback = func(context.Context, map[kafka.TopicPartition]int64, map[kafka.TopicPartition]int64) (map[kafka.TopicPartition]int64, error) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			time.Sleep(cfg.SessionTimeout + 1500*time.Millisecond)
		}
		return nil, nil
	}
	bc := newBalanced(t, c, name, cfg)
	msg, err := bc.Consume(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, "m", string(msg.Value))
	time.Sleep(10 * cfg.HeartbeatInterval) // an evicted member would have rejoined by now
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 1, calls, "the member kept its session through the slow callback")
}

// TestCommitChosenOffsets: a member commits offsets of its choosing for its
// partitions, and no others; they read back as committed.
func TestCommitChosenOffsets(t *testing.T) {
	b := kafkatest.NewBackend(t)
	group := groupNames(b)
	tChosen := b.NewTopic("chosen", 2)
	tOther := b.NewTopic("other", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	bc := newBalanced(t, c, tChosen, groupConfig(group("chooser")))
	waitAssignment(t, 2, bc)
	require.NoError(t, bc.CommitPartitionOffsets(testCtx(t), map[int32]int64{1: 42}))
	got, err := c.FetchGroupOffsets(testCtx(t), group("chooser"), tChosen)
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{1: 42}, got)
	err = bc.CommitTopicOffsets(testCtx(t), map[kafka.TopicPartition]int64{{Topic: tOther, Partition: 0}: 1})
	require.ErrorIs(t, err, kafka.ErrUnknownTopicOrPartition)
	require.ErrorIs(t, bc.CommitPartitionOffsets(testCtx(t), map[int32]int64{7: 1}), kafka.ErrUnknownTopicOrPartition)
	require.Error(t, bc.CommitPartitionOffsets(testCtx(t), map[int32]int64{0: -5}))
}

// TestOffsetsOfEverySubscribedTopic: the partition-keyed offset methods
// speak of the consumer's own topic, the TopicPartition-keyed ones of
// every subscribed topic, and ResetOffsets(nil) resets them all.
func TestOffsetsOfEverySubscribedTopic(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	tOwn, tExtra, group := b.NewTopic("own", 1), b.NewTopic("extra", 1), b.Name("everytopic")
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	for _, topic := range []string{tOwn, tExtra} {
		for i := range 3 {
			produceAt(t, b, topic, 0, time.Now(), fmt.Sprint(topic, i))
		}
	}
	cfg := groupConfig(group)
	cfg.Topics = []string{tExtra}
	bc := newBalanced(t, c, tOwn, cfg)
	for range 6 {
		_, err := bc.Consume(testCtx(t))
		require.NoError(t, err)
	}
	own, extra := kafka.TopicPartition{Topic: tOwn, Partition: 0}, kafka.TopicPartition{Topic: tExtra, Partition: 0}
	require.Equal(t, []kafka.TopicPartition{extra, own}, bc.Assignment(), "sorted by topic: extra-... before own-...")
	require.Equal(t, []int32{0}, bc.Partitions())
	require.Equal(t, map[int32]int64{0: 3}, bc.HeldOffsets())
	require.Equal(t, map[kafka.TopicPartition]int64{own: 3, extra: 3}, bc.HeldTopicOffsets())

	require.NoError(t, bc.CommitTopicOffsets(testCtx(t), map[kafka.TopicPartition]int64{own: 2, extra: 1}))
	for topic, want := range map[string]int64{tOwn: 2, tExtra: 1} {
		got, err := b.Committed(group, topic)
		require.NoError(t, err)
		require.Equal(t, map[int32]int64{0: want}, got, "committed on %s", topic)
	}

	require.NoError(t, bc.ResetTopicOffsets(testCtx(t), map[kafka.TopicPartition]int64{extra: 1}))
	require.Equal(t, map[kafka.TopicPartition]int64{own: 3, extra: 1}, bc.HeldTopicOffsets())
	require.NoError(t, bc.ResetOffsets(testCtx(t), map[int32]int64{0: 2}))
	require.Equal(t, map[kafka.TopicPartition]int64{own: 2, extra: 1}, bc.HeldTopicOffsets())
	require.NoError(t, bc.ResetOffsets(testCtx(t), nil), "nil: every subscribed topic to AutoOffsetReset")
	require.Equal(t, map[kafka.TopicPartition]int64{own: 0, extra: 0}, bc.HeldTopicOffsets())
	err := bc.ResetTopicOffsets(testCtx(t), map[kafka.TopicPartition]int64{{Topic: b.Name("nope"), Partition: 0}: 0})
	require.ErrorIs(t, err, kafka.ErrUnknownTopicOrPartition)
}

func TestMembership(t *testing.T) {
	b := kafkatest.NewBackend(t)
	topic, group := b.NewTopic("members", 1), b.Name("members")
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	bc := newBalanced(t, c, topic, groupConfig(group))
	waitAssignment(t, 1, bc)
	id, gen := bc.Membership()
	require.NotEmpty(t, id)
	require.Positive(t, gen)

	// The coordinator knows the member by that ID and generation: an
	// independent client's commit under them is accepted, and one under
	// another generation or member ID is refused.
	opts := kgoOpts(b.Addrs())
	if !kafkatest.Mock() { // there kgoOpts caps versions lower already
		// OffsetCommit v10+ names topics by ID: stay below it.
		opts = append(opts, kgo.MaxVersions(kversion.V3_9_0()))
	}
	k, err := kgo.NewClient(opts...)
	require.NoError(t, err)
	defer k.Close()
	commit := func(member string, generation int32) error {
		req := kmsg.NewPtrOffsetCommitRequest()
		req.Group, req.MemberID, req.Generation = group, member, generation
		rt := kmsg.NewOffsetCommitRequestTopic()
		rt.Topic = topic
		rp := kmsg.NewOffsetCommitRequestTopicPartition()
		rp.Partition, rp.Offset = 0, 0
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(testCtx(t), k)
		if err != nil {
			return err
		}
		require.Len(t, resp.Topics, 1)
		require.Len(t, resp.Topics[0].Partitions, 1)
		return kerr.ErrorForCode(resp.Topics[0].Partitions[0].ErrorCode)
	}
	require.NoError(t, commit(id, gen), "the member's own ID and generation")
	require.ErrorIs(t, commit(id, gen+1), kerr.IllegalGeneration)
	require.ErrorIs(t, commit(id+"-not", gen), kerr.UnknownMemberID)
}
