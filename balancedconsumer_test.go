package kafka_test

import (
	"context"
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
	cl := kafkatest.MustCluster(t, kafkatest.Topic("shared", 12))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	a := newBalanced(t, c, "shared", groupConfig("g"))
	b := newBalanced(t, c, "shared", groupConfig("g"))
	cc := newBalanced(t, c, "shared", groupConfig("g"))
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
	cl := kafkatest.MustCluster(t, kafkatest.Topic("killed", 6))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	a := newBalanced(t, c, "killed", groupConfig("g"))
	// The victim has a client of its own, closed under it: its heartbeats
	// stop, and it never sends LeaveGroup.
	vc, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: cl.Addrs()})
	require.NoError(t, err)
	victim := newBalanced(t, vc, "killed", groupConfig("g"))
	waitAssignment(t, 6, a, victim)
	killed := time.Now()
	vc.Close()
	waitAssignment(t, 6, a)
	require.GreaterOrEqual(t, time.Since(killed), 3*time.Second, "moved by the session timeout, not by a leave")
}

func TestStaticMemberKeepsPartitionsOnRestart(t *testing.T) {
	cl := kafkatest.MustCluster(t, kafkatest.Topic("static", 6))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	cfgA, cfgB := groupConfig("g"), groupConfig("g")
	cfgA.GroupInstanceID, cfgB.GroupInstanceID = "a", "b"
	a := newBalanced(t, c, "static", cfgA)
	b := newBalanced(t, c, "static", cfgB)
	before := waitAssignment(t, 6, a, b)
	require.NoError(t, b.Close()) // static: no LeaveGroup
	b2 := newBalanced(t, c, "static", cfgB)
	after := waitAssignment(t, 6, a, b2)
	require.Equal(t, before, after, "the restarted static member gets its partitions back")
}

func TestGroupWithFranzGoMember(t *testing.T) {
	cl := kafkatest.MustCluster(t, kafkatest.Topic("mixed", 8))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	ours := newBalanced(t, c, "mixed", groupConfig("mixed-group"))
	var mu sync.Mutex
	var theirs []int32
	k, err := kgo.NewClient(kgo.SeedBrokers(cl.Addrs()...), kgo.ConsumerGroup("mixed-group"), kgo.ConsumeTopics("mixed"),
		kgo.Balancers(kgo.RangeBalancer()), kgo.HeartbeatInterval(100*time.Millisecond),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			mu.Lock()
			theirs = append(theirs, m["mixed"]...)
			mu.Unlock()
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			mu.Lock()
			theirs = slices.DeleteFunc(theirs, func(p int32) bool { return slices.Contains(m["mixed"], p) })
			mu.Unlock()
		}))
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
	cl := kafkatest.MustCluster(t, kafkatest.Topic("coord", 4))
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
