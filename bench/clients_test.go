package bench

// Each client set up as its documentation recommends for throughput, with
// the same durability (acks from all in-sync replicas), no compression and
// batching for up to `linger`.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	segkafka "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/gokafka/kafka"
)

// firstErr keeps the first asynchronous failure.
type firstErr struct {
	mu  sync.Mutex
	err error
}

func (f *firstErr) set(err error) {
	if err == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.err = err
	}
}

func (f *firstErr) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// warmUp produces a message to every partition (keys 0 to 99 hash to all
// six) and flushes, so that the client has connected to every broker.
func warmUp(ctx context.Context, p producer, key, value []byte) error {
	k := append([]byte(nil), key...)
	for n := range 100 {
		setKey(k, n)
		if err := p.produce(ctx, k, value); err != nil {
			return err
		}
	}
	return p.flush(ctx)
}

// gokafka

type gokafkaProducer struct {
	client *kafka.Client
	p      *kafka.Producer
}

func newGokafkaProducer(tb testing.TB, addrs []string) producer {
	ctx := context.Background()
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: addrs})
	if err != nil {
		tb.Fatal(err)
	}
	t, err := client.Topic(ctx, topic)
	if err != nil {
		tb.Fatal(err)
	}
	// Idempotence is on by default, as in franz-go.
	p, err := t.Producer(ctx, kafka.ProducerConfig{RequiredAcks: kafka.AcksAll, Linger: linger, BatchBytes: batchBytes})
	if err != nil {
		tb.Fatal(err)
	}
	return &gokafkaProducer{client, p}
}

func (g *gokafkaProducer) produce(ctx context.Context, key, value []byte) error {
	return g.p.Produce(ctx, kafka.Message{Key: key, Value: value})
}
func (g *gokafkaProducer) flush(ctx context.Context) error { return g.p.Flush(ctx) }
func (g *gokafkaProducer) warmUp(ctx context.Context, key, value []byte) error {
	return warmUp(ctx, g, key, value)
}
func (g *gokafkaProducer) close() { g.p.Close(); g.client.Close() }

func gokafkaConsume(ctx context.Context, addrs []string, n int) error {
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: addrs})
	if err != nil {
		return err
	}
	defer client.Close()
	t, err := client.Topic(ctx, topic)
	if err != nil {
		return err
	}
	c, err := t.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{})
	if err != nil {
		return err
	}
	defer c.Close()
	for range n {
		if _, err := c.Consume(ctx); err != nil {
			return err
		}
	}
	return nil
}

// gokafkaConsumeGroup reads n messages through a BalancedConsumer in a
// new group.
func gokafkaConsumeGroup(ctx context.Context, addrs []string, n int) error {
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: addrs})
	if err != nil {
		return err
	}
	defer client.Close()
	t, err := client.Topic(ctx, topic)
	if err != nil {
		return err
	}
	c, err := t.BalancedConsumer(ctx, kafka.BalancedConsumerConfig{ConsumerGroup: newGroup()})
	if err != nil {
		return err
	}
	defer c.Close()
	for range n {
		if _, err := c.Consume(ctx); err != nil {
			return err
		}
	}
	return nil
}

// groups numbers the consumer groups, so that every run has a new one.
var groups atomic.Int64

func newGroup() string { return fmt.Sprintf("bench-%d", groups.Add(1)) }

// franz-go

type franzProducer struct {
	cl   *kgo.Client
	errs firstErr
}

func newFranzProducer(tb testing.TB, addrs []string) producer {
	// Idempotence is on by default (it needs acks=all).
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.DefaultProduceTopic(topic),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(linger), kgo.ProducerBatchMaxBytes(batchBytes),
		kgo.ProducerBatchCompression(kgo.NoCompression())) // franz-go compresses with snappy by default
	if err != nil {
		tb.Fatal(err)
	}
	return &franzProducer{cl: cl}
}

func (f *franzProducer) produce(ctx context.Context, key, value []byte) error {
	f.cl.Produce(ctx, &kgo.Record{Key: key, Value: value}, func(_ *kgo.Record, err error) { f.errs.set(err) })
	return nil
}

func (f *franzProducer) flush(ctx context.Context) error {
	if err := f.cl.Flush(ctx); err != nil {
		return err
	}
	return f.errs.get()
}
func (f *franzProducer) close() { f.cl.Close() }
func (f *franzProducer) warmUp(ctx context.Context, key, value []byte) error {
	return warmUp(ctx, f, key, value)
}

func franzConsume(ctx context.Context, addrs []string, n int) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return err
	}
	defer cl.Close()
	for got := 0; got < n; {
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			return err
		}
		got += fs.NumRecords()
	}
	return nil
}

// franzConsumeGroup reads n messages as a member of a new group. Its
// autocommit (on by default, every 5 s and when the member leaves) is
// off, as gokafka's is by default: neither commits.
func franzConsumeGroup(ctx context.Context, addrs []string, n int) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.ConsumerGroup(newGroup()), kgo.DisableAutoCommit())
	if err != nil {
		return err
	}
	defer cl.Close()
	for got := 0; got < n; {
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			return err
		}
		got += fs.NumRecords()
	}
	return nil
}

// sarama

type saramaProducer struct {
	p    sarama.AsyncProducer
	errs firstErr
	wg   sync.WaitGroup
}

func saramaConfig() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V2_8_0_0
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Flush.Frequency = linger
	cfg.Producer.Flush.Bytes = batchBytes
	cfg.Producer.Return.Errors = true
	return cfg
}

func newSaramaProducer(tb testing.TB, addrs []string) producer {
	p, err := sarama.NewAsyncProducer(addrs, saramaConfig())
	if err != nil {
		tb.Fatal(err)
	}
	s := &saramaProducer{p: p}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for e := range p.Errors() {
			s.errs.set(e.Err)
		}
	}()
	return s
}

func (s *saramaProducer) produce(ctx context.Context, key, value []byte) error {
	select {
	case s.p.Input() <- &sarama.ProducerMessage{Topic: topic, Key: sarama.ByteEncoder(key), Value: sarama.ByteEncoder(value)}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// flush closes the producer: sarama has no flush, and Close delivers
// everything queued.
func (s *saramaProducer) flush(context.Context) error {
	err := s.p.Close()
	s.wg.Wait()
	return errors.Join(err, s.errs.get())
}
func (s *saramaProducer) close()                                       {}
func (s *saramaProducer) warmUp(context.Context, []byte, []byte) error { return nil }

func saramaConsume(ctx context.Context, addrs []string, n int) error {
	c, err := sarama.NewConsumer(addrs, saramaConfig())
	if err != nil {
		return err
	}
	defer c.Close()
	parts, err := c.Partitions(topic)
	if err != nil {
		return err
	}
	msgs := make(chan struct{}, 1024)
	for _, p := range parts {
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			return err
		}
		defer pc.AsyncClose()
		go func() {
			for range pc.Messages() {
				select {
				case msgs <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	for range n {
		select {
		case <-msgs:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// segmentio/kafka-go

type kafkaGoProducer struct {
	w    *segkafka.Writer
	errs firstErr
}

func newKafkaGoProducer(tb testing.TB, addrs []string) producer {
	k := &kafkaGoProducer{}
	k.w = &segkafka.Writer{
		Addr: segkafka.TCP(addrs...), Topic: topic, Balancer: &segkafka.Murmur2Balancer{},
		RequiredAcks: segkafka.RequireAll, Async: true, BatchTimeout: linger, BatchSize: 10_000, BatchBytes: batchBytes,
		Completion: func(_ []segkafka.Message, err error) { k.errs.set(err) },
	}
	return k
}

func (k *kafkaGoProducer) produce(ctx context.Context, key, value []byte) error {
	return k.w.WriteMessages(ctx, segkafka.Message{Key: key, Value: value})
}

// flush closes the writer: kafka-go's asynchronous writer has no flush.
func (k *kafkaGoProducer) flush(context.Context) error {
	return errors.Join(k.w.Close(), k.errs.get())
}
func (k *kafkaGoProducer) close()                                       {}
func (k *kafkaGoProducer) warmUp(context.Context, []byte, []byte) error { return nil }

func kafkaGoConsume(ctx context.Context, addrs []string, n int) error {
	conn, err := segkafka.DialContext(ctx, "tcp", addrs[0])
	if err != nil {
		return err
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	msgs := make(chan error, 1024)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }() // stop the readers, then wait for them
	for _, p := range parts {
		r := segkafka.NewReader(segkafka.ReaderConfig{Brokers: addrs, Topic: topic, Partition: p.ID, MinBytes: 1, MaxBytes: 1 << 20,
			MaxWait: 100 * time.Millisecond}) // the default, 10 s, makes Close wait that long for a pending fetch
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer r.Close()
			for {
				_, err := r.ReadMessage(ctx)
				select {
				case msgs <- err:
				case <-ctx.Done():
					return
				}
				if err != nil {
					return
				}
			}
		}()
	}
	for i := range n {
		if err := <-msgs; err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
	}
	return nil
}
