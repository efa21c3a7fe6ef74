package kafka_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestShareGroupFiveConsumersTwoPartitions: five members of one share group
// read a 2-partition topic, more workers than partitions; every member gets
// records, and every message is accepted exactly once in total, none lost.
// 2,000 messages by default, the 20,000 with GOKAFKA_LONG=1.
func TestShareGroupFiveConsumersTwoPartitions(t *testing.T) {
	t.Parallel() // its own cluster; mostly waiting on it
	n := 2000
	if longRun() {
		n = 20000
	}
	const members = 5
	cl := shareCluster(t, kafkatest.Topic("share-five", 2))
	shareFromEarliest(t, cl, "g-five")
	shareProduce(t, cl, "share-five", n)

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var (
		mu     sync.Mutex
		seen   = map[string]int{} // value to times handed out
		per    [members]int
		total  int
		done   = make(chan struct{})
		closed sync.Once
	)
	consumers := make([]*kafka.ShareConsumer, members)
	for i := range consumers {
		// A small MaxRecords so that no member acquires everything at once.
		consumers[i] = newShare(t, newShareClient(t, cl), kafka.ShareConsumerConfig{Group: "g-five", Topics: []string{"share-five"}, MaxRecords: 50})
	}
	var wg sync.WaitGroup
	for i, sc := range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				cctx, ccancel := context.WithCancel(ctx)
				go func() {
					select {
					case <-done:
					case <-cctx.Done():
					}
					ccancel()
				}()
				msg, err := sc.Consume(cctx)
				ccancel()
				if err != nil {
					return
				}
				mu.Lock()
				seen[string(msg.Value)]++
				per[i]++
				total++
				if len(seen) == n {
					closed.Do(func() { close(done) })
				}
				mu.Unlock()
			}
		}()
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
	wg.Wait()
	// Close accepts what each member's last Consume returned.
	for _, sc := range consumers {
		require.NoError(t, sc.Close())
	}
	elapsed := time.Since(start)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, n, "messages delivered")
	for v, times := range seen {
		require.Equal(t, 1, times, "message %s delivered %d times", v, times)
	}
	for i, got := range per {
		require.Positive(t, got, "member %d got nothing (per member: %v)", i, per)
	}
	t.Logf("%d messages over %d members of a share group in %v: %v", n, members, elapsed.Round(time.Millisecond), per)

	// All accepted: the group's start offsets are at the end of both
	// partitions (the producer spread the messages evenly), and a new
	// member finds nothing left.
	c := newShareClient(t, cl)
	require.Eventually(t, func() bool {
		start, err := c.ShareGroupStartOffsets(ctx, "g-five")
		return err == nil && start["share-five"][0] == int64(n/2) && start["share-five"][1] == int64(n/2)
	}, 10*time.Second, 50*time.Millisecond, "start offsets at the end")
	late := newShare(t, c, kafka.ShareConsumerConfig{Group: "g-five", Topics: []string{"share-five"}})
	expectNothing(t, late, time.Second)
}

// TestShareGroupReleaseAndReject: a released message comes back, to any
// member, with a higher delivery count; a rejected one never does.
func TestShareGroupReleaseAndReject(t *testing.T) {
	t.Parallel() // its own cluster; mostly waiting on it
	const n = 10
	cl := shareCluster(t, kafkatest.Topic("share-rel", 1))
	shareFromEarliest(t, cl, "g-rel")
	shareProduce(t, cl, "share-rel", n)
	c := newShareClient(t, cl)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	a := newShare(t, c, kafka.ShareConsumerConfig{Group: "g-rel", Topics: []string{"share-rel"}, ExplicitAck: true})
	for range n {
		msg, err := a.Consume(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, msg.DeliveryCount)
		i, _ := strconv.Atoi(string(msg.Value))
		kind := kafka.AckReject
		if i%2 == 0 {
			kind = kafka.AckRelease
		}
		require.NoError(t, a.Ack(msg, kind))
		require.Error(t, a.Ack(msg, kind), "a second Ack of the same message")
	}
	require.NoError(t, a.Commit(ctx))

	// The released (even) ones come back, delivered a second time; the
	// rejected (odd) ones never do. Release them once more.
	again := map[int]bool{}
	for len(again) < n/2 {
		msg, err := a.Consume(ctx)
		require.NoError(t, err)
		i, _ := strconv.Atoi(string(msg.Value))
		require.Zero(t, i%2, "rejected message %d delivered again", i)
		require.Equal(t, 2, msg.DeliveryCount, "message %d", i)
		require.False(t, again[i])
		again[i] = true
		require.NoError(t, a.Ack(msg, kafka.AckRelease))
	}
	require.NoError(t, a.Close())

	// Another member gets them, with a higher count still. (At least 3: a
	// may have acquired them once more before its Close released them.)
	b := newShare(t, c, kafka.ShareConsumerConfig{Group: "g-rel", Topics: []string{"share-rel"}, ExplicitAck: true})
	got := map[int]bool{}
	for len(got) < n/2 {
		msg, err := b.Consume(ctx)
		require.NoError(t, err)
		i, _ := strconv.Atoi(string(msg.Value))
		require.Zero(t, i%2, "rejected message %d delivered again", i)
		require.GreaterOrEqual(t, msg.DeliveryCount, 3, "message %d", i)
		require.False(t, got[i])
		got[i] = true
		require.NoError(t, b.Ack(msg, kafka.AckAccept))
	}
	require.NoError(t, b.Commit(ctx))
	expectNothing(t, b, time.Second)
}

// TestShareGroupKilledMemberRecordsRedelivered: a member that dies holding
// records (no acknowledgement, no leave, its connections still open) keeps
// them only until the acquisition lock runs out; then another member gets
// them, delivered a second time.
func TestShareGroupKilledMemberRecordsRedelivered(t *testing.T) {
	t.Parallel() // its own cluster; mostly waiting on it
	const n = 10
	cl := shareCluster(t, kafkatest.Topic("share-kill", 1),
		kafkatest.BrokerConfig("group.share.record.lock.duration.ms", "1000"),
		kafkatest.BrokerConfig("share.record.lock.sweep.interval.ms", "100"))
	shareFromEarliest(t, cl, "g-kill")
	shareProduce(t, cl, "share-kill", n)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	a := newShare(t, newShareClient(t, cl), kafka.ShareConsumerConfig{Group: "g-kill", Topics: []string{"share-kill"}, ExplicitAck: true})
	for range n {
		_, err := a.Consume(ctx)
		require.NoError(t, err)
	}
	killed := time.Now()
	kafka.KillShareConsumer(t, a)

	b := newShare(t, newShareClient(t, cl), kafka.ShareConsumerConfig{Group: "g-kill", Topics: []string{"share-kill"}})
	got := map[string]bool{}
	for len(got) < n {
		msg, err := b.Consume(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, msg.DeliveryCount, "offset %d", msg.Offset)
		got[string(msg.Value)] = true
	}
	t.Logf("records of the killed member redelivered %v after the kill (lock 1s)", time.Since(killed).Round(time.Millisecond))
	for i := range n {
		require.True(t, got[fmt.Sprint(i)], "message %d", i)
	}
}

// TestShareGroupCloseReleasesUnacknowledged: in explicit mode, Close gives
// back what was handed out and never acknowledged, and what was fetched but
// never handed out, at once: another member gets them long before the 30 s
// acquisition lock would have run out.
func TestShareGroupCloseReleasesUnacknowledged(t *testing.T) {
	t.Parallel() // its own cluster; mostly waiting on it
	const n = 6
	cl := shareCluster(t, kafkatest.Topic("share-close", 1))
	shareFromEarliest(t, cl, "g-close")
	shareProduce(t, cl, "share-close", n)
	c := newShareClient(t, cl)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	a := newShare(t, c, kafka.ShareConsumerConfig{Group: "g-close", Topics: []string{"share-close"}, ExplicitAck: true})
	first, err := a.Consume(ctx)
	require.NoError(t, err)
	require.NoError(t, a.Ack(first, kafka.AckAccept))
	second, err := a.Consume(ctx) // handed out, never acknowledged
	require.NoError(t, err)
	closed := time.Now()
	require.NoError(t, a.Close())
	require.ErrorIs(t, a.Ack(second, kafka.AckAccept), kafka.ErrConsumerStopped)

	b := newShare(t, c, kafka.ShareConsumerConfig{Group: "g-close", Topics: []string{"share-close"}})
	got := map[string]int{}
	for len(got) < n-1 {
		msg, err := b.Consume(ctx)
		require.NoError(t, err)
		require.NotEqual(t, string(first.Value), string(msg.Value), "an accepted message came back")
		got[string(msg.Value)] = msg.DeliveryCount
	}
	require.Equal(t, 2, got[string(second.Value)], "the unacknowledged message, delivered a second time")
	took := time.Since(closed)
	require.Less(t, took, 15*time.Second, "released by Close, not by the lock timeout")
	t.Logf("unacknowledged messages back %v after Close", took.Round(time.Millisecond))
}

// TestShareGroupLeaderMoves: when a partition's leader moves, the member
// follows it to the new leader's share session and misses nothing.
func TestShareGroupLeaderMoves(t *testing.T) {
	t.Parallel() // its own cluster; mostly waiting on it
	cl := shareCluster(t, kafkatest.Topic("share-move", 1))
	shareFromEarliest(t, cl, "g-move")
	shareProduce(t, cl, "share-move", 10)
	c := newShareClient(t, cl)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sc := newShare(t, c, kafka.ShareConsumerConfig{Group: "g-move", Topics: []string{"share-move"}})
	seen := map[string]bool{}
	for len(seen) < 10 {
		msg, err := sc.Consume(ctx)
		require.NoError(t, err)
		seen[string(msg.Value)] = true
	}
	require.NoError(t, sc.Commit(ctx))
	old, err := cl.Leader("share-move", 0)
	require.NoError(t, err)
	require.NoError(t, cl.MoveLeader("share-move", 0, (old+1)%3))
	shareProduce(t, cl, "share-move", 10) // values 0-9 again, at offsets 10-19
	offsets := map[int64]bool{}
	for len(offsets) < 10 {
		msg, err := sc.Consume(ctx)
		require.NoError(t, err)
		require.GreaterOrEqual(t, msg.Offset, int64(10), "an accepted message came back")
		offsets[msg.Offset] = true
	}
}

// TestShareConsumerDropsRecordsWhoseLockExpired: records a member fetched
// but had not handed out when their acquisition lock ran out (the
// application slow with the one before) are dropped, not handed out: the
// broker may have given them to another member meanwhile. They come back
// with their next delivery count.
func TestShareConsumerDropsRecordsWhoseLockExpired(t *testing.T) {
	t.Parallel() // its own cluster; mostly waiting on it
	const n = 10
	cl := shareCluster(t, kafkatest.Topic("share-expire", 1),
		kafkatest.BrokerConfig("group.share.record.lock.duration.ms", "1000"),
		kafkatest.BrokerConfig("share.record.lock.sweep.interval.ms", "100"))
	shareFromEarliest(t, cl, "g-expire")
	shareProduce(t, cl, "share-expire", n)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sc := newShare(t, newShareClient(t, cl), kafka.ShareConsumerConfig{Group: "g-expire", Topics: []string{"share-expire"}})
	first, err := sc.Consume(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, first.DeliveryCount)
	time.Sleep(1500 * time.Millisecond) // the rest of the fetch's locks run out

	// The others come back, each with its next delivery count. The first
	// may or may not: its acceptance goes out with the next fetch, which
	// the broker refuses if it has already swept the lock away, and takes
	// if its sweep (every 100 ms) is running late on a loaded machine.
	got := map[int64]bool{}
	for len(got) < n-1 {
		msg, err := sc.Consume(ctx)
		require.NoError(t, err)
		require.GreaterOrEqual(t, msg.DeliveryCount, 2, "offset %d handed out after its lock expired", msg.Offset)
		if msg.Offset != first.Offset {
			got[msg.Offset] = true
		}
	}
}
