package conn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"
)

// reauthLoop re-authenticates the connection before each SASL session
// expires (KIP-368), until the connection breaks or closes, or the broker
// stops limiting the session. A re-authentication that fails breaks the
// connection: the broker would close it at expiry anyway.
func (c *Conn) reauthLoop(authStart time.Time, lifetime time.Duration) {
	defer close(c.reauthDone)
	for {
		t := time.NewTimer(time.Until(reauthAt(authStart, lifetime)))
		select {
		case <-c.readerDone:
			t.Stop()
			return
		case <-t.C:
		}
		expiry := authStart.Add(lifetime)
		authStart = time.Now()
		next, err := c.reauthenticate(lifetime, expiry)
		if err != nil {
			return // the connection is broken
		}
		if c.log != nil {
			c.log.LogAttrs(context.Background(), slog.LevelDebug, "kafka: re-authenticated",
				slog.String("broker", c.addr), slog.String("mechanism", c.sasl.Mechanism), slog.Duration("session_lifetime", next))
		}
		if next <= 0 {
			return
		}
		lifetime = next
	}
}

// reauthAt is when to re-authenticate a session of lifetime that began at
// start: at a random point between 85% and 95% of it, as Kafka's Java client
// does, so that a client's many connections do not all pause at once.
func reauthAt(start time.Time, lifetime time.Duration) time.Time {
	return start.Add(time.Duration(float64(lifetime) * (0.85 + 0.10*rand.Float64())))
}

// reauthenticate runs SaslHandshake and SaslAuthenticate again on the
// connection. KIP-368 forbids other requests during the exchange, so new
// ones wait at the gate and the ones in flight are answered first; the
// mechanism's token, if any, is fetched before that pause. It returns the
// new session's lifetime; on failure it breaks the connection and returns
// why. The dial timeout bounds the token's fetch and the exchange; the
// answers in flight (a long-polling Fetch, say) are awaited until the
// session's expiry plus that timeout. The connection's end interrupts all.
func (c *Conn) reauthenticate(lifetime time.Duration, expiry time.Time) (time.Duration, error) {
	life, end := context.WithCancel(context.Background())
	defer end()
	go func() {
		select {
		case <-c.readerDone:
			end()
		case <-life.Done():
		}
	}()
	bounded := func(parent context.Context) (context.Context, context.CancelFunc) {
		return context.WithTimeoutCause(parent, c.reauthTimeout, &dialTimeout{c.reauthTimeout})
	}
	broken := func(err error) error {
		return c.breakReauth(&disconnected{fmt.Errorf("kafka: re-authenticating with broker %s before its %v SASL session expires: %w", c.addr, lifetime, err)})
	}

	mech, err := c.sasl.mechanism()
	if err == nil {
		ctx, cancel := bounded(life)
		err = prepare(ctx, mech)
		cancel()
	}
	if err != nil {
		return 0, broken(err)
	}

	c.writeMu.Lock()
	c.gate = make(chan struct{})
	c.writeMu.Unlock()
	next, err := c.drainThenAuthenticate(life, expiry.Add(c.reauthTimeout), bounded, mech)
	if err != nil {
		// Break the connection before opening the gate, so that no request
		// waiting there is written to an unauthenticated session.
		err = broken(err)
	}
	c.writeMu.Lock()
	close(c.gate)
	c.gate = nil
	c.writeMu.Unlock()
	return next, err
}

// drainThenAuthenticate waits, until drainBy, for every request in flight
// to be answered, then authenticates within bounded(life).
func (c *Conn) drainThenAuthenticate(life context.Context, drainBy time.Time,
	bounded func(context.Context) (context.Context, context.CancelFunc), mech mechanism) (time.Duration, error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return 0, c.Err()
	}
	var drained chan struct{}
	if len(c.pending) > 0 {
		drained = make(chan struct{})
		c.drained = drained
	}
	c.mu.Unlock()
	if drained != nil {
		t := time.NewTimer(time.Until(drainBy))
		defer t.Stop()
		select {
		case <-drained:
		case <-t.C:
			return 0, fmt.Errorf("the requests in flight were still unanswered %v after the session expired", c.reauthTimeout)
		case <-life.Done():
			return 0, c.Err()
		}
		if err := c.Err(); err != nil {
			return 0, err
		}
	}
	ctx, cancel := bounded(life)
	defer cancel()
	return c.authenticate(ctx, c.sasl, mech)
}

// breakReauth breaks the connection with err, a failed re-authentication.
// Kafka closes the connection right after refusing one, so the reader may
// have broken it first, with nothing in flight, for a peer that hung up:
// err then replaces that error, since it says why. Nobody has seen that
// error but callers of Err: requests wait at the gate until this returns.
func (c *Conn) breakReauth(err error) error {
	c.fail(err)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != err && errors.Is(c.err, ErrClosedBeforeAnswer) {
		c.err = err
	}
	return c.err
}
