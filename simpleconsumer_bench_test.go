package kafka_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/gokafka/kafka"
)

// benchmarkConsume measures consuming count messages of size bytes from
// kafkatest. The messages are written once, before the timer starts; each
// iteration reads all of them with a new consumer (no group, earliest).
// Besides the per-iteration figures it reports ns/msg and allocs/msg
// (the client's allocations during the reads, per message: the broker runs
// in another process).
func benchmarkConsume(b *testing.B, count, size int) {
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

	b.SetBytes(int64(count * size))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	iters := 0
	b.ResetTimer()
	for b.Loop() {
		iters++
		sc, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{ConsumerTimeout: 10 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		for n := range count {
			msg, err := sc.Consume(ctx)
			if err != nil {
				b.Fatalf("message %d of %d: %v", n, count, err)
			}
			if len(msg.Value) != size {
				b.Fatalf("message %d/%d has %d bytes, want %d", msg.Partition, msg.Offset, len(msg.Value), size)
			}
		}
		if err := sc.Close(); err != nil && !errors.Is(err, kafka.ErrConsumerStopped) {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	msgs := float64(iters * count)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/msgs, "ns/msg")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/msgs, "allocs/msg")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/msgs, "B/msg")
}

func BenchmarkConsume1M100B(b *testing.B)   { benchmarkConsume(b, 1_000_000, 100) }
func BenchmarkConsume100k1KiB(b *testing.B) { benchmarkConsume(b, 100_000, 1024) }
