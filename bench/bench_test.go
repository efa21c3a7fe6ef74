package bench

import (
	"context"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

func TestMain(m *testing.M) {
	kafkatest.ServeProcess()
	os.Exit(m.Run())
}

const (
	topic      = "bench"
	partitions = 6
	linger     = 5 * time.Millisecond // every client batches for up to this long
)

// A producer is one client's way of sending messages asynchronously;
// flush waits until all are acknowledged and reports the first failure.
type producer interface {
	produce(ctx context.Context, key, value []byte) error
	flush(ctx context.Context) error
	close()
}

// A consumer reads n messages from the start of the topic's partitions.
type consumer func(ctx context.Context, addrs []string, n int) error

var producers = []struct {
	name string
	make func(tb testing.TB, addrs []string) producer
}{
	{"gokafka", newGokafkaProducer},
	{"franz-go", newFranzProducer},
	{"sarama", newSaramaProducer},
	{"kafka-go", newKafkaGoProducer},
}

var consumers = []struct {
	name    string
	consume consumer
}{
	{"gokafka", gokafkaConsume},
	{"franz-go", franzConsume},
	{"sarama", saramaConsume},
	{"kafka-go", kafkaGoConsume},
}

// allocs measures the process's allocations (the client's: the broker is
// another process) and reports them per message with the time per message.
type allocs struct {
	b      *testing.B
	before runtime.MemStats
}

func startAllocs(b *testing.B) *allocs {
	a := &allocs{b: b}
	runtime.GC()
	runtime.ReadMemStats(&a.before)
	b.ResetTimer()
	return a
}

func (a *allocs) report(msgs int) {
	a.b.StopTimer()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	n := float64(msgs)
	a.b.ReportMetric(float64(a.b.Elapsed().Nanoseconds())/n, "ns/msg")
	a.b.ReportMetric(float64(after.Mallocs-a.before.Mallocs)/n, "allocs/msg")
	a.b.ReportMetric(float64(after.TotalAlloc-a.before.TotalAlloc)/n, "B/msg")
}

func BenchmarkProduce(b *testing.B) {
	for _, size := range []int{100, 1024} {
		for _, p := range producers {
			b.Run(p.name+"/"+sizeName(size), func(b *testing.B) {
				addrs := kafkatest.StartProcess(b, map[string]int{topic: partitions})
				ctx := context.Background()
				pr := p.make(b, addrs)
				defer pr.close()
				value := payload(size)
				key := []byte("key-0000")
				b.SetBytes(int64(size))
				a := startAllocs(b)
				n := 0
				for b.Loop() {
					key[len(key)-1] = byte('0' + n%10)
					if err := pr.produce(ctx, key, value); err != nil {
						b.Fatal(err)
					}
					n++
				}
				if err := pr.flush(ctx); err != nil {
					b.Fatal(err)
				}
				a.report(n)
			})
		}
	}
}

// BenchmarkConsume reads b.N messages, so that -benchtime 200000x means
// 200,000 messages and every figure is per message: the topic gets b.N
// messages before the timer starts, and each client reads them all from the
// start, in one session (connecting is part of the time, spread over b.N).
func BenchmarkConsume(b *testing.B) {
	for _, size := range []int{100, 1024} {
		for _, c := range consumers {
			b.Run(c.name+"/"+sizeName(size), func(b *testing.B) {
				addrs := kafkatest.StartProcess(b, map[string]int{topic: partitions})
				fill(b, addrs, b.N, size)
				b.SetBytes(int64(size))
				// Generous: a loaded machine may read slowly, but never
				// this slowly.
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute+time.Duration(b.N)*100*time.Microsecond)
				defer cancel()
				a := startAllocs(b)
				if err := c.consume(ctx, addrs, b.N); err != nil {
					b.Fatal(err)
				}
				a.report(b.N)
			})
		}
	}
}

// fill writes count messages of size bytes, spread over the partitions.
func fill(b *testing.B, addrs []string, count, size int) {
	b.Helper()
	ctx := context.Background()
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: addrs})
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	t, err := client.Topic(ctx, topic)
	if err != nil {
		b.Fatal(err)
	}
	p, err := t.Producer(ctx, kafka.ProducerConfig{Partitioner: kafka.NewRoundRobinPartitioner()})
	if err != nil {
		b.Fatal(err)
	}
	value := payload(size)
	for range count {
		if err := p.Produce(ctx, kafka.Message{Value: value}); err != nil {
			b.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		b.Fatal(err)
	}
}

// payload returns size bytes that do not compress to nothing, should a
// client compress by default.
func payload(size int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	p := make([]byte, size)
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	return p
}

func sizeName(size int) string {
	if size >= 1024 {
		return "1KiB"
	}
	return "100B"
}
