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
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// TestSlowPartitionDoesNotStallOthers: a partition whose handler is stuck
// holds back only itself; the other partitions' messages keep being
// handled, however far the stuck one falls behind, and its own backlog
// stays bounded by QueuedMaxMessages (fetching for it pauses).
func TestSlowPartitionDoesNotStallOthers(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("lanes", 2)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	p := newProducer(t, c, name, kafka.ProducerConfig{Partitioner: kafka.NewManualPartitioner()})
	const stuck, free = 2000, 300
	for i := range stuck {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Partition: 0, Value: []byte(fmt.Sprint(i))}))
	}
	require.NoError(t, p.Flush(testCtx(t)))

	cfg := groupConfig(name)
	cfg.QueuedMaxMessages = 50
	bc := newBalanced(t, c, name, cfg)
	release := make(chan struct{})
	stuckOnce, stuckNow := sync.Once{}, make(chan struct{})
	var mu sync.Mutex
	handled := map[int32]int{}
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		errc <- bc.RunWorkers(ctx, func(ctx context.Context, msg kafka.Message) error {
			if msg.Partition == 0 {
				stuckOnce.Do(func() { close(stuckNow) })
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
	// Partition 0 is stuck before partition 1 gets anything.
	select {
	case <-stuckNow:
	case <-time.After(20 * time.Second):
		t.Fatal("partition 0's handler was never called")
	}
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
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("w", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	cfg := groupConfig(name)
	cfg.AutoCommitEnable = true
	bc := newBalanced(t, c, name, cfg)
	err := bc.RunWorkers(testCtx(t), func(context.Context, kafka.Message) error { return nil })
	require.ErrorContains(t, err, "TrackTaskDone")
}

// TestRunWorkersReturnsConnectionLoss: when the fetches' connections are
// lost for good, RunWorkers returns the error (it wraps
// ErrSocketDisconnected) rather than logging it; the messages its workers
// had not handled go back to the consumer, so that a second RunWorkers
// handles every one of them, in order, and loses none.
func TestRunWorkersReturnsConnectionLoss(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "drops connections", kafkatest.Topic("lost", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
	scFill(t, scKgo(t, cl), "lost", scParts(1), 0, 20)
	cfg := groupConfig("lost")
	cfg.TrackTaskDone = true
	bc := newBalanced(t, c, "lost", cfg)

	var mu sync.Mutex
	var handled []int64
	handle := func(_ context.Context, msg kafka.Message) error {
		mu.Lock()
		handled = append(handled, msg.Offset)
		mu.Unlock()
		return nil
	}
	stuck := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- bc.RunWorkers(testCtx(t), func(ctx context.Context, msg kafka.Message) error {
			if msg.Offset == 5 {
				close(stuck)
				<-ctx.Done() // stuck until RunWorkers stops the worker
				return ctx.Err()
			}
			return handle(ctx, msg)
		})
	}()
	select {
	case <-stuck:
	case <-time.After(20 * time.Second):
		t.Fatal("offset 5 never reached its handler")
	}
	drop := cl.DropConnection(protocol.KeyFetch, kafkatest.Always)
	select {
	case err := <-errc:
		require.ErrorIs(t, err, kafka.ErrSocketDisconnected)
	case <-time.After(30 * time.Second):
		t.Fatal("RunWorkers did not return the lost connection")
	}
	require.Positive(t, drop.Hits())
	drop.Remove()
	mu.Lock()
	require.Equal(t, scSpan(0, 5), handled, "handled in order up to the stuck one")
	mu.Unlock()
	require.Equal(t, map[int32]int64{0: 5}, bc.HeldOffsets(), "the unhandled messages went back")

	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	go func() {
		for {
			// A loss reported before the fault was removed may come once more.
			err := bc.RunWorkers(ctx, handle)
			if !errors.Is(err, kafka.ErrSocketDisconnected) {
				errc <- err
				return
			}
		}
	}()
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(handled) >= 20 }, 20*time.Second, 10*time.Millisecond)
	cancel()
	require.ErrorIs(t, <-errc, context.Canceled)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, scSpan(0, 20), handled, "none lost, none repeated")
}
