package kafka_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

func staticToken() func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return "t", nil }
}

// TestSASLConfigOAuthBearer checks that each mechanism gets the fields it
// needs and only those, as ConfigErrors, before any broker is contacted.
func TestSASLConfigOAuthBearer(t *testing.T) {
	hosts := []string{"127.0.0.1:1"}
	for _, tc := range []struct {
		sasl  kafka.SASL
		field string
		text  string
	}{
		{kafka.SASL{Mechanism: kafka.SASLOAuthBearer}, "SASL.TokenSource", "OAUTHBEARER needs a token source"},
		{kafka.SASL{Mechanism: kafka.SASLOAuthBearer, TokenSource: staticToken(), Username: "alice"}, "SASL.Username", "takes no username"},
		{kafka.SASL{Mechanism: kafka.SASLOAuthBearer, TokenSource: staticToken(), Password: "hunter2"}, "SASL.Password", "takes no password"},
		{kafka.SASL{Mechanism: kafka.SASLOAuthBearer, TokenSource: staticToken(), Extensions: map[string]string{"auth": "x"}}, "SASL.Extensions", `"auth" is reserved`},
		{kafka.SASL{Mechanism: kafka.SASLOAuthBearer, TokenSource: staticToken(), Extensions: map[string]string{"trace-id": "x"}}, "SASL.Extensions", "letters only"},
		{kafka.SASL{Mechanism: kafka.SASLPlain, Username: "a", Password: "b", TokenSource: staticToken()}, "SASL.TokenSource", "only OAUTHBEARER"},
		{kafka.SASL{Mechanism: kafka.SASLScramSHA256, Username: "a", Password: "b", Extensions: map[string]string{"k": "v"}}, "SASL.Extensions", "only OAUTHBEARER"},
		{kafka.SASL{Mechanism: "GSSAPI"}, "SASL.Mechanism", `"OAUTHBEARER"`},
	} {
		_, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: hosts, SASL: &tc.sasl})
		var ce *kafka.ConfigError
		require.ErrorAs(t, err, &ce, "%v", tc.sasl)
		require.Equal(t, tc.field, ce.Field)
		require.ErrorContains(t, err, tc.text)
		require.NotContains(t, err.Error(), "hunter2")
	}
}

// A token source that fails makes NewClient fail with an error that names
// OAUTHBEARER and wraps the source's error.
func TestSASLOAuthBearerTokenSourceFailure(t *testing.T) {
	errIdP := errors.New("identity provider said 503")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := kafka.NewClient(ctx, kafka.Config{Hosts: []string{"127.0.0.1:1"}, SASL: &kafka.SASL{
		Mechanism:   kafka.SASLOAuthBearer,
		TokenSource: func(context.Context) (string, error) { return "", errIdP },
	}})
	require.ErrorIs(t, err, errIdP)
	require.ErrorContains(t, err, "SASL OAUTHBEARER token source failed: identity provider said 503")
	require.NotContains(t, err.Error(), "connection refused", "no connection was opened")
}

func TestSASLPrintsTokenSourceAndExtensions(t *testing.T) {
	s := kafka.SASL{Mechanism: kafka.SASLOAuthBearer, TokenSource: staticToken(), Extensions: map[string]string{"logicalCluster": "lkc-1"}}
	out := fmt.Sprintf("%+v", s)
	require.Contains(t, out, "TokenSource:set")
	require.Contains(t, out, "Extensions:map[logicalCluster:lkc-1]")
	require.NotContains(t, out, "0x", "no function address")
	require.Contains(t, fmt.Sprint(kafka.SASL{}), "TokenSource: ")
}

// syncBuffer is a bytes.Buffer safe for a logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.b.String(), s)
}

// kfake announces a session lifetime when connections.max.reauth.ms is set
// and accepts a new handshake on an authenticated connection, as Kafka
// does: the client re-authenticates its connections while producing, and
// no request fails.
func TestSASLReauthenticatesAgainstKfake(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "has SASL users and a session lifetime of its own",
		kafkatest.SASLUser(kafka.SASLScramSHA256, "alice", "s3cret"),
		kafkatest.BrokerConfig("connections.max.reauth.ms", "400"), kafkatest.Topic("reauth", 3))
	var logs syncBuffer
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), SASL: &kafka.SASL{Mechanism: kafka.SASLScramSHA256, Username: "alice", Password: "s3cret"},
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	topic, err := c.Topic(testCtx(t), "reauth")
	require.NoError(t, err)
	p, err := topic.Producer(testCtx(t), kafka.ProducerConfig{})
	require.NoError(t, err)
	defer p.Close()
	deadline := time.Now().Add(20 * time.Second)
	sent := 0
	for logs.count("kafka: re-authenticated") < 6 || sent < 60 {
		require.True(t, time.Now().Before(deadline), "re-authentications seen: %d", logs.count("kafka: re-authenticated"))
		_, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte(fmt.Sprint(sent))})
		require.NoError(t, err, "message %d", sent)
		sent++
		time.Sleep(10 * time.Millisecond)
	}
	offsets, err := topic.LatestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	var total int64
	for _, o := range offsets {
		total += o
	}
	require.Equal(t, int64(sent), total)
}
