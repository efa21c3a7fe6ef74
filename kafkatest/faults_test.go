package kafkatest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/gokafka/kafka/kafkatest"
)

// Fault injection and leader moves.

func TestInjectErrorRetriedByClient(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Topic("retry", 1))
	cl := newClient(t, c.Addrs(),
		kgo.RetryBackoffFn(func(int) time.Duration { return 10 * time.Millisecond }),
		kgo.MetadataMinAge(10*time.Millisecond), // NOT_LEADER_OR_FOLLOWER makes kgo wait for fresh metadata
	)
	require.NoError(t, cl.Ping(ctxFor(t, 10*time.Second)))

	inj := c.InjectError(keyProduce, codeNotLeaderOrFollower, 2)
	before := c.Requests(keyProduce)
	produce(t, cl, "retry", "eventually")
	assert.Equal(t, 2, inj.Hits())
	assert.GreaterOrEqual(t, c.Requests(keyProduce)-before, 3, "two faulted Produce requests and the one that succeeded")
	require.NoError(t, inj.Wait(ctxFor(t, time.Second), 2))

	// Spent: the next Produce goes through the first time.
	before = c.Requests(keyProduce)
	produce(t, cl, "retry", "at once")
	assert.Equal(t, 1, c.Requests(keyProduce)-before)
	assert.Equal(t, 2, inj.Hits())
}

func TestInjectPartitionError(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Topic("parts", 2))
	cl := newClient(t, c.Addrs(),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.DisableIdempotentWrite(),
	)
	inj := c.InjectPartitionError(keyProduce, "parts", 0, codeInvalidRecord, kafkatest.Always)

	ctx := ctxFor(t, 10*time.Second)
	err := cl.ProduceSync(ctx, &kgo.Record{Topic: "parts", Partition: 0, Value: []byte("no")}).FirstErr()
	require.ErrorIs(t, err, kerr.InvalidRecord)
	r, err := cl.ProduceSync(ctx, &kgo.Record{Topic: "parts", Partition: 1, Value: []byte("yes")}).First()
	require.NoError(t, err)
	assert.Equal(t, int32(1), r.Partition)
	assert.Equal(t, 1, inj.Hits())

	inj.Remove()
	inj.Remove()
	require.NoError(t, cl.ProduceSync(ctx, &kgo.Record{Topic: "parts", Partition: 0, Value: []byte("now")}).FirstErr())
	assert.Equal(t, 1, inj.Hits())
}

func TestInjectFaultScoped(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Topic("a", 1), kafkatest.Topic("b", 1))
	cl := newClient(t, c.Addrs())
	require.NoError(t, cl.Ping(ctxFor(t, 10*time.Second)))

	inj := c.InjectFault(kafkatest.Fault{
		APIs:  []int16{keyMetadata},
		Topic: "a",
		Code:  codeUnknownTopicOrPartition,
		Times: 1,
	})
	topicErrs := func() map[string]int16 {
		errs := map[string]int16{}
		for _, rt := range metadata(t, cl, "a", "b").Topics {
			errs[*rt.Topic] = rt.ErrorCode
		}
		return errs
	}
	assert.Equal(t, map[string]int16{"a": codeUnknownTopicOrPartition, "b": 0}, topicErrs())
	assert.Equal(t, map[string]int16{"a": 0, "b": 0}, topicErrs())
	assert.Equal(t, 1, inj.Hits())

	// Broker-scoped faults leave the other brokers alone.
	inj = c.InjectFault(kafkatest.Fault{
		APIs:    []int16{keyAPIVersions},
		Brokers: []int32{1},
		Code:    7, // REQUEST_TIMED_OUT
		Times:   kafkatest.Always,
	})
	_, err := rawAPIVersions(c.Addrs()[0], nil)
	require.NoError(t, err)
	_, err = rawAPIVersions(c.Addrs()[1], nil)
	require.EqualError(t, err, "APIVersions: error code 7")
	_, err = rawAPIVersions(c.Addrs()[1], nil)
	require.Error(t, err)
	assert.GreaterOrEqual(t, inj.Hits(), 2) // kgo may open a connection to broker 1 meanwhile
	inj.Remove()
	_, err = rawAPIVersions(c.Addrs()[1], nil)
	require.NoError(t, err)

	// Group faults hit FindCoordinator for that group only.
	inj = c.InjectFault(kafkatest.Fault{
		APIs:  []int16{keyFindCoordinator},
		Group: "g1",
		Code:  15, // COORDINATOR_NOT_AVAILABLE
		Times: kafkatest.Always,
	})
	defer inj.Remove()
	req := kmsg.NewPtrFindCoordinatorRequest()
	req.CoordinatorKeys = []string{"g1", "g2"}
	seed := cl.SeedBrokers()[0]
	resp, err := seed.Request(ctxFor(t, 5*time.Second), req)
	require.NoError(t, err)
	codes := map[string]int16{}
	for _, co := range resp.(*kmsg.FindCoordinatorResponse).Coordinators {
		codes[co.Key] = co.ErrorCode
	}
	assert.Equal(t, map[string]int16{"g1": 15, "g2": 0}, codes)
}

func TestDropConnection(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.NumBrokers(1))
	cl := newClient(t, c.Addrs(), kgo.RequestRetries(0))
	seed := cl.SeedBrokers()[0]
	ctx := ctxFor(t, 10*time.Second)
	_, err := seed.Request(ctx, kmsg.NewPtrMetadataRequest())
	require.NoError(t, err)

	inj := c.DropConnection(keyMetadata, 1)
	before := c.Requests(keyMetadata)
	_, err = seed.Request(ctx, kmsg.NewPtrMetadataRequest())
	require.Error(t, err, "the dropped request fails")
	assert.Equal(t, 1, inj.Hits())
	assert.Equal(t, 1, c.Requests(keyMetadata)-before)

	// The client reconnects and a request is answered (with retries off,
	// the first may still go to the connection the drop closed).
	require.Eventually(t, func() bool {
		_, err := seed.Request(ctx, kmsg.NewPtrMetadataRequest())
		return err == nil
	}, 10*time.Second, 10*time.Millisecond, "a request gets through after the drop")
	assert.Equal(t, 1, inj.Hits())

	// Always drops until removed; a retrying client gets through after.
	inj = c.DropConnection(kafkatest.AnyAPI, kafkatest.Always)
	_, err = seed.Request(ctx, kmsg.NewPtrMetadataRequest())
	require.Error(t, err)
	inj.Remove()
	// The client may still hold the connection the last drop closed (it
	// learns so on its next write): with retries off, the first request
	// after Remove may die with it, a later one gets through.
	require.Eventually(t, func() bool {
		_, err := seed.Request(ctx, kmsg.NewPtrMetadataRequest())
		return err == nil
	}, 10*time.Second, 10*time.Millisecond, "a request gets through once the drop is removed")
}

func TestDelay(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.NumBrokers(1))
	cl := newClient(t, c.Addrs())
	seed := cl.SeedBrokers()[0]
	ctx := ctxFor(t, 10*time.Second)
	_, err := seed.Request(ctx, kmsg.NewPtrMetadataRequest())
	require.NoError(t, err)

	const d = 300 * time.Millisecond
	inj := c.Delay(keyMetadata, d, 1)
	start := time.Now()
	_, err = seed.Request(ctx, kmsg.NewPtrMetadataRequest())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), d)
	assert.Equal(t, 1, inj.Hits())

	// A long delay ends when the cluster closes, and Close does not wait
	// for it.
	c2, err := kafkatest.NewCluster(kafkatest.NumBrokers(1))
	require.NoError(t, err)
	defer c2.Close()
	cl2 := newClient(t, c2.Addrs(), kgo.RequestRetries(0))
	inj = c2.Delay(keyMetadata, time.Hour, kafkatest.Always)
	done := make(chan error, 1)
	go func() {
		_, err := cl2.SeedBrokers()[0].Request(ctx, kmsg.NewPtrMetadataRequest())
		done <- err
	}()
	require.NoError(t, inj.Wait(ctxFor(t, 5*time.Second), 1))
	start = time.Now()
	c2.Close()
	// The delay is an hour: anything far below it proves Close did not
	// wait, and a generous bound holds on a loaded machine.
	assert.Less(t, time.Since(start), 30*time.Second)
	// The request ends: usually with an error, but a broker whose delay
	// ended with the Close may still get its answer out first.
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("delayed request still pending after Close")
	}
}

func TestRequestsCountsBatches(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Topic("batch", 1))
	cl := newClient(t, c.Addrs(), kgo.ProducerLinger(250*time.Millisecond))
	require.NoError(t, cl.Ping(ctxFor(t, 10*time.Second)))

	before, total := c.Requests(keyProduce), c.Requests(kafkatest.AnyAPI)
	var vs []string
	for i := range 100 {
		vs = append(vs, fmt.Sprint(i))
	}
	produce(t, cl, "batch", vs...)
	n := c.Requests(keyProduce) - before
	assert.GreaterOrEqual(t, n, 1)
	assert.LessOrEqual(t, n, 3, "100 records lingered into few Produce requests")
	assert.GreaterOrEqual(t, c.Requests(kafkatest.AnyAPI)-total, n)
	assert.Zero(t, c.Requests(999))
}

func TestMoveLeader(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Topic("moving", 1))
	cl := newClient(t, c.Addrs())

	old, err := c.Leader("moving", 0)
	require.NoError(t, err)
	before := partitionMeta(t, metadata(t, cl, "moving"), "moving", 0)
	assert.Equal(t, old, before.Leader)

	target := (old + 1) % 3
	require.NoError(t, c.MoveLeader("moving", 0, target))
	now, err := c.Leader("moving", 0)
	require.NoError(t, err)
	assert.Equal(t, target, now)
	after := partitionMeta(t, metadata(t, cl, "moving"), "moving", 0)
	assert.Equal(t, target, after.Leader)
	assert.Greater(t, after.LeaderEpoch, before.LeaderEpoch)

	// A producer follows the move.
	produce(t, cl, "moving", "after move")

	assert.Error(t, c.MoveLeader("moving", 0, 42))
	assert.Error(t, c.MoveLeader("nope", 0, 1))
	_, err = c.Leader("nope", 0)
	var ke *kafkatest.KafkaError
	require.ErrorAs(t, err, &ke)
	assert.Equal(t, codeUnknownTopicOrPartition, ke.Code)
}

func TestShuffleLeaders(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Topic("many", 8))
	cl := newClient(t, c.Addrs())
	epochs := func() map[int32]int32 {
		m := map[int32]int32{}
		for p := range int32(8) {
			m[p] = partitionMeta(t, metadata(t, cl, "many"), "many", p).LeaderEpoch
		}
		return m
	}
	before := epochs()
	require.NoError(t, c.ShuffleLeaders())
	after := epochs()
	for p := range int32(8) {
		assert.Greater(t, after[p], before[p], "partition %d", p)
	}
}
