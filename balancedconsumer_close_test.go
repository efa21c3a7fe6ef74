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

// TestTaskDoneAfterClose: a closed consumer has given its partitions up,
// so marking one of their messages done reports false.
func TestTaskDoneAfterClose(t *testing.T) {
	b := kafkatest.NewBackend(t)
	group := groupNames(b)
	name := b.NewTopic("closedtask", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	produceAt(t, b, name, 0, time.Now(), "a")
	produceAt(t, b, name, 0, time.Now(), "b")
	cfg := groupConfig(group("closedtask"))
	cfg.TrackTaskDone = true
	bc := newBalanced(t, c, name, cfg)
	first, err := bc.Consume(testCtx(t))
	require.NoError(t, err)
	second, err := bc.Consume(testCtx(t))
	require.NoError(t, err)
	require.True(t, bc.TaskDone(first), "an open consumer's message is marked")
	require.NoError(t, bc.Close())
	require.False(t, bc.TaskDone(second), "after Close nothing is marked")
}

// TestCloseDuringRebalanceLeaves: a member whose JoinGroup the coordinator
// holds (another member is slow to rejoin) is closed. Close returns
// promptly, and the member really leaves: the slow member, once back, gets
// every partition without waiting for the closed one's session timeout.
func TestCloseDuringRebalanceLeaves(t *testing.T) {
	kb := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "on librdkafka 2.0.2's mock the closing member got no member ID while the rebalance was held (no MEMBER_ID_REQUIRED round)")
	name := kb.NewTopic("leaving", 4)
	c := newClient(t, kafka.Config{Hosts: kb.Addrs()})
	joins := &apiCounter{api: "JoinGroup"}
	cc := newClient(t, kafka.Config{Hosts: kb.Addrs(), Hooks: []kafka.Hook{joins}}) // the closing member's
	cfg := groupConfig(kb.Name("leaving"))
	// Long timeouts: only a real LeaveGroup lets the group go on quickly.
	cfg.SessionTimeout, cfg.RebalanceTimeout = 45*time.Second, 60*time.Second
	slowCfg := cfg
	inCallback, release := make(chan struct{}), make(chan struct{})
	var once, releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	slowCfg.PreRebalanceCallback = func(context.Context, map[kafka.TopicPartition]int64) {
		once.Do(func() {
			close(inCallback)
			<-release
		})
	}
	slow := newBalanced(t, c, name, slowCfg)
	t.Cleanup(unblock) // before slow's Close (cleanups run last first), should the test fail
	waitAssignment(t, 4, slow)

	closing := newBalanced(t, cc, name, cfg)
	select {
	case <-inCallback: // the slow member heard of the rebalance
	case <-time.After(20 * time.Second):
		t.Fatal("the group did not rebalance")
	}
	// The second member's JoinGroup is held: its first was answered with
	// MEMBER_ID_REQUIRED (the hook hears of answered requests only), and it
	// joins again at once with that ID.
	require.Eventually(t, func() bool {
		id, _ := closing.Membership()
		return id != "" && joins.n.Load() >= 1
	}, 20*time.Second, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond) // for that JoinGroup to reach the coordinator

	closed := make(chan error, 1)
	start := time.Now()
	go func() { closed <- closing.Close() }()
	select {
	case err := <-closed:
		require.NoError(t, err)
		t.Logf("Close took %v", time.Since(start))
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return within 10s")
	}
	unblock()
	parts := waitAssignment(t, 4, slow)
	require.Len(t, parts[0], 4, "the remaining member has every partition")
}

// TestCloseDuringRevocationCommits: Close called while the member gives
// its partitions up in a rebalance (here held in PreRebalanceCallback)
// waits for that revocation's commit instead of cancelling it, so the
// partitions' next owner starts where this member stopped.
func TestCloseDuringRevocationCommits(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NewBackend(t)
	// Seen on librdkafka 2.0.2's mock: nothing committed. Presumably it
	// refuses OffsetCommit while its group rebalances (not verified),
	// which Kafka accepts from the current generation.
	kafkatest.SkipOnMock(t, "refuses commits while the group rebalances")
	name, group := cl.NewTopic("revoking", 1), cl.Name("revoking")
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	for i := range 3 {
		produceAt(t, cl, name, 0, time.Now(), fmt.Sprint(i))
	}
	cfg := groupConfig(group)
	cfg.AutoCommitEnable = true
	cfg.AutoCommitInterval = time.Hour // only the revocation commits
	inCallback, release := make(chan struct{}), make(chan struct{})
	var once, releaseOnce sync.Once
	cfg.PreRebalanceCallback = func(context.Context, map[kafka.TopicPartition]int64) {
		once.Do(func() {
			close(inCallback)
			<-release
		})
	}
	bc := newBalanced(t, c, name, cfg)
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) }) // before bc.Close
	for range 3 {
		_, err := bc.Consume(testCtx(t))
		require.NoError(t, err)
	}
	newBalanced(t, c, name, groupConfig(group)) // makes the group rebalance
	select {
	case <-inCallback:
	case <-time.After(20 * time.Second):
		t.Fatal("the group did not rebalance")
	}
	closed := make(chan error, 1)
	go func() { closed <- bc.Close() }()
	// Close has begun once Consume (waiting out the rebalance) says the
	// consumer is stopped; only then does the revocation go on.
	ctx, cancel := context.WithTimeout(testCtx(t), 20*time.Second)
	defer cancel()
	_, err := bc.Consume(ctx)
	require.ErrorIs(t, err, kafka.ErrConsumerStopped, "Close wakes a Consume waiting out a rebalance")
	releaseOnce.Do(func() { close(release) })
	require.NoError(t, <-closed)
	committed, err := cl.Committed(group, name)
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 3}, committed, "the revocation committed the member's progress")
}

// TestPreRebalanceCallbackCommits: without automatic commits, committing
// is the application's, in PreRebalanceCallback: it may commit the
// partitions being given up.
func TestPreRebalanceCallbackCommits(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NewBackend(t)
	name, group := cl.NewTopic("handover", 1), cl.Name("handover")
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	for i := range 3 {
		produceAt(t, cl, name, 0, time.Now(), fmt.Sprint(i))
	}
	cfg := groupConfig(group)
	var bc *kafka.BalancedConsumer
	commitErr := make(chan error, 1)
	cfg.PreRebalanceCallback = func(ctx context.Context, revoked map[kafka.TopicPartition]int64) {
		commitErr <- bc.CommitTopicOffsets(ctx, revoked)
	}
	bc = newBalanced(t, c, name, cfg)
	for range 3 {
		_, err := bc.Consume(testCtx(t))
		require.NoError(t, err)
	}
	require.NoError(t, bc.Close())
	require.NoError(t, <-commitErr)
	committed, err := cl.Committed(group, name)
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 3}, committed)
}
