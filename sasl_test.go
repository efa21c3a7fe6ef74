package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gokafka/kafka"
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
