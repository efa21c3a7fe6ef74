package conn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"time"

	"github.com/gokafka/kafka/protocol"
)

// Why a connection failed, for errors.Is. Each error that wraps one of these
// also wraps [ErrDisconnected] and says which broker and which request.
var (
	// ErrNotKafka means the peer answered in a protocol that is not
	// Kafka's, such as HTTP.
	ErrNotKafka = errors.New("kafka: not a Kafka broker")

	// ErrTLSRequired means the peer answered a plaintext request with a
	// TLS record: the listener expects TLS.
	ErrTLSRequired = errors.New("kafka: answered with a TLS record; is the broker TLS-only? set Config.TLS")

	// ErrClosedBeforeAnswer means the peer closed the connection without
	// sending a byte of its answer.
	ErrClosedBeforeAnswer = errors.New("kafka: connection closed before an answer")

	// ErrMalformedResponse means the peer's answer broke Kafka's framing: a
	// frame larger than Config.MaxResponseSize, a negative size, a truncated
	// frame, or another request's correlation ID.
	ErrMalformedResponse = errors.New("kafka: malformed response")
)

// disconnected wraps err, whose text says what happened, so that it matches
// ErrDisconnected too without repeating that error's text.
type disconnected struct{ err error }

func (e *disconnected) Error() string   { return e.err.Error() }
func (e *disconnected) Unwrap() []error { return []error{ErrDisconnected, e.err} }

// quiet is an error with its own text that matches errs, whose texts it
// does not repeat.
type quiet struct {
	msg  string
	errs []error
}

func (e *quiet) Error() string   { return e.msg }
func (e *quiet) Unwrap() []error { return e.errs }

// httpSize is "HTTP" read as a big-endian frame size.
const httpSize = 0x48545450

// readFailure explains why reading the answer to a request for api ("" when
// none is in flight) from the broker failed, naming the real cause when the
// bytes or the error show it.
func (c *Conn) readFailure(err error, api string) error {
	reply, to, answering := " in answer to "+api, " to "+api, " without answering "+api
	if api == "" {
		reply, to, answering = "", "", " while no request was in flight"
	}
	var fe *protocol.FrameError
	isFrame := errors.As(err, &fe)
	switch {
	case isFrame && fe.Size == httpSize:
		err = fmt.Errorf("%w (it answered like HTTP): %s sent \"HTTP...\"%s", ErrNotKafka, c.addr, reply)
	case isFrame && (fe.Size>>16 == 0x1503 || fe.Size>>16 == 0x1603):
		kind := "handshake record"
		if fe.Size>>24 == 0x15 {
			kind = "alert"
		}
		err = &quiet{fmt.Sprintf("%v: %s sent a TLS %s%s", ErrTLSRequired, c.addr, kind, reply), []error{ErrTLSRequired, err}}
	case isFrame && fe.Size > fe.Limit:
		err = &quiet{fmt.Sprintf("%v from %s%s: frame size %d larger than MaxResponseSize (%d)", ErrMalformedResponse, c.addr, to, fe.Size, fe.Limit), []error{ErrMalformedResponse, err}}
	case isFrame && fe.Size < 0:
		err = &quiet{fmt.Sprintf("%v from %s%s: negative frame size %d", ErrMalformedResponse, c.addr, to, fe.Size), []error{ErrMalformedResponse, err}}
	case isFrame && errors.Is(fe.Err, io.ErrUnexpectedEOF):
		err = fmt.Errorf("%w from %s%s: %w", ErrMalformedResponse, c.addr, to, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = fmt.Errorf("%w from %s%s: the connection closed within the 4-byte size: %w", ErrMalformedResponse, c.addr, to, err)
	case !isFrame && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)):
		err = fmt.Errorf("%w: %s closed the connection%s: %w", ErrClosedBeforeAnswer, c.addr, answering, err)
	default:
		return fmt.Errorf("%w: reading from %s%s: %w", ErrDisconnected, c.addr, reply, err)
	}
	return &disconnected{err}
}

// mismatch is the error for a response whose correlation ID is not the one
// expected: the stream is corrupt.
func (c *Conn) mismatch(got int32, want string) error {
	return &disconnected{fmt.Errorf("%w from %s: answered correlation ID %d, %s", ErrMalformedResponse, c.addr, got, want)}
}

// dialFailure explains a failed TCP connection, naming the address.
func dialFailure(addr string, err error) error {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return &disconnected{fmt.Errorf("kafka: connection refused by %s (is a broker listening there?): %w", addr, err)}
	}
	return fmt.Errorf("%w: dialing %s: %w", ErrDisconnected, addr, err)
}

// A dialTimeout is the cause of a Dial whose dial timeout passed.
type dialTimeout struct{ d time.Duration }

func (e *dialTimeout) Error() string {
	return fmt.Sprintf("no answer within the dial timeout (%v), which bounds the connection with its TLS, ApiVersions and SASL handshakes", e.d)
}

func (e *dialTimeout) Unwrap() error { return context.DeadlineExceeded }

// Timeout reports true, as net.Error timeouts do.
func (e *dialTimeout) Timeout() bool { return true }
