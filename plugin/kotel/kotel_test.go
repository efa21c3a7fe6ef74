package kotel_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/plugin/kotel"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestErrorType: the error.type of each kind of error.
func TestErrorType(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{kafka.ErrNotLeaderOrFollower, "NOT_LEADER_OR_FOLLOWER"},
		{&kafka.OpError{Op: "fetch", Topic: "t", Partition: 1, Err: kafka.ErrOffsetOutOfRange}, "OFFSET_OUT_OF_RANGE"},
		{fmt.Errorf("produce: %w", kafka.Error(9999)), "UNKNOWN_SERVER_ERROR"},
		{fmt.Errorf("read: %w", kafka.ErrSocketDisconnected), "DISCONNECTED"},
		{kafka.ErrMalformedResponse, "MALFORMED_RESPONSE"},
		{fmt.Errorf("wait: %w", context.DeadlineExceeded), "CANCELLED"},
		{kafka.ErrProducerStopped, "CLIENT_ERROR"},
	} {
		require.Equal(t, tc.want, kotel.ErrorType(tc.err), "%v", tc.err)
	}
}

// TestHeadersReplaced: a message that already carries trace headers (one
// consumed and produced again, say) gets the new span's, once each, and
// the caller's header slice is never written into.
func TestHeadersReplaced(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tracer := kotel.NewTracer(kotel.TracerConfig{TracerProvider: tp, Propagator: propagation.TraceContext{}})
	old := make([]kafka.Header, 2, 8)
	old[0] = kafka.Header{Key: "traceparent", Value: []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")}
	old[1] = kafka.Header{Key: "app", Value: []byte("x")}
	msg := kafka.Message{Topic: "t", Headers: old}
	tracer.OnProduceRecord(context.Background(), &msg)
	require.Equal(t, "0af7651916cd43dd8448eb211c80319c", string(old[0].Value[3:35]), "the caller's slice is untouched")
	require.Equal(t, kafka.Header{}, old[:3][2])
	var parents []string
	for _, h := range msg.Headers {
		if h.Key == "traceparent" {
			parents = append(parents, string(h.Value))
		}
	}
	require.Len(t, parents, 1)
	require.Len(t, msg.Headers, 2)
	tracer.OnProduceRecordDone(msg, nil)
	require.Len(t, rec.Ended(), 1, "the span ends with the outcome")
	require.Contains(t, parents[0], rec.Ended()[0].SpanContext().SpanID().String())
	// A second outcome for the same message (there is none) changes nothing.
	tracer.OnProduceRecordDone(msg, nil)
	require.Len(t, rec.Ended(), 1)
}

// TestNoTracerProvider: with no provider configured (the global no-op)
// nothing is recorded or kept, and Produce's headers still get the
// caller's trace context, if any.
func TestNoTracerProvider(t *testing.T) {
	tracer := kotel.NewTracer(kotel.TracerConfig{})
	rec := tracetest.NewSpanRecorder()
	ctx, span := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)).Tracer("app").Start(context.Background(), "req")
	msg := kafka.Message{Topic: "t"}
	tracer.OnProduceRecord(ctx, &msg)
	require.Len(t, msg.Headers, 1)
	require.Equal(t, "traceparent", msg.Headers[0].Key)
	require.Contains(t, string(msg.Headers[0].Value), span.SpanContext().TraceID().String())
	tracer.OnProduceRecordDone(msg, nil)
}
