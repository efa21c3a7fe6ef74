package conn

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

func staticToken(tok string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return tok, nil }
}

func TestOAuthBearerInitialResponseIsRFC7628(t *testing.T) {
	o := &oauthBearer{token: "eyJhbGciOi.J9-_~+/=="}
	msg, err := o.start()
	require.NoError(t, err)
	require.Equal(t, "n,,\x01auth=Bearer eyJhbGciOi.J9-_~+/==\x01\x01", string(msg))

	// Extensions follow auth, in key order; the authzid is a saslname.
	o = &oauthBearer{token: "t", authzid: "a=b,c", extensions: map[string]string{"traceId": "x y", "logicalCluster": "lkc-1"}}
	msg, err = o.start()
	require.NoError(t, err)
	require.Equal(t, "n,a=a=3Db=2Cc,\x01auth=Bearer t\x01logicalCluster=lkc-1\x01traceId=x y\x01\x01", string(msg))

	out, done, err := o.next(nil)
	require.NoError(t, err)
	require.True(t, done, "an empty answer is success")
	require.Nil(t, out)
}

func TestOAuthBearerRejectsUnusableTokensAndExtensions(t *testing.T) {
	for _, tok := range []string{"", "==", "has space", "a\x01b", "é"} {
		o := &oauthBearer{source: staticToken(tok)}
		require.Error(t, o.prepare(context.Background()), "token %q", tok)
	}
	for k, v := range map[string]string{"auth": "x", "": "x", "bad-key": "x", "k": "\x01", "key": "caf\xc3\xa9"} {
		require.Error(t, CheckOAuthBearerExtension(k, v), "%q=%q", k, v)
	}
	require.NoError(t, CheckOAuthBearerExtension("logicalCluster", "lkc-1 \t\r\n~"))
}

func TestDialOAuthBearerConfigErrorsBeforeDialing(t *testing.T) {
	_, err := Dial(context.Background(), "b:9092", Config{Dial: noDial(t), SASL: &SASL{Mechanism: "OAUTHBEARER"}})
	require.ErrorContains(t, err, "OAUTHBEARER needs a TokenSource")
	_, err = Dial(context.Background(), "b:9092", Config{Dial: noDial(t), SASL: &SASL{Mechanism: "OAUTHBEARER",
		TokenSource: staticToken("t"), Extensions: map[string]string{"auth": "x"}}})
	require.ErrorContains(t, err, `"auth" is reserved`)
}

// A token source that fails stops Dial before any connection is opened,
// with an error that names OAUTHBEARER and wraps the source's.
func TestDialOAuthBearerTokenSourceFailure(t *testing.T) {
	errIdP := errors.New("identity provider unreachable")
	_, err := Dial(context.Background(), "b:9092", Config{Dial: noDial(t), SASL: &SASL{Mechanism: "OAUTHBEARER",
		TokenSource: func(context.Context) (string, error) { return "", errIdP }}})
	require.ErrorIs(t, err, errIdP)
	require.ErrorContains(t, err, "SASL OAUTHBEARER token source failed: identity provider unreachable (connecting to broker b:9092)")

	_, err = Dial(context.Background(), "b:9092", Config{Dial: noDial(t), SASL: &SASL{Mechanism: "OAUTHBEARER",
		TokenSource: staticToken("not a token")}})
	require.ErrorContains(t, err, "OAUTHBEARER token source returned an unusable token")
}

func TestDialOAuthBearerSendsToken(t *testing.T) {
	before := runtime.NumGoroutine()
	var got []string
	b := &authBroker{t: t, mechanism: "OAUTHBEARER", oauth: func(tok string) string { got = append(got, tok); return "" }}
	var ctxSeen context.Context
	cfg := b.config(&SASL{Mechanism: "OAUTHBEARER", Extensions: map[string]string{"logicalCluster": "lkc-1"},
		TokenSource: func(ctx context.Context) (string, error) { ctxSeen = ctx; return "eyJ0eXAi.eyJzdWIi.c2ln", nil }})
	c, err := Dial(context.Background(), "pipe", cfg)
	require.NoError(t, err)
	_, deadline := ctxSeen.Deadline()
	require.True(t, deadline, "the token source gets Dial's deadline")
	code, err := roundTrip(context.Background(), c)
	require.NoError(t, err)
	require.Equal(t, int16(42), code)
	auths, violations, _ := b.snapshot()
	require.Empty(t, violations)
	require.Len(t, auths, 1)
	require.Equal(t, "n,,\x01auth=Bearer eyJ0eXAi.eyJzdWIi.c2ln\x01logicalCluster=lkc-1\x01\x01", string(auths[0].message))
	require.Equal(t, []string{"eyJ0eXAi.eyJzdWIi.c2ln"}, got)
	require.Nil(t, c.reauthDone, "no session lifetime, no re-authentication")
	c.Close()
	checkNoLeak(t, before)
}

// A broker that rejects the token answers with RFC 7628's JSON error
// challenge; the client answers it with a lone 0x01 and reports the
// challenge's fields with the broker's final error.
func TestDialOAuthBearerErrorChallenge(t *testing.T) {
	b := &authBroker{t: t, mechanism: "OAUTHBEARER", oauth: func(string) string {
		return `{"status":"invalid_token","scope":"kafka","openid-configuration":"https://idp.example/.well-known/openid-configuration"}`
	}}
	_, err := Dial(context.Background(), "pipe", b.config(&SASL{Mechanism: "OAUTHBEARER", TokenSource: staticToken("expired")}))
	var oe *OAuthBearerError
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "invalid_token", oe.Status)
	require.Equal(t, "kafka", oe.Scope)
	require.Equal(t, "https://idp.example/.well-known/openid-configuration", oe.OpenIDConfiguration)
	require.ErrorIs(t, err, protocol.SaslAuthenticationFailed)
	require.ErrorContains(t, err, `SASL authentication via OAUTHBEARER at broker pipe failed: OAUTHBEARER token rejected with status "invalid_token", scope "kafka", openid-configuration "https://idp.example/.well-known/openid-configuration": Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER`)
	_, violations, _ := b.snapshot()
	require.Empty(t, violations, "the challenge was answered with \\x01")
}

func TestOAuthBearerChallengeThenSuccessIsNotBelieved(t *testing.T) {
	o := &oauthBearer{token: "t"}
	out, done, err := o.next([]byte("not json"))
	require.NoError(t, err)
	require.False(t, done)
	require.Equal(t, []byte{1}, out)
	_, _, err = o.next(nil)
	var oe *OAuthBearerError
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "not json", oe.Status)
	require.ErrorIs(t, err, protocol.SaslAuthenticationFailed)
}
