package bench

import (
	"context"
	"math/rand/v2"
	"os"
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

	// batchBytes caps a partition's batch in every client: Kafka's
	// max.message.bytes default, which is franz-go's default and what
	// gokafka's default 1 MiB is cut to by its default MaxRequestSize.
	batchBytes = 1_000_012
)

// A producer is one client's way of sending messages asynchronously;
// flush waits until all are acknowledged and reports the first failure.
type producer interface {
	produce(ctx context.Context, key, value []byte) error
	flush(ctx context.Context) error
	close()

	// warmUp produces a message to each partition and waits for them,
	// where the client can
	// without closing the producer (gokafka and franz-go); sarama and
	// kafka-go have no flush, so they start cold.
	warmUp(ctx context.Context, key, value []byte) error
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

type namedConsumer struct {
	name    string
	consume consumer
}

var consumers = []namedConsumer{
	{"gokafka", gokafkaConsume},
	{"franz-go", franzConsume},
	{"sarama", saramaConsume},
	{"kafka-go", kafkaGoConsume},
}

// groupConsumers read as members of a new consumer group.
var groupConsumers = []namedConsumer{
	{"gokafka", gokafkaConsumeGroup},
	{"franz-go", franzConsumeGroup},
}

// sizes are the message sizes every benchmark runs with.
var sizes = []int{100, 1024}

// latencies are the one-way latencies the *Latency benchmarks inject on
// every broker's answers (kafkatest.Latency).
var latencies = []time.Duration{time.Millisecond, 5 * time.Millisecond}

// BenchmarkProduce produces b.N messages, each client to a fresh cluster,
// and waits for them all to be acknowledged: -benchtime 1000000x means
// 1,000,000 messages, and the time includes the final flush.
func BenchmarkProduce(b *testing.B) {
	for _, size := range sizes {
		for _, p := range producers {
			b.Run(p.name+"/"+sizeName(size), func(b *testing.B) {
				addrs := kafkatest.StartProcess(b, map[string]int{topic: partitions}, dataDir(b))
				benchProduce(b, p.make, addrs, size)
			})
		}
	}
}

// dataDir has the cluster keep its logs in files, in memory (/dev/shm)
// where the machine has it: kfake's default in-memory store grows each
// segment by copying, which costs the broker several times more than the
// client it serves, so that every client would measure the broker.
func dataDir(b *testing.B) kafkatest.Option {
	dir, err := os.MkdirTemp("/dev/shm", "gokafka-bench-")
	if err != nil {
		dir = b.TempDir()
	} else {
		b.Cleanup(func() { os.RemoveAll(dir) })
	}
	return kafkatest.DataDir(dir)
}

// BenchmarkProduceLatency is BenchmarkProduce for gokafka and franz-go on
// a cluster whose every answer is delayed by a one-way latency, so that a
// client waiting for one batch's answer before sending the next pays for
// it. Names are client/latency/size, so that -bench
// 'Produce.*/(gokafka|franz-go)' selects both benchmarks' runs of the two.
func BenchmarkProduceLatency(b *testing.B) {
	for _, lat := range latencies {
		for _, size := range sizes {
			for _, p := range producers {
				if p.name != "gokafka" && p.name != "franz-go" {
					continue
				}
				b.Run(p.name+"/"+lat.String()+"/"+sizeName(size), func(b *testing.B) {
					addrs := kafkatest.StartProcess(b, map[string]int{topic: partitions}, kafkatest.Latency(lat), dataDir(b))
					benchProduce(b, p.make, addrs, size)
				})
			}
		}
	}
}

// benchProduce produces b.N messages of size bytes through a new producer
// and flushes it; the timed part ends when every message is acknowledged.
// It starts once the producer is warm (see producer.warmUp), so that what
// a client does lazily (connecting, Metadata, InitProducerID) is not timed
// for one and not for another. The 1 KiB runs also report the process's
// peak RSS.
func benchProduce(b *testing.B, newProducer func(testing.TB, []string) producer, addrs []string, size int) {
	ctx := context.Background()
	pr := newProducer(b, addrs)
	defer pr.close()
	value := payload(size)
	key := []byte("key-0000")
	if err := pr.warmUp(ctx, key, value); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	m := startMeasure(b, size >= 1024)
	n := 0
	for b.Loop() {
		setKey(key, n)
		if err := pr.produce(ctx, key, value); err != nil {
			b.Fatal(err)
		}
		n++
	}
	// b.Loop stopped the timer; waiting for the acknowledgements is part
	// of producing, and a client that only queues would look fast.
	b.StartTimer()
	if err := pr.flush(ctx); err != nil {
		b.Fatal(err)
	}
	m.report(n)
}

// BenchmarkConsume reads b.N messages, so that -benchtime 200000x means
// 200,000 messages and every figure is per message: the topic gets b.N
// messages before the timer starts, and each client reads them all from the
// start, in one session (connecting is part of the time, spread over b.N).
func BenchmarkConsume(b *testing.B) {
	for _, size := range sizes {
		for _, c := range consumers {
			b.Run(c.name+"/"+sizeName(size), func(b *testing.B) {
				benchConsume(b, c.consume, size)
			})
		}
	}
}

// BenchmarkConsumeGroup is BenchmarkConsume through a group member: the
// gokafka BalancedConsumer and the franz-go group consumer, each run in a
// fresh group (nothing committed: both start at the earliest offsets), so
// that joining the group is part of the time.
func BenchmarkConsumeGroup(b *testing.B) {
	for _, size := range sizes {
		for _, c := range groupConsumers {
			b.Run(c.name+"/"+sizeName(size), func(b *testing.B) {
				benchConsume(b, c.consume, size)
			})
		}
	}
}

// BenchmarkConsumeLatency is BenchmarkConsume for gokafka and franz-go on
// a cluster whose every answer is delayed by a one-way latency (as in
// BenchmarkProduceLatency), so that a client that waits for one fetch's
// answer before it asks for more data pays for it. Names are
// client/latency/size.
func BenchmarkConsumeLatency(b *testing.B) {
	benchConsumeLatency(b, consumers)
}

// BenchmarkConsumeGroupLatency is BenchmarkConsumeGroup with latency, as
// BenchmarkConsumeLatency.
func BenchmarkConsumeGroupLatency(b *testing.B) {
	benchConsumeLatency(b, groupConsumers)
}

func benchConsumeLatency(b *testing.B, cs []namedConsumer) {
	for _, lat := range latencies {
		for _, size := range sizes {
			for _, c := range cs {
				if c.name != "gokafka" && c.name != "franz-go" {
					continue
				}
				b.Run(c.name+"/"+lat.String()+"/"+sizeName(size), func(b *testing.B) {
					benchConsume(b, c.consume, size, kafkatest.Latency(lat))
				})
			}
		}
	}
}

// benchConsume fills a fresh cluster's topic with b.N messages of size
// bytes, untimed, and times consume reading them all.
func benchConsume(b *testing.B, consume consumer, size int, opts ...kafkatest.Option) {
	opts = append(opts, dataDir(b))
	addrs := kafkatest.StartProcess(b, map[string]int{topic: partitions}, opts...)
	fill(b, addrs, b.N, size)
	b.SetBytes(int64(size))
	// Generous: a loaded machine may read slowly, but never this slowly.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute+time.Duration(b.N)*100*time.Microsecond)
	defer cancel()
	m := startMeasure(b, false)
	if err := consume(ctx, addrs, b.N); err != nil {
		b.Fatal(err)
	}
	m.report(b.N)
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

// setKey writes n modulo 1,000 as the last four digits of key: the
// benchmarks cycle through 1,000 keys, and so through all 6 partitions
// (135 to 182 keys each by the Java client's murmur2 hash, which gokafka
// and franz-go share; 10 keys would leave two partitions idle).
func setKey(key []byte, n int) {
	n %= 1000
	for i := len(key) - 1; i >= len(key)-4; i-- {
		key[i] = byte('0' + n%10)
		n /= 10
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
