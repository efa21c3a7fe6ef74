package kafka

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/gokafka/kafka/internal/conn"
)

// SASL configures authentication: a username and password (PLAIN, SCRAM)
// or an OAuth 2 bearer token (OAUTHBEARER). PLAIN and OAUTHBEARER send
// their secret as it is, so use them only with [Config.TLS].
//
// Whatever the mechanism, when the broker limits how long an authenticated
// session lasts (connections.max.reauth.ms, or the OAUTHBEARER token's
// expiry; KIP-368), each connection authenticates again on its own before
// the session expires, at a random point between 85% and 95% of its
// lifetime, as Kafka's Java client does. It first lets the requests in
// flight be answered and holds new ones back until it is done; nothing is
// lost or reordered. A connection that fails to re-authenticate is closed,
// its requests fail with an error wrapping [ErrSocketDisconnected] and the
// reason, and the client reconnects as after any broken connection.
type SASL struct {
	// Mechanism is one of [SASLPlain], [SASLScramSHA256], [SASLScramSHA512]
	// or [SASLOAuthBearer].
	Mechanism string
	// Username and Password are PLAIN's and SCRAM's credentials;
	// OAUTHBEARER takes neither.
	Username string
	Password string

	// TokenSource returns the bearer token OAUTHBEARER sends (RFC 7628),
	// such as a JWT from an identity provider; it is required for
	// OAUTHBEARER and used by no other mechanism. The token must have
	// RFC 6750's syntax: letters, digits, "-._~+/", then "=" padding.
	//
	// It is called before each connection to a broker authenticates, with
	// a ctx bounded by [Config.DialTimeout], and again before each
	// re-authentication; the broker, not the token, sets when that is. The
	// client keeps no token, so a source that asks an identity provider
	// should cache tokens until they near their expiry
	// (golang.org/x/oauth2's ReuseTokenSource does). An error it returns
	// fails the connection, named as OAUTHBEARER's and wrapped, so that
	// errors.Is finds it. It must return once ctx ends: closing the Client
	// waits for a call under way.
	TokenSource func(ctx context.Context) (token string, err error)

	// Extensions are OAUTHBEARER's SASL extensions (KIP-342), sent with
	// every token; brokers pass them to their token validator. Confluent
	// Cloud, for one, wants logicalCluster and identityPoolId. Keys are
	// letters only, and not "auth"; values are printable ASCII, space,
	// tab, CR or LF.
	Extensions map[string]string
}

// SASL mechanisms for [SASL.Mechanism].
const (
	SASLPlain       = "PLAIN"
	SASLScramSHA256 = "SCRAM-SHA-256"
	SASLScramSHA512 = "SCRAM-SHA-512"
	SASLOAuthBearer = "OAUTHBEARER"
)

// OAuthBearerError is a broker's refusal of an OAUTHBEARER token: the
// status of its error challenge (RFC 7628), such as "invalid_token", the
// scope and OpenID discovery URL when the broker names them, and the
// broker's final error, usually [ErrSaslAuthenticationFailed] with the
// broker's message, which errors.Is reaches through Unwrap. Find it with
// errors.As.
type OAuthBearerError = conn.OAuthBearerError

// validate checks the mechanism and that the fields it needs, and only
// those, are set.
func (s *SASL) validate() error {
	switch s.Mechanism {
	case SASLPlain, SASLScramSHA256, SASLScramSHA512:
		if s.TokenSource != nil {
			return &ConfigError{Field: "SASL.TokenSource", Value: "set", Reason: fmt.Sprintf("only %s uses a token source", SASLOAuthBearer)}
		}
		if len(s.Extensions) > 0 {
			return &ConfigError{Field: "SASL.Extensions", Value: strings.Join(slices.Sorted(maps.Keys(s.Extensions)), ","),
				Reason: fmt.Sprintf("only %s sends extensions", SASLOAuthBearer)}
		}
	case SASLOAuthBearer:
		if s.TokenSource == nil {
			return &ConfigError{Field: "SASL.TokenSource", Value: "nil", Reason: "OAUTHBEARER needs a token source"}
		}
		if s.Username != "" {
			return &ConfigError{Field: "SASL.Username", Value: s.Username, Reason: "OAUTHBEARER takes no username: the token says who the client is"}
		}
		if s.Password != "" {
			return &ConfigError{Field: "SASL.Password", Value: redacted, Reason: "OAUTHBEARER takes no password: the token is the credential"}
		}
		for _, k := range slices.Sorted(maps.Keys(s.Extensions)) {
			if err := conn.CheckOAuthBearerExtension(k, s.Extensions[k]); err != nil {
				return &ConfigError{Field: "SASL.Extensions", Value: k, Reason: err.Error()}
			}
		}
	default:
		return &ConfigError{Field: "SASL.Mechanism", Value: s.Mechanism,
			Reason: fmt.Sprintf("want %q, %q, %q or %q", SASLPlain, SASLScramSHA256, SASLScramSHA512, SASLOAuthBearer)}
	}
	return nil
}

// connSASL is s for the connection layer; the extensions are copied, so
// that a caller changing its map later races with nothing.
func (s *SASL) connSASL() *conn.SASL {
	return &conn.SASL{Mechanism: s.Mechanism, Username: s.Username, Password: s.Password,
		TokenSource: s.TokenSource, Extensions: maps.Clone(s.Extensions)}
}

// String shows the mechanism and user, whether a token source is set, and
// the extensions; the password shows as [REDACTED] when set.
func (s SASL) String() string { return fmt.Sprintf("%+v", s.view()) }

// GoString is String in Go syntax, for %#v; the password is left out.
func (s SASL) GoString() string {
	return strings.Replace(fmt.Sprintf("%#v", s.view()), "kafka.saslView", "kafka.SASL", 1)
}

// Format makes every fmt verb print [SASL.String] (%#v: GoString), so that
// no verb reaches the password.
func (s SASL) Format(f fmt.State, verb rune) { formatRedacted(f, verb, s) }

// LogValue logs the mechanism and user for log/slog, not the password.
func (s SASL) LogValue() slog.Value {
	v := s.view()
	attrs := []slog.Attr{slog.String("mechanism", v.Mechanism), slog.String("username", v.Username), slog.String("password", v.Password)}
	if s.TokenSource != nil {
		attrs = append(attrs, slog.Bool("token_source", true))
	}
	if len(s.Extensions) > 0 {
		attrs = append(attrs, slog.Any("extensions", s.Extensions))
	}
	return slog.GroupValue(attrs...)
}

// saslView is SASL as printed: the password, when set, is [REDACTED], and
// the token source is "set" or empty rather than a function's address.
type saslView struct {
	Mechanism   string
	Username    string
	TokenSource string
	Extensions  map[string]string
	Password    string
}

func (s SASL) view() saslView {
	v := saslView{Mechanism: s.Mechanism, Username: s.Username, Extensions: s.Extensions}
	if s.TokenSource != nil {
		v.TokenSource = "set"
	}
	if s.Password != "" {
		v.Password = redacted
	}
	return v
}
