// Package conn is one connection to one Kafka broker: dialing, TLS, the
// APIVersions handshake and version negotiation, and pipelined requests whose
// responses are matched by correlation ID.
package conn

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/gokafka/kafka/protocol"
)

// ErrDisconnected is wrapped by every error caused by a connection that
// failed or was closed; the cause is wrapped too.
var ErrDisconnected = errors.New("kafka: socket disconnected")

// Config configures a connection.
type Config struct {
	ClientID        string
	DialTimeout     time.Duration // default 10s
	LocalAddr       net.Addr      // optional source address
	TLS             *tls.Config   // nil: plaintext
	MaxResponseSize int32         // default 100 MiB
	// Dial replaces net.Dialer, for tests and custom transports.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// SASL authenticates every connection [Dial] opens; nil means none.
	SASL *SASL
	// BrokerVersion is pykafka's broker_version: "" (or any release from
	// 0.10 on) asks the broker with APIVersions; "0.8.2" or "0.9.0" uses
	// fixed versions, because those brokers hang up on APIVersions.
	BrokerVersion string
	// SoftwareName and SoftwareVersion identify the client in APIVersions
	// v3+, where brokers show them in metrics; defaults "gokafka", "dev".
	SoftwareName, SoftwareVersion string
	// Logger receives debug lines about brokers' quirks (bytes ignored
	// after a response's fields); nil is silent.
	Logger *slog.Logger
}

const (
	defaultDialTimeout     = 10 * time.Second
	defaultMaxResponseSize = 100 << 20
)

// A Conn is a connection to one broker. It is safe for concurrent use: many
// requests may be in flight at once; Kafka answers them in order.
type Conn struct {
	addr     string
	nc       net.Conn
	clientID *string
	maxResp  int32
	log      *slog.Logger // nil: silent

	writeMu sync.Mutex // serialises writes and correlation ID order
	nextID  int32
	wbuf    []byte
	segs    [][]byte      // the frame being written, in segments
	bufs    net.Buffers   // segs, for writev
	gate    chan struct{} // non-nil while re-authenticating: Send waits for it to close

	mu      sync.Mutex
	pending []*call       // in the order sent
	drained chan struct{} // closed when pending empties, for re-authentication
	err     error         // set once the connection is broken or closed

	readerDone chan struct{}

	// handshaking is true while [Dial] owns the socket and no reader runs:
	// RoundTrip then reads its answer itself, so that SASL v0 can exchange
	// raw tokens on the same socket. It only changes before the reader starts.
	handshaking bool
	versions    Versions // set by Dial

	// Set by Dial when the broker limits the SASL session (KIP-368).
	sasl          *SASL
	reauthTimeout time.Duration
	reauthDone    chan struct{} // nil when no re-authentication runs
}

// A call is one request waiting for its answer. Calls are pooled, with
// their channel and timer, but one goes back to the pool only once its
// answer was received: the reader may still deliver to a call whose caller
// gave up.
type call struct {
	id      int32
	key     int16
	version int16
	done    chan result // buffered: the reader never blocks on a caller that gave up
	timer   *time.Timer // the call's timeout, stopped while pooled
}

var callPool = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &call{done: make(chan result, 1), timer: t}
}}

type result struct {
	frame []byte
	err   error
}

// Open dials addr and starts the connection's reader. No handshake is made:
// see [Negotiate].
func Open(ctx context.Context, addr string, cfg Config) (*Conn, error) {
	nc, err := dialSocket(ctx, addr, cfg)
	if err != nil {
		return nil, err
	}
	return newConn(addr, nc, cfg), nil
}

// dialSocket connects to addr and completes the TLS handshake, if any.
func dialSocket(ctx context.Context, addr string, cfg Config) (net.Conn, error) {
	dial := cfg.Dial
	if dial == nil {
		d := &net.Dialer{Timeout: cfg.DialTimeout, LocalAddr: cfg.LocalAddr}
		if d.Timeout == 0 {
			d.Timeout = defaultDialTimeout
		}
		dial = d.DialContext
	}
	nc, err := dial(ctx, "tcp", addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("kafka: dialing %s: %w", addr, context.Cause(ctx))
		}
		return nil, dialFailure(addr, err)
	}
	if cfg.TLS != nil {
		tc := cfg.TLS.Clone()
		if tc.ServerName == "" && !tc.InsecureSkipVerify {
			host, _, _ := net.SplitHostPort(addr)
			tc.ServerName = host
		}
		tlsConn := tls.Client(nc, tc)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			nc.Close()
			if ctx.Err() != nil {
				return nil, fmt.Errorf("kafka: TLS handshake with %s: %w", addr, context.Cause(ctx))
			}
			return nil, fmt.Errorf("%w: TLS handshake with %s: %w", ErrDisconnected, addr, err)
		}
		nc = tlsConn
	}
	return nc, nil
}

func newConn(addr string, nc net.Conn, cfg Config) *Conn {
	c := newIdleConn(addr, nc, cfg)
	go c.readLoop()
	return c
}

// newIdleConn returns a Conn whose reader is not running yet.
func newIdleConn(addr string, nc net.Conn, cfg Config) *Conn {
	c := &Conn{addr: addr, nc: nc, maxResp: cfg.MaxResponseSize, log: cfg.Logger, readerDone: make(chan struct{})}
	if c.maxResp <= 0 {
		c.maxResp = defaultMaxResponseSize
	}
	if cfg.ClientID != "" {
		id := cfg.ClientID
		c.clientID = &id
	}
	return c
}

// Addr returns the address the connection was opened to.
func (c *Conn) Addr() string { return c.addr }

// Err returns why the connection is unusable, or nil while it is healthy.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// RoundTrip sends req at version and decodes the answer into resp. When ctx
// ends first it returns ctx's error; the connection stays usable and the late
// answer is discarded. resp may be nil for requests the broker does not
// answer (Produce with acks=0).
func (c *Conn) RoundTrip(ctx context.Context, req protocol.Request, resp protocol.Response, version int16) error {
	return c.RoundTripWithin(ctx, req, resp, version, 0)
}

// RoundTripWithin is RoundTrip with a deadline for the broker's answer:
// when timeout (if positive) passes first, the broker is taken for dead and
// the connection is broken, failing every call in flight with an error
// wrapping ErrDisconnected. A caller's ctx, by contrast, only abandons its
// own call.
func (c *Conn) RoundTripWithin(ctx context.Context, req protocol.Request, resp protocol.Response, version int16, timeout time.Duration) error {
	if c.handshaking {
		return c.roundTripInline(ctx, req, resp, version)
	}
	p, err := c.Send(ctx, req, version, resp != nil)
	if err != nil || !p.Waits() {
		return err
	}
	return p.Wait(ctx, resp, timeout)
}

// A Pending is a request written to its connection and not yet answered.
// Splitting [Conn.RoundTripWithin] into [Conn.Send] and [Pending.Wait] lets
// one goroutine write requests in a chosen order (Kafka handles a
// connection's requests in the order they arrive) while others wait for
// the answers.
type Pending struct {
	c       *Conn
	cl      *call
	version int16
}

// Send writes req at version and returns without waiting for the answer.
// When wantResponse is false (Produce with acks=0, which the broker does
// not answer) the Pending returned has nothing to wait for.
func (c *Conn) Send(ctx context.Context, req protocol.Request, version int16, wantResponse bool) (Pending, error) {
	cl, err := c.send(ctx, req, version, wantResponse)
	if err != nil || cl == nil {
		return Pending{}, err
	}
	return Pending{c: c, cl: cl, version: version}, nil
}

// Waits reports whether an answer is to be waited for.
func (p *Pending) Waits() bool { return p.cl != nil }

// Wait waits for the answer and decodes it into resp, as RoundTripWithin
// does: when timeout (if positive) passes first, the connection is broken;
// when ctx ends first, only this call is abandoned. Wait must be called
// once.
func (p *Pending) Wait(ctx context.Context, resp protocol.Response, timeout time.Duration) error {
	c, cl := p.c, p.cl
	var expired <-chan time.Time
	if timeout > 0 {
		cl.timer.Reset(timeout)
		expired = cl.timer.C
	}
	answered := func(r result) error {
		cl.timer.Stop()
		callPool.Put(cl)
		if r.err != nil {
			return r.err
		}
		return c.decode(r.frame, resp, p.version)
	}
	select {
	case r := <-cl.done:
		return answered(r)
	case <-ctx.Done():
	case <-expired:
	}
	// An answer that arrived together with the end is still the answer:
	// a broker that refuses a request and hangs up (a failed SASL
	// re-authentication) ends a context tied to the connection as it
	// answers, and select picks among ready cases at random.
	select {
	case r := <-cl.done:
		return answered(r)
	default:
	}
	cl.timer.Stop()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	err := fmt.Errorf("%w: %s did not answer %s within %v", ErrDisconnected, c.addr, protocol.APIName(cl.key), timeout)
	c.fail(err)
	return err
}

// decode decodes a response frame into resp. A response we cannot decode
// leaves the stream position sound (frames are size-prefixed), so only its
// call fails.
func (c *Conn) decode(frame []byte, resp protocol.Response, version int16) error {
	_, trailing, err := protocol.DecodeResponseFrame(frame, resp, version)
	if err != nil {
		return fmt.Errorf("broker %s: %w", c.addr, err)
	}
	c.noteTrailing(resp.APIKey(), version, trailing)
	return nil
}

func (c *Conn) send(ctx context.Context, req protocol.Request, version int16, wantResponse bool) (*call, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	// While the connection re-authenticates, nothing else may be sent.
	for c.gate != nil {
		gate := c.gate
		c.writeMu.Unlock()
		select {
		case <-gate:
		case <-ctx.Done():
			c.writeMu.Lock() // for the deferred Unlock
			return nil, ctx.Err()
		}
		c.writeMu.Lock()
	}
	return c.sendLocked(ctx, req, version, wantResponse)
}

// sendLocked writes req; the caller holds writeMu.
func (c *Conn) sendLocked(ctx context.Context, req protocol.Request, version int16, wantResponse bool) (*call, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	id := c.nextID
	// Large byte fields (record batches) are written from their own
	// memory, not copied into wbuf first.
	frame, segs, err := protocol.AppendRequestVectored(c.wbuf[:0], c.segs[:0], id, c.clientID, req, version)
	if err != nil {
		return nil, err
	}
	c.wbuf, c.segs = frame, segs
	defer clear(c.segs) // keep no reference to the caller's batches
	var cl *call
	if wantResponse {
		cl = callPool.Get().(*call)
		cl.id, cl.key, cl.version = id, req.APIKey(), version
		c.mu.Lock()
		c.pending = append(c.pending, cl)
		c.mu.Unlock()
	}
	c.nextID++
	if dl, ok := ctx.Deadline(); ok {
		c.nc.SetWriteDeadline(dl)
	} else {
		c.nc.SetWriteDeadline(time.Time{})
	}
	if err := c.write(segs); err != nil {
		// A partial write leaves the stream unusable for everyone.
		err = fmt.Errorf("%w: writing to %s: %w", ErrDisconnected, c.addr, err)
		c.fail(err)
		return nil, err
	}
	return cl, nil
}

// write writes a frame's segments: one Write, or one writev for several.
func (c *Conn) write(segs [][]byte) error {
	if len(segs) == 1 {
		_, err := c.nc.Write(segs[0])
		return err
	}
	// WriteTo consumes the net.Buffers it is called on: it gets a view of
	// segs, kept in the Conn so that it is not allocated per request.
	c.bufs = segs
	_, err := c.bufs.WriteTo(c.nc)
	c.bufs = nil
	return err
}

// readLoop reads frames and hands each to the oldest pending call: Kafka
// answers requests on a connection in the order they were sent, so any other
// correlation ID means the stream is corrupt.
func (c *Conn) readLoop() {
	defer close(c.readerDone)
	var buf []byte
	// proven is the largest frame the broker sent whole; a frame of up to
	// twice that is allocated at once (see ReadFrameTrusting), so that
	// fetch responses a little larger than the ones before are not grown
	// by copies either, and a frame cut short costs at most twice what
	// the broker proved it sends.
	proven := 0
	for {
		frame, err := protocol.ReadFrameTrusting(c.nc, buf[:0], c.maxResp, 2*proven)
		if err != nil {
			if c.Err() == nil { // else closed on purpose: no cause to explain
				c.fail(c.readFailure(err, c.awaited()))
			}
			return
		}
		id, err := protocol.ResponseCorrelationID(frame)
		if err != nil {
			c.fail(&disconnected{fmt.Errorf("%w from %s: %w", ErrMalformedResponse, c.addr, err)})
			return
		}
		c.mu.Lock()
		if len(c.pending) == 0 || c.pending[0].id != id {
			want := "none pending"
			if len(c.pending) > 0 {
				want = fmt.Sprintf("expected %d", c.pending[0].id)
			}
			c.mu.Unlock()
			c.fail(c.mismatch(id, want))
			return
		}
		// Shift rather than reslice, so the queue's array is reused.
		cl := c.pending[0]
		n := copy(c.pending, c.pending[1:])
		c.pending[n] = nil
		c.pending = c.pending[:n]
		if n == 0 && c.drained != nil {
			close(c.drained)
			c.drained = nil
		}
		c.mu.Unlock()
		// The frame is handed over, so the next read needs a fresh buffer.
		cl.done <- result{frame: frame}
		buf = nil
		proven = max(proven, len(frame))
	}
}

// awaited names the API of the oldest request in flight, for errors; "" when
// none is.
func (c *Conn) awaited() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		return ""
	}
	return protocol.APIName(c.pending[0].key)
}

// fail marks the connection broken, closes the socket and fails every
// pending call with err. Only the first error is kept.
func (c *Conn) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	pending := c.pending
	c.pending = nil
	if c.drained != nil {
		close(c.drained)
		c.drained = nil
	}
	c.mu.Unlock()
	c.nc.Close()
	for _, cl := range pending {
		cl.done <- result{err: err}
	}
}

// Close closes the connection, fails the calls in flight and waits for the
// reader, and the re-authenticator if any, to stop. It is safe to call more
// than once.
func (c *Conn) Close() error {
	c.fail(fmt.Errorf("%w: connection to %s closed", ErrDisconnected, c.addr))
	<-c.readerDone
	if c.reauthDone != nil {
		<-c.reauthDone
	}
	return nil
}
