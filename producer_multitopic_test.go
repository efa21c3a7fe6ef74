package kafka_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// TestMultiTopicProducerWritesEveryTopic: one Client.Producer writes 8,000
// messages over 4 topics; each is reported once, lands in its own topic
// once and in order, and the brokers get Produce requests that carry the
// batches of several topics.
func TestMultiTopicProducerWritesEveryTopic(t *testing.T) {
	t.Parallel()
	const (
		n      = 8_000
		rounds = 8
	)
	topics := []string{"multi-a", "multi-b", "multi-c", "multi-d"}
	var opts []kafkatest.Option
	for _, topic := range topics {
		opts = append(opts, kafkatest.Topic(topic, 3))
	}
	cl := kafkatest.NeedsKfake(t, "observes requests", opts...)
	var requests, shared atomic.Int64
	cl.Observe(protocol.KeyProduce, func(r kafkatest.Request) {
		requests.Add(1)
		if len(r.Topics) > 1 {
			shared.Add(1)
		}
	})
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})

	var (
		mu      sync.Mutex
		reports = make(map[string]int, n)
		failed  []error
	)
	p := newMultiTopicProducer(t, c, kafka.ProducerConfig{
		// Batches go at each Flush, every partition's at once: a broker
		// leading partitions of several topics gets them in one request.
		// 12 partitions on 3 brokers: one leads 4 or more, so partitions
		// of two topics at least.
		Linger: time.Hour,
		OnDelivery: func(r kafka.DeliveryReport) {
			mu.Lock()
			defer mu.Unlock()
			reports[string(r.Message.Value)]++
			if r.Err != nil {
				failed = append(failed, fmt.Errorf("%s: %w", r.Message.Value, r.Err))
			}
		},
	})
	ctx := testCtx(t)
	for i := range n {
		topic := topics[i%len(topics)]
		msg := kafka.Message{Topic: topic, Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprintf("%s/%05d", topic, i))}
		if err := p.Produce(ctx, msg); err != nil {
			t.Fatalf("Produce %s: %v", msg.Value, err)
		}
		if (i+1)%(n/rounds) == 0 {
			require.NoError(t, p.Flush(ctx))
		}
	}

	mu.Lock()
	require.Empty(t, failed)
	require.Len(t, reports, n, "a report for every message")
	for v, k := range reports {
		if k != 1 {
			t.Fatalf("%d reports for %s", k, v)
		}
	}
	mu.Unlock()

	recs := readTopics(t, cl.Addrs(), topics, n)
	require.Len(t, recs, n, "every message once")
	seen := make(map[string]bool, n)
	last := map[string]string{} // topic/partition to the last value read
	for _, r := range recs {
		v := string(r.Value)
		if seen[v] {
			t.Fatalf("%s stored twice", v)
		}
		seen[v] = true
		if topic, _, _ := strings.Cut(v, "/"); topic != r.Topic {
			t.Fatalf("%s stored in topic %s", v, r.Topic)
		}
		tp := fmt.Sprintf("%s/%d", r.Topic, r.Partition)
		if prev, ok := last[tp]; ok && v < prev {
			t.Fatalf("%s: %s after %s, out of order", tp, v, prev)
		}
		last[tp] = v
	}

	t.Logf("%d Produce requests, %d of them with several topics", requests.Load(), shared.Load())
	require.Positive(t, shared.Load(), "a Produce request carried several topics")
}

// TestMultiTopicProducerRefusesMissingTopic: a Client.Producer refuses a
// message without a Topic, and a Topic.Producer one for another topic,
// with an error from Produce: nothing is sent, and there is no report.
func TestMultiTopicProducerRefusesMissingTopic(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	named, other := b.NewTopic("named", 1), b.NewTopic("other", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	var reports atomic.Int64
	cfg := kafka.ProducerConfig{OnDelivery: func(kafka.DeliveryReport) { reports.Add(1) }}
	ctx := testCtx(t)
	// Nothing sent: each topic's end offset is what the accepted messages
	// made it (a refused message that reached a broker would move it).
	requireEnds := func(wantNamed, wantOther int64) {
		t.Helper()
		for topic, want := range map[string]int64{named: wantNamed, other: wantOther} {
			end, err := mustTopic(t, c, topic).LatestAvailableOffsets(ctx)
			require.NoError(t, err)
			require.Equal(t, map[int32]int64{0: want}, end, "nothing sent to %s", topic)
		}
	}

	multi := newMultiTopicProducer(t, c, cfg)
	require.ErrorIs(t, multi.Produce(ctx, kafka.Message{Value: []byte("nowhere")}), kafka.ErrNoTopic)
	_, err := multi.ProduceSync(ctx, kafka.Message{Value: []byte("nowhere")})
	require.ErrorIs(t, err, kafka.ErrNoTopic)
	require.NoError(t, multi.Flush(ctx))
	requireEnds(0, 0)
	require.Zero(t, reports.Load(), "no report for a refused message")
	_, err = multi.ProduceSync(ctx, kafka.Message{Topic: named, Value: []byte("named")})
	require.NoError(t, err, "the producer goes on")

	single := newProducer(t, c, named, cfg)
	require.ErrorIs(t, single.Produce(ctx, kafka.Message{Topic: other, Value: []byte("other")}), kafka.ErrTopicMismatch)
	_, err = single.ProduceSync(ctx, kafka.Message{Topic: other, Value: []byte("other")})
	require.ErrorIs(t, err, kafka.ErrTopicMismatch)
	require.NoError(t, single.Flush(ctx))
	requireEnds(1, 0)
	require.Zero(t, reports.Load(), "no report for a refused message")

	recs := readTopics(t, b.Addrs(), []string{named, other}, 1)
	require.Len(t, recs, 1)
	require.Equal(t, named, recs[0].Topic)
	require.Equal(t, "named", string(recs[0].Value))
}

// TestMultiTopicProducerUnknownTopic: on a cluster that does not create
// topics, a message for a topic that does not exist is reported failed
// with UNKNOWN_TOPIC_OR_PARTITION once DeliveryTimeout has passed, and
// messages for an existing topic produced meanwhile are delivered without
// waiting for it. (This assumes the topic is looked up again until
// DeliveryTimeout, as the Java client does, rather than failed at the
// first answer that does not know it: it may be being created.)
func TestMultiTopicProducerUnknownTopic(t *testing.T) {
	t.Parallel()
	// The unknown topic's messages fail after 4 lookups RetryBackoff apart,
	// well before DeliveryTimeout and after the few round trips below, even
	// on a loaded machine.
	const deliveryTimeout = 5 * time.Second
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "Metadata v0-2 only, where asking about an unknown topic creates it")
	name := b.NewTopic("present", 3)
	c := newClient(t, kafka.Config{Hosts: b.Addrs(), RetryBackoff: 500 * time.Millisecond})
	missing := make(chan kafka.DeliveryReport, 1)
	p := newMultiTopicProducer(t, c, kafka.ProducerConfig{
		DeliveryTimeout: deliveryTimeout,
		OnDelivery: func(r kafka.DeliveryReport) {
			if r.Message.Topic == "absent" {
				missing <- r
			}
		},
	})
	ctx := testCtx(t)
	// The producer knows the existing topic, its brokers and its producer
	// ID beforehand: what follows is one round trip per message.
	_, err := p.ProduceSync(ctx, kafka.Message{Topic: name, Value: []byte("warm-up")})
	require.NoError(t, err)

	started := make(chan struct{})
	produced := make(chan error, 1)
	go func() {
		close(started)
		produced <- p.Produce(ctx, kafka.Message{Topic: "absent", Value: []byte("lost")})
	}()
	<-started
	for i := range 5 {
		_, err := p.ProduceSync(ctx, kafka.Message{Topic: name, Value: []byte(fmt.Sprint(i))})
		require.NoError(t, err, "message %d to the existing topic", i)
	}
	select {
	case r := <-missing:
		t.Fatalf("the unknown topic's report (%v) came before the existing topic's messages were delivered", r.Err)
	default:
	}

	select {
	case r := <-missing:
		require.ErrorIs(t, r.Err, kafka.ErrUnknownTopicOrPartition)
		require.ErrorContains(t, r.Err, "absent", "the report names the topic")
		require.Equal(t, "lost", string(r.Message.Value))
	case <-ctx.Done():
		t.Fatalf("no report for the unknown topic's message (DeliveryTimeout %v)", deliveryTimeout)
	}
	require.NoError(t, <-produced, "Produce queues the message; the failure comes as its report")
}

// newMultiTopicProducer returns a Client.Producer, closed when t ends.
func newMultiTopicProducer(t *testing.T, c *kafka.Client, cfg kafka.ProducerConfig) *kafka.Producer {
	t.Helper()
	p, err := c.Producer(testCtx(t), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}
