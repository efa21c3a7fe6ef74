package conn

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/gokafka/kafka/protocol"
)

// oauthBearer is RFC 7628's OAUTHBEARER as Kafka speaks it (KIP-255, with
// KIP-342's extensions): one client message carrying the bearer token. A
// broker that rejects the token answers with a JSON error challenge, which
// the client acknowledges with a lone separator before the broker fails
// the exchange.
type oauthBearer struct {
	source     func(context.Context) (string, error)
	authzid    string
	extensions map[string]string

	token    string            // fetched by prepare
	rejected *OAuthBearerError // the broker's error challenge, once received
}

// An OAuthBearerError is a broker's refusal of an OAUTHBEARER token: the
// fields of its error challenge (RFC 7628 section 3.2.2) and the error
// that ended the exchange, usually SASL_AUTHENTICATION_FAILED with the
// broker's message. errors.Is reaches that error through Unwrap.
type OAuthBearerError struct {
	// Status is the challenge's status, such as "invalid_token", or the
	// challenge itself when it is not the JSON object RFC 7628 prescribes.
	Status string
	// Scope and OpenIDConfiguration are the challenge's "scope" and
	// "openid-configuration", when the broker sent them.
	Scope               string
	OpenIDConfiguration string
	// Err is how the broker ended the exchange.
	Err error
}

// Error names the status, the scope and the discovery URL when given, and
// the broker's final error.
func (e *OAuthBearerError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "OAUTHBEARER token rejected with status %q", e.Status)
	if e.Scope != "" {
		fmt.Fprintf(&b, ", scope %q", e.Scope)
	}
	if e.OpenIDConfiguration != "" {
		fmt.Fprintf(&b, ", openid-configuration %q", e.OpenIDConfiguration)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns how the broker ended the exchange.
func (e *OAuthBearerError) Unwrap() error { return e.Err }

// preparer is a mechanism that needs something fetched before the exchange:
// Dial and re-authentication call prepare before any traffic, so that a slow
// token source neither holds a socket idle in its handshake nor pauses a
// connection's requests.
type preparer interface {
	prepare(ctx context.Context) error
}

func (o *oauthBearer) prepare(ctx context.Context) error {
	tok, err := o.source(ctx)
	if err != nil {
		return fmt.Errorf("kafka: SASL OAUTHBEARER token source failed: %w", err)
	}
	if err := checkBearerToken(tok); err != nil {
		return fmt.Errorf("kafka: SASL OAUTHBEARER token source returned an unusable token: %w", err)
	}
	o.token = tok
	return nil
}

// start is the client's initial response (RFC 7628 section 3.1): the GS2
// header, then key=value pairs each ended by 0x01, then a final 0x01.
func (o *oauthBearer) start() ([]byte, error) {
	var b strings.Builder
	b.WriteString("n,")
	if o.authzid != "" {
		b.WriteString("a=")
		b.WriteString(saslName(o.authzid))
	}
	b.WriteString(",\x01auth=Bearer ")
	b.WriteString(o.token)
	b.WriteByte(1)
	keys := make([]string, 0, len(o.extensions))
	for k := range o.extensions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(o.extensions[k])
		b.WriteByte(1)
	}
	b.WriteByte(1)
	return []byte(b.String()), nil
}

// next takes the broker's answer: empty on success, else the error
// challenge, which RFC 7628 has the client answer with a single 0x01 so that
// the broker can fail the exchange. A broker that then reports success is
// not believed.
func (o *oauthBearer) next(challenge []byte) ([]byte, bool, error) {
	if o.rejected != nil {
		o.rejected.Err = protocol.SaslAuthenticationFailed
		return nil, false, o.rejected
	}
	if len(challenge) == 0 {
		return nil, true, nil
	}
	var fields struct {
		Status              string `json:"status"`
		Scope               string `json:"scope"`
		OpenIDConfiguration string `json:"openid-configuration"`
	}
	o.rejected = &OAuthBearerError{Status: string(challenge)}
	if json.Unmarshal(challenge, &fields) == nil && fields.Status != "" {
		o.rejected = &OAuthBearerError{Status: fields.Status, Scope: fields.Scope, OpenIDConfiguration: fields.OpenIDConfiguration}
	}
	return []byte{1}, false, nil
}

// explain wraps the error that ended the exchange in the broker's error
// challenge, when one came first.
func (o *oauthBearer) explain(err error) error {
	if o.rejected == nil || o.rejected.Err != nil {
		return err
	}
	o.rejected.Err = err
	return o.rejected
}

// saslName escapes an authorization identity for the GS2 header (RFC 5801).
func saslName(s string) string {
	return strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s)
}

// checkBearerToken accepts RFC 6750's b64token, the only token syntax
// RFC 7628's auth value allows: letters, digits, "-._~+/", then "=" padding.
func checkBearerToken(tok string) error {
	if tok == "" {
		return fmt.Errorf("the token is empty")
	}
	body := strings.TrimRight(tok, "=")
	if body == "" {
		return fmt.Errorf("the token is only padding")
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+/", c) >= 0 {
			continue
		}
		return fmt.Errorf("byte %d of the token is %q; a bearer token has only letters, digits, \"-._~+/\" and trailing \"=\" (RFC 6750)", i, c)
	}
	return nil
}

// CheckOAuthBearerExtension reports whether key=value can be sent as an
// OAUTHBEARER extension (RFC 7628 section 3.1; KIP-342): the key letters
// only and not "auth", the value printable ASCII, space, tab, CR or LF.
func CheckOAuthBearerExtension(key, value string) error {
	if key == "" {
		return fmt.Errorf("an extension key is empty")
	}
	if key == "auth" {
		return fmt.Errorf(`the extension key "auth" is reserved for the token`)
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return fmt.Errorf("extension key %q: want letters only", key)
		}
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; !(0x21 <= c && c <= 0x7e || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			return fmt.Errorf("extension %q: byte %d of the value is %q; want printable ASCII, space, tab, CR or LF", key, i, c)
		}
	}
	return nil
}
