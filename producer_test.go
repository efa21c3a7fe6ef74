package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

func newProducer(t *testing.T, c *kafka.Client, topic string, cfg kafka.ProducerConfig) *kafka.Producer {
	t.Helper()
	tp, err := c.Topic(testCtx(t), topic)
	require.NoError(t, err)
	p, err := tp.Producer(testCtx(t), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}

// readAll reads every record of topic with franz-go, the independent
// consumer, until it has n.
func readAll(t *testing.T, addrs []string, topic string, n int) []*kgo.Record {
	t.Helper()
	return readTopics(t, addrs, []string{topic}, n)
}

// readTopics reads every record of the topics until it has n in all.
func readTopics(t *testing.T, addrs []string, topics []string, n int) []*kgo.Record {
	t.Helper()
	k, err := kgo.NewClient(kgoOpts(addrs, kgo.ConsumeTopics(topics...), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
	require.NoError(t, err)
	defer k.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		fs := k.PollFetches(ctx)
		require.NoError(t, ctx.Err(), "read %d of %d records", len(out), n)
		fs.EachError(func(_ string, _ int32, err error) { require.NoError(t, err) })
		out = append(out, fs.Records()...)
	}
	// Anything more would be a duplicate: give it a moment to show up.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel2()
	out = append(out, k.PollFetches(ctx2).Records()...)
	return out
}

func TestProduceSync(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("sync", 3)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	p := newProducer(t, c, name, kafka.ProducerConfig{})
	next := map[int32]int64{}
	for i := range 20 {
		msg, err := p.ProduceSync(testCtx(t), kafka.Message{Key: []byte(fmt.Sprint("k", i%4)), Value: []byte(fmt.Sprint(i))})
		require.NoError(t, err)
		require.Equal(t, name, msg.Topic)
		require.Equal(t, next[msg.Partition], msg.Offset, "consecutive offsets per partition")
		next[msg.Partition]++
	}
	recs := readAll(t, b.Addrs(), name, 20)
	require.Len(t, recs, 20)
}

// produceN produces n messages numbered 0..n-1 with keys, headers and
// timestamps, and checks the delivery reports: exactly one per message.
func produceN(t *testing.T, p *kafka.Producer, n int, base time.Time) map[string]kafka.Message {
	t.Helper()
	stored := make(map[string]kafka.Message, n)
	done := make(chan error, 1)
	go func() {
		for r := range p.DeliveryReports() {
			if r.Err != nil {
				done <- fmt.Errorf("message %s: %w", r.Message.Value, r.Err)
				return
			}
			v := string(r.Message.Value)
			if _, dup := stored[v]; dup {
				done <- fmt.Errorf("two reports for %s", v)
				return
			}
			stored[v] = r.Message
			if len(stored) == n {
				done <- nil
				return
			}
		}
		done <- fmt.Errorf("reports channel closed after %d of %d", len(stored), n)
	}()
	for i := range n {
		err := p.Produce(testCtx(t), kafka.Message{
			Key:       []byte(fmt.Sprintf("key-%d", i%97)),
			Value:     []byte(fmt.Sprintf("%08d", i)),
			Headers:   []kafka.Header{{Key: "i", Value: []byte(fmt.Sprint(i))}},
			Timestamp: base.Add(time.Duration(i) * time.Millisecond),
		})
		require.NoError(t, err)
	}
	require.NoError(t, p.Flush(testCtx(t)))
	require.NoError(t, <-done)
	return stored
}

// checkStored reads the topic back with franz-go and compares it with the
// reports: every message once, in order per partition, intact.
func checkStored(t *testing.T, addrs []string, topic string, stored map[string]kafka.Message, base time.Time) {
	t.Helper()
	checkRecords(t, readAll(t, addrs, topic, len(stored)), stored, base)
}

// checkRecords compares records read back with the reports. It checks
// without require in the loop, which costs much under -race.
func checkRecords(t *testing.T, recs []*kgo.Record, stored map[string]kafka.Message, base time.Time) {
	t.Helper()
	require.Len(t, recs, len(stored), "no loss, no duplicates")
	last := map[int32]int{}
	for _, r := range recs {
		m, ok := stored[string(r.Value)]
		if !ok {
			t.Fatalf("record %s was not reported", r.Value)
		}
		if m.Partition != r.Partition || m.Offset != r.Offset {
			t.Fatalf("record %s at %d/%d, reported at %d/%d", r.Value, r.Partition, r.Offset, m.Partition, m.Offset)
		}
		var i int
		fmt.Sscanf(string(r.Value), "%d", &i)
		if want := fmt.Sprintf("key-%d", i%97); string(r.Key) != want {
			t.Fatalf("record %s: key %q, want %q", r.Value, r.Key, want)
		}
		if len(r.Headers) != 1 || r.Headers[0].Key != "i" || string(r.Headers[0].Value) != fmt.Sprint(i) {
			t.Fatalf("record %s: headers %v", r.Value, r.Headers)
		}
		if want := base.Add(time.Duration(i) * time.Millisecond).UnixMilli(); r.Timestamp.UnixMilli() != want {
			t.Fatalf("record %s: timestamp %d, want %d", r.Value, r.Timestamp.UnixMilli(), want)
		}
		if prev, ok := last[r.Partition]; ok && i <= prev {
			t.Fatalf("partition %d: %d after %d, out of order", r.Partition, i, prev)
		}
		last[r.Partition] = i
	}
}

// TestProduceEveryCodec writes through each codec and reads back with
// franz-go: every message once, in order, intact. Small batches make many
// full batches per partition from a few thousand messages, which proves
// what 100,000 messages in 1 MiB batches did, in a tenth of the time;
// GOKAFKA_LONG=1 runs the large version.
func TestProduceEveryCodec(t *testing.T) {
	t.Parallel()
	n, batchBytes := 1_000, 2<<10
	if os.Getenv("GOKAFKA_LONG") != "" {
		n, batchBytes = 100_000, 0
	}
	codecs := []kafka.Compression{kafka.CompressionNone, kafka.CompressionGzip, kafka.CompressionSnappy, kafka.CompressionLZ4, kafka.CompressionZstd}
	b := kafkatest.NewBackend(t)
	var topics []string
	for _, codec := range codecs {
		topics = append(topics, b.NewTopic("codec-"+codec.String(), 6))
	}
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	base := time.UnixMilli(time.Now().Add(-time.Hour).UnixMilli())
	stored := make([]map[string]kafka.Message, len(codecs))
	for i, codec := range codecs {
		p := newProducer(t, c, topics[i], kafka.ProducerConfig{Compression: codec, DeliveryReports: true, BatchBytes: batchBytes})
		stored[i] = produceN(t, p, n, base)
	}
	// One reader for all, so that its wait for stray duplicates is paid once.
	byTopic := map[string][]*kgo.Record{}
	for _, r := range readTopics(t, b.Addrs(), topics, n*len(codecs)) {
		byTopic[r.Topic] = append(byTopic[r.Topic], r)
	}
	for i, codec := range codecs {
		t.Run(codec.String(), func(t *testing.T) {
			checkRecords(t, byTopic[topics[i]], stored[i], base)
		})
	}
}

// TestProduceThroughFaults injects retriable errors, dropped connections
// and a leader move while 50k messages are produced: the idempotent
// producer must deliver each exactly once, in order, with correct reports.
func TestProduceThroughFaults(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "injects faults and moves leaders", kafkatest.Topic("faults", 6))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
	p := newProducer(t, c, "faults", kafka.ProducerConfig{DeliveryReports: true, Linger: time.Millisecond})
	const n = 50_000
	base := time.UnixMilli(time.Now().Add(-time.Hour).UnixMilli())

	// Each fault once the previous one was hit, so that they fall while
	// messages flow, whatever the machine's speed.
	injections := make(chan []*kafkatest.Injection, 1)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	go func() {
		var inj []*kafkatest.Injection
		defer func() { injections <- inj }()
		for _, install := range []func() *kafkatest.Injection{
			func() *kafkatest.Injection {
				return cl.InjectError(protocol.KeyProduce, int16(protocol.NotLeaderOrFollower), 3)
			},
			func() *kafkatest.Injection {
				return cl.InjectError(protocol.KeyProduce, int16(protocol.RequestTimedOut), 3)
			},
			func() *kafkatest.Injection { return cl.DropConnection(protocol.KeyProduce, 2) },
		} {
			inj = append(inj, install())
			if inj[len(inj)-1].Wait(ctx, 1) != nil {
				return
			}
		}
		leader, _ := cl.Leader("faults", 0)
		cl.MoveLeader("faults", 0, (leader+1)%3)
	}()
	stored := produceN(t, p, n, base)
	cancel()
	for _, inj := range <-injections {
		require.Positive(t, inj.Hits(), "each fault was hit")
	}
	checkStored(t, cl.Addrs(), "faults", stored, base)
}

func TestMessageOverMaxRequestSize(t *testing.T) {
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("big", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	p := newProducer(t, c, name, kafka.ProducerConfig{DeliveryReports: true, MaxRequestSize: 10_000})
	require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: []byte("before")}))
	require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: make([]byte, 20_000)}))
	require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: []byte("after")}))
	require.NoError(t, p.Flush(testCtx(t)))
	var ok []string
	for range 3 {
		r := <-p.DeliveryReports()
		if len(r.Message.Value) == 20_000 {
			require.ErrorIs(t, r.Err, kafka.ErrMessageTooLarge)
			require.False(t, kafka.IsRetriable(r.Err))
			continue
		}
		require.NoError(t, r.Err)
		ok = append(ok, string(r.Message.Value))
	}
	require.ElementsMatch(t, []string{"before", "after"}, ok)
	_, err := p.ProduceSync(testCtx(t), kafka.Message{Value: make([]byte, 20_000)})
	require.ErrorIs(t, err, kafka.ErrMessageTooLarge)
}

func TestQueueFull(t *testing.T) {
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("full", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	// A long linger keeps the two messages queued.
	failing := newProducer(t, c, name, kafka.ProducerConfig{MaxQueuedMessages: 2, FailOnQueueFull: true, Linger: time.Hour})
	require.NoError(t, failing.Produce(testCtx(t), kafka.Message{Value: []byte("1")}))
	require.NoError(t, failing.Produce(testCtx(t), kafka.Message{Value: []byte("2")}))
	require.ErrorIs(t, failing.Produce(testCtx(t), kafka.Message{Value: []byte("3")}), kafka.ErrProducerQueueFull)
	require.NoError(t, failing.Flush(testCtx(t)))
	require.NoError(t, failing.Produce(testCtx(t), kafka.Message{Value: []byte("3")}), "room again after the flush")

	blocking := newProducer(t, c, name, kafka.ProducerConfig{MaxQueuedMessages: 1, Linger: time.Hour})
	require.NoError(t, blocking.Produce(testCtx(t), kafka.Message{Value: []byte("1")}))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, blocking.Produce(ctx, kafka.Message{Value: []byte("2")}), context.DeadlineExceeded, "blocks within ctx")
	unblocked := make(chan error)
	go func() { unblocked <- blocking.Produce(testCtx(t), kafka.Message{Value: []byte("2")}) }()
	require.NoError(t, blocking.Flush(testCtx(t)))
	require.NoError(t, <-unblocked, "room made by a delivery lets the blocked Produce in")
}

func TestCloseWithDeadBrokerReportsEverything(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "drops connections", kafkatest.Topic("dead", 2))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RequestTimeout: time.Second})
	p := newProducer(t, c, "dead", kafka.ProducerConfig{DeliveryReports: true, PendingTimeout: 500 * time.Millisecond})
	cl.DropConnection(protocol.KeyProduce, kafkatest.Always)
	const n = 1000
	for i := range n {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: []byte(fmt.Sprint(i))}))
	}
	start := time.Now()
	err := p.Close()
	require.ErrorIs(t, err, kafka.ErrProducerStopped)
	require.Less(t, time.Since(start), 15*time.Second, "Close keeps to PendingTimeout, not DeliveryTimeout (2 minutes)")
	failed, withCause := 0, 0
	for r := range p.DeliveryReports() {
		require.ErrorIs(t, r.Err, kafka.ErrProducerStopped)
		if errors.Is(r.Err, kafka.ErrSocketDisconnected) {
			withCause++ // sent and lost: the cause is kept
		}
		failed++
	}
	require.Equal(t, n, failed, "every pending message is reported")
	require.Positive(t, withCause)
	require.ErrorIs(t, p.Produce(testCtx(t), kafka.Message{}), kafka.ErrProducerStopped)
	require.NoError(t, p.Close() /* twice */, "closing twice")
}

// TestRetryOfWrittenBatchIsNotDuplicated: a produce request the broker
// writes but answers too late is retried; idempotence must make the broker
// drop the second copy.
func TestRetryOfWrittenBatchIsNotDuplicated(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "delays requests", kafkatest.Topic("late", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RequestTimeout: 300 * time.Millisecond})
	p := newProducer(t, c, "late", kafka.ProducerConfig{AckTimeout: 100 * time.Millisecond})
	delay := cl.Delay(protocol.KeyProduce, time.Second, 1)
	msg, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("once")})
	require.NoError(t, err)
	require.Equal(t, 1, delay.Hits())
	require.Equal(t, int64(0), msg.Offset)
	recs := readAll(t, cl.Addrs(), "late", 1)
	require.Len(t, recs, 1, "written once")

	// The same without idempotence duplicates: the test can tell.
	plain := newProducer(t, c, "late", kafka.ProducerConfig{AckTimeout: 100 * time.Millisecond, DisableIdempotence: true})
	cl.Delay(protocol.KeyProduce, time.Second, 1)
	_, err = plain.ProduceSync(testCtx(t), kafka.Message{Value: []byte("twice")})
	require.NoError(t, err)
	recs = readAll(t, cl.Addrs(), "late", 3)
	require.Len(t, recs, 3)
}

// batchLog counts the producer's and fetcher's batch events.
type batchLog struct {
	mu       sync.Mutex
	produced int
	retries  int
	failed   int
	fetched  int
	changed  chan struct{} // signalled after every fetch event
}

// waitFetched waits until fetch events have counted n messages: the hook
// may run after the messages are already consumed.
func (l *batchLog) waitFetched(t *testing.T, n int) {
	t.Helper()
	ctx := testCtx(t)
	for {
		l.mu.Lock()
		fetched := l.fetched
		l.mu.Unlock()
		if fetched >= n {
			return
		}
		select {
		case <-l.changed:
		case <-ctx.Done():
			t.Fatalf("fetch hook counted %d messages, want %d", fetched, n)
		}
	}
}

func (l *batchLog) OnProduceBatch(e kafka.ProduceBatchEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.Err != nil {
		l.failed += e.Messages
		return
	}
	l.produced += e.Messages
	l.retries += e.Retries
}

func (l *batchLog) OnFetchBatch(e kafka.FetchBatchEvent) {
	l.mu.Lock()
	l.fetched += e.Messages
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

func TestBatchHooks(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "injects errors", kafkatest.Topic("hooked", 3))
	log := &batchLog{changed: make(chan struct{}, 1)}
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), Hooks: []kafka.Hook{log}, RetryBackoff: 10 * time.Millisecond})
	p := newProducer(t, c, "hooked", kafka.ProducerConfig{})
	cl.InjectError(protocol.KeyProduce, int16(protocol.NotLeaderOrFollower), 2)
	for i := range 100 {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Key: []byte(fmt.Sprint(i)), Value: []byte("v")}))
	}
	require.NoError(t, p.Flush(testCtx(t)))
	topic, err := c.Topic(testCtx(t), "hooked")
	require.NoError(t, err)
	sc, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{})
	require.NoError(t, err)
	defer sc.Close()
	for range 100 {
		_, err := sc.Consume(testCtx(t))
		require.NoError(t, err)
	}
	log.waitFetched(t, 100)
	log.mu.Lock()
	defer log.mu.Unlock()
	require.Equal(t, 100, log.produced)
	require.Zero(t, log.failed)
	require.GreaterOrEqual(t, log.retries, 1, "the injected errors were retried")
	require.Equal(t, 100, log.fetched)
}

// TestFailedBatchDoesNotPoisonTheSequence: after an idempotent batch fails
// for good, its sequence numbers leave a gap; the producer must renew its
// epoch so the next messages are not refused as out of order.
func TestFailedBatchDoesNotPoisonTheSequence(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "injects errors", kafkatest.Topic("gap", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	p := newProducer(t, c, "gap", kafka.ProducerConfig{MaxRetries: 1, RetryBackoff: time.Millisecond})
	_, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("0")})
	require.NoError(t, err)
	cl.InjectError(protocol.KeyProduce, int16(protocol.NotEnoughReplicas), 2)
	_, err = p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("lost")})
	require.ErrorIs(t, err, kafka.ErrNotEnoughReplicas)
	for i := range 3 {
		msg, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte(fmt.Sprint(i))})
		require.NoError(t, err, "message %d after the failed batch", i)
		require.Equal(t, int64(i+1), msg.Offset)
	}

	// A broker that forgot the producer is answered with a new epoch,
	// without using up a retry.
	inj := cl.InjectError(protocol.KeyProduce, int16(protocol.UnknownProducerID), 1)
	msg, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("after reset")})
	require.NoError(t, err)
	require.Equal(t, 1, inj.Hits())
	require.Equal(t, int64(4), msg.Offset)
}

// TestProducerRetryBackoff: the producer's RetryBackoff, not the client's,
// spaces a batch's attempts (equal jitter: at least half of it).
func TestProducerRetryBackoff(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "injects errors", kafkatest.Topic("slow", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: time.Millisecond})
	p := newProducer(t, c, "slow", kafka.ProducerConfig{RetryBackoff: 400 * time.Millisecond})
	_, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("warm-up")})
	require.NoError(t, err)
	inj := cl.InjectError(protocol.KeyProduce, int16(protocol.NotLeaderOrFollower), 1)
	start := time.Now()
	_, err = p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("retried")})
	require.NoError(t, err)
	require.Equal(t, 1, inj.Hits())
	require.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)
}

// callbackPartitioner calls back into the producer from BatchClosed, as an
// application's partitioner may: possible only if the producer holds none
// of its locks when it calls BatchClosed.
type callbackPartitioner struct {
	p    chan *kafka.Producer // the producer, once made
	once sync.Once
	done chan error
}

func (c *callbackPartitioner) Partition(kafka.Message, int) (int32, error) { return 0, nil }

func (c *callbackPartitioner) BatchClosed(int32) {
	c.once.Do(func() {
		p := <-c.p
		c.done <- p.Produce(context.Background(), kafka.Message{Value: []byte("from BatchClosed")})
	})
}

func TestBatchClosedCalledWithoutLocks(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("callback", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	part := &callbackPartitioner{p: make(chan *kafka.Producer, 1), done: make(chan error, 1)}
	p := newProducer(t, c, name, kafka.ProducerConfig{Partitioner: part})
	part.p <- p
	_, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("first")})
	require.NoError(t, err)
	select {
	case err := <-part.done:
		require.NoError(t, err)
	case <-testCtx(t).Done():
		t.Fatal("BatchClosed's Produce did not return: called under the producer's locks")
	}
	require.NoError(t, p.Flush(testCtx(t)))
	require.Len(t, readAll(t, b.Addrs(), name, 2), 2)
}
