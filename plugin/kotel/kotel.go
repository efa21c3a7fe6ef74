// Package kotel instruments a gokafka client with OpenTelemetry: metrics
// through a MeterProvider ([Metrics]) and tracing through a TracerProvider
// ([Tracer]), following OpenTelemetry's semantic conventions for messaging
// and Kafka. Both are hooks for [kafka.Config.Hooks]:
//
//	m, err := kotel.NewMetrics(kotel.MetricsConfig{MeterProvider: mp})
//	t := kotel.NewTracer(kotel.TracerConfig{TracerProvider: tp})
//	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: hosts, Hooks: []kafka.Hook{m, t}})
//
// The Tracer gives every produced message a "send <topic>" span, a child of
// the span in the context given to Produce, and writes that span's context
// into the message's headers (W3C traceparent and tracestate, with the
// default propagator); every message a consumer hands out gets a "receive
// <topic>" span whose parent is the producer's span, read back from the
// headers, so that one trace follows a message across the broker.
//
// It is a module of its own, so that the kafka module depends on no
// telemetry library.
package kotel

import (
	"context"
	"errors"

	"github.com/gokafka/kafka"
)

// ScopeName names the instrumentation scope of kotel's meters and tracers.
const ScopeName = "github.com/gokafka/kafka/plugin/kotel"

// ErrorType is the error.type attribute kotel gives err: Kafka's name for
// the error code it wraps ("NOT_LEADER_OR_FOLLOWER"; "UNKNOWN_SERVER_ERROR"
// for a code this client does not know), else "DISCONNECTED" for a lost
// connection, "MALFORMED_RESPONSE" for an answer that broke Kafka's
// framing, "CANCELLED" for a context's end, and "CLIENT_ERROR" for any
// other: a small set, as the conventions ask of error.type.
func ErrorType(err error) string {
	var code kafka.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &code):
		if !code.Known() {
			return "UNKNOWN_SERVER_ERROR"
		}
		return code.Name()
	case errors.Is(err, kafka.ErrMalformedResponse):
		return "MALFORMED_RESPONSE"
	case errors.Is(err, kafka.ErrSocketDisconnected):
		return "DISCONNECTED"
	case isCancel(err):
		return "CANCELLED"
	default:
		return "CLIENT_ERROR"
	}
}

func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
