package kafka_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/stretchr/testify/require"
)

// TestConsumerProtocolJoinDoesNotPause: with a steady producer, a fourth
// member joining a three-member KIP-848 group takes partitions from the
// others, and the partitions that stay where they were are consumed
// throughout: the longest gap between two of their messages is measured
// and reported (and asserted loosely, the machine may be loaded), beside
// the moving partitions' gap, which spans the handover.
func TestConsumerProtocolJoinDoesNotPause(t *testing.T) {
	b := kip848Backend(t)
	group := groupNames(b)("nopause")
	const parts = 12
	name := b.NewTopic("nopause", parts)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	p := newProducer(t, c, name, kafka.ProducerConfig{
		Linger:      time.Millisecond,
		Partitioner: kafka.PartitionerFunc(func(msg kafka.Message, _ int) (int32, error) { return msg.Partition, nil }),
	})
	go func() {
		for range p.DeliveryReports() {
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	prodCtx, stopProducing := context.WithCancel(ctx)
	defer stopProducing()
	const every = 5 * time.Millisecond
	go func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for i := 0; prodCtx.Err() == nil; i++ {
			for part := range int32(parts) {
				if p.Produce(prodCtx, kafka.Message{Partition: part, Value: []byte(fmt.Sprint(i))}) != nil {
					return
				}
			}
			select {
			case <-tick.C:
			case <-prodCtx.Done():
			}
		}
	}()

	own := newOwnership()
	var mu sync.Mutex
	times := map[int32][]time.Time{} // when each partition's messages were consumed
	start := func(who string) *kafka.BalancedConsumer {
		cfg := kip848Config(group)
		cfg.AutoOffsetReset = kafka.OffsetLatest
		cfg.AutoCommitEnable, cfg.AutoCommitInterval = true, 100*time.Millisecond
		own.track(who, &cfg)
		bc := newBalanced(t, c, name, cfg)
		go func() {
			for {
				msg, err := bc.Consume(ctx)
				if err != nil {
					return
				}
				mu.Lock()
				times[msg.Partition] = append(times[msg.Partition], time.Now())
				mu.Unlock()
			}
		}()
		return bc
	}
	three := []*kafka.BalancedConsumer{start("a"), start("b"), start("c")}
	waitAssignment(t, parts, three...)
	before := make(map[int32]string, parts)
	for tp, who := range own.snapshot() {
		before[tp.Partition] = who
	}
	time.Sleep(500 * time.Millisecond) // steady consumption before the join
	joined := time.Now()
	d := start("d")
	four := append(three, d)
	waitAssignment(t, parts, four...)
	settled := time.Now()
	time.Sleep(500 * time.Millisecond) // and after
	end := time.Now()
	stopProducing()

	var stay, moved []int32
	for tp, who := range own.snapshot() {
		if before[tp.Partition] == who {
			stay = append(stay, tp.Partition)
		} else {
			moved = append(moved, tp.Partition)
		}
	}
	require.NotEmpty(t, moved, "the new member took partitions")
	require.NotEmpty(t, stay)
	gap := func(part int32) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		var longest time.Duration
		var last time.Time
		for _, at := range times[part] {
			if at.Before(joined.Add(-200*time.Millisecond)) || at.After(end) {
				continue
			}
			if !last.IsZero() {
				longest = max(longest, at.Sub(last))
			}
			last = at
		}
		if last.IsZero() || end.Sub(last) > longest {
			longest = max(longest, end.Sub(last)) // silence until the end counts too
		}
		return longest
	}
	var stayGaps, movedGaps []time.Duration
	for _, part := range stay {
		stayGaps = append(stayGaps, gap(part))
	}
	for _, part := range moved {
		movedGaps = append(movedGaps, gap(part))
	}
	slices.Sort(stayGaps)
	slices.Sort(movedGaps)
	t.Logf("member joined; group settled after %v; heartbeat interval %v; longest gap of the %d partitions that stayed: max %v, median %v (all %v); of the %d that moved: %v",
		settled.Sub(joined).Round(time.Millisecond), kip848Interval, len(stay), stayGaps[len(stayGaps)-1].Round(time.Millisecond),
		stayGaps[len(stayGaps)/2].Round(time.Millisecond), roundAll(stayGaps), len(moved), roundAll(movedGaps))
	require.Equal(t, map[string]int{"a": 3, "b": 3, "c": 3, "d": 3}, own.count(), "uniform assignment")
	// Loose: two heartbeat intervals is the goal, measured well under it
	// on a quiet machine; a loaded one may stall any goroutine for a while.
	require.Less(t, stayGaps[len(stayGaps)-1], 2*time.Second, "partitions that stay are not paused")
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}
