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

// Tests of the fetch sessions (KIP-227) the Client's fetch sources keep
// with each broker, seen from the broker's side with kafkatest.Observe.

// fetchLog keeps the Fetch requests an observer saw, in order.
type fetchLog struct {
	mu   sync.Mutex
	reqs []kafkatest.Request
}

func observeFetches(cl *kafkatest.Cluster) *fetchLog {
	l := &fetchLog{}
	cl.Observe(protocol.KeyFetch, func(r kafkatest.Request) {
		l.mu.Lock()
		l.reqs = append(l.reqs, r)
		l.mu.Unlock()
	})
	return l
}

func (l *fetchLog) get() []kafkatest.Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.reqs)
}

// partitions counts the partitions a request names.
func partitions(r kafkatest.Request) int {
	n := 0
	for _, ps := range r.Topics {
		n += len(ps)
	}
	return n
}

// newSession reports whether r is a full fetch that starts a session.
func newSession(r kafkatest.Request) bool { return r.SessionID == 0 && r.SessionEpoch == 0 }

// TestFetchSessionsIncremental: a SimpleConsumer of 3 partitions on one
// broker fetches in one session: after the first (full) fetch, incremental
// fetches dominate, and while only one partition gets new records they
// name at most that one, where a full fetch names all three.
func TestFetchSessionsIncremental(t *testing.T) {
	t.Parallel()
	const (
		topic  = "sessions"
		filled = 100 // records per partition before consuming
		rounds = 40  // then one record to partition 0, consumed, per round
	)
	cl, _, tp := scKfake(t, "observes the session fields of Fetch requests", topic, 3, kafkatest.NumBrokers(1))
	fetches := observeFetches(cl)
	k := scKgo(t, cl)
	scFill(t, k, topic, scParts(3), 0, filled)

	sc := scConsumer(t, tp, kafka.SimpleConsumerConfig{})
	msgs := scConsume(t, sc, 3*filled)
	// The idle phase: partitions 1 and 2 get nothing new. It starts once
	// a fetch names no partition: the session holds every position.
	var mark int
	require.Eventually(t, func() bool {
		all := fetches.get()
		mark = len(all)
		return partitions(all[mark-1]) == 0
	}, 10*time.Second, time.Millisecond, "an incremental fetch naming nothing")
	for i := range rounds {
		scFill(t, k, topic, []int32{0}, filled+i, 1)
		msgs = append(msgs, scConsume(t, sc, 1)...)
	}
	offs := scOffsets(t, topic, msgs)
	require.Equal(t, scSpan(0, filled+rounds), offs[0])
	require.Equal(t, scSpan(0, filled), offs[1])
	require.Equal(t, scSpan(0, filled), offs[2])

	all := fetches.get()
	require.NotEmpty(t, all)
	require.True(t, newSession(all[0]), "the first fetch asks for a session: %+v", all[0])
	require.Equal(t, 3, partitions(all[0]), "the first fetch names every partition")
	var full, incr, fullParts, incrParts int
	var idleFull, idleIncr, idleIncrNarrow int
	for i, r := range all {
		isFull := r.SessionEpoch <= 0
		if i > 0 {
			if isFull {
				full++
				fullParts += partitions(r)
			} else {
				incr++
				incrParts += partitions(r)
			}
		}
		// From the fetch that named nothing: it may be the one that
		// brings the first round's record.
		if i >= mark-1 {
			if isFull {
				idleFull++
			} else {
				idleIncr++
				if r.Topics[topic] == nil || slices.Equal(r.Topics[topic], []int32{0}) {
					idleIncrNarrow++
				}
			}
		}
	}
	t.Logf("%d fetches: the first full, then %d full (%d partitions named), %d incremental (%d partitions named); idle phase: %d full, %d incremental, %d of them naming partition 0 or nothing",
		len(all), full, fullParts, incr, incrParts, idleFull, idleIncr, idleIncrNarrow)
	require.GreaterOrEqual(t, incr, 4*full, "after the first fetch, at least 80%% are incremental")
	require.GreaterOrEqual(t, idleIncr, rounds, "each round of the idle phase fetched incrementally")
	require.Zero(t, idleFull, "no full fetch while the session lives")
	require.Equal(t, idleIncr, idleIncrNarrow, "incremental fetches of the idle phase name only the partition that moved")
	require.Less(t, float64(incrParts)/float64(incr), 3.0, "incremental fetches name fewer partitions than a full one")
}

// sessionErrors counts the Fetch errors the Client reports to its hooks.
type sessionErrors struct {
	mu   sync.Mutex
	errs []error
}

func (h *sessionErrors) OnRequestError(e kafka.RequestErrorEvent) {
	if e.API == "Fetch" {
		h.mu.Lock()
		h.errs = append(h.errs, e.Err)
		h.mu.Unlock()
	}
}

func (h *sessionErrors) get() []error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.errs)
}

// TestFetchSessionErrorFallsBack: a broker that answers a fetch with
// FETCH_SESSION_ID_NOT_FOUND (70) or INVALID_FETCH_SESSION_EPOCH (71), as
// one does after a restart or when it evicted the session, makes the
// source start a new session with a full fetch at once: every record of a
// sequence produced meanwhile is consumed exactly once and in order,
// Consume returns no error, and the Client reports no fetch error (the
// reset is routine, not a failure).
func TestFetchSessionErrorFallsBack(t *testing.T) {
	t.Parallel()
	const (
		topic = "session-errors"
		per   = 150 // records per partition
		parts = 3
	)
	cl := kafkatest.NeedsKfake(t, "injects fetch session errors", kafkatest.NumBrokers(1), kafkatest.Topic(topic, parts))
	hook := &sessionErrors{}
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond, Hooks: []kafka.Hook{hook}})
	tp, err := c.Topic(testCtx(t), topic)
	require.NoError(t, err)
	fetches := observeFetches(cl)
	sc := scConsumer(t, tp, kafka.SimpleConsumerConfig{})

	// The sequence is written while it is consumed, 10 records at a time.
	k := scKgo(t, cl)
	done := make(chan error, 1)
	go func() {
		for from := 0; from < per; from += 10 {
			var recs []*kgo.Record
			for p := range int32(parts) {
				for i := from; i < from+10; i++ {
					recs = append(recs, &kgo.Record{Topic: topic, Partition: p, Key: fmt.Appendf(nil, "k%d", i), Value: fmt.Appendf(nil, "%d-%d", p, i)})
				}
			}
			if err := k.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
				done <- err
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		done <- nil
	}()

	ctx := testCtx(t)
	var injections []*kafkatest.Injection
	inject := func(code int16) {
		// In a session first: the error must hit incremental fetches.
		require.Eventually(t, func() bool {
			all := fetches.get()
			return all[len(all)-1].SessionEpoch > 0
		}, 10*time.Second, time.Millisecond)
		in := cl.InjectFault(kafkatest.Fault{APIs: []int16{protocol.KeyFetch}, TopLevel: true, Code: code, Times: 2})
		injections = append(injections, in)
		require.NoError(t, in.Wait(ctx, 2), "the faults were hit")
	}
	var msgs []kafka.Message
	for len(msgs) < parts*per {
		switch len(msgs) {
		case 60:
			inject(int16(kafka.ErrFetchSessionIDNotFound))
		case 240:
			inject(int16(kafka.ErrInvalidFetchSessionEpoch))
		}
		msg, err := sc.Consume(ctx)
		require.NoError(t, err, "Consume after %d messages", len(msgs))
		msgs = append(msgs, msg)
	}
	require.NoError(t, <-done)
	// Nothing more: a message fetched twice would come now.
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	extra, err := sc.Consume(short)
	require.ErrorIs(t, err, context.DeadlineExceeded, "no more messages; got %d/%d", extra.Partition, extra.Offset)

	offs := scOffsets(t, topic, msgs)
	for p := range int32(parts) {
		require.Equal(t, scSpan(0, per), offs[p], "partition %d: every record once, in order", p)
	}
	hits := 0
	for _, in := range injections {
		hits += in.Hits()
	}
	require.Equal(t, 4, hits)

	// Every fault was followed by a new session: a full fetch with ID
	// 0 and epoch 0, right after an incremental one (the fault hit it)
	// or a full one (the fault hit the new session's first fetch).
	all := fetches.get()
	var starts int
	var after []string
	for i, r := range all {
		if newSession(r) {
			starts++
			require.Equal(t, parts, partitions(r), "a new session names every partition: %+v", r)
			if i > 0 {
				after = append(after, fmt.Sprintf("#%d after id %d epoch %d", i, all[i-1].SessionID, all[i-1].SessionEpoch))
			}
		}
	}
	t.Logf("%d fetches, %d new sessions: %v", len(all), starts, after)
	require.Equal(t, 1+hits, starts, "one new session at the start, one after each fault")
	require.Empty(t, hook.get(), "a session reset is no fetch error")
}

var _ kafka.RequestErrorHook = (*sessionErrors)(nil)
