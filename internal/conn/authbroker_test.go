package conn

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka/protocol"
)

// authBroker is a fake broker that authenticates any number of times on
// one connection, as KIP-368 brokers do, and answers other requests
// (ApiVersions, as an echo) after a delay, so that requests are in flight
// when a re-authentication is due. It checks KIP-368's rule for clients:
// nothing else is sent between SaslHandshake and the end of
// SaslAuthenticate, and a SaslHandshake comes only once every earlier
// request is answered.
type authBroker struct {
	t         *testing.T
	mechanism string        // the one mechanism enabled
	lifetime  time.Duration // SessionLifetimeMs sent on success
	delay     time.Duration // before answering each ApiVersions after the first
	user, pw  string        // PLAIN and SCRAM credentials
	// oauth decides on an OAUTHBEARER token: "" accepts it, anything else
	// is the JSON error challenge sent back.
	oauth func(token string) string
	// rejectAuth, when it returns true for the nth authentication (from
	// 1), fails that one.
	rejectAuth func(n int) bool

	mu         sync.Mutex
	auths      []authRecord // one per successful authentication
	violations []string
	answered   int // ApiVersions requests answered after the first
}

// authRecord is one successful authentication.
type authRecord struct {
	at      time.Time // when its SaslHandshake arrived
	message []byte    // the client's first SaslAuthenticate bytes
}

type outFrame struct {
	frame []byte
	delay time.Duration
}

// config returns a Config whose Dial reaches a fresh broker connection.
func (b *authBroker) config(s *SASL) Config {
	return Config{ClientID: "test", SASL: s, Dial: func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		go b.serve(server)
		b.t.Cleanup(func() { client.Close(); server.Close() })
		return client, nil
	}}
}

func (b *authBroker) violate(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.violations = append(b.violations, fmt.Sprintf(format, args...))
}

func (b *authBroker) snapshot() ([]authRecord, []string, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]authRecord(nil), b.auths...), append([]string(nil), b.violations...), b.answered
}

// serve reads requests in order; a writer goroutine answers them in the
// same order, each after its delay.
func (b *authBroker) serve(nc net.Conn) {
	defer nc.Close()
	out := make(chan outFrame, 1024)
	// pending counts answers not yet written; it goes down before the
	// write, so a client that waited for every answer never sees it above 0.
	var pendingMu sync.Mutex
	pending := 0
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for f := range out {
			time.Sleep(f.delay)
			pendingMu.Lock()
			pending--
			pendingMu.Unlock()
			if _, err := nc.Write(f.frame); err != nil {
				return
			}
		}
	}()
	defer func() { close(out); <-writerDone }()

	reply := func(h protocol.RequestHeader, resp protocol.Response, delay time.Duration) bool {
		frame, err := protocol.AppendResponse(nil, h.CorrelationID, resp, h.APIVersion)
		if err != nil {
			b.t.Errorf("encoding %T: %v", resp, err)
			return false
		}
		pendingMu.Lock()
		pending++
		pendingMu.Unlock()
		out <- outFrame{frame, delay}
		return true
	}
	read := func() (protocol.RequestHeader, protocol.Request, bool) {
		frame, err := protocol.ReadFrame(nc, nil, 1<<20)
		if err != nil {
			return protocol.RequestHeader{}, nil, false
		}
		h, req, err := protocol.DecodeRequest(frame)
		if err != nil {
			b.t.Errorf("decoding a request: %v", err)
			return h, nil, false
		}
		return h, req, true
	}

	first := true
	for {
		h, req, ok := read()
		if !ok {
			return
		}
		switch req := req.(type) {
		case *protocol.APIVersionsRequest:
			if first {
				first = false
				reply(h, &protocol.APIVersionsResponse{APIKeys: []protocol.APIVersionsResponseAPIKey{
					{APIKey: protocol.KeyAPIVersions, MaxVersion: 3},
					{APIKey: protocol.KeySaslHandshake, MaxVersion: 1},
					{APIKey: protocol.KeySaslAuthenticate, MaxVersion: 2},
				}}, 0)
				continue
			}
			b.mu.Lock()
			b.answered++
			b.mu.Unlock()
			reply(h, &protocol.APIVersionsResponse{ErrorCode: 42}, b.delay)
		case *protocol.SaslHandshakeRequest:
			pendingMu.Lock()
			unanswered := pending
			pendingMu.Unlock()
			if unanswered > 0 {
				b.violate("SaslHandshake sent with %d requests unanswered", unanswered)
			}
			rec := authRecord{at: time.Now()}
			resp := &protocol.SaslHandshakeResponse{Mechanisms: []string{b.mechanism}}
			if req.Mechanism != b.mechanism {
				resp.ErrorCode = int16(protocol.UnsupportedSaslMechanism)
				reply(h, resp, 0)
				return
			}
			reply(h, resp, 0)
			if !b.exchange(read, reply, &rec) {
				return
			}
		default:
			b.violate("unexpected request %s", protocol.APIName(h.APIKey))
			return
		}
	}
}

// exchange runs one SaslAuthenticate exchange for the broker's mechanism;
// any other request in its midst is a violation. It returns false when the
// connection is to be closed.
func (b *authBroker) exchange(read func() (protocol.RequestHeader, protocol.Request, bool),
	reply func(protocol.RequestHeader, protocol.Response, time.Duration) bool, rec *authRecord) bool {
	b.mu.Lock()
	n := len(b.auths) + 1
	b.mu.Unlock()
	step := func() (protocol.RequestHeader, []byte, bool) {
		h, req, ok := read()
		if !ok {
			return h, nil, false
		}
		auth, isAuth := req.(*protocol.SaslAuthenticateRequest)
		if !isAuth {
			b.violate("%s sent between SaslHandshake and the end of SaslAuthenticate", protocol.APIName(h.APIKey))
			return h, nil, false
		}
		return h, auth.AuthBytes, true
	}
	fail := func(h protocol.RequestHeader, msg string) bool {
		reply(h, &protocol.SaslAuthenticateResponse{ErrorCode: int16(protocol.SaslAuthenticationFailed), ErrorMessage: &msg}, 0)
		return false
	}
	success := func(h protocol.RequestHeader, bytes []byte) bool {
		if b.rejectAuth != nil && b.rejectAuth(n) {
			return fail(h, "Authentication failed: the test says no")
		}
		b.mu.Lock()
		b.auths = append(b.auths, *rec)
		b.mu.Unlock()
		return reply(h, &protocol.SaslAuthenticateResponse{AuthBytes: bytes, SessionLifetimeMs: b.lifetime.Milliseconds()}, 0)
	}

	h, msg, ok := step()
	if !ok {
		return false
	}
	rec.message = msg
	switch b.mechanism {
	case "PLAIN":
		if string(msg) != "\x00"+b.user+"\x00"+b.pw {
			return fail(h, "Authentication failed: Invalid username or password")
		}
		return success(h, nil)
	case "SCRAM-SHA-256":
		sv := &scramServer{hash: sha256.New, password: b.pw, salt: []byte("salt"), iterations: 4096}
		if !reply(h, &protocol.SaslAuthenticateResponse{AuthBytes: []byte(sv.serverFirst(string(msg)))}, 0) {
			return false
		}
		if h, msg, ok = step(); !ok {
			return false
		}
		final, err := sv.serverFinal(string(msg))
		if err != nil {
			return fail(h, "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256")
		}
		return success(h, []byte(final))
	case "OAUTHBEARER":
		token, err := parseOAuthBearer(msg)
		if err != nil {
			b.violate("OAUTHBEARER client message %q: %v", msg, err)
			return fail(h, err.Error())
		}
		challenge := b.oauth(token)
		if challenge == "" {
			return success(h, nil)
		}
		if !reply(h, &protocol.SaslAuthenticateResponse{AuthBytes: []byte(challenge)}, 0) {
			return false
		}
		if h, msg, ok = step(); !ok {
			return false
		}
		if string(msg) != "\x01" {
			b.violate("answer to the error challenge is %q, want \\x01", msg)
		}
		return fail(h, "Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER")
	}
	b.violate("mechanism %s not scripted", b.mechanism)
	return false
}

// parseOAuthBearer reads an RFC 7628 client initial response written
// independently of the client's code: gs2-header, kvsep, kvpairs, kvsep.
func parseOAuthBearer(msg []byte) (string, error) {
	s := string(msg)
	header, rest, ok := strings.Cut(s, "\x01")
	if !ok || !strings.HasPrefix(header, "n,") || !strings.HasSuffix(header, ",") {
		return "", fmt.Errorf("bad GS2 header")
	}
	if !strings.HasSuffix(rest, "\x01\x01") {
		return "", fmt.Errorf("not ended by two separators")
	}
	var token string
	for _, kv := range strings.Split(strings.TrimSuffix(rest, "\x01\x01"), "\x01") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return "", fmt.Errorf("pair %q has no =", kv)
		}
		if k == "auth" {
			tok, ok := strings.CutPrefix(v, "Bearer ")
			if !ok {
				return "", fmt.Errorf("auth %q is not Bearer", v)
			}
			token = tok
		}
	}
	if token == "" {
		return "", fmt.Errorf("no auth pair")
	}
	return token, nil
}
