package kafka_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	kafka "github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

// truncationLog is a TruncationHook that keeps the events.
type truncationLog struct {
	mu  sync.Mutex
	evs []kafka.TruncationEvent
}

func (l *truncationLog) OnTruncation(e kafka.TruncationEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evs = append(l.evs, e)
}

func (l *truncationLog) events() []kafka.TruncationEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]kafka.TruncationEvent(nil), l.evs...)
}

// logText is a Config.Logger's output, safe for concurrent use.
type logText struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logText) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logText) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// partitionFetchLog keeps what ObserveFetches reports for one topic.
type partitionFetchLog struct {
	mu    sync.Mutex
	parts []kafkatest.FetchedPartition
}

func observePartitionFetches(t *testing.T, cl *kafkatest.Cluster, topic string) *partitionFetchLog {
	l := &partitionFetchLog{}
	stop := cl.ObserveFetches(func(p kafkatest.FetchedPartition) {
		if p.Topic == topic {
			l.mu.Lock()
			l.parts = append(l.parts, p)
			l.mu.Unlock()
		}
	})
	t.Cleanup(stop)
	return l
}

func (l *partitionFetchLog) all() []kafkatest.FetchedPartition {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]kafkatest.FetchedPartition(nil), l.parts...)
}

// truncEnv is a one-partition topic on a one-broker cluster, a client
// with a TruncationHook and a logger, and a consumer from the start.
func truncEnv(t *testing.T, topic string) (*kafkatest.Cluster, *kafka.SimpleConsumer, *truncationLog, *logText, *partitionFetchLog) {
	t.Helper()
	cl := kafkatest.NeedsKfake(t, "rewrites fetch answers (diverging epochs, partition errors) and observes fetches", kafkatest.NumBrokers(1), kafkatest.Topic(topic, 1))
	hook, logs := &truncationLog{}, &logText{}
	fetches := observePartitionFetches(t, cl, topic)
	c := newClient(t, kafka.Config{
		Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond, Hooks: []kafka.Hook{hook},
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
	})
	tp, err := c.Topic(testCtx(t), topic)
	require.NoError(t, err)
	sc := scConsumer(t, tp, kafka.SimpleConsumerConfig{ConsumerTimeout: 300 * time.Millisecond})
	return cl, sc, hook, logs, fetches
}

// leaderEpoch returns the partition's leader epoch as the fetches send
// it, failing if they disagree or sent none.
func leaderEpoch(t *testing.T, fetches *partitionFetchLog) int32 {
	t.Helper()
	all := fetches.all()
	require.NotEmpty(t, all)
	for _, p := range all {
		require.Equal(t, all[0].CurrentLeaderEpoch, p.CurrentLeaderEpoch, "every fetch sends the leader's epoch")
	}
	require.GreaterOrEqual(t, all[0].CurrentLeaderEpoch, int32(0), "the leader's epoch is sent (Fetch v9+)")
	return all[0].CurrentLeaderEpoch
}

// TestFetchTruncationResumesAtDivergence: the leader answers that the
// consumer's log diverged (KIP-320: its log holds the last fetched epoch
// only up to offset 6, below the position 10). The consumer goes back to
// 6: the records from 6 come again, in order, then the new ones, none
// skipped; the TruncationHook hears of it once and a Warn line says so.
// The fetches carry the leader's epoch and the epoch of the last batch
// fetched.
func TestFetchTruncationResumesAtDivergence(t *testing.T) {
	t.Parallel()
	const topic = "trunc"
	cl, sc, hook, logs, fetches := truncEnv(t, topic)
	k := scKgo(t, cl)
	scFill(t, k, topic, scParts(1), 0, 10)
	require.Equal(t, map[int32][]int64{0: scSpan(0, 10)}, scOffsets(t, topic, scConsume(t, sc, 10)))
	epoch := leaderEpoch(t, fetches)

	inj, err := cl.AnswerFetch(kafkatest.FetchAnswer{Topic: topic, Partition: 0,
		DivergingEpoch: &kafkatest.EpochEndOffset{Epoch: epoch, EndOffset: 6}})
	require.NoError(t, err)
	require.NoError(t, inj.Wait(testCtx(t), 1))

	require.Equal(t, map[int32][]int64{0: scSpan(6, 10)}, scOffsets(t, topic, scConsume(t, sc, 4)), "from the divergence on, again")
	scFill(t, k, topic, scParts(1), 10, 3)
	require.Equal(t, map[int32][]int64{0: scSpan(10, 13)}, scOffsets(t, topic, scConsume(t, sc, 3)))
	scNoMore(t, sc)
	require.Equal(t, map[int32]int64{0: 13}, sc.HeldOffsets())

	assert.Equal(t, []kafka.TruncationEvent{{Topic: topic, Partition: 0, From: 10, To: 6}}, hook.events())
	text := logs.String()
	assert.Equal(t, 1, strings.Count(text, `msg="kafka: log truncation detected"`), text)
	assert.Contains(t, text, `level=WARN msg="kafka: log truncation detected" topic=trunc partition=0 from=10 to=6`)

	// The first fetch had fetched nothing: no last epoch. After records,
	// the batch's epoch (the leader's when they were written) is sent;
	// after the divergence, the leader's diverging epoch.
	all := fetches.all()
	require.Equal(t, int64(0), all[0].FetchOffset)
	assert.Equal(t, int32(-1), all[0].LastFetchedEpoch)
	var at10, at6 bool
	for _, p := range all {
		assert.Equal(t, epoch, p.CurrentLeaderEpoch)
		if p.FetchOffset > 0 {
			assert.Equal(t, epoch, p.LastFetchedEpoch, "fetch at %d", p.FetchOffset)
		}
		at10 = at10 || p.FetchOffset == 10
		at6 = at6 || p.FetchOffset == 6
	}
	assert.True(t, at10, "fetched at 10 before the divergence")
	assert.True(t, at6, "fetched at 6 after it")
}

// TestFetchTruncationDropsFetchedAhead: when the divergence is found, the
// records fetched past it and not handed out yet are dropped, and fetched
// again from the leader: the consumer sees each offset once, in order.
func TestFetchTruncationDropsFetchedAhead(t *testing.T) {
	t.Parallel()
	const topic = "trunc-ahead"
	cl, sc, hook, _, fetches := truncEnv(t, topic)
	k := scKgo(t, cl)
	scFill(t, k, topic, scParts(1), 0, 10)
	// One fetch brings all ten; three are handed out.
	require.Equal(t, map[int32][]int64{0: scSpan(0, 3)}, scOffsets(t, topic, scConsume(t, sc, 3)))
	epoch := leaderEpoch(t, fetches)

	inj, err := cl.AnswerFetch(kafkatest.FetchAnswer{Topic: topic, Partition: 0,
		DivergingEpoch: &kafkatest.EpochEndOffset{Epoch: epoch, EndOffset: 6}})
	require.NoError(t, err)
	require.NoError(t, inj.Wait(testCtx(t), 1))

	// Consume nothing more until the answer is acted on.
	require.Eventually(t, func() bool { return len(hook.events()) > 0 }, 20*time.Second, 5*time.Millisecond)
	require.Equal(t, map[int32][]int64{0: scSpan(3, 10)}, scOffsets(t, topic, scConsume(t, sc, 7)))
	scNoMore(t, sc)
	assert.Equal(t, []kafka.TruncationEvent{{Topic: topic, Partition: 0, From: 10, To: 6}}, hook.events())
}

// TestFetchDivergingEpochAtPosition: a diverging epoch that ends at or
// past the position truncated nothing the consumer fetched: it goes on
// from its position, with no event and nothing read again.
func TestFetchDivergingEpochAtPosition(t *testing.T) {
	t.Parallel()
	const topic = "trunc-none"
	cl, sc, hook, logs, fetches := truncEnv(t, topic)
	k := scKgo(t, cl)
	scFill(t, k, topic, scParts(1), 0, 5)
	require.Equal(t, map[int32][]int64{0: scSpan(0, 5)}, scOffsets(t, topic, scConsume(t, sc, 5)))
	epoch := leaderEpoch(t, fetches)

	inj, err := cl.AnswerFetch(kafkatest.FetchAnswer{Topic: topic, Partition: 0,
		DivergingEpoch: &kafkatest.EpochEndOffset{Epoch: epoch, EndOffset: 20}})
	require.NoError(t, err)
	require.NoError(t, inj.Wait(testCtx(t), 1))
	scFill(t, k, topic, scParts(1), 5, 3)
	require.Equal(t, map[int32][]int64{0: scSpan(5, 8)}, scOffsets(t, topic, scConsume(t, sc, 3)))
	scNoMore(t, sc)
	assert.Empty(t, hook.events())
	assert.NotContains(t, logs.String(), "truncation")
}

// TestFetchFencedLeaderEpochRecovers: FENCED_LEADER_EPOCH and
// UNKNOWN_LEADER_EPOCH (the client's metadata older, or newer, than the
// broker's) are retried after a metadata refresh: Consume returns no
// error, and no message is lost or repeated.
func TestFetchFencedLeaderEpochRecovers(t *testing.T) {
	t.Parallel()
	for _, code := range []int16{74, 75} {
		t.Run(kafka.Error(code).Name(), func(t *testing.T) {
			topic := "fenced-" + string(rune('a'+code-74))
			cl, sc, hook, _, _ := truncEnv(t, topic)
			k := scKgo(t, cl)
			scFill(t, k, topic, scParts(1), 0, 5)
			require.Equal(t, map[int32][]int64{0: scSpan(0, 5)}, scOffsets(t, topic, scConsume(t, sc, 5)))

			metadata := cl.Requests(3)
			inj := cl.InjectPartitionError(1, topic, 0, code, 3)
			scFill(t, k, topic, scParts(1), 5, 5)
			// scConsume fails on any error Consume returns.
			require.Equal(t, map[int32][]int64{0: scSpan(5, 10)}, scOffsets(t, topic, scConsume(t, sc, 5)))
			scNoMore(t, sc)
			assert.Equal(t, 3, inj.Hits())
			assert.Greater(t, cl.Requests(3), metadata, "the metadata was refreshed")
			assert.Empty(t, hook.events())
		})
	}
}

// TestFetchFollowsNewLeaderEpoch: after a leader election (a new leader,
// its epoch bumped), the consumer fetches from the new leader with the new
// epoch and loses nothing.
func TestFetchFollowsNewLeaderEpoch(t *testing.T) {
	t.Parallel()
	const topic = "new-epoch"
	cl := kafkatest.NeedsKfake(t, "moves the leader to bump the leader epoch", kafkatest.NumBrokers(3), kafkatest.Topic(topic, 1))
	fetches := observePartitionFetches(t, cl, topic)
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
	tp, err := c.Topic(testCtx(t), topic)
	require.NoError(t, err)
	sc := scConsumer(t, tp, kafka.SimpleConsumerConfig{ConsumerTimeout: 300 * time.Millisecond})
	k := scKgo(t, cl)
	scFill(t, k, topic, scParts(1), 0, 5)
	require.Equal(t, map[int32][]int64{0: scSpan(0, 5)}, scOffsets(t, topic, scConsume(t, sc, 5)))
	epoch := leaderEpoch(t, fetches)
	leader, err := cl.Leader(topic, 0)
	require.NoError(t, err)

	next := (leader + 1) % 3
	require.NoError(t, cl.MoveLeader(topic, 0, next))
	scFill(t, k, topic, scParts(1), 5, 5)
	require.Equal(t, map[int32][]int64{0: scSpan(5, 10)}, scOffsets(t, topic, scConsume(t, sc, 5)))
	scNoMore(t, sc)

	var atNew bool
	for _, p := range fetches.all() {
		if p.Broker != next {
			continue
		}
		assert.Greater(t, p.CurrentLeaderEpoch, epoch, "the new leader's epoch")
		switch p.FetchOffset {
		case 5:
			atNew = true
			assert.Equal(t, epoch, p.LastFetchedEpoch, "records 0-4 were written in the old epoch")
		case 10:
			assert.Equal(t, p.CurrentLeaderEpoch, p.LastFetchedEpoch, "records 5-9 in the new one")
		}
	}
	assert.True(t, atNew, "fetched from the new leader at 5")
}
