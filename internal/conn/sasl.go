package conn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gokafka/kafka/protocol"
)

// SASL holds the credentials [Dial] authenticates with. PLAIN sends the
// password itself, so use it only over TLS; SCRAM proves knowledge of the
// password without sending it and checks that the broker knows it too;
// OAUTHBEARER sends a bearer token, so use it only over TLS too.
//
// When the broker limits the session's lifetime (KIP-368), the connection
// authenticates again before the session expires, with the same mechanism
// and, for OAUTHBEARER, a token fetched anew.
type SASL struct {
	// Mechanism is "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512" or
	// "OAUTHBEARER".
	Mechanism string
	// Username and Password are sent as given: Kafka does not apply
	// SASLprep, so neither do we, or non-ASCII passwords would not match.
	Username string
	Password string
	// Zid is PLAIN's authorization identity: the user to act as, when it
	// differs from Username. Kafka's default callback handler rejects any
	// other than Username, so leave it empty unless the broker says so.
	// For OAUTHBEARER it is the GS2 header's authzid.
	Zid string
	// TokenSource returns OAUTHBEARER's bearer token. It is called before
	// each connection's handshake and before each re-authentication.
	TokenSource func(ctx context.Context) (string, error)
	// Extensions are OAUTHBEARER's SASL extensions (KIP-342), sent with
	// every token; see [CheckOAuthBearerExtension].
	Extensions map[string]string
}

// mechanism is one client side of a SASL exchange: the first token, then
// one answer per broker message until done.
type mechanism interface {
	start() ([]byte, error)
	next(challenge []byte) (response []byte, done bool, err error)
}

func (s *SASL) mechanism() (mechanism, error) {
	switch s.Mechanism {
	case "PLAIN":
		return &plain{zid: s.Zid, user: s.Username, password: s.Password}, nil
	case "SCRAM-SHA-256":
		return scramSHA256(s.Username, s.Password), nil
	case "SCRAM-SHA-512":
		return scramSHA512(s.Username, s.Password), nil
	case "OAUTHBEARER":
		if s.TokenSource == nil {
			return nil, fmt.Errorf("kafka: SASL mechanism OAUTHBEARER needs a TokenSource")
		}
		for k, v := range s.Extensions {
			if err := CheckOAuthBearerExtension(k, v); err != nil {
				return nil, fmt.Errorf("kafka: SASL OAUTHBEARER: %w", err)
			}
		}
		return &oauthBearer{source: s.TokenSource, authzid: s.Zid, extensions: s.Extensions}, nil
	}
	return nil, fmt.Errorf("kafka: unknown SASL mechanism %q: want PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER", s.Mechanism)
}

// who names the authenticating user in errors, when there is one.
func (s *SASL) who() string {
	if s.Username == "" {
		return ""
	}
	return fmt.Sprintf(" of user %q", s.Username)
}

// plain is RFC 4616: a single message, authzid NUL user NUL password.
type plain struct{ zid, user, password string }

func (p *plain) start() ([]byte, error) {
	return []byte(p.zid + "\x00" + p.user + "\x00" + p.password), nil
}

// next accepts the broker's single (empty) answer: a broker that rejects
// the password says so with an error, not with a token.
func (p *plain) next([]byte) ([]byte, bool, error) { return nil, true, nil }

// prepare fetches what mech needs before its exchange (an OAUTHBEARER
// token), if anything; mech may be nil.
func prepare(ctx context.Context, mech mechanism) error {
	if p, ok := mech.(preparer); ok {
		return p.prepare(ctx)
	}
	return nil
}

// explainer is a mechanism that knows more than the broker's final error
// says (OAUTHBEARER's error challenge).
type explainer interface {
	explain(err error) error
}

// authenticate runs SaslHandshake and then the mechanism's exchange:
// through SaslAuthenticate after handshake v1, or as raw size-prefixed
// tokens after v0 (Kafka 0.10 to 0.11). It returns the session's lifetime
// from SaslAuthenticate v1+, 0 when the broker sets none (KIP-368).
func (c *Conn) authenticate(ctx context.Context, s *SASL, mech mechanism) (time.Duration, error) {
	hv, ok := c.versions.For(protocol.KeySaslHandshake)
	if !ok {
		return 0, fmt.Errorf("kafka: broker %s does not offer SaslHandshake, so it cannot authenticate%s with %s", c.addr, s.who(), s.Mechanism)
	}
	var hs protocol.SaslHandshakeResponse
	if err := c.authRoundTrip(ctx, &protocol.SaslHandshakeRequest{Mechanism: s.Mechanism}, &hs, hv); err != nil {
		return 0, fmt.Errorf("kafka: SASL handshake with %s: %w", c.addr, err)
	}
	switch code := protocol.ErrorCode(hs.ErrorCode); code {
	case protocol.None:
	case protocol.UnsupportedSaslMechanism:
		return 0, fmt.Errorf("kafka: broker %s does not enable SASL mechanism %s (enabled: %s): %w",
			c.addr, s.Mechanism, strings.Join(hs.Mechanisms, ", "), code)
	default:
		return 0, fmt.Errorf("kafka: SASL handshake with %s for %s: %w", c.addr, s.Mechanism, code)
	}

	var lifetime time.Duration
	exchange := c.rawExchange
	if hv >= 1 {
		av, ok := c.versions.For(protocol.KeySaslAuthenticate)
		if !ok {
			return 0, fmt.Errorf("kafka: broker %s accepted SaslHandshake v%d but offers no SaslAuthenticate", c.addr, hv)
		}
		exchange = func(ctx context.Context, tok []byte) ([]byte, error) {
			return c.authenticateExchange(ctx, tok, av, &lifetime)
		}
	}

	fail := func(err error) error {
		return fmt.Errorf("kafka: SASL authentication%s via %s at broker %s failed: %w", s.who(), s.Mechanism, c.addr, err)
	}
	tok, err := mech.start()
	if err != nil {
		return 0, fail(err)
	}
	for {
		challenge, err := exchange(ctx, tok)
		if err != nil {
			if e, ok := mech.(explainer); ok {
				err = e.explain(err)
			}
			return 0, fail(err)
		}
		var done bool
		if tok, done, err = mech.next(challenge); err != nil {
			return 0, fail(err)
		}
		if done {
			return lifetime, nil
		}
	}
}

// authRoundTrip is RoundTrip for the SASL exchange: inline while Dial owns
// the socket, else (re-authenticating, with other requests held back)
// through the reader, past the gate that holds the others back.
func (c *Conn) authRoundTrip(ctx context.Context, req protocol.Request, resp protocol.Response, version int16) error {
	if c.handshaking {
		return c.roundTripInline(ctx, req, resp, version)
	}
	c.writeMu.Lock()
	cl, err := c.sendLocked(ctx, req, version, true)
	c.writeMu.Unlock()
	if err != nil {
		return err
	}
	p := Pending{c: c, cl: cl, version: version}
	return p.Wait(ctx, resp, 0)
}

// authenticateExchange sends one token in SaslAuthenticate and returns the
// broker's, noting the session's lifetime. A broker that hangs up here is
// rejecting the credentials (kfake does, and so do some proxies), so that
// counts as an authentication failure.
func (c *Conn) authenticateExchange(ctx context.Context, tok []byte, version int16, lifetime *time.Duration) ([]byte, error) {
	var resp protocol.SaslAuthenticateResponse
	err := c.authRoundTrip(ctx, &protocol.SaslAuthenticateRequest{AuthBytes: tok}, &resp, version)
	if err != nil {
		return nil, hangUpIsRejection(ctx, err)
	}
	if code := protocol.ErrorCode(resp.ErrorCode); code != protocol.None {
		msg := code.Message()
		if resp.ErrorMessage != nil && *resp.ErrorMessage != "" {
			msg = *resp.ErrorMessage
		}
		return nil, fmt.Errorf("%s: %w", msg, code)
	}
	*lifetime = time.Duration(resp.SessionLifetimeMs) * time.Millisecond
	return resp.AuthBytes, nil
}

// rawExchange is the SaslHandshake v0 exchange: each token goes out with a
// 4-byte size and no Kafka header, and the broker answers likewise. Such
// brokers report a failure only by closing the connection.
func (c *Conn) rawExchange(ctx context.Context, tok []byte) ([]byte, error) {
	if err := c.writeToken(ctx, tok); err != nil {
		return nil, hangUpIsRejection(ctx, err)
	}
	challenge, err := c.readToken(ctx)
	if err != nil {
		return nil, hangUpIsRejection(ctx, err)
	}
	return challenge, nil
}

func hangUpIsRejection(ctx context.Context, err error) error {
	if ctx.Err() != nil || !errors.Is(err, ErrDisconnected) {
		return err
	}
	return fmt.Errorf("broker closed the connection, most likely rejecting the credentials: %w (%w)", protocol.SaslAuthenticationFailed, err)
}
