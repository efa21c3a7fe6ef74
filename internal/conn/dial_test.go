package conn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"
	"time"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// requireMetadata shows the connection serves requests after Dial, at the
// version Dial negotiated.
func requireMetadata(t *testing.T, c *Conn) {
	t.Helper()
	v, ok := c.Versions().For(protocol.KeyMetadata)
	require.True(t, ok)
	var resp protocol.MetadataResponse
	require.NoError(t, c.RoundTrip(testCtx(t), &protocol.MetadataRequest{}, &resp, v))
	require.NotEmpty(t, resp.Brokers)
}

func TestDialNegotiatesAgainstKfake(t *testing.T) {
	t.Parallel()
	cl := kafkatest.MustCluster(t)
	c, err := Dial(testCtx(t), cl.Addrs()[0], Config{ClientID: "dial-test"})
	require.NoError(t, err)
	defer c.Close()
	requireMetadata(t, c)
	require.Equal(t, 1, cl.Requests(protocol.KeyAPIVersions))
}

func TestDialSASLAgainstKfake(t *testing.T) {
	t.Parallel()
	for _, mech := range []string{kafkatest.SASLPlain, kafkatest.SASLScramSHA256, kafkatest.SASLScramSHA512} {
		t.Run(mech, func(t *testing.T) {
			t.Parallel()
			cl := kafkatest.MustCluster(t, kafkatest.SASLUser(mech, "alice", "s3cret"))
			addr := cl.Addrs()[0]

			c, err := Dial(testCtx(t), addr, Config{SASL: &SASL{Mechanism: mech, Username: "alice", Password: "s3cret"}})
			require.NoError(t, err)
			requireMetadata(t, c)
			c.Close()

			_, err = Dial(testCtx(t), addr, Config{SASL: &SASL{Mechanism: mech, Username: "alice", Password: "wrong"}})
			require.ErrorIs(t, err, protocol.SaslAuthenticationFailed)
			require.ErrorContains(t, err, `user "alice" via `+mech+" at broker "+addr)

			_, err = Dial(testCtx(t), addr, Config{SASL: &SASL{Mechanism: mech, Username: "mallory", Password: "s3cret"}})
			require.ErrorIs(t, err, protocol.SaslAuthenticationFailed)
		})
	}
}

func TestDialSASLMechanismNotEnabledOnKfake(t *testing.T) {
	t.Parallel()
	// kfake accepts every mechanism it knows in the handshake, so ask for
	// one it does not.
	cl := kafkatest.MustCluster(t, kafkatest.SASLUser(kafkatest.SASLPlain, "alice", "s3cret"))
	c, err := Open(testCtx(t), cl.Addrs()[0], Config{})
	require.NoError(t, err)
	defer c.Close()
	var resp protocol.SaslHandshakeResponse
	require.NoError(t, c.RoundTrip(testCtx(t), &protocol.SaslHandshakeRequest{Mechanism: "GSSAPI"}, &resp, 1))
	require.Equal(t, protocol.UnsupportedSaslMechanism, protocol.ErrorCode(resp.ErrorCode))
	require.Contains(t, resp.Mechanisms, "PLAIN")
}

func TestDialSASLOverTLS(t *testing.T) {
	t.Parallel()
	server, client, err := kafkatest.NewTLSConfigs()
	require.NoError(t, err)
	cl := kafkatest.MustCluster(t, kafkatest.TLS(server), kafkatest.SASLUser(kafkatest.SASLScramSHA512, "alice", "s3cret"))
	addr := cl.Addrs()[0]

	c, err := Dial(testCtx(t), addr, Config{TLS: client, SASL: &SASL{Mechanism: "SCRAM-SHA-512", Username: "alice", Password: "s3cret"}})
	require.NoError(t, err)
	requireMetadata(t, c)
	c.Close()

	_, err = Dial(testCtx(t), addr, Config{TLS: client, SASL: &SASL{Mechanism: "SCRAM-SHA-512", Username: "alice", Password: "nope"}})
	require.ErrorIs(t, err, protocol.SaslAuthenticationFailed)
}

func TestDialTLSVerifiesHostname(t *testing.T) {
	t.Parallel()
	server, client, err := kafkatest.NewTLSConfigs()
	require.NoError(t, err)
	cl := kafkatest.MustCluster(t, kafkatest.TLS(server))
	addr := cl.Addrs()[0]
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)

	// The certificate names localhost and 127.0.0.1: an empty ServerName
	// takes the host from addr, and "localhost" matches too.
	for _, name := range []string{"", "localhost"} {
		cfg := client.Clone()
		cfg.ServerName = name
		c, err := Dial(testCtx(t), addr, Config{TLS: cfg})
		require.NoError(t, err, "ServerName %q", name)
		requireMetadata(t, c)
		c.Close()
	}

	cfg := client.Clone()
	cfg.ServerName = "kafka.example.com"
	_, err = Dial(testCtx(t), addr, Config{TLS: cfg})
	var hostErr x509.HostnameError
	require.ErrorAs(t, err, &hostErr)
	require.ErrorIs(t, err, ErrDisconnected)

	// Dialing by a name the certificate lacks fails the same way, because
	// the name in addr is what gets verified.
	_, err = Dial(testCtx(t), net.JoinHostPort("127.0.0.2", port), Config{
		TLS: client,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return new(net.Dialer).DialContext(ctx, network, addr)
		},
	})
	require.ErrorAs(t, err, &hostErr)

	// A client that does not trust the test authority is refused too.
	_, err = Dial(testCtx(t), addr, Config{TLS: &tls.Config{MinVersion: tls.VersionTLS12}})
	var unknownCA x509.UnknownAuthorityError
	require.ErrorAs(t, err, &unknownCA)
}

func TestDialUnreachableBroker(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	_, err = Dial(testCtx(t), addr, Config{})
	require.ErrorIs(t, err, ErrDisconnected)
}
