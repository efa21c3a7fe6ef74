package conn

import (
	"context"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

func TestPlainToken(t *testing.T) {
	tok, err := (&plain{user: "alice", password: "s3cret"}).start()
	require.NoError(t, err)
	require.Equal(t, []byte("\x00alice\x00s3cret"), tok)
	tok, _ = (&plain{zid: "bob", user: "alice", password: "pw"}).start()
	require.Equal(t, []byte("bob\x00alice\x00pw"), tok)
	out, done, err := (&plain{}).next(nil)
	require.NoError(t, err)
	require.True(t, done)
	require.Nil(t, out)
}

func noDial(t *testing.T) func(context.Context, string, string) (net.Conn, error) {
	return func(context.Context, string, string) (net.Conn, error) {
		t.Error("dialed although the configuration is wrong")
		return nil, errors.New("no")
	}
}

func TestDialRejectsBadConfigBeforeDialing(t *testing.T) {
	_, err := Dial(context.Background(), "b:9092", Config{Dial: noDial(t), SASL: &SASL{Mechanism: "GSSAPI"}})
	require.ErrorContains(t, err, `unknown SASL mechanism "GSSAPI"`)
	_, err = Dial(context.Background(), "b:9092", Config{Dial: noDial(t), SASL: &SASL{Mechanism: "PLAIN"}, BrokerVersion: "0.9.0"})
	require.ErrorContains(t, err, "SASL needs a broker of release 0.10")
	_, err = Dial(context.Background(), "b:9092", Config{Dial: noDial(t), BrokerVersion: "nine"})
	require.ErrorContains(t, err, "broker version")
}

// saslBroker is a scripted broker on the far end of a net.Pipe. Its methods
// run on the script's goroutine, so they report with t.Errorf, not require.
type saslBroker struct {
	t        *testing.T
	nc       net.Conn
	hsMax    int16 // newest SaslHandshake version advertised
	noAPIVer bool  // hang up on APIVersions, like a 0.9 broker
}

// dialPipe runs script as the broker and returns the Config that reaches it.
func dialPipe(t *testing.T, b *saslBroker, script func(b *saslBroker) error) (Config, chan error) {
	client, server := net.Pipe()
	b.t, b.nc = t, server
	done := make(chan error, 1)
	go func() {
		defer server.Close()
		done <- script(b)
	}()
	t.Cleanup(func() { client.Close(); server.Close() })
	cfg := Config{ClientID: "test", Dial: func(context.Context, string, string) (net.Conn, error) { return client, nil }}
	return cfg, done
}

func (b *saslBroker) read() (protocol.RequestHeader, protocol.Request, error) {
	frame, err := protocol.ReadFrame(b.nc, nil, 1<<20)
	if err != nil {
		return protocol.RequestHeader{}, nil, err
	}
	return protocol.DecodeRequest(frame)
}

func (b *saslBroker) reply(h protocol.RequestHeader, resp protocol.Response) error {
	frame, err := protocol.AppendResponse(nil, h.CorrelationID, resp, h.APIVersion)
	if err != nil {
		return err
	}
	_, err = b.nc.Write(frame)
	return err
}

// apiVersions answers the client's APIVersions.
func (b *saslBroker) apiVersions() error {
	h, _, err := b.read()
	if err != nil {
		return err
	}
	if h.APIKey != protocol.KeyAPIVersions {
		return fmt.Errorf("want ApiVersions first, got key %d", h.APIKey)
	}
	keys := []protocol.APIVersionsResponseAPIKey{
		{APIKey: protocol.KeyAPIVersions, MaxVersion: 3},
		{APIKey: protocol.KeyMetadata, MaxVersion: 12},
		{APIKey: protocol.KeySaslHandshake, MaxVersion: b.hsMax},
	}
	if b.hsMax >= 1 {
		keys = append(keys, protocol.APIVersionsResponseAPIKey{APIKey: protocol.KeySaslAuthenticate, MaxVersion: 2})
	}
	return b.reply(h, &protocol.APIVersionsResponse{APIKeys: keys})
}

// handshake answers SaslHandshake, enabling only the mechanisms given.
func (b *saslBroker) handshake(enabled ...string) (string, error) {
	h, req, err := b.read()
	if err != nil {
		return "", err
	}
	hs, ok := req.(*protocol.SaslHandshakeRequest)
	if !ok || h.APIVersion != b.hsMax {
		return "", fmt.Errorf("want SaslHandshake v%d, got key %d v%d", b.hsMax, h.APIKey, h.APIVersion)
	}
	resp := &protocol.SaslHandshakeResponse{Mechanisms: enabled, ErrorCode: int16(protocol.UnsupportedSaslMechanism)}
	for _, m := range enabled {
		if m == hs.Mechanism {
			resp.ErrorCode = 0
		}
	}
	return hs.Mechanism, b.reply(h, resp)
}

func (b *saslBroker) readToken() ([]byte, error) { return protocol.ReadFrame(b.nc, nil, 1<<20) }

func (b *saslBroker) writeToken(tok []byte) error {
	_, err := b.nc.Write(binary.BigEndian.AppendUint32(nil, uint32(len(tok))))
	if err == nil {
		_, err = b.nc.Write(tok)
	}
	return err
}

// serveAPIVersions answers one more APIVersions after authentication, to
// show the pipelined reader took over a clean stream.
func (b *saslBroker) serveAPIVersions() error {
	h, _, err := b.read()
	if err != nil {
		return err
	}
	return b.reply(h, &protocol.APIVersionsResponse{ErrorCode: 42})
}

func checkAfterAuth(t *testing.T, c *Conn) {
	t.Helper()
	var resp protocol.APIVersionsResponse
	require.NoError(t, c.RoundTrip(context.Background(), &protocol.APIVersionsRequest{}, &resp, 0))
	require.Equal(t, int16(42), resp.ErrorCode)
	v, ok := c.Versions().For(protocol.KeyMetadata)
	require.True(t, ok)
	require.Equal(t, int16(12), v)
}

func TestSASLHandshakeV0PlainRawTokens(t *testing.T) {
	before := runtime.NumGoroutine()
	b := &saslBroker{hsMax: 0}
	cfg, done := dialPipe(t, b, func(b *saslBroker) error {
		if err := b.apiVersions(); err != nil {
			return err
		}
		if _, err := b.handshake("GSSAPI", "PLAIN"); err != nil {
			return err
		}
		tok, err := b.readToken()
		if err != nil {
			return err
		}
		if string(tok) != "\x00alice\x00s3cret" {
			return fmt.Errorf("token %q", tok)
		}
		if err := b.writeToken(nil); err != nil { // Kafka answers PLAIN with an empty token
			return err
		}
		return b.serveAPIVersions()
	})
	cfg.SASL = &SASL{Mechanism: "PLAIN", Username: "alice", Password: "s3cret"}
	c, err := Dial(context.Background(), "pipe", cfg)
	require.NoError(t, err)
	checkAfterAuth(t, c)
	require.NoError(t, <-done)
	c.Close()
	checkNoLeak(t, before)
}

func TestSASLHandshakeV0ScramRawTokens(t *testing.T) {
	b := &saslBroker{hsMax: 0}
	sv := &scramServer{hash: sha512.New, password: "pw", salt: []byte("salt"), iterations: 4096}
	cfg, done := dialPipe(t, b, func(b *saslBroker) error {
		if err := b.apiVersions(); err != nil {
			return err
		}
		if _, err := b.handshake("SCRAM-SHA-512"); err != nil {
			return err
		}
		first, err := b.readToken()
		if err != nil {
			return err
		}
		if err := b.writeToken([]byte(sv.serverFirst(string(first)))); err != nil {
			return err
		}
		final, err := b.readToken()
		if err != nil {
			return err
		}
		v, err := sv.serverFinal(string(final))
		if err != nil {
			return err
		}
		if err := b.writeToken([]byte(v)); err != nil {
			return err
		}
		return b.serveAPIVersions()
	})
	cfg.SASL = &SASL{Mechanism: "SCRAM-SHA-512", Username: "bob", Password: "pw"}
	c, err := Dial(context.Background(), "pipe", cfg)
	require.NoError(t, err)
	defer c.Close()
	checkAfterAuth(t, c)
	require.NoError(t, <-done)
}

func TestSASLHandshakeV0HangUpIsAuthenticationFailure(t *testing.T) {
	before := runtime.NumGoroutine()
	b := &saslBroker{hsMax: 0}
	cfg, done := dialPipe(t, b, func(b *saslBroker) error {
		if err := b.apiVersions(); err != nil {
			return err
		}
		if _, err := b.handshake("PLAIN"); err != nil {
			return err
		}
		_, err := b.readToken()
		return err // and hang up, as a 0.10 broker does on a bad password
	})
	cfg.SASL = &SASL{Mechanism: "PLAIN", Username: "alice", Password: "wrong"}
	_, err := Dial(context.Background(), "pipe", cfg)
	require.ErrorIs(t, err, protocol.SaslAuthenticationFailed)
	require.ErrorContains(t, err, `user "alice" via PLAIN at broker pipe`)
	require.NoError(t, <-done)
	checkNoLeak(t, before)
}

func TestSASLMechanismNotEnabledListsEnabled(t *testing.T) {
	b := &saslBroker{hsMax: 1}
	cfg, done := dialPipe(t, b, func(b *saslBroker) error {
		if err := b.apiVersions(); err != nil {
			return err
		}
		_, err := b.handshake("SCRAM-SHA-256", "OAUTHBEARER")
		return err
	})
	cfg.SASL = &SASL{Mechanism: "PLAIN", Username: "alice", Password: "x"}
	_, err := Dial(context.Background(), "pipe", cfg)
	require.ErrorIs(t, err, protocol.UnsupportedSaslMechanism)
	require.ErrorContains(t, err, "does not enable SASL mechanism PLAIN (enabled: SCRAM-SHA-256, OAUTHBEARER)")
	require.NoError(t, <-done)
}

func TestSASLAuthenticateErrorCarriesBrokerMessage(t *testing.T) {
	b := &saslBroker{hsMax: 1}
	cfg, done := dialPipe(t, b, func(b *saslBroker) error {
		if err := b.apiVersions(); err != nil {
			return err
		}
		if _, err := b.handshake("PLAIN"); err != nil {
			return err
		}
		h, req, err := b.read()
		if err != nil {
			return err
		}
		if _, ok := req.(*protocol.SaslAuthenticateRequest); !ok || h.APIVersion != 2 {
			return fmt.Errorf("want SaslAuthenticate v2, got key %d v%d", h.APIKey, h.APIVersion)
		}
		msg := "Authentication failed: Invalid username or password"
		return b.reply(h, &protocol.SaslAuthenticateResponse{ErrorCode: int16(protocol.SaslAuthenticationFailed), ErrorMessage: &msg})
	})
	cfg.SASL = &SASL{Mechanism: "PLAIN", Username: "alice", Password: "wrong"}
	_, err := Dial(context.Background(), "pipe", cfg)
	require.ErrorIs(t, err, protocol.SaslAuthenticationFailed)
	require.ErrorContains(t, err, `SASL authentication of user "alice" via PLAIN at broker pipe failed: Authentication failed: Invalid username or password`)
	require.NoError(t, <-done)
}

func TestSASLScramDetectsImpostorBroker(t *testing.T) {
	b := &saslBroker{hsMax: 1}
	// The impostor does not know the password, so it cannot sign.
	sv := &scramServer{hash: sha512.New, password: "guess", salt: []byte("salt"), iterations: 4096}
	cfg, done := dialPipe(t, b, func(b *saslBroker) error {
		if err := b.apiVersions(); err != nil {
			return err
		}
		if _, err := b.handshake("SCRAM-SHA-512"); err != nil {
			return err
		}
		for step := range 2 {
			h, req, err := b.read()
			if err != nil {
				return err
			}
			in := string(req.(*protocol.SaslAuthenticateRequest).AuthBytes)
			out := sv.serverFirst(in)
			if step == 1 {
				out = "v=" + out[:20] // anything but the right signature
			}
			if err := b.reply(h, &protocol.SaslAuthenticateResponse{AuthBytes: []byte(out)}); err != nil {
				return err
			}
		}
		return nil
	})
	cfg.SASL = &SASL{Mechanism: "SCRAM-SHA-512", Username: "bob", Password: "pw"}
	_, err := Dial(context.Background(), "pipe", cfg)
	require.ErrorIs(t, err, protocol.SaslAuthenticationFailed)
	require.ErrorContains(t, err, "server signature mismatch")
	require.NoError(t, <-done)
}

func TestDialCancelDuringAuthReturnsPromptly(t *testing.T) {
	for _, hsMax := range []int16{0, 1} {
		before := runtime.NumGoroutine()
		b := &saslBroker{hsMax: hsMax}
		cfg, done := dialPipe(t, b, func(b *saslBroker) error {
			if err := b.apiVersions(); err != nil {
				return err
			}
			if _, err := b.handshake("PLAIN"); err != nil {
				return err
			}
			// Swallow everything and never answer.
			_, err := b.nc.Read(make([]byte, 1<<10))
			for err == nil {
				_, err = b.nc.Read(make([]byte, 1<<10))
			}
			return nil
		})
		cfg.SASL = &SASL{Mechanism: "PLAIN", Username: "alice", Password: "x"}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err := Dial(ctx, "pipe", cfg)
		require.ErrorIs(t, err, context.Canceled, "handshake v%d", hsMax)
		require.Less(t, time.Since(start), 2*time.Second)
		require.NoError(t, <-done)
		checkNoLeak(t, before)
	}
}

func TestDialDeadlineDuringAPIVersions(t *testing.T) {
	before := runtime.NumGoroutine()
	b := &saslBroker{}
	cfg, done := dialPipe(t, b, func(b *saslBroker) error {
		_, _, err := b.read()
		if err != nil {
			return err
		}
		b.read() // returns when the client hangs up
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := Dial(ctx, "pipe", cfg)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotErrorIs(t, err, ErrNoAPIVersions)
	require.NoError(t, <-done)
	checkNoLeak(t, before)
}

func TestDialPinnedVersionsSkipAPIVersions(t *testing.T) {
	b := &saslBroker{}
	cfg, done := dialPipe(t, b, func(b *saslBroker) error { return b.serveAPIVersions() })
	cfg.BrokerVersion = "0.9.0.1"
	c, err := Dial(context.Background(), "pipe", cfg)
	require.NoError(t, err)
	defer c.Close()
	v, ok := c.Versions().For(protocol.KeyFetch)
	require.True(t, ok)
	require.Equal(t, int16(1), v)
	// The first thing the broker sees is our own request, not APIVersions v3.
	var resp protocol.APIVersionsResponse
	require.NoError(t, c.RoundTrip(context.Background(), &protocol.APIVersionsRequest{}, &resp, 0))
	require.NoError(t, <-done)
}
