package kafka

// An internal test, so that the coordinator lookup and its cache can be
// checked directly; the group calls are checked through the public API.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func groupTestCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func groupTestClient(t *testing.T, cl interface{ Addrs() []string }) *Client {
	t.Helper()
	c, err := NewClient(groupTestCtx(t), Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// groupMember is a consumer group member made with franz-go, an
// independent client, with the partitions it holds.
type groupMember struct {
	k    *kgo.Client
	mu   sync.Mutex
	held map[string][]int32
}

// assignment returns the partitions the member holds, by topic, sorted.
func (m *groupMember) assignment() map[string][]int32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string][]int32, len(m.held))
	for t, ps := range m.held {
		if len(ps) > 0 {
			out[t] = slices.Sorted(slices.Values(ps))
		}
	}
	return out
}

// joinGroup makes a new member of group, consuming topic, and waits until
// it and others hold the topic's partitions (partitions of them) between
// them, each exactly once and each member at least one. Then the group is
// Stable on any broker: a member gets its assignment from the SyncGroup
// that made it so, and with the eager balancer used here a member gives up
// its partitions before it rejoins, so all hold partitions only once all
// are in the same generation.
func joinGroup(t *testing.T, cl interface{ Addrs() []string }, group, topic string, partitions int, others ...*groupMember) *groupMember {
	t.Helper()
	m := &groupMember{held: make(map[string][]int32)}
	k, err := kgo.NewClient(kgoOpts(cl.Addrs(), kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.ClientID("member-of-"+group), kgo.HeartbeatInterval(100*time.Millisecond),
		// Eager, so that a group Stable with all its members stays so (the
		// default cooperative balancer rebalances a second time).
		kgo.Balancers(kgo.RangeBalancer()),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, assigned map[string][]int32) {
			m.mu.Lock()
			defer m.mu.Unlock()
			for t, ps := range assigned {
				m.held[t] = append(m.held[t], ps...)
			}
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, revoked map[string][]int32) {
			m.mu.Lock()
			defer m.mu.Unlock()
			for t, ps := range revoked {
				m.held[t] = slices.DeleteFunc(m.held[t], func(p int32) bool { return slices.Contains(ps, p) })
			}
		}))...)
	require.NoError(t, err)
	m.k = k
	t.Cleanup(k.Close)
	pctx, cancel := context.WithTimeout(groupTestCtx(t), 200*time.Millisecond)
	k.PollFetches(pctx) // joins the group
	cancel()
	all := append([]*groupMember{m}, others...)
	require.Eventually(t, func() bool {
		var held []int32
		for _, o := range all {
			ps := o.assignment()[topic]
			if len(ps) == 0 {
				return false
			}
			held = append(held, ps...)
		}
		slices.Sort(held)
		return len(held) == partitions && len(slices.Compact(held)) == partitions
	}, 20*time.Second, 20*time.Millisecond, "group %s never settled with %d members holding %d partitions", group, len(all), partitions)
	return m
}

func TestCoordinatorFoundAndCached(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "counts requests")
	c := groupTestClient(t, cl)
	ctx := groupTestCtx(t)
	for _, group := range []string{"a", "b", "c", "d"} {
		want, err := cl.Coordinator(group)
		require.NoError(t, err)
		b, err := c.coordinator(ctx, group)
		require.NoError(t, err)
		require.Equal(t, want, b.id, "group %s", group)

		asked := cl.Requests(protocol.KeyFindCoordinator)
		again, err := c.coordinator(ctx, group)
		require.NoError(t, err)
		require.Same(t, b, again)
		require.Equal(t, asked, cl.Requests(protocol.KeyFindCoordinator), "the second lookup is cached")

		c.forgetCoordinator(group)
		_, err = c.coordinator(ctx, group)
		require.NoError(t, err)
		require.Equal(t, asked+1, cl.Requests(protocol.KeyFindCoordinator), "a forgotten coordinator is asked for again")
	}
}

func TestCoordinatorNotAvailableIsRetried(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "injects errors")
	c := groupTestClient(t, cl)
	inj := cl.InjectError(protocol.KeyFindCoordinator, int16(protocol.CoordinatorNotAvailable), 2)
	asked := cl.Requests(protocol.KeyFindCoordinator)
	b, err := c.coordinator(groupTestCtx(t), "g")
	require.NoError(t, err)
	want, err := cl.Coordinator("g")
	require.NoError(t, err)
	require.Equal(t, want, b.id)
	require.Equal(t, 2, inj.Hits())
	require.Equal(t, asked+3, cl.Requests(protocol.KeyFindCoordinator))
}

func TestCoordinatorErrorsNameTheGroup(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "injects errors")
	c := groupTestClient(t, cl)
	cl.InjectError(protocol.KeyFindCoordinator, int16(protocol.GroupAuthorizationFailed), 1)
	_, err := c.coordinator(groupTestCtx(t), "secret")
	require.ErrorIs(t, err, ErrGroupAuthorizationFailed)
	require.ErrorContains(t, err, `group "secret"`)
	require.False(t, IsRetriable(err))

	// Retries end with the caller's context, and the last real error. The
	// context ends once two answers came back (a fixed short deadline could
	// pass before the first answer on a loaded machine).
	loading := cl.InjectError(protocol.KeyFindCoordinator, int16(protocol.CoordinatorLoadInProgress), kafkatest.Always)
	ctx, cancel := context.WithCancel(groupTestCtx(t))
	defer cancel()
	go func() {
		if loading.Wait(ctx, 2) == nil {
			cancel()
		}
	}()
	_, err = c.coordinator(ctx, "loading")
	require.ErrorIs(t, err, ErrCoordinatorLoadInProgress)
	require.True(t, IsRetriable(err))
}

func TestCoordinatorMovedIsFoundAgain(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "moves coordinators", kafkatest.Topic("t", 3))
	joinGroup(t, cl, "g", "t", 3)
	c := groupTestClient(t, cl)
	ctx := groupTestCtx(t)

	_, err := c.DescribeGroups(ctx, "g")
	require.NoError(t, err)
	old, err := c.coordinator(ctx, "g")
	require.NoError(t, err)

	// Rehash until the group lands elsewhere.
	for i := 0; ; i++ {
		require.NoError(t, cl.MoveCoordinators())
		if id, _ := cl.Coordinator("g"); id != old.id {
			break
		}
		require.Less(t, i, 100, "the coordinator never moved")
	}
	descs, err := c.DescribeGroups(ctx, "g")
	require.NoError(t, err, "NOT_COORDINATOR makes the client find the new coordinator")
	require.Len(t, descs, 1)
	b, err := c.coordinator(ctx, "g")
	require.NoError(t, err)
	want, _ := cl.Coordinator("g")
	require.Equal(t, want, b.id)

	// groupRetry, which the consumers use, does the same.
	for i := 0; ; i++ {
		require.NoError(t, cl.MoveCoordinators())
		if id, _ := cl.Coordinator("g"); id != b.id {
			break
		}
		require.Less(t, i, 100, "the coordinator never moved")
	}
	var calls []int32
	err = c.groupRetry(ctx, "g", 5, 10*time.Millisecond, func(b *broker) error {
		calls = append(calls, b.id)
		var resp protocol.DescribeGroupsResponse
		if _, err := b.call(ctx, &protocol.DescribeGroupsRequest{Groups: []string{"g"}}, &resp); err != nil {
			return err
		}
		return codeError(resp.Groups[0].ErrorCode)
	})
	require.NoError(t, err)
	want, _ = cl.Coordinator("g")
	require.Equal(t, []int32{b.id, want}, calls)
}

func TestListAndDescribeGroups(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "no ListGroups or DescribeGroups")
	topicT, topicU := b.NewTopic("t", 3), b.NewTopic("u", 2)
	c := groupTestClient(t, b)
	ctx := groupTestCtx(t)
	var names []string
	for i := range 6 {
		names = append(names, b.Name(fmt.Sprintf("g%d", i)))
	}
	two := b.Name("two")
	names = append(names, two)

	// A real cluster may hold other groups: only this test's are compared.
	// Brokers before Kafka 4.0 leave Type empty (their groups are classic).
	ours := func() []GroupListing {
		listed, err := c.ListGroups(ctx)
		require.NoError(t, err)
		var out []GroupListing
		for _, l := range listed {
			if slices.Contains(names, l.GroupID) {
				if l.Type == "" {
					l.Type = "classic"
				}
				out = append(out, l)
			}
		}
		return out
	}
	require.Empty(t, ours())

	// Groups spread over the brokers, so that every one must be asked.
	coordinators := make(map[int32]bool)
	members := make(map[string][]*groupMember)
	for _, g := range names[:6] {
		members[g] = []*groupMember{joinGroup(t, b, g, topicT, 3)}
		co, err := c.coordinator(ctx, g)
		require.NoError(t, err)
		coordinators[co.id] = true
	}
	first := joinGroup(t, b, two, topicU, 2)
	members[two] = []*groupMember{first, joinGroup(t, b, two, topicU, 2, first)}
	t.Logf("groups on %d brokers", len(coordinators))

	var want []GroupListing
	for _, g := range names {
		want = append(want, GroupListing{GroupID: g, ProtocolType: "consumer", State: "Stable", Type: "classic"})
	}
	require.Equal(t, want, ours())

	descs, err := c.DescribeGroups(ctx, two, names[0], two)
	require.NoError(t, err)
	require.Len(t, descs, 2, "a group named twice is described once")
	require.Equal(t, two, descs[0].GroupID)
	require.Equal(t, names[0], descs[1].GroupID)

	for _, d := range descs {
		require.Equal(t, "Stable", d.State)
		require.Equal(t, "consumer", d.ProtocolType)
		require.Equal(t, "range", d.Protocol)
		require.Len(t, d.Members, len(members[d.GroupID]))
		for _, m := range d.Members {
			require.Equal(t, "member-of-"+d.GroupID, m.ClientID)
			require.NotEmpty(t, m.ClientHost)
			require.Empty(t, m.InstanceID)
			// What the member itself was given, as franz-go saw it.
			var assigned map[string][]int32
			for _, gm := range members[d.GroupID] {
				if id, _ := gm.k.GroupMetadata(); id == m.MemberID {
					assigned = gm.assignment()
				}
			}
			require.NotNil(t, assigned, "member %s", m.MemberID)
			require.Equal(t, assigned, m.Assignment, "member %s", m.MemberID)
		}
	}
	var parts []int32
	for _, m := range descs[0].Members {
		parts = append(parts, m.Assignment[topicU]...)
	}
	require.ElementsMatch(t, []int32{0, 1}, parts, "the two members share u's partitions")
	require.Equal(t, map[string][]int32{topicT: {0, 1, 2}}, descs[1].Members[0].Assignment)
}

func TestDescribeUnknownGroup(t *testing.T) {
	t.Parallel()
	// Brokers before Kafka 4.0 describe a group that does not exist as
	// "Dead" with no members, later ones with GROUP_ID_NOT_FOUND: the
	// client reports both as ErrGroupIDNotFound.
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "no DescribeGroups")
	topic := b.NewTopic("t", 1)
	group, nope, nada := b.Name("g"), b.Name("nope"), b.Name("nada")
	joinGroup(t, b, group, topic, 1)
	c := groupTestClient(t, b)

	start := time.Now()
	descs, err := c.DescribeGroups(groupTestCtx(t), nope, group, nada)
	require.Less(t, time.Since(start), 15*time.Second, "not retried until the deadline (30 s)")
	require.ErrorIs(t, err, ErrGroupIDNotFound)
	require.False(t, IsRetriable(err))
	require.ErrorContains(t, err, fmt.Sprintf("describe group %q", nope))
	require.ErrorContains(t, err, fmt.Sprintf("describe group %q", nada))
	var op *OpError
	require.ErrorAs(t, err, &op)
	require.GreaterOrEqual(t, op.Broker, int32(0))
	require.Len(t, descs, 1, "the groups that exist are described")
	require.Equal(t, group, descs[0].GroupID)

	descs, err = c.DescribeGroups(groupTestCtx(t))
	require.NoError(t, err)
	require.Empty(t, descs)
}

func TestDescribeGroupsRetries(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "injects errors", kafkatest.Topic("t", 1))
	joinGroup(t, cl, "g", "t", 1)
	c := groupTestClient(t, cl)
	ctx := groupTestCtx(t)

	inj := cl.InjectError(protocol.KeyDescribeGroups, int16(protocol.CoordinatorLoadInProgress), 2)
	descs, err := c.DescribeGroups(ctx, "g")
	require.NoError(t, err)
	require.Len(t, descs, 1)
	require.Equal(t, 2, inj.Hits())

	// NOT_COORDINATOR: the coordinator is forgotten and found again.
	asked := cl.Requests(protocol.KeyFindCoordinator)
	inj = cl.InjectError(protocol.KeyDescribeGroups, int16(protocol.NotCoordinator), 1)
	descs, err = c.DescribeGroups(ctx, "g")
	require.NoError(t, err)
	require.Len(t, descs, 1)
	require.Equal(t, 1, inj.Hits())
	require.Equal(t, asked+1, cl.Requests(protocol.KeyFindCoordinator))

	// A lost connection is retried, with the coordinator found again.
	cl.DropConnection(protocol.KeyDescribeGroups, 1)
	descs, err = c.DescribeGroups(ctx, "g")
	require.NoError(t, err)
	require.Len(t, descs, 1)

	// Retriable errors end with the context, naming the group and the
	// coordinator's answer, though the context ends during an attempt.
	inj = cl.InjectError(protocol.KeyDescribeGroups, int16(protocol.CoordinatorLoadInProgress), kafkatest.Always)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		if inj.Wait(sctx, 3) == nil {
			cancel() // the third attempt is under way
		}
	}()
	_, err = c.DescribeGroups(sctx, "g")
	require.ErrorIs(t, err, ErrCoordinatorLoadInProgress)
	require.ErrorContains(t, err, `describe group "g"`)
}

func TestListGroupsRetries(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "injects errors", kafkatest.Topic("t", 1))
	joinGroup(t, cl, "g", "t", 1)
	c := groupTestClient(t, cl)
	inj := cl.InjectError(protocol.KeyListGroups, int16(protocol.CoordinatorLoadInProgress), 2)
	listed, err := c.ListGroups(groupTestCtx(t))
	require.NoError(t, err)
	require.Equal(t, []GroupListing{{GroupID: "g", ProtocolType: "consumer", State: "Stable", Type: "classic"}}, listed)
	require.Equal(t, 2, inj.Hits())

	cl.InjectError(protocol.KeyListGroups, int16(protocol.GroupAuthorizationFailed), 1)
	_, err = c.ListGroups(groupTestCtx(t))
	require.ErrorIs(t, err, ErrGroupAuthorizationFailed)
	var op *OpError
	require.ErrorAs(t, err, &op)
	require.Equal(t, "list groups", op.Op)
	require.GreaterOrEqual(t, op.Broker, int32(0))
}

func TestDecodeAssignment(t *testing.T) {
	a := protocol.ConsumerProtocolAssignment{AssignedPartitions: []protocol.ConsumerProtocolAssignmentAssignedPartition{
		{Topic: "t", Partitions: []int32{2, 0}},
		{Topic: "u", Partitions: []int32{1}},
	}}
	for v := int16(0); v <= protocol.ConsumerProtocolAssignmentMaxVersion; v++ {
		b, err := a.Encode(v)
		require.NoError(t, err)
		require.Equal(t, map[string][]int32{"t": {0, 2}, "u": {1}}, decodeAssignment(b), "v%d", v)
		require.Nil(t, decodeAssignment(b[:len(b)-3]), "v%d truncated", v)
	}
	require.Nil(t, decodeAssignment(nil))
	require.Nil(t, decodeAssignment([]byte{0xff, 0xff, 0, 0, 0, 1}))
	require.Nil(t, decodeAssignment([]byte{0, 0, 0x7f, 0xff, 0xff, 0xff}), "a huge count is refused")

	rg := protocol.DescribeGroupsResponseGroup{GroupID: "g", GroupState: "Stable", ProtocolType: "connect",
		Members: []protocol.DescribeGroupsResponseGroupMember{{MemberID: "m", MemberAssignment: []byte{0, 0, 0, 0, 0, 0}}}}
	d := describedGroup(&rg)
	require.Nil(t, d.Members[0].Assignment, "only consumer groups' assignments are decoded")
	rg.ProtocolType = "consumer"
	rg.Members[0].MemberAssignment = []byte("garbage")
	d = describedGroup(&rg)
	require.Nil(t, d.Members[0].Assignment, "undecodable assignments are left nil")
}

func TestGroupOffsetsFromOutside(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	topic, ops, live := b.NewTopic("t", 3), b.Name("ops"), b.Name("live")
	c := groupTestClient(t, b)
	ctx := groupTestCtx(t)

	got, err := c.FetchGroupOffsets(ctx, b.Name("never"), topic)
	require.NoError(t, err)
	require.Empty(t, got, "a group that never committed")

	require.NoError(t, c.CommitGroupOffsets(ctx, ops, topic, map[int32]int64{0: 5, 2: 7}))
	got, err = c.FetchGroupOffsets(ctx, ops, topic)
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 5, 2: 7}, got)

	err = c.CommitGroupOffsets(ctx, ops, topic, map[int32]int64{9: 1})
	var oe *OpError
	require.ErrorAs(t, err, &oe)
	require.ErrorIs(t, err, ErrUnknownTopicOrPartition)
	require.EqualValues(t, 9, oe.Partition)
	require.Error(t, c.CommitGroupOffsets(ctx, ops, topic, map[int32]int64{0: -3}))

	// A live group refuses commits from outside it.
	joinGroup(t, b, live, topic, 3)
	err = c.CommitGroupOffsets(ctx, live, topic, map[int32]int64{0: 1})
	require.ErrorIs(t, err, ErrUnknownMemberID)

	kafkatest.SkipOnMock(t, "Metadata v0-2 only, where asking about an unknown topic creates it")
	_, err = c.FetchGroupOffsets(ctx, ops, b.Name("missing"))
	require.ErrorIs(t, err, ErrUnknownTopicOrPartition)
}

// TestCommitMetadataIsPykafkasJSON: commits carry JSON with pykafka's keys,
// which its lag tool reads, as an independent client sees them.
func TestCommitMetadataIsPykafkasJSON(t *testing.T) {
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("t", 1)
	group := b.Name("meta")
	c := groupTestClient(t, b)
	require.NoError(t, c.CommitGroupOffsets(groupTestCtx(t), group, name, map[int32]int64{0: 3}))

	k, err := kgo.NewClient(kgoOpts(b.Addrs())...)
	require.NoError(t, err)
	defer k.Close()
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic, rt.Partitions = name, []int32{0}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(groupTestCtx(t), k)
	require.NoError(t, err)
	var meta *string
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			meta = rp.Metadata
		}
	}
	for _, g := range resp.Groups { // v8+
		for _, gt := range g.Topics {
			for _, gp := range gt.Partitions {
				meta = gp.Metadata
			}
		}
	}
	require.NotNil(t, meta)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(*meta), &got), *meta)
	require.Equal(t, "gokafka", got["consumer_id"])
	require.NotEmpty(t, got["hostname"])
	require.Equal(t, "gokafka", got["client_id"])
}
