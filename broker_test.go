package kafka_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// eventLog records the hook events it sees.
type eventLog struct {
	mu       sync.Mutex
	connects []kafka.BrokerConnectEvent
	requests []kafka.BrokerRequestEvent
}

func (l *eventLog) OnBrokerConnect(e kafka.BrokerConnectEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.connects = append(l.connects, e)
}

func (l *eventLog) OnBrokerRequest(e kafka.BrokerRequestEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests = append(l.requests, e)
}

func (l *eventLog) failedRequests(api string) []kafka.BrokerRequestEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []kafka.BrokerRequestEvent
	for _, e := range l.requests {
		if e.API == api && e.Err != nil {
			out = append(out, e)
		}
	}
	return out
}

// TestUnansweredRequestTimesOutAndIsRetried: a request the broker holds
// past RequestTimeout fails as unanswered and is sent again. (RequestTimeout
// is a second, the hold five: a loaded machine may answer an ordinary
// request in hundreds of milliseconds, which a shorter timeout would count
// as a second failure.)
func TestUnansweredRequestTimesOutAndIsRetried(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "delays requests", kafkatest.Topic("slow", 1))
	log := &eventLog{}
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RequestTimeout: time.Second, Hooks: []kafka.Hook{log}})
	topic, err := c.Topic(testCtx(t), "slow")
	require.NoError(t, err)

	cl.Delay(protocol.KeyListOffsets, 5*time.Second, 1)
	offsets, err := topic.LatestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 0}, offsets)
	failed := log.failedRequests("ListOffsets")
	require.Len(t, failed, 1)
	require.ErrorIs(t, failed[0].Err, kafka.ErrSocketDisconnected)
	require.ErrorContains(t, failed[0].Err, "did not answer")
}

func TestDroppedConnectionIsRetried(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "drops connections", kafkatest.Topic("dropped", 3))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	topic, err := c.Topic(testCtx(t), "dropped")
	require.NoError(t, err)
	inj := cl.DropConnection(protocol.KeyListOffsets, 2)
	offsets, err := topic.EarliestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	require.Len(t, offsets, 3)
	require.Equal(t, 2, inj.Hits())
}

func TestRetriableErrorCodeIsRetried(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "injects errors", kafkatest.Topic("flaky", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	topic, err := c.Topic(testCtx(t), "flaky")
	require.NoError(t, err)
	inj := cl.InjectError(protocol.KeyListOffsets, int16(protocol.NotLeaderOrFollower), 2)
	_, err = topic.LatestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, 2, inj.Hits())

	// A code that is not retriable reaches the caller at once, saying where.
	cl.InjectError(protocol.KeyListOffsets, int16(protocol.TopicAuthorizationFailed), 1)
	_, err = topic.LatestAvailableOffsets(testCtx(t))
	require.ErrorIs(t, err, kafka.ErrTopicAuthorizationFailed)
	var op *kafka.OpError
	require.ErrorAs(t, err, &op)
	require.Equal(t, "flaky", op.Topic)
	require.Equal(t, int32(0), op.Partition)
	require.GreaterOrEqual(t, op.Broker, int32(0))
	require.ErrorContains(t, err, "list offsets flaky[0] at broker")
}

func TestRetriesStopAtTheCallersDeadline(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "injects errors", kafkatest.Topic("down", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	topic, err := c.Topic(testCtx(t), "down")
	require.NoError(t, err)
	inj := cl.InjectError(protocol.KeyListOffsets, int16(protocol.LeaderNotAvailable), kafkatest.Always)
	// The deadline comes once the broker has answered twice, whatever the
	// machine's load (were it to cut the first attempt short, no real
	// error would exist to report).
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	deadline := make(chan time.Time, 1)
	go func() {
		if inj.Wait(ctx, 2) == nil {
			deadline <- time.Now()
			cancel()
		}
	}()
	_, err = topic.LatestAvailableOffsets(ctx)
	require.ErrorIs(t, err, kafka.ErrLeaderNotAvailable, "the last real error, not just the context's")
	require.True(t, kafka.IsRetriable(err))
	select {
	case at := <-deadline:
		require.Less(t, time.Since(at), 10*time.Second, "the retries stop when the context ends")
	default:
		t.Fatalf("the call returned before its context ended: %v", err)
	}
}

func TestNotControllerIsRetried(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "injects errors")
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	inj := cl.InjectError(protocol.KeyCreateTopics, int16(protocol.NotController), 1)
	require.NoError(t, c.CreateTopic(testCtx(t), "after-not-controller", kafka.TopicConfig{Partitions: 1}))
	require.Equal(t, 1, inj.Hits())
}

func TestCanceledContextReturnsPromptly(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "delays requests", kafkatest.Topic("stuck", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	topic, err := c.Topic(testCtx(t), "stuck")
	require.NoError(t, err)
	cl.Delay(protocol.KeyListOffsets, time.Minute, 1)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = topic.LatestAvailableOffsets(ctx)
	require.True(t, errors.Is(err, context.Canceled), "%v", err)
	require.Less(t, time.Since(start), 20*time.Second, "the cancel, not the minute-long delay, ended the call")
}

func TestBrokerLeavesAndReturns(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "removes and adds brokers", kafkatest.Topic("elastic", 3))
	log := &eventLog{}
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), Hooks: []kafka.Hook{log}})
	id, err := cl.AddBroker()
	require.NoError(t, err)
	require.NoError(t, c.UpdateCluster(testCtx(t)))
	require.Len(t, c.Brokers(), 4)
	require.NoError(t, cl.RemoveBroker(id))
	require.NoError(t, c.UpdateCluster(testCtx(t)))
	require.Len(t, c.Brokers(), 3)
	log.mu.Lock()
	defer log.mu.Unlock()
	require.NotEmpty(t, log.connects)
	for _, e := range log.connects {
		if e.Broker == id {
			continue // it may have been picked after it left: refused
		}
		require.NoError(t, e.Err)
		require.Positive(t, e.Duration)
	}
}
