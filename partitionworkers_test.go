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

// TestSlowPartitionDoesNotStallOthers: a partition whose handler is stuck
// holds back only itself; the other partitions' messages keep being
// handled, however far the stuck one falls behind, and its own backlog
// stays bounded by QueuedMaxMessages (fetching for it pauses).
func TestSlowPartitionDoesNotStallOthers(t *testing.T) {
	cl := kafkatest.MustCluster(t, kafkatest.Topic("lanes", 2))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	p := newProducer(t, c, "lanes", kafka.ProducerConfig{Partitioner: kafka.NewManualPartitioner()})
	const stuck, free = 2000, 300
	for i := range stuck {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Partition: 0, Value: []byte(fmt.Sprint(i))}))
	}
	require.NoError(t, p.Flush(testCtx(t)))

	cfg := groupConfig("lanes")
	cfg.QueuedMaxMessages = 50
	bc := newBalanced(t, c, "lanes", cfg)
	release := make(chan struct{})
	var mu sync.Mutex
	handled := map[int32]int{}
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		errc <- bc.RunWorkers(ctx, func(ctx context.Context, msg kafka.Message) error {
			if msg.Partition == 0 {
				select { // partition 0's handler is stuck until released
				case <-release:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			mu.Lock()
			handled[msg.Partition]++
			mu.Unlock()
			return nil
		})
	}()
	// Partition 0 is far behind before partition 1 gets anything.
	time.Sleep(200 * time.Millisecond)
	for i := range free {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Partition: 1, Value: []byte(fmt.Sprint(i))}))
	}
	require.NoError(t, p.Flush(testCtx(t)))
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return handled[1] == free }, 20*time.Second, 10*time.Millisecond,
		"partition 1 is handled while partition 0 is stuck")
	mu.Lock()
	require.Zero(t, handled[0])
	mu.Unlock()

	close(release)
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return handled[0] == stuck }, 20*time.Second, 10*time.Millisecond)
	cancel()
	require.ErrorIs(t, <-errc, context.Canceled)
}

func TestRunWorkersNeedsTaskDoneWithAutoCommit(t *testing.T) {
	cl := kafkatest.MustCluster(t, kafkatest.Topic("w", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	cfg := groupConfig("w")
	cfg.AutoCommitEnable = true
	bc := newBalanced(t, c, "w", cfg)
	err := bc.RunWorkers(testCtx(t), func(context.Context, kafka.Message) error { return nil })
	require.ErrorContains(t, err, "TrackTaskDone")
}
