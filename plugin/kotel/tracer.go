package kotel

import (
	"context"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/gokafka/kafka"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// TracerConfig says where spans go and how their context travels. The zero
// TracerConfig uses the global TracerProvider and propagator
// (otel.GetTracerProvider, otel.GetTextMapPropagator).
type TracerConfig struct {
	TracerProvider trace.TracerProvider
	// Propagator writes a span's context into a produced message's headers
	// and reads it from a consumed one's; with the global propagator unset
	// (a no-op) kotel uses W3C trace context and baggage, which write the
	// headers traceparent, tracestate and baggage.
	Propagator propagation.TextMapPropagator
	// ClientID, when set, is the messaging.client.id of every span.
	ClientID string
}

// Tracer is a [kafka.Hook] tracing every message produced and consumed,
// following OpenTelemetry's conventions for messaging spans:
//
//   - Produce and ProduceSync start a "send <topic>" span (kind producer,
//     messaging.operation.type send), a child of the span in their context,
//     and write its context into the message's headers. The span ends with
//     the message's outcome: delivered (with messaging.destination.partition.id
//     and messaging.kafka.offset) or failed (status Error, error.type).
//   - Consume and Messages give every message they hand out a "receive
//     <topic>" span (kind consumer, messaging.operation.type receive) whose
//     parent is the producer's span, read from the headers, so that a trace
//     follows the message across the broker; the span in Consume's context,
//     if any, is linked. The span ends at once: it marks the hand-over. Use
//     [Tracer.Process] for a span covering the application's processing.
//
// Both carry messaging.system kafka, messaging.destination.name (the
// topic), messaging.operation.name, messaging.kafka.message.key (when the
// key is valid UTF-8), messaging.kafka.message.tombstone (a nil value) and
// messaging.message.body.size; the receive span also
// messaging.consumer.group.name.
//
// A message's send span is kept until its outcome, which the producer
// always reports (delivered, failed, or refused by Produce); spans not
// recorded (sampled out) are not kept.
type Tracer struct {
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
	common []attribute.KeyValue

	inflight sync.Map // spanKey -> trace.Span: send spans awaiting their outcome
}

// The hook interfaces Tracer implements.
var (
	_ kafka.ProduceRecordHook = (*Tracer)(nil)
	_ kafka.ConsumeRecordHook = (*Tracer)(nil)
)

// spanKey identifies a send span across its message's journey through the
// producer.
type spanKey struct {
	trace trace.TraceID
	span  trace.SpanID
}

// NewTracer returns a Tracer as cfg says.
func NewTracer(cfg TracerConfig) *Tracer {
	tp := cfg.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	prop := cfg.Propagator
	if prop == nil {
		prop = otel.GetTextMapPropagator()
		if len(prop.Fields()) == 0 { // the global default: a no-op
			prop = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
		}
	}
	t := &Tracer{tracer: tp.Tracer(ScopeName), prop: prop, common: []attribute.KeyValue{semconv.MessagingSystemKafka}}
	if cfg.ClientID != "" {
		t.common = append(t.common, semconv.MessagingClientID(cfg.ClientID))
	}
	return t
}

// messageAttrs are the attributes every span of msg has.
func (t *Tracer) messageAttrs(op string, opType attribute.KeyValue, msg *kafka.Message) []attribute.KeyValue {
	kvs := append([]attribute.KeyValue{
		semconv.MessagingOperationName(op), opType,
		semconv.MessagingDestinationName(msg.Topic),
		semconv.MessagingMessageBodySize(len(msg.Value)),
	}, t.common...)
	if msg.Key != nil && utf8.Valid(msg.Key) {
		kvs = append(kvs, semconv.MessagingKafkaMessageKey(string(msg.Key)))
	}
	if msg.Value == nil {
		kvs = append(kvs, semconv.MessagingKafkaMessageTombstone(true))
	}
	return kvs
}

// OnProduceRecord starts msg's send span and writes its context into the
// message's headers, for kafka.ProduceRecordHook.
func (t *Tracer) OnProduceRecord(ctx context.Context, msg *kafka.Message) {
	ctx, span := t.tracer.Start(ctx, "send "+msg.Topic,
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(t.messageAttrs("send", semconv.MessagingOperationTypeSend, msg)...))
	t.prop.Inject(ctx, &headerCarrier{hs: &msg.Headers})
	if span.IsRecording() {
		sc := span.SpanContext()
		t.inflight.Store(spanKey{sc.TraceID(), sc.SpanID()}, span)
	}
}

// OnProduceRecordDone ends msg's send span with its outcome, for
// kafka.ProduceRecordHook.
func (t *Tracer) OnProduceRecordDone(msg kafka.Message, err error) {
	sc := trace.SpanContextFromContext(t.prop.Extract(context.Background(), &headerCarrier{hs: &msg.Headers}))
	v, ok := t.inflight.LoadAndDelete(spanKey{sc.TraceID(), sc.SpanID()})
	if !ok {
		return // not recorded
	}
	span := v.(trace.Span)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		span.SetAttributes(semconv.ErrorTypeKey.String(ErrorType(err)))
	} else {
		span.SetAttributes(
			semconv.MessagingDestinationPartitionID(strconv.Itoa(int(msg.Partition))),
			semconv.MessagingKafkaOffset(int(msg.Offset)))
	}
	span.End()
}

// OnConsumeRecord records the receive span of a message handed out, for
// kafka.ConsumeRecordHook.
func (t *Tracer) OnConsumeRecord(ctx context.Context, e kafka.ConsumeRecordEvent) {
	_, span := t.start(ctx, "receive", semconv.MessagingOperationTypeReceive, e.Message, e.Group)
	span.End()
}

// Process starts a "process <topic>" span (kind consumer,
// messaging.operation.type process) for the application's processing of a
// consumed msg: its parent is the producer's span, read from the headers,
// and the span in ctx, if any, is linked. End the span when done; the
// returned context carries it, for spans of the work it does.
//
//	ctx, span := tracer.Process(ctx, msg, "billing")
//	err := handle(ctx, msg)
//	span.End()
func (t *Tracer) Process(ctx context.Context, msg kafka.Message, group string) (context.Context, trace.Span) {
	return t.start(ctx, "process", semconv.MessagingOperationTypeProcess, msg, group)
}

// Extract returns ctx carrying the span context found in msg's headers
// (the producer's span), for spans of one's own.
func (t *Tracer) Extract(ctx context.Context, msg kafka.Message) context.Context {
	return t.prop.Extract(ctx, &headerCarrier{hs: &msg.Headers})
}

// start starts a consumer span of msg: the child of the producer's span,
// linked to ctx's.
func (t *Tracer) start(ctx context.Context, op string, opType attribute.KeyValue, msg kafka.Message, group string) (context.Context, trace.Span) {
	kvs := append(t.messageAttrs(op, opType, &msg),
		semconv.MessagingDestinationPartitionID(strconv.Itoa(int(msg.Partition))),
		semconv.MessagingKafkaOffset(int(msg.Offset)))
	if group != "" {
		kvs = append(kvs, semconv.MessagingConsumerGroupName(group))
	}
	opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(kvs...)}
	// The producer's span is the parent (ctx's values are kept) and ctx's
	// span a link; without one in the headers, ctx's span is the parent.
	parent := t.prop.Extract(trace.ContextWithSpanContext(ctx, trace.SpanContext{}), &headerCarrier{hs: &msg.Headers})
	if !trace.SpanContextFromContext(parent).IsValid() {
		parent = ctx
	} else if local := trace.SpanContextFromContext(ctx); local.IsValid() {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: local}))
	}
	return t.tracer.Start(parent, op+" "+msg.Topic, opts...)
}
