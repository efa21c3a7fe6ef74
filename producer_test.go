package kafka_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
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
	k, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
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
	cl := kafkatest.MustCluster(t, kafkatest.Topic("sync", 3))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	p := newProducer(t, c, "sync", kafka.ProducerConfig{})
	next := map[int32]int64{}
	for i := range 20 {
		msg, err := p.ProduceSync(testCtx(t), kafka.Message{Key: []byte(fmt.Sprint("k", i%4)), Value: []byte(fmt.Sprint(i))})
		require.NoError(t, err)
		require.Equal(t, "sync", msg.Topic)
		require.Equal(t, next[msg.Partition], msg.Offset, "consecutive offsets per partition")
		next[msg.Partition]++
	}
	recs := readAll(t, cl.Addrs(), "sync", 20)
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
	recs := readAll(t, addrs, topic, len(stored))
	require.Len(t, recs, len(stored), "no loss, no duplicates")
	last := map[int32]int{}
	for _, r := range recs {
		m, ok := stored[string(r.Value)]
		require.True(t, ok, "record %s was not reported", r.Value)
		require.Equal(t, m.Partition, r.Partition)
		require.Equal(t, m.Offset, r.Offset)
		var i int
		fmt.Sscanf(string(r.Value), "%d", &i)
		require.Equal(t, fmt.Sprintf("key-%d", i%97), string(r.Key))
		require.Equal(t, []kgo.RecordHeader{{Key: "i", Value: []byte(fmt.Sprint(i))}}, r.Headers)
		require.Equal(t, base.Add(time.Duration(i)*time.Millisecond).UnixMilli(), r.Timestamp.UnixMilli())
		if prev, ok := last[r.Partition]; ok {
			require.Greater(t, i, prev, "order kept within partition %d", r.Partition)
		}
		last[r.Partition] = i
	}
}

func TestProduceEveryCodec(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	for _, codec := range []kafka.Compression{kafka.CompressionNone, kafka.CompressionGzip, kafka.CompressionSnappy, kafka.CompressionLZ4, kafka.CompressionZstd} {
		t.Run(codec.String(), func(t *testing.T) {
			cl := kafkatest.MustCluster(t, kafkatest.Topic("codec", 6))
			c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
			p := newProducer(t, c, "codec", kafka.ProducerConfig{Compression: codec, DeliveryReports: true})
			base := time.UnixMilli(time.Now().Add(-time.Hour).UnixMilli())
			stored := produceN(t, p, n, base)
			checkStored(t, cl.Addrs(), "codec", stored, base)
		})
	}
}
