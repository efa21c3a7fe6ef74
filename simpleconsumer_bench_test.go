package kafka_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gokafka/kafka"
)

// benchmarkConsume measures consuming messages of size bytes from
// kafkatest, one message per iteration, so that -benchtime 200000x reads
// 200,000 messages and ns/op and allocs/op are per message (the client's
// allocations: the broker runs in another process). The topic is filled
// with count messages before the timer starts; the consumer reads them from
// the earliest offset and, at the end, resets to the earliest again.
func benchmarkConsume(b *testing.B, size int) { benchmarkConsumeWith(b, size, false) }

// A benchConsumer is what benchmarkConsumeWith needs of either consumer.
type benchConsumer interface {
	Consume(context.Context) (kafka.Message, error)
	ResetOffsets(context.Context, map[int32]int64) error
	Close() error
}

// benchmarkConsumeWith is benchmarkConsume through a SimpleConsumer or,
// balanced, a BalancedConsumer alone in a new group (its join is not
// timed: the first message is read before the timer starts), so that
// the two consumers' costs per message compare.
func benchmarkConsumeWith(b *testing.B, size int, balanced bool) {
	const count = 100_000 // messages in the topic
	ctx := context.Background()
	c, err := kafka.NewClient(ctx, kafka.Config{Hosts: benchBrokers(b, "bench", 6)})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	topic, err := c.Topic(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{Linger: 5 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	value := make([]byte, size)
	for i := range value {
		value[i] = byte('a' + i%26)
	}
	for range count {
		if err := p.Produce(ctx, kafka.Message{Value: value}); err != nil {
			b.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	p.Close()
	latest, err := topic.LatestAvailableOffsets(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var stored int64
	for _, o := range latest {
		stored += o
	}
	if stored != int64(count) {
		b.Fatalf("%d messages stored, want %d", stored, count)
	}

	b.SetBytes(int64(size))
	b.ReportAllocs()
	var sc benchConsumer
	if balanced {
		sc, err = topic.BalancedConsumer(ctx, kafka.BalancedConsumerConfig{ConsumerGroup: "bench", ConsumerTimeout: 10 * time.Second})
	} else {
		sc, err = topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{ConsumerTimeout: 10 * time.Second})
	}
	if err != nil {
		b.Fatal(err)
	}
	defer sc.Close()
	if _, err := sc.Consume(ctx); err != nil { // joined, and fetching
		b.Fatal(err)
	}
	n := 1
	b.ResetTimer()
	for b.Loop() {
		if n == count {
			// Around again: nil moves every partition to AutoOffsetReset
			// (earliest).
			if err := sc.ResetOffsets(ctx, nil); err != nil {
				b.Fatal(err)
			}
			n = 0
		}
		msg, err := sc.Consume(ctx)
		if err != nil {
			b.Fatalf("message %d of %d: %v", n, count, err)
		}
		if len(msg.Value) != size {
			b.Fatalf("message %d/%d has %d bytes, want %d", msg.Partition, msg.Offset, len(msg.Value), size)
		}
		n++
	}
	b.StopTimer()
	if err := sc.Close(); err != nil && !errors.Is(err, kafka.ErrConsumerStopped) {
		b.Fatal(err)
	}
}

func BenchmarkConsume100B(b *testing.B) { benchmarkConsume(b, 100) }
func BenchmarkConsume1KiB(b *testing.B) { benchmarkConsume(b, 1024) }

func BenchmarkConsumeBalanced100B(b *testing.B) { benchmarkConsumeWith(b, 100, true) }
