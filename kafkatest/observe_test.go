package kafkatest_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/gokafka/kafka/kafkatest"
)

// requestLog keeps the requests an observer saw.
type requestLog struct {
	mu   sync.Mutex
	reqs []kafkatest.Request
}

func (l *requestLog) add(r kafkatest.Request) {
	l.mu.Lock()
	l.reqs = append(l.reqs, r)
	l.mu.Unlock()
}

func (l *requestLog) get() []kafkatest.Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.reqs)
}

// TestObserve: Observe shows each request of its API with the broker that
// got it and the topics and partitions it names, by name even where the
// client sends topic IDs; stopping it stops the calls.
func TestObserve(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Topic("a", 3), kafkatest.Topic("b", 1))
	cl := newClient(t, c.Addrs(), kgo.ManualFlushing(), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ConsumeTopics("a"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	ctx := ctxFor(t, 10*time.Second)
	// One broker leads partitions of both topics.
	shared, err := c.Leader("a", 0)
	require.NoError(t, err)
	require.NoError(t, c.MoveLeader("b", 0, shared))
	records := func(v string) []*kgo.Record {
		rs := []*kgo.Record{{Topic: "b", Partition: 0, Value: []byte(v)}}
		for p := range int32(3) {
			rs = append(rs, &kgo.Record{Topic: "a", Partition: p, Value: []byte(v)})
		}
		return rs
	}
	// The client learns the topics and its producer ID first, so that the
	// flush below finds every batch ready at once.
	for _, r := range records("warm-up") {
		cl.Produce(ctx, r, nil)
	}
	require.NoError(t, cl.Flush(ctx))

	var produces, metas, any requestLog
	stopProduce := c.Observe(keyProduce, produces.add)
	c.Observe(keyMetadata, metas.add)
	stopAny := c.Observe(kafkatest.AnyAPI, any.add)
	before := c.Requests(keyProduce)
	for _, r := range records("observed") {
		cl.Produce(ctx, r, nil)
	}
	require.NoError(t, cl.Flush(ctx))
	got := produces.get()
	require.Len(t, got, c.Requests(keyProduce)-before, "one call per Produce request")
	// Each broker got one request with the partitions it leads: the
	// shared one with both topics.
	seen := map[string][]int32{}
	for _, r := range got {
		assert.Equal(t, keyProduce, r.API)
		assert.Positive(t, r.Version)
		for topic, ps := range r.Topics {
			for _, p := range ps {
				leader, err := c.Leader(topic, p)
				require.NoError(t, err)
				assert.Equal(t, leader, r.Broker, "%s/%d sent to its leader", topic, p)
			}
			seen[topic] = append(seen[topic], ps...)
		}
	}
	for _, ps := range seen {
		slices.Sort(ps)
	}
	assert.Equal(t, map[string][]int32{"a": {0, 1, 2}, "b": {0}}, seen)
	var both int
	for _, r := range got {
		if r.Broker == shared {
			both++
			assert.Len(t, r.Topics, 2, "the request to broker %d carries both topics: %v", r.Broker, r.Topics)
		}
	}
	assert.Equal(t, 1, both, "one request to broker %d", shared)

	// Fetch and Metadata requests name their topics too (Fetch by ID
	// from version 13); AnyAPI sees every request.
	stopProduce()
	consume(t, cl, 6) // the warm-up and observed records of "a"
	var fetched bool
	for _, r := range any.get() {
		if r.API == keyFetch && len(r.Topics["a"]) > 0 {
			fetched = true
		}
	}
	assert.True(t, fetched, "a Fetch for topic a was seen")
	assert.GreaterOrEqual(t, len(any.get()), len(got)+1)
	m := metadata(t, cl, "b")
	require.Len(t, m.Topics, 1)
	last := metas.get()[len(metas.get())-1]
	assert.Contains(t, last.Topics, "b")
	assert.Nil(t, last.Topics["b"], "Metadata names whole topics")
	assert.Len(t, produces.get(), len(got), "no call after stop")
	stopAny()
	stopAny() // twice is harmless
	n := len(any.get())
	metadata(t, cl, "a")
	assert.Len(t, any.get(), n, "no call after stop")
}

// TestObserveFetchSession: a Fetch request shows its fetch session: the
// first of a connection asks for a new one (ID 0, epoch 0), the next ones
// are incremental in the session the broker made (its ID, epochs 1, 2,
// ...); other requests show none.
func TestObserveFetchSession(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.NumBrokers(1), kafkatest.Topic("s", 1))
	var fetches, others requestLog
	c.Observe(keyFetch, fetches.add)
	c.Observe(keyMetadata, others.add)
	cl := newClient(t, c.Addrs(), kgo.ConsumeTopics("s"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(100*time.Millisecond))
	for i := range 3 {
		produce(t, cl, "s", fmt.Sprint(i))
		consume(t, cl, 1)
	}
	got := fetches.get()
	require.GreaterOrEqual(t, len(got), 3)
	assert.Equal(t, [2]int32{0, 0}, [2]int32{got[0].SessionID, got[0].SessionEpoch}, "the first fetch starts a session")
	id := got[1].SessionID
	assert.NotZero(t, id, "the broker made a session")
	for i, r := range got[1:] {
		assert.Equal(t, id, r.SessionID, "fetch %d in the same session", i+1)
		assert.Equal(t, int32(i+1), r.SessionEpoch, "fetch %d's epoch", i+1)
	}
	for _, r := range others.get() {
		assert.Zero(t, r.SessionID)
		assert.Zero(t, r.SessionEpoch)
	}
}

// TestConnections: Connections counts each broker's open client
// connections, and a closed client's drop out.
func TestConnections(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Topic("conns", 3))
	assert.Equal(t, map[int32]int{0: 0, 1: 0, 2: 0}, c.Connections())
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...))
	require.NoError(t, err)
	defer cl.Close()
	// A request to each broker opens a connection to it.
	for _, id := range c.BrokerIDs() {
		_, err := cl.Broker(int(id)).Request(ctxFor(t, 10*time.Second), kmsg.NewPtrMetadataRequest())
		require.NoError(t, err)
	}
	for id, n := range c.Connections() {
		assert.GreaterOrEqual(t, n, 1, "broker %d", id)
	}
	cl.Close()
	require.Eventually(t, func() bool {
		for _, n := range c.Connections() {
			if n != 0 {
				return false
			}
		}
		return true
	}, 5*time.Second, 10*time.Millisecond, "connections left after Close: %v", c.Connections())
}
