package conn

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/gokafka/kafka/protocol"
)

const (
	defaultSoftwareName    = "gokafka"
	defaultSoftwareVersion = "dev"
)

// Dial opens a connection ready for requests: it dials addr (with TLS when
// configured), learns the versions to speak (pinned by cfg.BrokerVersion or
// negotiated with APIVersions) and authenticates with cfg.SASL. The whole
// handshake runs before the connection's reader starts, because SASL with
// SaslHandshake v0 exchanges raw tokens that are not Kafka responses. On any
// failure, including ctx ending, nothing is left open or running.
//
// An OAUTHBEARER token is fetched before the broker is dialed: when the
// token source fails, no connection is opened. When the broker limits the
// SASL session's lifetime (KIP-368), the connection re-authenticates before
// it expires; see [SASL].
func Dial(ctx context.Context, addr string, cfg Config) (*Conn, error) {
	// Configuration mistakes fail before any network traffic, so that a
	// typo is not reported as a broker problem.
	var mech mechanism
	if cfg.SASL != nil {
		var err error
		if mech, err = cfg.SASL.mechanism(); err != nil {
			return nil, err
		}
	}
	var pinned *Versions
	if cfg.BrokerVersion != "" {
		v, ok, err := PinnedVersions(cfg.BrokerVersion)
		if err != nil {
			return nil, err
		}
		if ok {
			if cfg.SASL != nil {
				return nil, fmt.Errorf("kafka: SASL needs a broker of release 0.10 or later (SaslHandshake), but Config.BrokerVersion is %q", cfg.BrokerVersion)
			}
			pinned = &v
		}
	}

	// The dial timeout bounds the whole handshake, not only the TCP
	// connection: a peer that accepts and stays silent costs no more.
	timeout := cfg.DialTimeout
	if timeout <= 0 {
		timeout = defaultDialTimeout
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, &dialTimeout{timeout})
	defer cancel()

	if err := prepare(ctx, mech); err != nil {
		return nil, fmt.Errorf("%w (connecting to broker %s)", err, addr)
	}
	nc, err := dialSocket(ctx, addr, cfg)
	if err != nil {
		return nil, err
	}
	c := newIdleConn(addr, nc, cfg)
	c.handshaking = true
	// One watcher covers the whole handshake: ctx's deadline becomes the
	// socket's, and cancellation forces a deadline in the past, which
	// unblocks whatever read or write is under way.
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })

	authStart := time.Now()
	lifetime, err := c.handshake(ctx, cfg, pinned, mech)
	if errors.Is(err, ErrClosedBeforeAnswer) && pinned == nil && c.versions.max == nil {
		err = explainNoAPIVersions(ctx, addr, cfg, err)
	}
	if !stop() && err == nil {
		// ctx ended after the last step; its deadline may already be set.
		err = fmt.Errorf("kafka: connecting to %s: %w", addr, context.Cause(ctx))
	}
	if err == nil {
		err = nc.SetDeadline(time.Time{})
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	c.handshaking = false
	if lifetime > 0 {
		c.sasl, c.reauthTimeout, c.reauthDone = cfg.SASL, timeout, make(chan struct{})
	}
	go c.readLoop()
	if lifetime > 0 {
		go c.reauthLoop(authStart, lifetime)
	}
	return c, nil
}

// Versions returns the API versions Dial settled on for this connection.
// It is empty for a Conn made by [Open].
func (c *Conn) Versions() Versions { return c.versions }

// handshake learns the versions and authenticates; it returns the SASL
// session's lifetime, 0 when unlimited.
func (c *Conn) handshake(ctx context.Context, cfg Config, pinned *Versions, mech mechanism) (time.Duration, error) {
	if pinned != nil {
		c.versions = *pinned
	} else {
		name, version := cfg.SoftwareName, cfg.SoftwareVersion
		if name == "" {
			name = defaultSoftwareName
		}
		if version == "" {
			version = defaultSoftwareVersion
		}
		v, err := Negotiate(ctx, c, name, version)
		if err != nil {
			return 0, err
		}
		c.versions = v
	}
	if mech == nil {
		return 0, nil
	}
	return c.authenticate(ctx, cfg.SASL, mech)
}

// roundTripInline is RoundTrip while Dial owns the socket: it writes the
// request and reads the answer itself. Dial has already tied the socket's
// deadline to ctx.
func (c *Conn) roundTripInline(ctx context.Context, req protocol.Request, resp protocol.Response, version int16) error {
	if err := c.Err(); err != nil {
		return err
	}
	id := c.nextID
	frame, err := protocol.AppendRequest(c.wbuf[:0], id, c.clientID, req, version)
	if err != nil {
		return err
	}
	c.wbuf = frame
	c.nextID++
	if _, err := c.nc.Write(frame); err != nil {
		return c.brokenInline(ctx, "writing to", err)
	}
	if resp == nil {
		return nil
	}
	frame, err = protocol.ReadFrame(c.nc, nil, c.maxResp)
	if err != nil {
		if ctxCause(ctx, err) != nil {
			return c.brokenInline(ctx, "reading the answer to "+protocol.APIName(req.APIKey())+" from", err)
		}
		err = c.readFailure(err, protocol.APIName(req.APIKey()))
		c.fail(err)
		return err
	}
	got, err := protocol.ResponseCorrelationID(frame)
	if err != nil || got != id {
		err := c.mismatch(got, fmt.Sprintf("expected %d", id))
		c.fail(err)
		return err
	}
	return c.decode(frame, resp, version)
}

// writeToken and readToken carry SASL tokens framed only by a 4-byte size,
// as SaslHandshake v0 prescribes.
func (c *Conn) writeToken(ctx context.Context, tok []byte) error {
	buf := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(tok)), uint32(len(tok)))
	if _, err := c.nc.Write(append(buf, tok...)); err != nil {
		return c.brokenInline(ctx, "writing SASL token to", err)
	}
	return nil
}

func (c *Conn) readToken(ctx context.Context) ([]byte, error) {
	tok, err := protocol.ReadFrame(c.nc, nil, c.maxResp)
	if err != nil {
		if ctxCause(ctx, err) != nil {
			return nil, c.brokenInline(ctx, "reading SASL token from", err)
		}
		err = c.readFailure(err, "a SASL token")
		c.fail(err)
		return nil, err
	}
	return tok, nil
}

// brokenInline marks the connection broken after an I/O error during the
// handshake and reports ctx's error when that is what interrupted it.
func (c *Conn) brokenInline(ctx context.Context, op string, err error) error {
	if ctxErr := ctxCause(ctx, err); ctxErr != nil {
		err = fmt.Errorf("kafka: %s %s: %w", op, c.addr, ctxErr)
	} else if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
		err = &disconnected{fmt.Errorf("%w: %s %s: %w", ErrClosedBeforeAnswer, op, c.addr, err)}
	} else {
		err = fmt.Errorf("%w: %s %s: %w", ErrDisconnected, op, c.addr, err)
	}
	c.fail(err)
	return err
}

// ctxCause returns why ctx ended if that caused err: cancelled, or past its
// deadline (the socket's deadline can fire a moment before ctx's timer, which
// then fires at once). The cause names the dial timeout when that passed.
func ctxCause(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if dl, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(dl) {
		<-ctx.Done() // its deadline has passed: ctx ends now
		return context.Cause(ctx)
	}
	return nil
}

// explainNoAPIVersions is called when a peer closed the connection on
// ApiVersions without a byte. Brokers before 0.10 do that, but so do proxies,
// TLS listeners and overloaded brokers, so the error names the broker's age
// only if the peer answers a request that old brokers know (Metadata v0) on a
// fresh connection. Otherwise closed stays the error.
func explainNoAPIVersions(ctx context.Context, addr string, cfg Config, closed error) error {
	nc, err := dialSocket(ctx, addr, cfg)
	if err != nil {
		return closed
	}
	defer nc.Close()
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	probe := newIdleConn(addr, nc, cfg)
	probe.handshaking = true
	var resp protocol.MetadataResponse
	if err := probe.roundTripInline(ctx, &protocol.MetadataRequest{}, &resp, 0); err != nil {
		return closed
	}
	return &disconnected{fmt.Errorf("%w: %s closed the connection on ApiVersions but answers Metadata v0", ErrNoAPIVersions, addr)}
}
