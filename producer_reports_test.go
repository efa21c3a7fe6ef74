package kafka_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// TestFlushReturnsEveryFailure: with reports off, Flush returns every
// failure since the last one, one error per partition and cause with its
// count, and errors.Is finds each cause.
func TestFlushReturnsEveryFailure(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "injects faults", kafkatest.Topic("fails", 3))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	p := newProducer(t, c, "fails", kafka.ProducerConfig{Partitioner: kafka.NewManualPartitioner(), MaxRequestSize: 10_000})
	refuse := cl.InjectFault(kafkatest.Fault{APIs: []int16{protocol.KeyProduce}, Topic: "fails", Partitions: []int32{1},
		Code: int16(protocol.InvalidRecord), Times: kafkatest.Always})
	defer refuse.Remove()
	produce := func(part int32, size, n int) {
		for range n {
			require.NoError(t, p.Produce(testCtx(t), kafka.Message{Partition: part, Value: make([]byte, size)}))
		}
	}
	produce(0, 10, 5)     // delivered
	produce(0, 20_000, 3) // too large
	produce(1, 10, 7)     // refused by the broker
	produce(2, 20_000, 2) // too large
	err := p.Flush(testCtx(t))
	require.ErrorIs(t, err, kafka.ErrMessageTooLarge)
	require.ErrorIs(t, err, kafka.ErrInvalidRecord)
	var failures []*kafka.DeliveryError
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var de *kafka.DeliveryError
		require.ErrorAs(t, e, &de)
		failures = append(failures, de)
	}
	require.Len(t, failures, 3, "one per partition and cause: %v", err)
	byPart := map[int32]*kafka.DeliveryError{}
	for _, de := range failures {
		require.Equal(t, "fails", de.Topic)
		byPart[de.Partition] = de
	}
	require.Equal(t, 3, byPart[0].Messages)
	require.ErrorIs(t, byPart[0], kafka.ErrMessageTooLarge)
	require.Equal(t, 7, byPart[1].Messages)
	require.ErrorIs(t, byPart[1], kafka.ErrInvalidRecord)
	require.Equal(t, 2, byPart[2].Messages)
	require.Contains(t, err.Error(), "topic fails partition 1: 7 messages: kafka: INVALID_RECORD")
	var op *kafka.OpError
	require.ErrorAs(t, err, &op, "the first message's error is kept")

	require.NoError(t, p.Flush(testCtx(t)), "failures are returned once")
	produce(1, 10, 1)
	err = p.Close()
	require.ErrorIs(t, err, kafka.ErrInvalidRecord, "Close returns them too")
	require.Contains(t, err.Error(), "partition 1: 1 message: ")
}

// TestDeliveryReportsCostNothingUntilUsed: a producer with delivery
// reports on does not allocate a channel as large as its queue (14 MB at
// the defaults), and still delivers every report, also those that
// arrive after Close.
func TestDeliveryReportsCostNothingUntilUsed(t *testing.T) {
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("cheap", 2)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	tp, err := c.Topic(testCtx(t), name)
	require.NoError(t, err)

	const producers = 10
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range producers {
		p, err := tp.Producer(testCtx(t), kafka.ProducerConfig{DeliveryReports: true, DisableIdempotence: true})
		require.NoError(t, err)
		require.NoError(t, p.Close())
	}
	runtime.ReadMemStats(&after)
	perProducer := (after.TotalAlloc - before.TotalAlloc) / producers
	t.Logf("%d bytes allocated per producer", perProducer)
	require.Less(t, perProducer, uint64(1<<20), "bytes allocated by making a producer with reports on")

	// Reports still all arrive, in order per partition, whether read
	// while producing or only after Close.
	p, err := tp.Producer(testCtx(t), kafka.ProducerConfig{DeliveryReports: true, MaxQueuedMessages: 500})
	require.NoError(t, err)
	const n = 5000
	got := make(chan error, 1)
	go func() {
		last := map[int32]int64{0: -1, 1: -1}
		i := 0
		for r := range p.DeliveryReports() {
			if r.Err != nil {
				got <- r.Err
				return
			}
			if r.Message.Offset != last[r.Message.Partition]+1 {
				got <- fmt.Errorf("report %d: offset %d after %d", i, r.Message.Offset, last[r.Message.Partition])
				return
			}
			last[r.Message.Partition] = r.Message.Offset
			i++
		}
		if i != n {
			got <- fmt.Errorf("%d reports, want %d", i, n)
			return
		}
		got <- nil
	}()
	for i := range n {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: []byte(fmt.Sprint(i))}))
	}
	require.NoError(t, p.Close())
	require.NoError(t, <-got)

	// Nobody reads until after Close: the reports wait, and all come.
	late, err := tp.Producer(testCtx(t), kafka.ProducerConfig{DeliveryReports: true})
	require.NoError(t, err)
	for i := range 1000 {
		require.NoError(t, late.Produce(testCtx(t), kafka.Message{Value: []byte(fmt.Sprint(i))}))
	}
	require.NoError(t, late.Close())
	count := 0
	for r := range late.DeliveryReports() {
		require.NoError(t, r.Err)
		count++
	}
	require.Equal(t, 1000, count)
}

// TestProduceRefusesAnotherTopic: a message naming another topic is
// refused with ErrTopicMismatch, not written to the producer's topic.
func TestProduceRefusesAnotherTopic(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	tMine := b.NewTopic("mine", 1)
	tTheirs := b.NewTopic("theirs", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	p := newProducer(t, c, tMine, kafka.ProducerConfig{})
	err := p.Produce(testCtx(t), kafka.Message{Topic: tTheirs, Value: []byte("x")})
	require.ErrorIs(t, err, kafka.ErrTopicMismatch)
	require.Contains(t, err.Error(), fmt.Sprintf("%q", tMine))
	_, err = p.ProduceSync(testCtx(t), kafka.Message{Topic: tTheirs, Value: []byte("x")})
	require.ErrorIs(t, err, kafka.ErrTopicMismatch)
	for _, topic := range []string{"", tMine} {
		msg, err := p.ProduceSync(testCtx(t), kafka.Message{Topic: topic, Value: []byte(topic)})
		require.NoError(t, err)
		require.Equal(t, tMine, msg.Topic)
	}
	recs := readAll(t, b.Addrs(), tMine, 2)
	require.Len(t, recs, 2, "only the two messages for this topic")
}

// TestNoRetries: MaxRetries NoRetries fails a batch at its first error,
// where the default retries it.
func TestNoRetries(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "injects errors", kafkatest.Topic("once", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: time.Millisecond})
	never := newProducer(t, c, "once", kafka.ProducerConfig{MaxRetries: kafka.NoRetries})
	_, err := never.ProduceSync(testCtx(t), kafka.Message{Value: []byte("warm-up")})
	require.NoError(t, err)
	inj := cl.InjectError(protocol.KeyProduce, int16(protocol.NotLeaderOrFollower), 1)
	_, err = never.ProduceSync(testCtx(t), kafka.Message{Value: []byte("not retried")})
	require.ErrorIs(t, err, kafka.ErrNotLeaderForPartition)
	require.True(t, kafka.IsRetriable(err), "retriable, yet not retried")
	require.Equal(t, 1, inj.Hits())
	msg, err := never.ProduceSync(testCtx(t), kafka.Message{Value: []byte("next")})
	require.NoError(t, err, "the failure left no sequence gap behind")
	require.Equal(t, int64(1), msg.Offset)

	retrying := newProducer(t, c, "once", kafka.ProducerConfig{RetryBackoff: time.Millisecond})
	inj = cl.InjectError(protocol.KeyProduce, int16(protocol.NotLeaderOrFollower), 1)
	_, err = retrying.ProduceSync(testCtx(t), kafka.Message{Value: []byte("retried")})
	require.NoError(t, err)
	require.Equal(t, 1, inj.Hits())
}

// TestProducerMadeWhileBrokersDown: making a producer needs no broker; its
// producer ID is fetched, with retries, before its first batch is sent.
func TestProducerMadeWhileBrokersDown(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "drops connections", kafkatest.Topic("later", 2))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RequestTimeout: 500 * time.Millisecond, RetryBackoff: 10 * time.Millisecond})
	tp, err := c.Topic(testCtx(t), "later")
	require.NoError(t, err)
	down := cl.DropConnection(kafkatest.AnyAPI, kafkatest.Always) // no broker answers anything
	p, err := tp.Producer(testCtx(t), kafka.ProducerConfig{DeliveryReports: true, RetryBackoff: 10 * time.Millisecond})
	require.NoError(t, err, "made while no broker answers")
	defer p.Close()
	for i := range 10 {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: []byte(fmt.Sprint(i))}))
	}
	// The producer tried, and failed, to get its ID (and metadata).
	require.NoError(t, down.Wait(testCtx(t), 3))
	down.Remove()
	require.NoError(t, p.Flush(testCtx(t)))
	for range 10 {
		r := <-p.DeliveryReports()
		require.NoError(t, r.Err)
	}
	require.Len(t, readAll(t, cl.Addrs(), "later", 10), 10)
}

// TestReportsInStoredOrderAndFlushWaitsForThem: while the application's
// OnDelivery is still handling a partition's first report, the partition's
// next message is neither reported before it nor awaited by a Flush that
// returns early: a partition's reports come in the order its messages were
// stored, and Flush returns after every report it covers.
func TestReportsInStoredOrderAndFlushWaitsForThem(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("ordered", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	var (
		mu      sync.Mutex
		order   []string
		started = make(chan struct{})
		release = make(chan struct{})
	)
	p := newProducer(t, c, name, kafka.ProducerConfig{
		OnDelivery: func(r kafka.DeliveryReport) {
			if string(r.Message.Value) == "first" {
				close(started)
				<-release
			}
			mu.Lock()
			order = append(order, string(r.Message.Value))
			mu.Unlock()
		},
	})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock) // runs before the producer's Close, even after a failure
	require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: []byte("first")}))
	<-started
	require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: []byte("second")}))
	flushed := make(chan error, 1)
	go func() { flushed <- p.Flush(testCtx(t)) }()

	// Give the second message every chance to overtake the first: with
	// reports out of order it is reported, and Flush returns, well within
	// this time.
	select {
	case err := <-flushed:
		t.Fatalf("Flush returned (%v) while the first report was still being handled", err)
	case <-time.After(time.Second):
	}
	mu.Lock()
	require.Empty(t, order, "nothing is reported before the first report ends")
	mu.Unlock()

	unblock()
	require.NoError(t, <-flushed)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{"first", "second"}, order)
}

// TestExpiredBatchesAllReportFailure: when several batches of a partition
// pass DeliveryTimeout together, each message is reported failed. (The
// report of the first used to take the others along before they had their
// outcome, reporting them delivered.)
func TestExpiredBatchesAllReportFailure(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "fails every Produce", kafkatest.Topic("expiring", 1))
	inj := cl.InjectFault(kafkatest.Fault{APIs: []int16{protocol.KeyProduce}, Code: int16(protocol.NotLeaderOrFollower), Times: kafkatest.Always})
	defer inj.Remove()
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
	var mu sync.Mutex
	var delivered, failed int
	p := newProducer(t, c, "expiring", kafka.ProducerConfig{
		BatchBytes: 1_000, DeliveryTimeout: 500 * time.Millisecond, RetryBackoff: 10 * time.Millisecond,
		OnDelivery: func(r kafka.DeliveryReport) {
			mu.Lock()
			defer mu.Unlock()
			if r.Err == nil {
				delivered++
			} else {
				failed++
			}
		},
	})
	for range 20 {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: make([]byte, 400)}))
	}
	require.Error(t, p.Flush(testCtx(t)))
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 0, delivered, "messages reported delivered that no broker took")
	require.Equal(t, 20, failed)
}
