package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/gokafka/kafka/internal/conn"
	"github.com/gokafka/kafka/protocol"
)

// Error is a Kafka error code carried as a Go error. Every code has a
// constant in this package (ErrOffsetOutOfRange, ErrNotLeaderForPartition,
// ...); compare with errors.Is, or take the code out with errors.As:
//
//	var kerr kafka.Error
//	if errors.As(err, &kerr) && kerr.Retriable() { ... }
//
// Name, Message and Retriable describe the code as Kafka does. Error is an
// alias, so these methods are documented on [protocol.ErrorCode] (go doc
// github.com/gokafka/kafka/protocol.ErrorCode.Retriable): it is the same
// type, so that a code the connection layer reports, such as a failed SASL
// authentication, matches these constants with errors.Is and errors.As.
type Error = protocol.ErrorCode

// The client's own errors, for conditions that are not a broker's error code.
var (
	// ErrNoBrokersAvailable means no broker could be reached: every seed
	// or known broker failed. The error that wraps it says what each one
	// answered. It is retriable: brokers come back.
	ErrNoBrokersAvailable = errors.New("kafka: no brokers available")

	// ErrSocketDisconnected is wrapped by every error caused by a broker
	// connection that failed, timed out or was closed; the cause is
	// wrapped too. It is retriable.
	ErrSocketDisconnected = conn.ErrDisconnected

	// ErrNoAPIVersions means a broker closed the connection instead of
	// answering APIVersions but answered Metadata v0, as brokers before 0.10
	// do: set Config.BrokerVersion ("0.9.0" or "0.8.2") for those.
	ErrNoAPIVersions = conn.ErrNoAPIVersions

	// ErrNotKafka means the peer answered in another protocol, such as HTTP.
	ErrNotKafka = conn.ErrNotKafka

	// ErrTLSRequired means the peer answered a plaintext request with a TLS
	// record: the listener expects TLS (Config.TLS).
	ErrTLSRequired = conn.ErrTLSRequired

	// ErrClosedBeforeAnswer means the peer closed the connection without a
	// byte of its answer.
	ErrClosedBeforeAnswer = conn.ErrClosedBeforeAnswer

	// ErrMalformedResponse means an answer broke Kafka's framing: a frame
	// larger than Config.MaxResponseSize, a truncated frame, or another
	// request's correlation ID.
	ErrMalformedResponse = conn.ErrMalformedResponse

	// ErrClientClosed is returned by calls on a closed Client.
	ErrClientClosed = errors.New("kafka: client closed")

	// ErrProducerStopped is returned by calls on a closed Producer, and
	// reported for messages it could not deliver before closing.
	ErrProducerStopped = errors.New("kafka: producer stopped")

	// ErrProducerQueueFull is returned by Produce when the queue is full
	// and the producer is configured not to block.
	ErrProducerQueueFull = errors.New("kafka: producer queue full")

	// ErrConsumerStopped is returned by calls on a closed consumer.
	ErrConsumerStopped = errors.New("kafka: consumer stopped")

	// ErrConsumerTimeout ends consumption when no message arrived within
	// the consumer's ConsumerTimeout.
	ErrConsumerTimeout = errors.New("kafka: consumer timeout: no message within ConsumerTimeout")
)

// An OpError says where an error happened: the operation, and the topic,
// partition and broker involved, as far as they are known. Err is the cause,
// often an [Error] code; errors.Is and errors.As see through an OpError.
type OpError struct {
	Op        string // what was being done, e.g. "list offsets"
	Topic     string // "" when not about one topic
	Partition int32  // -1 when not about one partition
	Broker    int32  // the broker's node ID, -1 when unknown
	Addr      string // the broker's address, "" when unknown
	Err       error
}

// Error says what failed where: operation, topic[partition], broker, cause.
func (e *OpError) Error() string {
	var b strings.Builder
	b.WriteString("kafka: ")
	b.WriteString(e.Op)
	if e.Topic != "" {
		b.WriteString(" ")
		b.WriteString(e.Topic)
		if e.Partition >= 0 {
			b.WriteString("[" + strconv.Itoa(int(e.Partition)) + "]")
		}
	}
	if e.Broker >= 0 || e.Addr != "" {
		b.WriteString(" at broker")
		if e.Broker >= 0 {
			b.WriteString(" " + strconv.Itoa(int(e.Broker)))
		}
		if e.Addr != "" {
			b.WriteString(" (" + e.Addr + ")")
		}
	}
	b.WriteString(": ")
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "kafka: "))
	return b.String()
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *OpError) Unwrap() error { return e.Err }

// IsRetriable reports whether trying again later may succeed: a retriable
// Kafka error code (a leader moving, a coordinator loading, a request timing
// out...), a lost connection, or no reachable broker. The client already
// retries these within the caller's deadline, so seeing one means the
// deadline or the retry budget ran out; the caller's own context ending is
// not retriable.
func IsRetriable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var code Error
	if errors.As(err, &code) {
		return code.Retriable()
	}
	if errors.Is(err, ErrSocketDisconnected) || errors.Is(err, ErrNoBrokersAvailable) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// codeError returns code as an error, or nil when it is zero.
func codeError(code int16) error {
	if code == 0 {
		return nil
	}
	return Error(code)
}

// errZstdTooOld says that a broker speaking Produce version cannot take
// zstd batches.
func errZstdTooOld(version int16) error {
	return fmt.Errorf("%w: zstd compression needs Kafka 2.1 or newer (Produce v7; the broker speaks v%d)", ErrUnsupportedCompressionType, version)
}

// errBrokerTooOld says a feature needs a newer broker.
func errBrokerTooOld(feature, release string) error {
	return fmt.Errorf("%w: %s needs Kafka %s or newer", ErrUnsupportedVersion, feature, release)
}
