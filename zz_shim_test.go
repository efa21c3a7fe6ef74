package kafka_test

// TEMPORARY: a stand-in for the produce engine of issue 13 (Client-owned
// produce sinks and Client.Producer), so that its tests compile and run
// before the engine lands. Delete this file and zz_shim_internal_test.go
// when the engine is merged, and make newMultiTopicProducer the
// client.Producer call its comment shows.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/stretchr/testify/require"
)

// engineLanded gates the assertions only the engine of issue 13 can meet:
// goroutines that grow with brokers and not with producers
// (TestTopicProducersShareGoroutines), and Produce requests that carry
// several topics (TestMultiTopicProducerWritesEveryTopic). Today each
// producer runs a sender goroutine of its own and sends its own requests.
const engineLanded = false

// multiTopicProducer is what the tests use of a Client.Producer; after the
// merge, newMultiTopicProducer returns the *kafka.Producer itself.
type multiTopicProducer interface {
	Produce(context.Context, kafka.Message) error
	ProduceSync(context.Context, kafka.Message) (kafka.Message, error)
	Flush(context.Context) error
	Close() error
}

// newMultiTopicProducer returns a producer for any topic, closed when t
// ends. Replace with client.Producer after the engine lands:
//
//	p, err := c.Producer(testCtx(t), cfg)
//	require.NoError(t, err)
//	t.Cleanup(func() { p.Close() })
//	return p
//
// Until then it fans out to one Topic.Producer per topic, made when the
// topic's first message comes; a topic that cannot be found within
// DeliveryTimeout fails its message with a report. Unlike the engine, its
// Produce waits for the lookup.
func newMultiTopicProducer(t *testing.T, c *kafka.Client, cfg kafka.ProducerConfig) multiTopicProducer {
	t.Helper()
	require.NotNil(t, c)
	f := &fanOutProducer{c: c, cfg: cfg, ps: make(map[string]*kafka.Producer)}
	t.Cleanup(func() { f.Close() })
	return f
}

type fanOutProducer struct {
	c   *kafka.Client
	cfg kafka.ProducerConfig

	mu sync.Mutex
	ps map[string]*kafka.Producer
}

func (f *fanOutProducer) producer(ctx context.Context, topic string) (*kafka.Producer, error) {
	f.mu.Lock()
	p := f.ps[topic]
	f.mu.Unlock()
	if p != nil {
		return p, nil
	}
	timeout := f.cfg.DeliveryTimeout
	if timeout <= 0 {
		timeout = 2 * time.Minute // the default DeliveryTimeout
	}
	// Client.Topic fails at the first answer that does not know the
	// topic; the engine looks it up again until DeliveryTimeout.
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var tp *kafka.Topic
	for {
		var err error
		tp, err = f.c.Topic(ctx, topic)
		if err == nil {
			break
		}
		if !errors.Is(err, kafka.ErrUnknownTopicOrPartition) {
			return nil, err
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			return nil, err
		case <-ctx.Done():
			return nil, err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if p := f.ps[topic]; p != nil {
		return p, nil
	}
	p, err := tp.Producer(ctx, f.cfg)
	if err != nil {
		return nil, err
	}
	f.ps[topic] = p
	return p, nil
}

func (f *fanOutProducer) Produce(ctx context.Context, msg kafka.Message) error {
	if msg.Topic == "" {
		return fmt.Errorf("produce: %w", kafka.ErrNoTopic)
	}
	p, err := f.producer(ctx, msg.Topic)
	if err != nil {
		if f.cfg.OnDelivery != nil {
			f.cfg.OnDelivery(kafka.DeliveryReport{Message: msg, Err: err})
		}
		return nil
	}
	return p.Produce(ctx, msg)
}

func (f *fanOutProducer) ProduceSync(ctx context.Context, msg kafka.Message) (kafka.Message, error) {
	if msg.Topic == "" {
		return msg, fmt.Errorf("produce: %w", kafka.ErrNoTopic)
	}
	p, err := f.producer(ctx, msg.Topic)
	if err != nil {
		return msg, err
	}
	return p.ProduceSync(ctx, msg)
}

func (f *fanOutProducer) all() []*kafka.Producer {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps := make([]*kafka.Producer, 0, len(f.ps))
	for _, p := range f.ps {
		ps = append(ps, p)
	}
	return ps
}

func (f *fanOutProducer) Flush(ctx context.Context) error {
	var errs []error
	for _, p := range f.all() {
		errs = append(errs, p.Flush(ctx))
	}
	return errors.Join(errs...)
}

func (f *fanOutProducer) Close() error {
	var errs []error
	for _, p := range f.all() {
		errs = append(errs, p.Close())
	}
	return errors.Join(errs...)
}
