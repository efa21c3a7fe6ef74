package kafka_test

import (
	"context"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestGroupFollowsAddedPartitions checks that partitions added to a topic
// are assigned to the group and consumed, without any member restarting.
func TestGroupFollowsAddedPartitions(t *testing.T) {
	cl := kafkatest.MustCluster(t, kafkatest.Topic("growing", 4))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	cfg := groupConfig("grow")
	cfg.PartitionCheckInterval = 100 * time.Millisecond
	a := newBalanced(t, c, "growing", cfg)
	b := newBalanced(t, c, "growing", cfg)
	waitAssignment(t, 4, a, b)

	require.NoError(t, c.CreatePartitions(testCtx(t), "growing", 6))
	parts := waitAssignment(t, 6, a, b)
	require.Len(t, parts[0], 3, "range over 6 partitions and 2 members")
	require.Len(t, parts[1], 3)

	now := time.Now()
	produceAt(t, cl, "growing", 4, now, "on-4")
	produceAt(t, cl, "growing", 5, now, "on-5")
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
