package kafka_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// TestCooperativeCloseMidRebalanceCommits: a cooperative member closed
// after the group completed a join it took part in, but before it heard
// the new generation (its SyncGroup still held by the coordinator), still
// commits what it marked done: the commit with its old generation is
// refused (ILLEGAL_GENERATION), so Close rejoins that rebalance and commits
// with the new generation, and the member that takes its partitions over
// starts where it stopped rather than reading them all again.
func TestCooperativeCloseMidRebalanceCommits(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "holds SyncGroup requests to close a member mid-rebalance", kafkatest.Topic("closemid", 4))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	p := newProducer(t, c, "closemid", kafka.ProducerConfig{})
	const n = 40
	for i := range n {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprint(i))}))
	}
	require.NoError(t, p.Flush(testCtx(t)))
	tp, err := c.Topic(testCtx(t), "closemid")
	require.NoError(t, err)
	latest, err := tp.LatestAvailableOffsets(testCtx(t))
	require.NoError(t, err)

	cfg := coopConfig("closemid")
	cfg.AutoCommitEnable = false // only Close commits
	a := newBalanced(t, c, "closemid", cfg)
	for range n {
		msg, err := a.Consume(testCtx(t))
		require.NoError(t, err)
		require.True(t, a.TaskDone(msg))
	}
	_, err = cl.WaitGroupStable(testCtx(t), "closemid", 1)
	require.NoError(t, err)

	// The next two SyncGroups (a's and b's) wait at the coordinator, so
	// the group stays in CompletingRebalance with generation 2.
	cl.Delay(protocol.KeySyncGroup, time.Second, 2)
	b := newBalanced(t, c, "closemid", cfg)
	ctx, cancel := context.WithTimeout(testCtx(t), 10*time.Second)
	defer cancel()
	for {
		g, err := cl.Group("closemid")
		require.NoError(t, err)
		if g.Generation >= 2 && len(g.Members) == 2 {
			require.Equal(t, "CompletingRebalance", g.State)
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the group did not reach its second generation: %+v", g)
		case <-time.After(5 * time.Millisecond):
		}
	}
	require.NoError(t, a.Close(), "Close commits with the generation it rejoined")
	g, err := cl.Group("closemid")
	require.NoError(t, err)
	require.Equal(t, latest, g.Committed["closemid"], "a's progress committed")

	// b takes every partition over and starts at a's commits: nothing
	// more to read.
	waitAssignment(t, 4, b)
	for p, o := range b.HeldOffsets() {
		require.Equal(t, latest[p], o, "partition %d", p)
	}
}
