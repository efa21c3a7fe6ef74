package kotel_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/plugin/kotel"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// attrs returns a span's attributes by key.
func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	out := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		out[kv.Key] = kv.Value
	}
	return out
}

// spansNamed returns the ended spans called name.
func spansNamed(rec *tracetest.SpanRecorder, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// TestTraceAcrossBroker: a message produced inside a span gets a send span,
// a child of it, whose context travels in the message's headers; the
// consumer's receive span (and a Process span) is the child of the send
// span, in the same trace, with the conventions' attributes.
func TestTraceAcrossBroker(t *testing.T) {
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("kotel", 2)
	group := b.Name("kotel-g")
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tracer := kotel.NewTracer(kotel.TracerConfig{TracerProvider: tp, ClientID: "billing"})

	client, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: b.Addrs(), Hooks: []kafka.Hook{tracer}})
	require.NoError(t, err)
	defer client.Close()
	topic, err := client.Topic(testCtx(t), name)
	require.NoError(t, err)
	p, err := topic.Producer(testCtx(t), kafka.ProducerConfig{})
	require.NoError(t, err)

	ctx, root := tp.Tracer("app").Start(testCtx(t), "handle request")
	stored, err := p.ProduceSync(ctx, kafka.Message{Key: []byte("order-7"), Value: []byte("paid")})
	require.NoError(t, err)
	root.End()
	var traceparent string
	for _, h := range stored.Headers {
		if h.Key == "traceparent" {
			traceparent = string(h.Value)
		}
	}
	require.NotEmpty(t, traceparent, "the context is in the headers: %v", stored.Headers)

	sends := spansNamed(rec, "send "+name)
	require.Len(t, sends, 1)
	send := sends[0]
	require.Equal(t, trace.SpanKindProducer, send.SpanKind())
	require.Equal(t, root.SpanContext().SpanID(), send.Parent().SpanID(), "a child of the caller's span")
	require.Equal(t, root.SpanContext().TraceID(), send.SpanContext().TraceID())
	require.Contains(t, traceparent, send.SpanContext().SpanID().String())
	sa := attrs(send)
	require.Equal(t, "kafka", sa["messaging.system"].AsString())
	require.Equal(t, "send", sa["messaging.operation.name"].AsString())
	require.Equal(t, "send", sa["messaging.operation.type"].AsString())
	require.Equal(t, name, sa["messaging.destination.name"].AsString())
	require.Equal(t, "order-7", sa["messaging.kafka.message.key"].AsString())
	require.Equal(t, "billing", sa["messaging.client.id"].AsString())
	require.Equal(t, stored.Offset, sa["messaging.kafka.offset"].AsInt64())
	require.Equal(t, stored.Partition, int32(mustAtoi(t, sa["messaging.destination.partition.id"].AsString())))
	require.Equal(t, codes.Unset, send.Status().Code)

	// The consumer side, in a process that knows nothing of the producer's
	// spans but what the broker carried.
	c, err := topic.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{ConsumerGroup: group})
	require.NoError(t, err)
	defer c.Close()
	cctx, loop := tp.Tracer("app").Start(testCtx(t), "consume loop")
	msg, err := c.Consume(cctx)
	require.NoError(t, err)
	loop.End()
	_, process := tracer.Process(cctx, msg, group)
	process.End()

	receives := spansNamed(rec, "receive "+name)
	require.Len(t, receives, 1)
	recv := receives[0]
	require.Equal(t, trace.SpanKindConsumer, recv.SpanKind())
	require.Equal(t, send.SpanContext().SpanID(), recv.Parent().SpanID(), "the producer's span is the consumer's parent")
	require.Equal(t, send.SpanContext().TraceID(), recv.SpanContext().TraceID())
	require.True(t, recv.Parent().IsRemote(), "the parent came through the broker")
	require.Len(t, recv.Links(), 1, "the consumer's own span is linked")
	require.Equal(t, loop.SpanContext().SpanID(), recv.Links()[0].SpanContext.SpanID())
	ra := attrs(recv)
	require.Equal(t, "kafka", ra["messaging.system"].AsString())
	require.Equal(t, "receive", ra["messaging.operation.type"].AsString())
	require.Equal(t, name, ra["messaging.destination.name"].AsString())
	require.Equal(t, group, ra["messaging.consumer.group.name"].AsString())
	require.Equal(t, stored.Offset, ra["messaging.kafka.offset"].AsInt64())
	require.Equal(t, "order-7", ra["messaging.kafka.message.key"].AsString())

	procs := spansNamed(rec, "process "+name)
	require.Len(t, procs, 1)
	require.Equal(t, send.SpanContext().SpanID(), procs[0].Parent().SpanID())
	require.Equal(t, "process", attrs(procs[0])["messaging.operation.type"].AsString())
	require.Equal(t, send.SpanContext().SpanID(), trace.SpanContextFromContext(tracer.Extract(context.Background(), msg)).SpanID())
}

// TestSendSpanFailure: a message Produce refuses, and one that fails for
// good, end their send spans with an error status and error.type; a
// message produced without a span in its context starts a new trace.
func TestSendSpanFailure(t *testing.T) {
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("kotel-fail", 1)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tracer := kotel.NewTracer(kotel.TracerConfig{TracerProvider: tp})
	client, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: b.Addrs(), Hooks: []kafka.Hook{tracer}})
	require.NoError(t, err)
	defer client.Close()
	p, err := client.Producer(testCtx(t), kafka.ProducerConfig{MaxRequestSize: 1024})
	require.NoError(t, err)

	_, err = p.ProduceSync(testCtx(t), kafka.Message{Topic: name, Value: make([]byte, 4096)})
	require.ErrorIs(t, err, kafka.ErrMessageTooLarge)
	require.NoError(t, p.Close())
	require.ErrorIs(t, p.Produce(testCtx(t), kafka.Message{Topic: name, Value: []byte("late")}), kafka.ErrProducerStopped)

	sends := spansNamed(rec, "send "+name)
	require.Len(t, sends, 2)
	for _, s := range sends {
		require.Equal(t, codes.Error, s.Status().Code)
		require.False(t, s.Parent().IsValid(), "a root span")
		require.NotEmpty(t, s.Events(), "the error is recorded")
	}
	require.Equal(t, "MESSAGE_TOO_LARGE", attrs(sends[0])["error.type"].AsString())
	require.Equal(t, "CLIENT_ERROR", attrs(sends[1])["error.type"].AsString())
	require.Contains(t, sends[0].Status().Description, "MaxRequestSize")
	require.Contains(t, sends[1].Status().Description, "producer stopped")
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}
