package kotel

import (
	"context"
	"errors"

	"github.com/gokafka/kafka"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// MetricsConfig says where the metrics go. The zero MetricsConfig uses the
// global MeterProvider (otel.GetMeterProvider).
type MetricsConfig struct {
	MeterProvider metric.MeterProvider
	// Attributes are added to every measurement, e.g.
	// attribute.String("messaging.client.id", "billing").
	Attributes []attribute.KeyValue
}

// Metrics is a [kafka.Hook] recording the client's events as OpenTelemetry
// metrics. Safe for concurrent use; one Metrics may serve several clients.
//
// Instruments (attributes in braces; messaging.system is "kafka" on all):
//
//	messaging.client.sent.messages {message}     messages produced, delivered or failed for good
//	                                             {messaging.operation.name=send, messaging.destination.name, error.type if failed}
//	messaging.client.consumed.messages {message} messages fetched for consumers
//	                                             {messaging.operation.name=poll, messaging.destination.name}
//	kafka.client.produced.bytes {By}             bytes delivered, as sent (compressed) {messaging.destination.name}
//	kafka.client.fetched.bytes {By}              bytes fetched, as received {messaging.destination.name}
//	kafka.client.produce.retries {attempt}       batch attempts that failed and were retried {messaging.destination.name}
//	kafka.client.produce.batch.duration (s)      a batch's first message to its outcome {messaging.destination.name, error.type}
//	kafka.client.request.duration (s)            a request to a broker, sending to decoded response
//	                                             {kafka.broker.id, kafka.api.name, error.type if no response}
//	kafka.client.errors {error}                  errors met by Produce and Fetch requests, retried or not
//	                                             {kafka.api.name, messaging.destination.name, error.type}
//	kafka.client.connects {connection}           connection attempts {kafka.broker.id, error.type if failed}
//	kafka.client.connect.duration (s)            dial, TLS, SASL and APIVersions {kafka.broker.id}
//	kafka.client.log.truncations {truncation}    logs found truncated under a consumer {messaging.destination.name}
//
// error.type is [ErrorType]'s name for the error: Kafka's name of the
// error code, such as NOT_LEADER_OR_FOLLOWER.
type Metrics struct {
	attrs []attribute.KeyValue

	sent, consumed               metric.Int64Counter
	producedBytes, fetchedBytes  metric.Int64Counter
	retries, errs, connects      metric.Int64Counter
	truncations                  metric.Int64Counter
	batchDur, reqDur, connectDur metric.Float64Histogram
}

// The hook interfaces Metrics implements.
var (
	_ kafka.BrokerConnectHook = (*Metrics)(nil)
	_ kafka.BrokerRequestHook = (*Metrics)(nil)
	_ kafka.RequestErrorHook  = (*Metrics)(nil)
	_ kafka.ProduceBatchHook  = (*Metrics)(nil)
	_ kafka.FetchBatchHook    = (*Metrics)(nil)
	_ kafka.TruncationHook    = (*Metrics)(nil)
)

// Attribute keys of kotel's own (Kafka-specific, not in the conventions).
const (
	BrokerIDKey = attribute.Key("kafka.broker.id")
	APINameKey  = attribute.Key("kafka.api.name")
)

// Buckets are the duration histograms' bounds, in seconds: 0.5 ms doubling
// to about 16 s.
var Buckets = []float64{0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384}

// NewMetrics makes the instruments on cfg's MeterProvider.
func NewMetrics(cfg MetricsConfig) (*Metrics, error) {
	mp := cfg.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	meter := mp.Meter(ScopeName)
	m := &Metrics{attrs: append([]attribute.KeyValue{semconv.MessagingSystemKafka}, cfg.Attributes...)}
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := meter.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	histogram := func(name, desc string) metric.Float64Histogram {
		h, err := meter.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc), metric.WithExplicitBucketBoundaries(Buckets...))
		errs = append(errs, err)
		return h
	}
	m.sent = counter("messaging.client.sent.messages", "{message}", "Number of messages producer attempted to send to the broker.")
	m.consumed = counter("messaging.client.consumed.messages", "{message}", "Number of messages that were delivered to the application.")
	m.producedBytes = counter("kafka.client.produced.bytes", "By", "Bytes delivered by producers, as sent (compressed).")
	m.fetchedBytes = counter("kafka.client.fetched.bytes", "By", "Bytes fetched for consumers, as received (compressed).")
	m.retries = counter("kafka.client.produce.retries", "{attempt}", "Batch attempts that failed and were retried.")
	m.errs = counter("kafka.client.errors", "{error}", "Errors met by Produce and Fetch requests, retried or not.")
	m.connects = counter("kafka.client.connects", "{connection}", "Connection attempts to brokers.")
	m.truncations = counter("kafka.client.log.truncations", "{truncation}", "Partition logs found truncated under a consumer (KIP-320).")
	m.batchDur = histogram("kafka.client.produce.batch.duration", "Time from a batch's first message to its outcome.")
	m.reqDur = histogram("kafka.client.request.duration", "Requests to brokers, from sending to the decoded response.")
	m.connectDur = histogram("kafka.client.connect.duration", "Time to connect to a broker: dial, TLS, SASL and APIVersions.")
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// set returns the measurement's attributes: the common ones and kvs.
func (m *Metrics) set(kvs ...attribute.KeyValue) metric.MeasurementOption {
	return metric.WithAttributes(append(kvs, m.attrs...)...)
}

// withError appends error.type for a non-nil err.
func withError(kvs []attribute.KeyValue, err error) []attribute.KeyValue {
	if err != nil {
		kvs = append(kvs, semconv.ErrorTypeKey.String(ErrorType(err)))
	}
	return kvs
}

// The hooks run on the client's goroutines, with no context of their own.
var bg = context.Background()

// OnBrokerConnect counts a connection attempt, for kafka.BrokerConnectHook.
func (m *Metrics) OnBrokerConnect(e kafka.BrokerConnectEvent) {
	broker := BrokerIDKey.Int(int(e.Broker))
	m.connects.Add(bg, 1, m.set(withError([]attribute.KeyValue{broker}, e.Err)...))
	if e.Err == nil {
		m.connectDur.Record(bg, e.Duration.Seconds(), m.set(broker))
	}
}

// OnBrokerRequest records a request's latency, for kafka.BrokerRequestHook.
func (m *Metrics) OnBrokerRequest(e kafka.BrokerRequestEvent) {
	m.reqDur.Record(bg, e.Latency.Seconds(), m.set(withError([]attribute.KeyValue{BrokerIDKey.Int(int(e.Broker)), APINameKey.String(e.API)}, e.Err)...))
}

// OnRequestError counts an error by its type, for kafka.RequestErrorHook.
func (m *Metrics) OnRequestError(e kafka.RequestErrorEvent) {
	m.errs.Add(bg, 1, m.set(APINameKey.String(e.API), semconv.MessagingDestinationName(e.Topic), semconv.ErrorTypeKey.String(ErrorType(e.Err))))
}

// OnProduceBatch counts a finished batch, for kafka.ProduceBatchHook.
func (m *Metrics) OnProduceBatch(e kafka.ProduceBatchEvent) {
	dest := semconv.MessagingDestinationName(e.Topic)
	if e.Retries > 0 {
		m.retries.Add(bg, int64(e.Retries), m.set(dest))
	}
	m.batchDur.Record(bg, e.Latency.Seconds(), m.set(withError([]attribute.KeyValue{dest}, e.Err)...))
	m.sent.Add(bg, int64(e.Messages), m.set(withError([]attribute.KeyValue{semconv.MessagingOperationName("send"), dest}, e.Err)...))
	if e.Err == nil {
		m.producedBytes.Add(bg, int64(e.Bytes), m.set(dest))
	}
}

// OnFetchBatch counts fetched messages, for kafka.FetchBatchHook.
func (m *Metrics) OnFetchBatch(e kafka.FetchBatchEvent) {
	dest := semconv.MessagingDestinationName(e.Topic)
	m.consumed.Add(bg, int64(e.Messages), m.set(semconv.MessagingOperationName("poll"), dest))
	m.fetchedBytes.Add(bg, int64(e.Bytes), m.set(dest))
}

// OnTruncation counts a truncated log, for kafka.TruncationHook.
func (m *Metrics) OnTruncation(e kafka.TruncationEvent) {
	m.truncations.Add(bg, 1, m.set(semconv.MessagingDestinationName(e.Topic)))
}
