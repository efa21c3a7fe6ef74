package kafka_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// misspeltHook means to be a FetchBatchHook but its method's name is
// wrong, so it implements no hook interface.
type misspeltHook struct{}

func (misspeltHook) OnFetchBatches(kafka.FetchBatchEvent) {}

type fetchHook struct{}

func (fetchHook) OnFetchBatch(kafka.FetchBatchEvent) {}

// TestNewClientRejectsInvalidHook: a hook implementing none of the hook
// interfaces, or nil, fails NewClient with ErrInvalidHook naming its
// position and type; a real hook is accepted.
func TestNewClientRejectsInvalidHook(t *testing.T) {
	b := kafkatest.NewBackend(t)
	for _, tc := range []struct {
		hook kafka.Hook
		want string
	}{
		{misspeltHook{}, "Config.Hooks[1] (kafka_test.misspeltHook) implements none of the hook interfaces (BrokerConnectHook, BrokerRequestHook, RequestErrorHook, ProduceBatchHook, FetchBatchHook, TruncationHook, ProduceRecordHook, ConsumeRecordHook)"},
		{"metrics", "Config.Hooks[1] (string) implements none"},
		{nil, "Config.Hooks[1] is nil"},
	} {
		c, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: b.Addrs(), Hooks: []kafka.Hook{fetchHook{}, tc.hook}})
		require.ErrorIs(t, err, kafka.ErrInvalidHook)
		require.ErrorContains(t, err, tc.want)
		require.Nil(t, c)
	}
	c, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: b.Addrs(), Hooks: []kafka.Hook{fetchHook{}}})
	require.NoError(t, err)
	require.NoError(t, c.Close())
}

// errorLog records RequestErrorEvents.
type errorLog struct {
	mu     sync.Mutex
	events []kafka.RequestErrorEvent
}

func (l *errorLog) OnRequestError(e kafka.RequestErrorEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

// count returns how many events wrap target, and checks that every event
// is of the API api.
func (l *errorLog) count(t *testing.T, api string, target error) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.events {
		require.Equal(t, api, e.API)
		if errors.Is(e.Err, target) {
			n++
		}
	}
	return n
}

// TestFetchErrorsReachHooks: per-partition error codes on fetches, retried
// (NOT_LEADER_OR_FOLLOWER) or acted on (OFFSET_OUT_OF_RANGE), and a fetch
// failing as a whole (a dropped connection) each reach RequestErrorHook,
// while consumption goes on with nothing lost.
func TestFetchErrorsReachHooks(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "injects errors", kafkatest.Topic("errs", 2))
	log := &errorLog{}
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), Hooks: []kafka.Hook{log}, RetryBackoff: 10 * time.Millisecond})
	scFill(t, scKgo(t, cl), "errs", scParts(2), 0, 5)
	topic, err := c.Topic(testCtx(t), "errs")
	require.NoError(t, err)
	leader, err := cl.Leader("errs", 1)
	require.NoError(t, err)

	notLeader := cl.InjectPartitionError(protocol.KeyFetch, "errs", 1, int16(kafka.ErrNotLeaderOrFollower), 2)
	oor := cl.InjectPartitionError(protocol.KeyFetch, "errs", 0, int16(kafka.ErrOffsetOutOfRange), 1)
	sc := scConsumer(t, topic, kafka.SimpleConsumerConfig{})
	got := scOffsets(t, "errs", scConsume(t, sc, 10))
	require.Equal(t, map[int32][]int64{0: scSpan(0, 5), 1: scSpan(0, 5)}, got)
	// A fetch of both partitions may take one fault only, so the second
	// may come later, on a fetch that waits for new records.
	require.NoError(t, notLeader.Wait(testCtx(t), 2))
	require.NoError(t, oor.Wait(testCtx(t), 1))
	require.Eventually(t, func() bool {
		return log.count(t, "Fetch", kafka.ErrNotLeaderForPartition) == 2 && log.count(t, "Fetch", kafka.ErrOffsetOutOfRange) == 1
	}, 20*time.Second, 10*time.Millisecond, "each fault, once")
	log.mu.Lock()
	for _, e := range log.events {
		require.Equal(t, "errs", e.Topic)
		var oe *kafka.OpError
		require.ErrorAs(t, e.Err, &oe)
		require.Equal(t, e.Partition, oe.Partition)
		if errors.Is(e.Err, kafka.ErrNotLeaderForPartition) {
			require.Equal(t, int32(1), e.Partition)
			require.Equal(t, leader, e.Broker)
		} else {
			require.Equal(t, int32(0), e.Partition)
		}
	}
	log.mu.Unlock()

	// The consumer keeps fetching (a fetch is held FetchWaitMax at most),
	// so the next fetch is dropped.
	drop := cl.DropConnection(protocol.KeyFetch, 1)
	require.NoError(t, drop.Wait(testCtx(t), 1))
	scFill(t, scKgo(t, cl), "errs", scParts(2), 5, 1)
	got = scOffsets(t, "errs", scConsume(t, sc, 2))
	require.Equal(t, map[int32][]int64{0: {5}, 1: {5}}, got)
	require.Eventually(t, func() bool { return log.count(t, "Fetch", kafka.ErrSocketDisconnected) >= 1 }, 20*time.Second, 10*time.Millisecond)
	log.mu.Lock()
	defer log.mu.Unlock()
	for _, e := range log.events {
		if errors.Is(e.Err, kafka.ErrSocketDisconnected) {
			require.Equal(t, "", e.Topic, "an error of the whole request")
			require.Equal(t, int32(-1), e.Partition)
			require.GreaterOrEqual(t, e.Broker, int32(0))
		}
	}
}

// TestProduceErrorsReachHooks: a retried per-partition error code on a
// produce (NOT_LEADER_OR_FOLLOWER) and a produce request failing as a whole
// (a dropped connection) reach RequestErrorHook, and the message is still
// delivered.
func TestProduceErrorsReachHooks(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "injects errors", kafkatest.Topic("perrs", 2))
	log := &errorLog{}
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), Hooks: []kafka.Hook{log}, RetryBackoff: 10 * time.Millisecond})
	topic, err := c.Topic(testCtx(t), "perrs")
	require.NoError(t, err)
	p, err := topic.Producer(testCtx(t), kafka.ProducerConfig{Partitioner: kafka.NewManualPartitioner()})
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })

	notLeader := cl.InjectPartitionError(protocol.KeyProduce, "perrs", 1, int16(kafka.ErrNotLeaderOrFollower), 2)
	_, err = p.ProduceSync(testCtx(t), kafka.Message{Partition: 1, Value: []byte("a")})
	require.NoError(t, err)
	require.NoError(t, notLeader.Wait(testCtx(t), 2))
	require.Equal(t, 2, log.count(t, "Produce", kafka.ErrNotLeaderForPartition))
	log.mu.Lock()
	for _, e := range log.events {
		require.Equal(t, "perrs", e.Topic)
		require.Equal(t, int32(1), e.Partition)
		var oe *kafka.OpError
		require.ErrorAs(t, e.Err, &oe)
		require.Equal(t, int32(1), oe.Partition)
	}
	log.mu.Unlock()

	drop := cl.DropConnection(protocol.KeyProduce, 1)
	_, err = p.ProduceSync(testCtx(t), kafka.Message{Partition: 0, Value: []byte("b")})
	require.NoError(t, err)
	require.NoError(t, drop.Wait(testCtx(t), 1))
	require.Equal(t, 1, log.count(t, "Produce", kafka.ErrSocketDisconnected))
	log.mu.Lock()
	defer log.mu.Unlock()
	for _, e := range log.events {
		if errors.Is(e.Err, kafka.ErrSocketDisconnected) {
			require.Equal(t, "", e.Topic, "an error of the whole request")
			require.Equal(t, int32(-1), e.Partition)
		}
	}
}

// recordLog is a ProduceRecordHook and a ConsumeRecordHook that stamps a
// header on every message and records what it is told.
type recordLog struct {
	mu       sync.Mutex
	produced []kafka.Message // as OnProduceRecord saw them
	done     []kafka.Message
	doneErrs []error
	consumed []kafka.ConsumeRecordEvent
	ctxVals  []any
}

type ctxKey struct{}

func (l *recordLog) OnProduceRecord(ctx context.Context, msg *kafka.Message) {
	l.mu.Lock()
	defer l.mu.Unlock()
	msg.Headers = append(slices.Clip(msg.Headers), kafka.Header{Key: "stamp", Value: []byte(strconv.Itoa(len(l.produced)))})
	l.produced = append(l.produced, *msg)
	l.ctxVals = append(l.ctxVals, ctx.Value(ctxKey{}))
}

func (l *recordLog) OnProduceRecordDone(msg kafka.Message, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.done = append(l.done, msg)
	l.doneErrs = append(l.doneErrs, err)
}

func (l *recordLog) OnConsumeRecord(ctx context.Context, e kafka.ConsumeRecordEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.consumed = append(l.consumed, e)
	l.ctxVals = append(l.ctxVals, ctx.Value(ctxKey{}))
}

// TestRecordHooks: every message given to Produce and ProduceSync reaches
// OnProduceRecord with the caller's context and its topic, its added
// header is stored (the caller's headers untouched), and exactly one
// OnProduceRecordDone follows with the stored offset, or Produce's error
// when it refused the message; Consume tells OnConsumeRecord about each
// message it hands out, with the consumer's group.
func TestRecordHooks(t *testing.T) {
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("rechooks", 1)
	group := b.Name("rechooks-g")
	l := &recordLog{}
	c := newClient(t, kafka.Config{Hosts: b.Addrs(), Hooks: []kafka.Hook{l}})
	topic, err := c.Topic(testCtx(t), name)
	require.NoError(t, err)
	p, err := topic.Producer(testCtx(t), kafka.ProducerConfig{})
	require.NoError(t, err)

	ctx := context.WithValue(testCtx(t), ctxKey{}, "caller")
	mine := make([]kafka.Header, 1, 4) // room to append into: the hook must not
	mine[0] = kafka.Header{Key: "app", Value: []byte("x")}
	require.NoError(t, p.Produce(ctx, kafka.Message{Value: []byte("a"), Headers: mine}))
	require.NoError(t, p.Flush(ctx))
	stored, err := p.ProduceSync(ctx, kafka.Message{Value: []byte("b")})
	require.NoError(t, err)
	require.Equal(t, []kafka.Header{{Key: "stamp", Value: []byte("1")}}, stored.Headers)
	require.Equal(t, []kafka.Header{{Key: "app", Value: []byte("x")}}, mine)
	require.Equal(t, kafka.Header{}, mine[:2][1], "nothing written past the caller's headers")
	require.NoError(t, p.Close())
	require.ErrorIs(t, p.Produce(ctx, kafka.Message{Value: []byte("c")}), kafka.ErrProducerStopped)

	l.mu.Lock()
	require.Len(t, l.produced, 3)
	for i, m := range l.produced {
		require.Equal(t, name, m.Topic, "the topic is set for the hook")
		require.Equal(t, "caller", l.ctxVals[i])
	}
	require.Len(t, l.done, 3, "one outcome per message")
	for i, m := range l.done {
		require.Equal(t, strconv.Itoa(i), string(m.Headers[len(m.Headers)-1].Value))
	}
	require.NoError(t, l.doneErrs[0])
	require.NoError(t, l.doneErrs[1])
	require.Equal(t, []int64{0, 1}, []int64{l.done[0].Offset, l.done[1].Offset})
	require.ErrorIs(t, l.doneErrs[2], kafka.ErrProducerStopped)
	l.ctxVals = nil
	l.mu.Unlock()

	sc, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{ConsumerGroup: group})
	require.NoError(t, err)
	t.Cleanup(func() { sc.Close() })
	cctx := context.WithValue(testCtx(t), ctxKey{}, "consumer")
	for i := range 2 {
		msg, err := sc.Consume(cctx)
		require.NoError(t, err)
		require.Equal(t, strconv.Itoa(i), string(msg.Headers[len(msg.Headers)-1].Value))
	}
	l.mu.Lock()
	require.Len(t, l.consumed, 2)
	for i, e := range l.consumed {
		require.Equal(t, group, e.Group)
		require.Equal(t, int64(i), e.Message.Offset)
		require.Equal(t, name, e.Message.Topic)
		require.Equal(t, "consumer", l.ctxVals[i])
	}
	require.Equal(t, []kafka.Header{{Key: "app", Value: []byte("x")}, {Key: "stamp", Value: []byte("0")}}, l.consumed[0].Message.Headers)
	l.consumed = nil
	l.mu.Unlock()

	// A balanced consumer tells the hook too, with its group.
	group2 := b.Name("rechooks-bc")
	bc := newBalanced(t, c, name, groupConfig(group2))
	bctx := context.WithValue(testCtx(t), ctxKey{}, "consumer")
	for range 2 {
		_, err := bc.Consume(bctx)
		require.NoError(t, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	require.Len(t, l.consumed, 2)
	for i, e := range l.consumed {
		require.Equal(t, group2, e.Group)
		require.Equal(t, int64(i), e.Message.Offset)
	}
}

// TestNoRecordHooksNoAllocs: with no record hook (none at all, or metrics
// hooks only), Produce allocates nothing per message for the hooks: the
// message stays on the stack.
func TestNoRecordHooksNoAllocs(t *testing.T) {
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("rechooks-allocs", 1)
	for _, hs := range [][]kafka.Hook{nil, {fetchHook{}}} {
		c := newClient(t, kafka.Config{Hosts: b.Addrs(), Hooks: hs})
		p, err := c.Producer(testCtx(t), kafka.ProducerConfig{Linger: time.Minute, MaxQueuedMessages: 100_000})
		require.NoError(t, err)
		ctx := testCtx(t)
		msg := kafka.Message{Topic: name, Value: make([]byte, 100)}
		allocs := testing.AllocsPerRun(2000, func() {
			if err := p.Produce(ctx, msg); err != nil {
				t.Fatal(err)
			}
		})
		require.Zero(t, allocs, "hooks %v", hs)
		require.NoError(t, p.Close())
	}
}
