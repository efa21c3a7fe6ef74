package kafka_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"log/slog"
	"reflect"
	"testing"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestConfigRedactsSecrets prints and logs a Config, and its SASL, every
// way a caller might, and checks that neither the password nor the TLS
// private key shows, while the rest does.
func TestConfigRedactsSecrets(t *testing.T) {
	const password = "hunter2-Pa55w0rd"
	server, _, err := kafkatest.NewTLSConfigs()
	require.NoError(t, err)
	cfg := kafka.Config{
		Hosts:    []string{"10.0.0.1:9092"},
		ClientID: "billing",
		TLS:      server, // holds a certificate with its private key
		SASL:     &kafka.SASL{Mechanism: kafka.SASLScramSHA512, Username: "alice", Password: password},
	}
	var keySecrets []string
	switch k := server.Certificates[0].PrivateKey.(type) {
	case *ecdsa.PrivateKey:
		keySecrets = append(keySecrets, k.D.String(), k.D.Text(16))
	case *rsa.PrivateKey:
		keySecrets = append(keySecrets, k.D.String(), k.D.Text(16))
	default:
		t.Fatalf("unexpected key type %T", k)
	}

	check := func(what, out string) {
		t.Helper()
		require.NotContains(t, out, password, "%s shows the password", what)
		for _, s := range keySecrets {
			require.NotContains(t, out, s, "%s shows the TLS private key", what)
		}
		require.Contains(t, out, "alice", "%s still shows the user", what)
	}
	nested := struct{ Client kafka.Config }{cfg}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%100v"} {
		check("Config "+verb, fmt.Sprintf(verb, cfg))
		check("*Config "+verb, fmt.Sprintf(verb, &cfg))
		check("SASL "+verb, fmt.Sprintf(verb, *cfg.SASL))
		check("*SASL "+verb, fmt.Sprintf(verb, cfg.SASL))
		check("struct holding a Config "+verb, fmt.Sprintf(verb, nested))
	}
	out := fmt.Sprintf("%+v", cfg)
	require.Contains(t, out, "Password:[REDACTED]")
	require.Contains(t, out, "Hosts:[10.0.0.1:9092]")
	require.Contains(t, out, "ClientID:billing")
	require.Contains(t, out, "Certificates:1")
	require.Contains(t, fmt.Sprintf("%#v", cfg), `Password:"[REDACTED]"`)
	require.Contains(t, fmt.Sprint(kafka.SASL{Username: "bob"}), "Password:}", "an empty password shows as empty")

	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("connecting", "config", cfg, "config_ptr", &cfg, "sasl", cfg.SASL, "sasl_value", *cfg.SASL, "nested", nested)
		check("slog "+name, buf.String())
		require.Contains(t, buf.String(), "[REDACTED]", "slog %s", name)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("connecting", "config", cfg)
	require.Contains(t, buf.String(), `"client_id":"billing"`)
	require.Contains(t, buf.String(), `"password":"[REDACTED]"`)
}

// TestConfigStringShowsEveryField guards the printed form against a new
// Config field being forgotten: each field's name appears.
func TestConfigStringShowsEveryField(t *testing.T) {
	out := fmt.Sprintf("%+v", kafka.Config{})
	typ := reflect.TypeOf(kafka.Config{})
	for i := range typ.NumField() {
		require.Contains(t, out, typ.Field(i).Name+":", "the printed Config shows %s", typ.Field(i).Name)
	}
}
