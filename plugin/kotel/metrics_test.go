package kotel_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/plugin/kotel"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// collected is one collection of a ManualReader, by instrument name.
type collected map[string]metricdata.Metrics

func collect(t *testing.T, r *sdkmetric.ManualReader) collected {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.Collect(testCtx(t), &rm))
	out := collected{}
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, kotel.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// has reports whether set has every attribute of want.
func has(set attribute.Set, want map[string]string) bool {
	for k, v := range want {
		got, ok := set.Value(attribute.Key(k))
		if !ok || got.Emit() != v {
			return false
		}
	}
	return true
}

// sum adds up the points of a counter whose attributes include want.
func (c collected) sum(t *testing.T, name string, want map[string]string) int64 {
	t.Helper()
	m, ok := c[name]
	if !ok {
		return 0
	}
	s, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a counter: %T", name, m.Data)
	var n int64
	for _, p := range s.DataPoints {
		if has(p.Attributes, want) {
			n += p.Value
		}
	}
	return n
}

// histogram returns the points of a histogram whose attributes include
// want.
func (c collected) histogram(t *testing.T, name string, want map[string]string) []metricdata.HistogramDataPoint[float64] {
	t.Helper()
	m, ok := c[name]
	if !ok {
		return nil
	}
	h, ok := m.Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s is a histogram: %T", name, m.Data)
	var out []metricdata.HistogramDataPoint[float64]
	for _, p := range h.DataPoints {
		if has(p.Attributes, want) {
			out = append(out, p)
		}
	}
	return out
}

// TestMetricsAfterProduceAndConsume: a meter provider's reader, after
// producing and consuming, shows sent and consumed messages and bytes per
// topic, request durations per broker and API, and connections.
func TestMetricsAfterProduceAndConsume(t *testing.T) {
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("kotel-m", 2)
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(testCtx(t))
	m, err := kotel.NewMetrics(kotel.MetricsConfig{MeterProvider: mp, Attributes: []attribute.KeyValue{attribute.String("messaging.client.id", "billing")}})
	require.NoError(t, err)

	client, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: b.Addrs(), Hooks: []kafka.Hook{m}})
	require.NoError(t, err)
	defer client.Close()
	topic, err := client.Topic(testCtx(t), name)
	require.NoError(t, err)
	p, err := topic.Producer(testCtx(t), kafka.ProducerConfig{})
	require.NoError(t, err)
	const n = 20
	for i := range n {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Key: []byte(strconv.Itoa(i)), Value: []byte("value")}))
	}
	require.NoError(t, p.Flush(testCtx(t)))
	require.NoError(t, p.Close())
	c, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{})
	require.NoError(t, err)
	defer c.Close()
	for range n {
		_, err := c.Consume(testCtx(t))
		require.NoError(t, err)
	}

	got := collect(t, reader)
	dest := map[string]string{"messaging.destination.name": name, "messaging.system": "kafka", "messaging.client.id": "billing"}
	require.Equal(t, int64(n), got.sum(t, "messaging.client.sent.messages", dest))
	require.Zero(t, got.sum(t, "messaging.client.sent.messages", map[string]string{"error.type": "CLIENT_ERROR"}))
	require.GreaterOrEqual(t, got.sum(t, "messaging.client.consumed.messages", dest), int64(n))
	require.Greater(t, got.sum(t, "kafka.client.produced.bytes", dest), int64(n*len("value")))
	require.Greater(t, got.sum(t, "kafka.client.fetched.bytes", dest), int64(n*len("value")))
	require.Equal(t, "By", got["kafka.client.produced.bytes"].Unit)
	require.NotEmpty(t, got.histogram(t, "kafka.client.produce.batch.duration", dest))
	require.Positive(t, got.sum(t, "kafka.client.connects", nil))
	require.NotEmpty(t, got.histogram(t, "kafka.client.connect.duration", nil))

	brokers := map[string]bool{}
	for _, br := range client.Brokers() {
		brokers[strconv.Itoa(int(br.ID))] = true
	}
	require.Equal(t, "s", got["kafka.client.request.duration"].Unit)
	for _, api := range []string{"Metadata", "Produce", "Fetch", "ListOffsets"} {
		ps := got.histogram(t, "kafka.client.request.duration", map[string]string{"kafka.api.name": api})
		require.NotEmpty(t, ps, api)
		var count uint64
		for _, p := range ps {
			count += p.Count
			id, _ := p.Attributes.Value(kotel.BrokerIDKey)
			if api != "Metadata" {
				require.True(t, brokers[id.Emit()], "%s to broker %s", api, id.Emit())
			}
		}
		require.Positive(t, count, api)
	}
}

// TestMetricErrorsByType: error codes a cluster answers Produce and Fetch
// with are counted by error.type.
func TestMetricErrorsByType(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "injects errors", kafkatest.Topic("kotel-errs", 1))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(testCtx(t))
	m, err := kotel.NewMetrics(kotel.MetricsConfig{MeterProvider: mp})
	require.NoError(t, err)
	client, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: cl.Addrs(), Hooks: []kafka.Hook{m}, RetryBackoff: 10 * time.Millisecond})
	require.NoError(t, err)
	defer client.Close()
	topic, err := client.Topic(testCtx(t), "kotel-errs")
	require.NoError(t, err)
	p, err := topic.Producer(testCtx(t), kafka.ProducerConfig{})
	require.NoError(t, err)
	defer p.Close()

	inj := cl.InjectPartitionError(protocol.KeyProduce, "kotel-errs", 0, int16(kafka.ErrNotLeaderOrFollower), 2)
	_, err = p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("a")})
	require.NoError(t, err)
	require.NoError(t, inj.Wait(testCtx(t), 2))
	oor := cl.InjectPartitionError(protocol.KeyFetch, "kotel-errs", 0, int16(kafka.ErrOffsetOutOfRange), 1)
	c, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{})
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Consume(testCtx(t))
	require.NoError(t, err)
	require.NoError(t, oor.Wait(testCtx(t), 1))

	var got collected
	require.Eventually(t, func() bool { // the fetch's hook may run just after Consume returns
		got = collect(t, reader)
		return got.sum(t, "kafka.client.errors", map[string]string{"kafka.api.name": "Fetch", "error.type": "OFFSET_OUT_OF_RANGE"}) == 1
	}, 20*time.Second, 10*time.Millisecond)
	require.Equal(t, int64(2), got.sum(t, "kafka.client.errors",
		map[string]string{"kafka.api.name": "Produce", "messaging.destination.name": "kotel-errs", "error.type": "NOT_LEADER_OR_FOLLOWER"}))
	require.Equal(t, int64(2), got.sum(t, "kafka.client.produce.retries", nil))
	require.Equal(t, int64(1), got.sum(t, "messaging.client.sent.messages", map[string]string{"messaging.destination.name": "kotel-errs"}))
}
