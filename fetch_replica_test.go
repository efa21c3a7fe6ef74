package kafka_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	kafka "github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

// fetchCounts counts the Fetch requests each broker receives.
type fetchCounts [3]atomic.Int64

func countFetches(t *testing.T, cl *kafkatest.Cluster) *fetchCounts {
	n := &fetchCounts{}
	stop := cl.Observe(1, func(r kafkatest.Request) {
		if r.Broker >= 0 && int(r.Broker) < len(n) {
			n[r.Broker].Add(1)
		}
	})
	t.Cleanup(stop)
	return n
}

// replicaEnv is a one-partition topic on three brokers whose leader names
// a follower as the preferred read replica (once), which serves it; a
// consumer has read offsets 0-4 from it. It returns the leader and the
// replica.
type replicaEnv struct {
	cl              *kafkatest.Cluster
	sc              *kafka.SimpleConsumer
	topic           string
	leader, replica int32
	fetches         *fetchCounts
}

func newReplicaEnv(t *testing.T, topic string, cfg kafka.Config) *replicaEnv {
	t.Helper()
	cl := kafkatest.NeedsKfake(t, "sets followers and answers fetches with a preferred read replica (KIP-392)", kafkatest.NumBrokers(3), kafkatest.Topic(topic, 1))
	leader, err := cl.Leader(topic, 0)
	require.NoError(t, err)
	e := &replicaEnv{cl: cl, topic: topic, leader: leader, replica: (leader + 1) % 3, fetches: countFetches(t, cl)}
	require.NoError(t, cl.SetFollowers(topic, 0, e.replica))
	inj, err := cl.AnswerFetch(kafkatest.FetchAnswer{Topic: topic, Partition: 0, Brokers: []int32{leader}, PreferredReadReplica: &e.replica})
	require.NoError(t, err)

	cfg.Hosts, cfg.RetryBackoff = cl.Addrs(), 10*time.Millisecond
	c := newClient(t, cfg)
	tp, err := c.Topic(testCtx(t), topic)
	require.NoError(t, err)
	scFill(t, scKgo(t, cl), topic, scParts(1), 0, 5)
	e.sc = scConsumer(t, tp, kafka.SimpleConsumerConfig{ConsumerTimeout: 300 * time.Millisecond})
	require.Equal(t, map[int32][]int64{0: scSpan(0, 5)}, scOffsets(t, topic, scConsume(t, e.sc, 5)))
	require.Equal(t, 1, inj.Hits())
	return e
}

// fill writes offsets from to from+n-1 and checks that the consumer reads
// exactly those, in order.
func (e *replicaEnv) fill(t *testing.T, from, n int) {
	t.Helper()
	scFill(t, scKgo(t, e.cl), e.topic, scParts(1), from, n)
	require.Equal(t, map[int32][]int64{0: scSpan(int64(from), int64(from+n))}, scOffsets(t, e.topic, scConsume(t, e.sc, n)))
	scNoMore(t, e.sc)
}

// TestFetchFollowsPreferredReadReplica (KIP-392): the leader's answer
// names a follower; the partition is fetched there from then on, and the
// leader gets no more fetches.
func TestFetchFollowsPreferredReadReplica(t *testing.T) {
	t.Parallel()
	e := newReplicaEnv(t, "replica", kafka.Config{Rack: "rack-b"})
	assert.Equal(t, int64(1), e.fetches[e.leader].Load(), "the leader was asked once, and named the replica")
	atReplica := e.fetches[e.replica].Load()
	assert.Positive(t, atReplica, "the records came from the replica")

	e.fill(t, 5, 5)
	assert.Equal(t, int64(1), e.fetches[e.leader].Load(), "still at the replica")
	assert.Greater(t, e.fetches[e.replica].Load(), atReplica)
	third := 3 - e.leader - e.replica
	assert.Zero(t, e.fetches[third].Load())
}

// TestFetchReplicaErrorBackToLeader: an error from the replica sends the
// partition back to its leader, which is asked before the error is acted
// on: OFFSET_OUT_OF_RANGE from a replica does not reset the position (a
// reset to the earliest offset would hand offsets 0-9 out again).
func TestFetchReplicaErrorBackToLeader(t *testing.T) {
	t.Parallel()
	for _, code := range []int16{1, 6, 9, 74} {
		t.Run(kafka.Error(code).Name(), func(t *testing.T) {
			e := newReplicaEnv(t, "replica-err", kafka.Config{})
			atLeader := e.fetches[e.leader].Load()
			inj := e.cl.InjectFault(kafkatest.Fault{APIs: []int16{1}, Brokers: []int32{e.replica}, Topic: e.topic, Partitions: []int32{0}, Code: code})
			e.fill(t, 5, 5)
			require.NoError(t, inj.Wait(testCtx(t), 1))
			require.Eventually(t, func() bool { return e.fetches[e.leader].Load() > atLeader }, 20*time.Second, 5*time.Millisecond,
				"back to the leader")
			e.fill(t, 10, 5)
			atReplica := e.fetches[e.replica].Load()
			e.fill(t, 15, 2)
			assert.Equal(t, atReplica, e.fetches[e.replica].Load(), "the replica is left")
			assert.Equal(t, map[int32]int64{0: 17}, e.sc.HeldOffsets())
		})
	}
}

// TestFetchReplicaExpires: like Java, the consumer goes back to the leader
// after MetadataMaxAge, so that the leader can choose again; here it
// chooses the leader itself (it names no replica).
func TestFetchReplicaExpires(t *testing.T) {
	t.Parallel()
	e := newReplicaEnv(t, "replica-age", kafka.Config{MetadataMaxAge: 300 * time.Millisecond})
	require.Eventually(t, func() bool { return e.fetches[e.leader].Load() > 1 }, 20*time.Second, 5*time.Millisecond,
		"back to the leader")
	e.fill(t, 5, 5)
	atReplica := e.fetches[e.replica].Load()
	e.fill(t, 10, 2)
	assert.Equal(t, atReplica, e.fetches[e.replica].Load(), "the replica is left")
}

// TestFetchReplicaGoneBackToLeader: a replica that leaves the cluster
// sends its partitions back to the leader (which kfake may move when a
// broker leaves), with nothing lost or repeated and no error returned.
func TestFetchReplicaGoneBackToLeader(t *testing.T) {
	t.Parallel()
	e := newReplicaEnv(t, "replica-gone", kafka.Config{})
	require.NoError(t, e.cl.RemoveBroker(e.replica))
	leader, err := e.cl.Leader(e.topic, 0)
	require.NoError(t, err)
	require.NotEqual(t, e.replica, leader)
	atLeader := e.fetches[leader].Load()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for e.fetches[leader].Load() == atLeader {
		// Consume returns no error meanwhile, only timeouts.
		_, err := e.sc.Consume(ctx)
		require.ErrorIs(t, err, kafka.ErrConsumerTimeout)
	}
	e.fill(t, 5, 5)
}
