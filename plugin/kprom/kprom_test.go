package kprom_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/plugin/kprom"
	"github.com/gokafka/kafka/protocol"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// scrape serves reg over HTTP as Prometheus does, GETs it, and parses the
// text exposition.
func scrape(t *testing.T, reg *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	req, err := http.NewRequestWithContext(testCtx(t), http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/plain; version=0.0.4") // the text format, not protobuf
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	require.NoError(t, err, "%s", body)
	return fams
}

// series returns the metrics of family name whose labels include want.
func series(fams map[string]*dto.MetricFamily, name string, want map[string]string) []*dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
	var out []*dto.Metric
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		ok := true
		for k, v := range want {
			if have[k] != v {
				ok = false
			}
		}
		if ok {
			out = append(out, m)
		}
	}
	return out
}

// counterSum adds up the counters of family name whose labels include want.
func counterSum(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	sum := 0.0
	for _, m := range series(fams, name, want) {
		sum += m.GetCounter().GetValue()
	}
	return sum
}

// TestScrapeAfterProduceAndConsume: after producing and consuming through
// a client with the Metrics hook, a scrape of a real registry over HTTP
// shows request latency histograms per broker and API, produced and fetched
// message and byte counters for the topic, and connections.
func TestScrapeAfterProduceAndConsume(t *testing.T) {
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("kprom", 2)
	m := kprom.NewMetrics(kprom.Config{})
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)

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

	fams := scrape(t, reg)
	topicLabel := map[string]string{"topic": name}
	require.Equal(t, float64(n), counterSum(fams, "kafka_produced_messages_total", topicLabel))
	require.Greater(t, counterSum(fams, "kafka_produced_bytes_total", topicLabel), float64(n*len("value")))
	require.Zero(t, counterSum(fams, "kafka_produce_failed_messages_total", topicLabel))
	require.GreaterOrEqual(t, counterSum(fams, "kafka_fetched_messages_total", topicLabel), float64(n))
	require.Greater(t, counterSum(fams, "kafka_fetched_bytes_total", topicLabel), float64(n*len("value")))
	require.NotEmpty(t, series(fams, "kafka_produce_batch_duration_seconds", topicLabel))

	// A latency histogram per broker and API, with a real broker's ID.
	brokers := map[string]bool{}
	for _, br := range client.Brokers() {
		brokers[strconv.Itoa(int(br.ID))] = true
	}
	for _, api := range []string{"Metadata", "Produce", "Fetch", "ListOffsets"} {
		hs := series(fams, "kafka_request_duration_seconds", map[string]string{"api": api})
		require.NotEmpty(t, hs, api)
		var count uint64
		for _, h := range hs {
			count += h.GetHistogram().GetSampleCount()
			require.Positive(t, h.GetHistogram().GetSampleSum(), api)
			require.NotEmpty(t, h.GetHistogram().GetBucket(), api)
			for _, l := range h.Label {
				if l.GetName() == "broker" && api != "Metadata" { // Metadata goes to seeds (-1) too
					require.True(t, brokers[l.GetValue()], "%s to broker %s", api, l.GetValue())
				}
			}
		}
		require.Positive(t, count, api)
	}
	require.Equal(t, dto.MetricType_HISTOGRAM, fams["kafka_request_duration_seconds"].GetType())
	require.Equal(t, dto.MetricType_COUNTER, fams["kafka_produced_messages_total"].GetType())
	require.Positive(t, counterSum(fams, "kafka_connects_total", nil))
	require.NotEmpty(t, series(fams, "kafka_connect_duration_seconds", nil))
}

// TestErrorsByCode: error codes a cluster answers Produce and Fetch with,
// and a dropped connection, are counted by code in a scrape.
func TestErrorsByCode(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "injects errors", kafkatest.Topic("kprom-errs", 1))
	m := kprom.NewMetrics(kprom.Config{})
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	client, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: cl.Addrs(), Hooks: []kafka.Hook{m}, RetryBackoff: 10 * time.Millisecond})
	require.NoError(t, err)
	defer client.Close()
	topic, err := client.Topic(testCtx(t), "kprom-errs")
	require.NoError(t, err)
	p, err := topic.Producer(testCtx(t), kafka.ProducerConfig{})
	require.NoError(t, err)
	defer p.Close()

	inj := cl.InjectPartitionError(protocol.KeyProduce, "kprom-errs", 0, int16(kafka.ErrNotLeaderOrFollower), 2)
	_, err = p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("a")})
	require.NoError(t, err)
	require.NoError(t, inj.Wait(testCtx(t), 2))

	oor := cl.InjectPartitionError(protocol.KeyFetch, "kprom-errs", 0, int16(kafka.ErrOffsetOutOfRange), 1)
	c, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{})
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Consume(testCtx(t))
	require.NoError(t, err)
	require.NoError(t, oor.Wait(testCtx(t), 1))

	// The hook for the fetch's error may run just after the message is
	// handed out: scrape until it shows.
	var fams map[string]*dto.MetricFamily
	require.Eventually(t, func() bool {
		fams = scrape(t, reg)
		return counterSum(fams, "kafka_errors_total", map[string]string{"api": "Fetch", "code": "OFFSET_OUT_OF_RANGE"}) == 1
	}, 20*time.Second, 10*time.Millisecond)
	require.Equal(t, 2.0, counterSum(fams, "kafka_errors_total",
		map[string]string{"api": "Produce", "topic": "kprom-errs", "code": "NOT_LEADER_OR_FOLLOWER"}))
	require.Equal(t, 1.0, counterSum(fams, "kafka_produced_messages_total", map[string]string{"topic": "kprom-errs"}))
	require.Equal(t, 2.0, counterSum(fams, "kafka_produce_retries_total", map[string]string{"topic": "kprom-errs"}))
}

// TestConfig: Namespace, ConstLabels and Buckets shape every metric.
func TestConfig(t *testing.T) {
	m := kprom.NewMetrics(kprom.Config{Namespace: "billing", ConstLabels: prometheus.Labels{"client": "c1"}, Buckets: []float64{0.1, 1}})
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	m.OnBrokerRequest(kafka.BrokerRequestEvent{Broker: 3, API: "Fetch", Latency: 500 * time.Millisecond})
	m.OnBrokerRequest(kafka.BrokerRequestEvent{Broker: 3, API: "Fetch", Err: kafka.ErrSocketDisconnected})
	m.OnBrokerConnect(kafka.BrokerConnectEvent{Broker: 1000, Err: kafka.ErrSocketDisconnected})
	m.OnTruncation(kafka.TruncationEvent{Topic: "t", Partition: 0, From: 10, To: 5})
	m.OnProduceBatch(kafka.ProduceBatchEvent{Topic: "t", Messages: 4, Bytes: 100, Err: kafka.ErrMessageTooLarge})

	fams := scrape(t, reg)
	for name := range fams {
		require.True(t, strings.HasPrefix(name, "billing_"), name)
	}
	h := series(fams, "billing_request_duration_seconds", map[string]string{"client": "c1", "broker": "3", "api": "Fetch"})
	require.Len(t, h, 1)
	require.Len(t, h[0].GetHistogram().GetBucket(), 3)                                   // and +Inf
	require.Equal(t, uint64(1), h[0].GetHistogram().GetBucket()[1].GetCumulativeCount()) // 0.5 s <= 1
	require.Equal(t, uint64(0), h[0].GetHistogram().GetBucket()[0].GetCumulativeCount())
	require.Equal(t, 1.0, counterSum(fams, "billing_request_failures_total", map[string]string{"api": "Fetch"}))
	require.Equal(t, 1.0, counterSum(fams, "billing_connect_errors_total", map[string]string{"broker": "1000"}))
	require.Equal(t, 1.0, counterSum(fams, "billing_log_truncations_total", map[string]string{"topic": "t"}))
	require.Equal(t, 4.0, counterSum(fams, "billing_produce_failed_messages_total", map[string]string{"topic": "t"}))
	require.Zero(t, counterSum(fams, "billing_produced_messages_total", nil))
}

// TestErrorCode: the code label of each kind of error.
func TestErrorCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, "NONE"},
		{kafka.ErrNotLeaderOrFollower, "NOT_LEADER_OR_FOLLOWER"},
		{&kafka.OpError{Op: "fetch", Topic: "t", Partition: 1, Err: kafka.ErrOffsetOutOfRange}, "OFFSET_OUT_OF_RANGE"},
		{fmt.Errorf("produce: %w", kafka.Error(9999)), "UNKNOWN_SERVER_ERROR"},
		{fmt.Errorf("read: %w", kafka.ErrSocketDisconnected), "DISCONNECTED"},
		{kafka.ErrMalformedResponse, "MALFORMED_RESPONSE"},
		{kafka.ErrProducerStopped, "CLIENT_ERROR"},
	} {
		require.Equal(t, tc.want, kprom.ErrorCode(tc.err), "%v", tc.err)
	}
}
