package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

// groupConfig is a config that rebalances quickly, for tests.
func groupConfig(group string) kafka.BalancedConsumerConfig {
	return kafka.BalancedConsumerConfig{
		ConsumerGroup:     group,
		HeartbeatInterval: 100 * time.Millisecond,
		SessionTimeout:    6 * time.Second,
		RebalanceTimeout:  3 * time.Second,
		RebalanceBackoff:  50 * time.Millisecond,
	}
}

func newBalanced(t *testing.T, c *kafka.Client, topic string, cfg kafka.BalancedConsumerConfig) *kafka.BalancedConsumer {
	t.Helper()
	tp, err := c.Topic(testCtx(t), topic)
	require.NoError(t, err)
	bc, err := tp.BalancedConsumer(testCtx(t), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { bc.Close() })
	return bc
}

// waitAssignment waits until the consumers' assignments cover want
// partitions between them, each exactly once.
func waitAssignment(t *testing.T, want int, consumers ...*kafka.BalancedConsumer) [][]int32 {
	t.Helper()
	var parts [][]int32
	require.Eventually(t, func() bool {
		parts = parts[:0]
		var all []int32
		for _, c := range consumers {
			p := c.Partitions()
			parts = append(parts, p)
			all = append(all, p...)
		}
		slices.Sort(all)
		for _, p := range parts {
			if len(p) == 0 {
				return false // still rebalancing
			}
		}
		return len(all) == want && len(slices.Compact(all)) == want
	}, 20*time.Second, 20*time.Millisecond, "assignments: %v", parts)
	return parts
}

func TestGroupSharesPartitionsAndRebalances(t *testing.T) {
	kb := kafkatest.NewBackend(t)
	group := groupNames(kb)
	name := kb.NewTopic("shared", 12)
	c := newClient(t, kafka.Config{Hosts: kb.Addrs()})
	a := newBalanced(t, c, name, groupConfig(group("g")))
	b := newBalanced(t, c, name, groupConfig(group("g")))
	cc := newBalanced(t, c, name, groupConfig(group("g")))
	parts := waitAssignment(t, 12, a, b, cc)
	for _, p := range parts {
		require.Len(t, p, 4, "range over 12 partitions and 3 members: 4 each")
	}

	// One leaves: the others take its partitions.
	require.NoError(t, b.Close())
	parts = waitAssignment(t, 12, a, cc)
	require.Len(t, parts[0], 6)
	require.Len(t, parts[1], 6)
}

func TestKilledMemberLosesPartitionsAfterSessionTimeout(t *testing.T) {
	t.Parallel()
	kb := kafkatest.NewBackend(t, shortSessions)
	name := kb.NewTopic("killed", 6)
	cfg := groupConfig(kb.Name("killed"))
	cfg.SessionTimeout = 3 * time.Second // still 30 heartbeats; the embedded cluster allows it (shortSessions)
	if kb.External() {
		cfg.SessionTimeout = 6 * time.Second // Kafka's default group.min.session.timeout.ms
	}
	c := newClient(t, kafka.Config{Hosts: kb.Addrs()})
	a := newBalanced(t, c, name, cfg)
	// The victim has a client of its own, closed under it: its heartbeats
	// stop, and it never sends LeaveGroup.
	vc, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: kb.Addrs()})
	require.NoError(t, err)
	victim := newBalanced(t, vc, name, cfg)
	waitAssignment(t, 6, a, victim)
	killed := time.Now()
	vc.Close()
	waitAssignment(t, 6, a)
	require.GreaterOrEqual(t, time.Since(killed), cfg.SessionTimeout*2/3, "moved by the session timeout, not by a leave")
}

// shortSessions lets tests use session timeouts below Kafka's minimum
// (group.min.session.timeout.ms, 6s), to run quicker.
var shortSessions = kafkatest.BrokerConfig("group.min.session.timeout.ms", "1000")

func TestStaticMemberKeepsPartitionsOnRestart(t *testing.T) {
	kb := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "librdkafka 2.0.2's mock has no static membership: its JoinGroup handler reads GroupInstanceID but never stores it, so the restart is a plain rebalance and members come back in member-ID order")
	group := groupNames(kb)
	name := kb.NewTopic("static", 6)
	c := newClient(t, kafka.Config{Hosts: kb.Addrs()})
	cfgA, cfgB := groupConfig(group("g")), groupConfig(group("g"))
	cfgA.GroupInstanceID, cfgB.GroupInstanceID = "a", "b"
	a := newBalanced(t, c, name, cfgA)
	b := newBalanced(t, c, name, cfgB)
	before := waitAssignment(t, 6, a, b)
	require.NoError(t, b.Close()) // static: no LeaveGroup
	b2 := newBalanced(t, c, name, cfgB)
	after := waitAssignment(t, 6, a, b2)
	require.Equal(t, before, after, "the restarted static member gets its partitions back")
}

func TestGroupWithFranzGoMember(t *testing.T) {
	t.Parallel()
	kb := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "in one CI run under -race the group with a franz-go member did not form on librdkafka 2.0.2's mock within 20 s: neither member held a partition (not investigated)")
	name, group := kb.NewTopic("mixed", 8), kb.Name("mixed-group")
	c := newClient(t, kafka.Config{Hosts: kb.Addrs()})
	ours := newBalanced(t, c, name, groupConfig(group))
	var mu sync.Mutex
	var theirs []int32
	k, err := kgo.NewClient(kgoOpts(kb.Addrs(), kgo.ConsumerGroup(group), kgo.ConsumeTopics(name),
		kgo.Balancers(kgo.RangeBalancer()), kgo.HeartbeatInterval(100*time.Millisecond),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			mu.Lock()
			theirs = append(theirs, m[name]...)
			mu.Unlock()
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			mu.Lock()
			theirs = slices.DeleteFunc(theirs, func(p int32) bool { return slices.Contains(m[name], p) })
			mu.Unlock()
		}))...)
	require.NoError(t, err)
	defer k.Close()
	go func() {
		for ctx := testCtx(t); ctx.Err() == nil; {
			k.PollFetches(ctx)
		}
	}()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		all := append(slices.Clone(theirs), ours.Partitions()...)
		slices.Sort(all)
		return len(theirs) == 4 && len(ours.Partitions()) == 4 && len(slices.Compact(all)) == 8
	}, 20*time.Second, 20*time.Millisecond, "ours %v, franz-go's %v", ours.Partitions(), theirs)
}

func TestGroupRecoversFromCoordinatorErrors(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "injects coordinator errors", kafkatest.Topic("coord", 4))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	for _, code := range []protocol.ErrorCode{protocol.NotCoordinator, protocol.CoordinatorLoadInProgress, protocol.RebalanceInProgress} {
		inj := cl.InjectError(protocol.KeyJoinGroup, int16(code), 2)
		bc := newBalanced(t, c, "coord", groupConfig(fmt.Sprint("g-", code)))
		waitAssignment(t, 4, bc)
		require.Equal(t, 2, inj.Hits(), "%v", code)
		hb := cl.InjectError(protocol.KeyHeartbeat, int16(code), 2)
		require.NoError(t, hb.Wait(testCtx(t), 2))
		waitAssignment(t, 4, bc)
		require.NoError(t, bc.Close())
	}
}

// TestNoLossUnderChurn consumes 100k messages with a group whose members
// come and go, marking each message done: every message is processed at
// least once, and only work not done at a rebalance is done twice.
func TestNoLossUnderChurn(t *testing.T) {
	t.Parallel()
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "librdkafka 2.0.2's mock refuses OffsetCommit while its group is joining (Kafka takes commits from current members while it prepares a rebalance) and holds each join for seconds, so under churn the work done meanwhile is redone: 35,000 to 68,000 duplicates in 3 runs of 14")
	group := groupNames(b)
	name := b.NewTopic("churn", 12)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	p := newProducer(t, c, name, kafka.ProducerConfig{})
	for i := range n {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Key: []byte(fmt.Sprint(i % 1000)), Value: []byte(fmt.Sprint(i))}))
	}
	require.NoError(t, p.Flush(testCtx(t)))

	var mu sync.Mutex
	seen := make(map[string]int, n)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cfg := groupConfig(group("churners"))
	cfg.TrackTaskDone = true
	cfg.AutoCommitEnable = true
	cfg.AutoCommitInterval = 100 * time.Millisecond
	start := func() *kafka.BalancedConsumer {
		bc := newBalanced(t, c, name, cfg)
		go func() {
			for {
				msg, err := bc.Consume(ctx)
				if errors.Is(err, kafka.ErrConsumerStopped) || ctx.Err() != nil {
					return // closed, or the test's time is up
				}
				if err != nil {
					// Reported once while the member goes on (a commit
					// refused in a rebalance, say): a member that stopped
					// here would hold its partitions unread.
					t.Logf("consume: %v", err)
					continue
				}
				mu.Lock()
				seen[string(msg.Value)]++
				mu.Unlock()
				bc.TaskDone(msg)
			}
		}()
		return bc
	}
	members := []*kafka.BalancedConsumer{start(), start(), start()}
	done := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(seen)
	}
	for churn := 0; (done() < n || churn < 8) && ctx.Err() == nil; churn++ {
		time.Sleep(300 * time.Millisecond)
		if churn < 8 {
			i := churn % len(members)
			members[i].Close()
			members[i] = start()
		}
	}
	require.Equal(t, n, done(), "every message processed at least once")
	dups := 0
	for _, k := range seen {
		dups += k - 1
	}
	t.Logf("%d messages, %d processed twice (uncommitted work redone after rebalances)", n, dups)
	// Each member handles one message at a time, so a rebalance (two per
	// churn: a leave and a join) can catch at most one undone message per
	// member.
	require.LessOrEqual(t, dups, 8*2*3, "duplicates only from work not yet done at a rebalance")
	for _, m := range members {
		m.Close()
	}
}

// TestPartitionWorkers runs one worker per partition with a handler that
// fails and panics now and then: each partition's messages are handled in
// order, none is skipped, and the commits cover exactly what was handled.
func TestPartitionWorkers(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	group := groupNames(b)
	name := b.NewTopic("work", 4)
	c := newClient(t, kafka.Config{Hosts: b.Addrs(), RetryBackoff: 5 * time.Millisecond})
	p := newProducer(t, c, name, kafka.ProducerConfig{})
	const n = 2000
	for i := range n {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprint(i))}))
	}
	require.NoError(t, p.Flush(testCtx(t)))

	cfg := groupConfig(group("workers"))
	cfg.TrackTaskDone = true
	bc := newBalanced(t, c, name, cfg)
	var mu sync.Mutex
	handled := map[int32][]int64{}
	failed := map[int64]bool{}
	total := 0
	ctx, cancel := context.WithCancel(testCtx(t))
	errc := make(chan error, 1)
	go func() {
		errc <- bc.RunWorkers(ctx, func(ctx context.Context, msg kafka.Message) error {
			mu.Lock()
			defer mu.Unlock()
			if msg.Offset%97 == 0 && !failed[msg.Offset<<8|int64(msg.Partition)] {
				failed[msg.Offset<<8|int64(msg.Partition)] = true
				if msg.Offset%2 == 0 {
					panic("handler bug")
				}
				return fmt.Errorf("transient failure")
			}
			handled[msg.Partition] = append(handled[msg.Partition], msg.Offset)
			total++
			if total == n {
				cancel()
			}
			return nil
		})
	}()
	require.ErrorIs(t, <-errc, context.Canceled)
	mu.Lock()
	defer mu.Unlock()
	for part, offs := range handled {
		for i, o := range offs {
			require.Equal(t, int64(i), o, "partition %d: in order, none skipped, none twice", part)
		}
	}
	require.NoError(t, bc.CommitOffsets(testCtx(t)))
	kafkatest.SkipOnMock(t, "no DescribeGroups")
	groups, err := c.DescribeGroups(testCtx(t), group("workers"))
	require.NoError(t, err)
	require.Len(t, groups, 1)
	held := bc.HeldOffsets()
	for part, offs := range handled {
		require.Equal(t, int64(len(offs)), held[part])
	}
}
func TestGroupOverSeveralTopicsWithCallbacks(t *testing.T) {
	b := kafkatest.NewBackend(t)
	group := groupNames(b)
	tOrders := b.NewTopic("orders", 2)
	tRefunds := b.NewTopic("refunds", 2)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	for _, topic := range []string{tOrders, tRefunds} {
		p := newProducer(t, c, topic, kafka.ProducerConfig{Partitioner: kafka.PartitionerFunc(func(m kafka.Message, n int) (int32, error) { return 0, nil })})
		for i := range 10 {
			_, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte(fmt.Sprint(topic, i))})
			require.NoError(t, err)
		}
	}
	cfg := groupConfig(group("multi"))
	cfg.Topics = []string{tRefunds}
	var mu sync.Mutex
	var revoked map[kafka.TopicPartition]int64
	cfg.PreRebalanceCallback = func(_ context.Context, r map[kafka.TopicPartition]int64) {
		mu.Lock()
		revoked = r
		mu.Unlock()
	}
	var olds []map[kafka.TopicPartition]int64
	cfg.PostRebalanceCallback = func(_ context.Context, old, new map[kafka.TopicPartition]int64) (map[kafka.TopicPartition]int64, error) {
		mu.Lock()
		olds = append(olds, old)
		first := len(olds) == 1
		mu.Unlock()
		if !first {
			return nil, nil
		}
		// Start orders[0] at 7: the callback's offsets win.
		return map[kafka.TopicPartition]int64{{Topic: tOrders, Partition: 0}: 7}, nil
	}
	bc := newBalanced(t, c, tOrders, cfg)
	got := map[string][]int64{}
	// 13 messages: orders from 7 on, and all of refunds (a callback
	// ignored would show as orders from 0).
	for n := 0; n < 13; n++ {
		msg, err := bc.Consume(testCtx(t))
		require.NoError(t, err)
		got[msg.Topic] = append(got[msg.Topic], msg.Offset)
	}
	require.Equal(t, []int64{7, 8, 9}, got[tOrders])
	require.Len(t, got[tRefunds], 10)
	require.Len(t, bc.Assignment(), 4)
	require.Equal(t, []int32{0, 1}, bc.Partitions(), "Partitions speaks of the consumer's own topic")

	// A second member makes the group rebalance: the callback's old
	// offsets are where the first assignment had got to.
	other := groupConfig(group("multi"))
	other.Topics = []string{tRefunds}
	newBalanced(t, c, tOrders, other)
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(olds) >= 2 }, 20*time.Second, 10*time.Millisecond)
	mu.Lock()
	require.Empty(t, olds[0], "nothing was held before the first assignment")
	require.Equal(t, int64(10), olds[1][kafka.TopicPartition{Topic: tOrders, Partition: 0}])
	require.Equal(t, int64(10), olds[1][kafka.TopicPartition{Topic: tRefunds, Partition: 0}])
	mu.Unlock()
	require.NoError(t, bc.Close())
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, revoked, "the pre-rebalance hook sees the positions given up")
}

// requestSpans records when each request of a client went out and came
// back, by API.
type requestSpans struct {
	mu    sync.Mutex
	spans map[string][][2]time.Time
}

func (r *requestSpans) OnBrokerRequest(e kafka.BrokerRequestEvent) {
	end := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.spans == nil {
		r.spans = map[string][][2]time.Time{}
	}
	r.spans[e.API] = append(r.spans[e.API], [2]time.Time{end.Add(-e.Latency), end})
}

func (r *requestSpans) of(api string) [][2]time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.spans[api])
}

// TestGroupMemberLooksUpCommitsAndBoundsAtOnce: a member given partitions
// asks the coordinator for the group's commits and the leaders for the
// logs' bounds at the same time, so that fetching starts one round trip
// sooner: with the coordinator holding OffsetFetch for a second, the
// ListOffsets requests go out before it answers.
func TestGroupMemberLooksUpCommitsAndBoundsAtOnce(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "delays requests", kafkatest.Topic("atonce", 3))
	c0 := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	p := newProducer(t, c0, "atonce", kafka.ProducerConfig{})
	_, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("x")})
	require.NoError(t, err)

	spans := &requestSpans{}
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), Hooks: []kafka.Hook{spans}})
	cl.Delay(protocol.KeyOffsetFetch, time.Second, 1)
	bc := newBalanced(t, c, "atonce", groupConfig("atonce"))
	_, err = bc.Consume(testCtx(t))
	require.NoError(t, err)
	fetches, lists := spans.of("OffsetFetch"), spans.of("ListOffsets")
	require.NotEmpty(t, fetches)
	require.NotEmpty(t, lists)
	require.True(t, lists[0][0].Before(fetches[0][1]), "ListOffsets sent %v after OffsetFetch was answered", lists[0][0].Sub(fetches[0][1]))
}
