package conformance

import (
	"maps"
	"slices"
	"testing"
	"time"

	kafka "github.com/gokafka/kafka"
)

// TestBootstrapMetadata: a client seeded with one broker learns all three,
// and a topic's partitions, leaders and replicas as the mock laid them out.
func TestBootstrapMetadata(t *testing.T) {
	e := newEnv(t)
	brokers := e.client.Brokers()
	if len(brokers) != numBrokers {
		t.Fatalf("Brokers() = %v, want %d brokers", brokers, numBrokers)
	}
	tp := e.topic(6)
	ids := map[int32]bool{}
	for _, b := range brokers {
		ids[b.ID] = true
	}
	for _, p := range tp.Partitions() {
		if len(p.Replicas) != numBrokers {
			t.Errorf("partition %d: replicas %v, want %d", p.ID, p.Replicas, numBrokers)
		}
		if !slices.Contains(p.Replicas, p.Leader) || !ids[p.Leader] {
			t.Errorf("partition %d: leader %d not among replicas %v and brokers %v", p.ID, p.Leader, p.Replicas, brokers)
		}
	}
	names, err := e.client.Topics(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, tp.Name()) {
		t.Fatalf("Topics() = %v, missing %s", names, tp.Name())
	}
	if err := e.client.UpdateCluster(e.ctx()); err != nil {
		t.Fatalf("UpdateCluster: %v", err)
	}
}

// TestCodecsRoundTrip produces with every codec and consumes back exactly:
// keys, values, headers, partitions and offsets.
func TestCodecsRoundTrip(t *testing.T) {
	e := newEnv(t)
	codecs := []kafka.Compression{kafka.CompressionNone, kafka.CompressionGzip, kafka.CompressionSnappy, kafka.CompressionLZ4, kafka.CompressionZstd}
	for _, codec := range codecs {
		t.Run(codec.String(), func(t *testing.T) {
			e := &env{t: t, mock: e.mock, client: e.client}
			tp := e.topic(3)
			ctx := e.ctx()
			p, err := tp.Producer(ctx, kafka.ProducerConfig{Compression: codec, DeliveryReports: true})
			if err != nil {
				t.Fatal(err)
			}
			const n = 300
			for i := range n {
				if err := p.Produce(ctx, msg(i)); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Flush(ctx); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			where := map[int]kafka.Message{}
			for range n {
				r := <-p.DeliveryReports()
				if r.Err != nil {
					t.Fatalf("delivery of %q: %v", r.Message.Key, r.Err)
				}
				where[index(t, r.Message)] = r.Message
			}
			p.Close()

			c, err := tp.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{AutoOffsetReset: kafka.OffsetEarliest})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			got := consumeN(t, ctx, c, n)
			checkExactlyOnce(t, got, n)
			for _, m := range got {
				w := where[index(t, m)]
				if m.Partition != w.Partition || m.Offset != w.Offset {
					t.Fatalf("%q consumed at p%d@%d, reported at p%d@%d", m.Key, m.Partition, m.Offset, w.Partition, w.Offset)
				}
			}
			held := c.HeldOffsets()
			latest, err := tp.LatestAvailableOffsets(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(held, latest) {
				t.Fatalf("HeldOffsets %v after consuming all, latest %v", held, latest)
			}
			expectQuiet(t, c, 300*time.Millisecond)
		})
	}
}
