// Package kprom exports a gokafka client's hook events as Prometheus
// metrics: request latency by broker and API, connections, produced and
// fetched messages and bytes by topic, and errors by Kafka error code.
//
// Make a [Metrics], register it with a Prometheus registry, and list it in
// the client's hooks:
//
//	m := kprom.NewMetrics(kprom.Config{})
//	prometheus.MustRegister(m)
//	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: hosts, Hooks: []kafka.Hook{m}})
//
// It is a module of its own, so that the kafka module depends on no
// metrics library.
package kprom

import (
	"errors"
	"strconv"

	"github.com/gokafka/kafka"
	"github.com/prometheus/client_golang/prometheus"
)

// DefaultNamespace prefixes every metric's name when Config.Namespace is
// empty.
const DefaultNamespace = "kafka"

// DefaultBuckets are the latency histograms' buckets, in seconds, when
// Config.Buckets is nil: 0.5 ms doubling to about 16 s, which covers a
// request on a local network as well as a Fetch held by the broker for
// its wait time and a batch retried for seconds.
var DefaultBuckets = prometheus.ExponentialBuckets(0.0005, 2, 16)

// Config says how the metrics are named. The zero Config is ready to use.
type Config struct {
	// Namespace prefixes every metric's name ("kafka" when empty):
	// kafka_request_duration_seconds, ...
	Namespace string
	// ConstLabels are added to every metric, e.g. {"client": "billing"} to
	// tell apart two clients registered with one registry.
	ConstLabels prometheus.Labels
	// Buckets are the latency histograms' upper bounds, in seconds
	// (DefaultBuckets when nil).
	Buckets []float64
}

// Metrics is a [kafka.Hook] implementing every hook interface, and a
// [prometheus.Collector] of the metrics it keeps. One Metrics may serve
// several clients; it is safe for concurrent use.
//
// The metrics, with the default namespace (labels in braces):
//
//	kafka_connects_total{broker}                    connections made
//	kafka_connect_errors_total{broker}              connection attempts that failed
//	kafka_connect_duration_seconds{broker}          dial, TLS, SASL and APIVersions (histogram)
//	kafka_request_duration_seconds{broker,api}      requests, from sending to the decoded answer (histogram)
//	kafka_request_failures_total{broker,api}        requests that got no answer (transport or decoding error)
//	kafka_errors_total{api,topic,code}              errors met by Produce and Fetch requests, retried or not
//	kafka_produced_messages_total{topic}            messages delivered
//	kafka_produced_bytes_total{topic}               bytes delivered, as sent (compressed)
//	kafka_produce_failed_messages_total{topic}      messages whose batch failed for good
//	kafka_produce_retries_total{topic}              batch attempts that failed and were retried
//	kafka_produce_batch_duration_seconds{topic}     from a batch's first message to its outcome (histogram)
//	kafka_fetched_messages_total{topic}             messages fetched for consumers
//	kafka_fetched_bytes_total{topic}                bytes fetched, as received (compressed)
//	kafka_log_truncations_total{topic}              logs found truncated under a consumer (KIP-320)
//
// broker is the broker's node ID ("-1" for a seed broker not known yet),
// api Kafka's name of the API ("Produce", "Fetch", "Metadata", ...), and
// code Kafka's name of the error code ("NOT_LEADER_OR_FOLLOWER") or, for
// the client's own errors, one of "DISCONNECTED", "MALFORMED_RESPONSE" and
// "CLIENT_ERROR".
type Metrics struct {
	connects        *prometheus.CounterVec
	connectErrors   *prometheus.CounterVec
	connectDuration *prometheus.HistogramVec
	requestDuration *prometheus.HistogramVec
	requestFailures *prometheus.CounterVec
	errors          *prometheus.CounterVec
	producedMsgs    *prometheus.CounterVec
	producedBytes   *prometheus.CounterVec
	produceFailed   *prometheus.CounterVec
	produceRetries  *prometheus.CounterVec
	batchDuration   *prometheus.HistogramVec
	fetchedMsgs     *prometheus.CounterVec
	fetchedBytes    *prometheus.CounterVec
	truncations     *prometheus.CounterVec

	all []prometheus.Collector
}

// The hook interfaces Metrics implements.
var (
	_ kafka.BrokerConnectHook = (*Metrics)(nil)
	_ kafka.BrokerRequestHook = (*Metrics)(nil)
	_ kafka.RequestErrorHook  = (*Metrics)(nil)
	_ kafka.ProduceBatchHook  = (*Metrics)(nil)
	_ kafka.FetchBatchHook    = (*Metrics)(nil)
	_ kafka.TruncationHook    = (*Metrics)(nil)
	_ prometheus.Collector    = (*Metrics)(nil)
)

// NewMetrics returns the metrics named as cfg says, all at zero. Register
// it with a registry to have them scraped.
func NewMetrics(cfg Config) *Metrics {
	ns := cfg.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	buckets := cfg.Buckets
	if buckets == nil {
		buckets = DefaultBuckets
	}
	m := &Metrics{}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: name, Help: help, ConstLabels: cfg.ConstLabels}, labels)
		m.all = append(m.all, v)
		return v
	}
	histogram := func(name, help string, labels ...string) *prometheus.HistogramVec {
		v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: name, Help: help, ConstLabels: cfg.ConstLabels, Buckets: buckets}, labels)
		m.all = append(m.all, v)
		return v
	}
	m.connects = counter("connects_total", "Connections made to brokers.", "broker")
	m.connectErrors = counter("connect_errors_total", "Connection attempts to brokers that failed.", "broker")
	m.connectDuration = histogram("connect_duration_seconds", "Time to connect to a broker: dial, TLS, SASL and APIVersions.", "broker")
	m.requestDuration = histogram("request_duration_seconds", "Requests to brokers, from sending to the decoded response.", "broker", "api")
	m.requestFailures = counter("request_failures_total", "Requests that got no usable response: a transport or decoding error.", "broker", "api")
	m.errors = counter("errors_total", "Errors met by Produce and Fetch requests, retried or not, by Kafka error code.", "api", "topic", "code")
	m.producedMsgs = counter("produced_messages_total", "Messages delivered by producers.", "topic")
	m.producedBytes = counter("produced_bytes_total", "Bytes delivered by producers, as sent (compressed).", "topic")
	m.produceFailed = counter("produce_failed_messages_total", "Messages whose batch failed for good.", "topic")
	m.produceRetries = counter("produce_retries_total", "Batch attempts that failed and were retried.", "topic")
	m.batchDuration = histogram("produce_batch_duration_seconds", "Time from a batch's first message to its outcome.", "topic")
	m.fetchedMsgs = counter("fetched_messages_total", "Messages fetched for consumers.", "topic")
	m.fetchedBytes = counter("fetched_bytes_total", "Bytes fetched for consumers, as received (compressed).", "topic")
	m.truncations = counter("log_truncations_total", "Partition logs found truncated under a consumer after a leader change (KIP-320).", "topic")
	return m
}

// Describe sends the descriptions of every metric, for prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.all {
		c.Describe(ch)
	}
}

// Collect sends every metric's current value, for prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	for _, c := range m.all {
		c.Collect(ch)
	}
}

// OnBrokerConnect counts a connection attempt, for kafka.BrokerConnectHook.
func (m *Metrics) OnBrokerConnect(e kafka.BrokerConnectEvent) {
	broker := brokerLabel(e.Broker)
	if e.Err != nil {
		m.connectErrors.WithLabelValues(broker).Inc()
		return
	}
	m.connects.WithLabelValues(broker).Inc()
	m.connectDuration.WithLabelValues(broker).Observe(e.Duration.Seconds())
}

// OnBrokerRequest observes a request's latency, for kafka.BrokerRequestHook.
func (m *Metrics) OnBrokerRequest(e kafka.BrokerRequestEvent) {
	broker := brokerLabel(e.Broker)
	if e.Err != nil {
		m.requestFailures.WithLabelValues(broker, e.API).Inc()
		return
	}
	m.requestDuration.WithLabelValues(broker, e.API).Observe(e.Latency.Seconds())
}

// OnRequestError counts an error by its code, for kafka.RequestErrorHook.
func (m *Metrics) OnRequestError(e kafka.RequestErrorEvent) {
	m.errors.WithLabelValues(e.API, e.Topic, ErrorCode(e.Err)).Inc()
}

// OnProduceBatch counts a finished batch, for kafka.ProduceBatchHook.
func (m *Metrics) OnProduceBatch(e kafka.ProduceBatchEvent) {
	if e.Retries > 0 {
		m.produceRetries.WithLabelValues(e.Topic).Add(float64(e.Retries))
	}
	m.batchDuration.WithLabelValues(e.Topic).Observe(e.Latency.Seconds())
	if e.Err != nil {
		m.produceFailed.WithLabelValues(e.Topic).Add(float64(e.Messages))
		return
	}
	m.producedMsgs.WithLabelValues(e.Topic).Add(float64(e.Messages))
	m.producedBytes.WithLabelValues(e.Topic).Add(float64(e.Bytes))
}

// OnFetchBatch counts fetched messages, for kafka.FetchBatchHook.
func (m *Metrics) OnFetchBatch(e kafka.FetchBatchEvent) {
	m.fetchedMsgs.WithLabelValues(e.Topic).Add(float64(e.Messages))
	m.fetchedBytes.WithLabelValues(e.Topic).Add(float64(e.Bytes))
}

// OnTruncation counts a truncated log, for kafka.TruncationHook.
func (m *Metrics) OnTruncation(e kafka.TruncationEvent) {
	m.truncations.WithLabelValues(e.Topic).Inc()
}

// ErrorCode is the code label kprom gives err: Kafka's name for the error
// code it wraps ("NOT_LEADER_OR_FOLLOWER", "UNKNOWN_SERVER_ERROR" for a
// code this client does not know), else "DISCONNECTED" for a lost
// connection, "MALFORMED_RESPONSE" for an answer that broke Kafka's
// framing and "CLIENT_ERROR" for any other. The set is small, so the
// label's cardinality stays bounded.
func ErrorCode(err error) string {
	var code kafka.Error
	switch {
	case err == nil:
		return "NONE"
	case errors.As(err, &code):
		if !code.Known() {
			return "UNKNOWN_SERVER_ERROR"
		}
		return code.Name()
	case errors.Is(err, kafka.ErrMalformedResponse):
		return "MALFORMED_RESPONSE"
	case errors.Is(err, kafka.ErrSocketDisconnected):
		return "DISCONNECTED"
	default:
		return "CLIENT_ERROR"
	}
}

// brokerLabel formats a node ID without allocating for the usual small
// IDs.
func brokerLabel(id int32) string {
	if id >= 0 && id < int32(len(smallIDs)) {
		return smallIDs[id]
	}
	return strconv.Itoa(int(id))
}

var smallIDs = func() []string {
	s := make([]string, 64)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()
