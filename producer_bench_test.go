package kafka_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/gokafka/kafka"
)

// benchmarkProduce measures Produce on the hot path, one message per
// iteration, flushed at the end; allocs/op is allocations per message.
func benchmarkProduce(b *testing.B, size int, codec kafka.Compression) {
	benchmarkProduceWith(b, size, kafka.ProducerConfig{Compression: codec})
}

// benchmarkProduceWith produces size-byte messages with cfg, reading the
// delivery reports if cfg turns them on.
func benchmarkProduceWith(b *testing.B, size int, cfg kafka.ProducerConfig) {
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
	p, err := topic.Producer(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	go func() {
		for range p.DeliveryReports() {
		}
	}()
	msg := kafka.Message{Value: make([]byte, size)}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	b.ResetTimer()
	for b.Loop() {
		if err := p.Produce(ctx, msg); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := p.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	// The client's own allocations: the broker runs in another process.
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n), "allocs/msg")
}

func BenchmarkProduce100B(b *testing.B)     { benchmarkProduce(b, 100, kafka.CompressionNone) }
func BenchmarkProduce1KiB(b *testing.B)     { benchmarkProduce(b, 1024, kafka.CompressionNone) }
func BenchmarkProduce1KiBZstd(b *testing.B) { benchmarkProduce(b, 1024, kafka.CompressionZstd) }

// BenchmarkProduceReports100B is BenchmarkProduce100B with every report
// read from the DeliveryReports channel.
func BenchmarkProduceReports100B(b *testing.B) {
	benchmarkProduceWith(b, 100, kafka.ProducerConfig{DeliveryReports: true})
}
