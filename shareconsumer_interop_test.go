package kafka_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestShareGroupInteropFranzGo: our ShareConsumer and franz-go's share
// consumer in the same share group split the topic's messages, each
// accepted exactly once, none lost, each member getting some.
func TestShareGroupInteropFranzGo(t *testing.T) {
	t.Parallel() // its own cluster; mostly waiting on it
	const n = 1000
	cl := shareCluster(t, kafkatest.Topic("share-interop", 2))
	shareFromEarliest(t, cl, "g-interop")
	shareProduce(t, cl, "share-interop", n)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var (
		mu         sync.Mutex
		seen       = map[string]int{}
		ours, kgos int
		done       = make(chan struct{})
		once       sync.Once
		kgoGot     = make(chan struct{}) // closed at franz-go's first message
		kgoOnce    sync.Once
	)
	record := func(v string, fromKgo bool) {
		mu.Lock()
		defer mu.Unlock()
		seen[v]++
		if fromKgo {
			kgos++
			kgoOnce.Do(func() { close(kgoGot) })
		} else {
			ours++
		}
		if len(seen) == n {
			once.Do(func() { close(done) })
		}
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		select {
		case <-done:
		case <-ctx.Done():
		}
		stop()
	}()

	sc := newShare(t, newShareClient(t, cl), kafka.ShareConsumerConfig{Group: "g-interop", Topics: []string{"share-interop"}, MaxRecords: 50})
	k, err := kgo.NewClient(kgoOpts(cl.Addrs(), kgo.ConsumeTopics("share-interop"), kgo.ShareGroup("g-interop"),
		kgo.ShareMaxRecords(50), kgo.FetchMaxWait(200*time.Millisecond))...)
	require.NoError(t, err)

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for {
			msg, err := sc.Consume(runCtx)
			if err != nil {
				return
			}
			record(string(msg.Value), false)
			// After its first message, ours waits for franz-go's first:
			// a member that joined first could otherwise take every
			// message while the other is still joining or between
			// fetches (franz-go's got 50 of 1000 on a quiet machine,
			// and none on a loaded one). Ours holds at most MaxRecords
			// per broker meanwhile; the rest are franz-go's to take.
			select {
			case <-kgoGot:
			case <-runCtx.Done():
			}
		}
	}()
	go func() {
		defer wg.Done()
		for runCtx.Err() == nil {
			fs := k.PollFetches(runCtx)
			for _, r := range fs.Records() {
				record(string(r.Value), true)
				r.Ack(kgo.AckAccept)
			}
		}
	}()
	wg.Wait()
	fctx, fcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer fcancel()
	require.NoError(t, k.FlushAcks(fctx))
	k.Close()
	require.NoError(t, sc.Close())

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, n)
	for v, times := range seen {
		require.Equal(t, 1, times, "message %s delivered %d times", v, times)
	}
	require.Positive(t, ours, "our consumer got nothing")
	require.Positive(t, kgos, "franz-go's consumer got nothing")
	t.Logf("ours %d, franz-go %d", ours, kgos)

	late := newShare(t, newShareClient(t, cl), kafka.ShareConsumerConfig{Group: "g-interop", Topics: []string{"share-interop"}})
	expectNothing(t, late, time.Second)
}
