package kafka_test

import (
	"testing"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

func TestTLS(t *testing.T) {
	t.Parallel()
	server, client, err := kafkatest.NewTLSConfigs()
	require.NoError(t, err)
	cl := kafkatest.NeedsKfake(t, "serves TLS with its own certificate", kafkatest.TLS(server), kafkatest.Topic("secret", 2))

	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), TLS: client})
	topic, err := c.Topic(testCtx(t), "secret")
	require.NoError(t, err)
	_, err = topic.LatestAvailableOffsets(testCtx(t))
	require.NoError(t, err)

	// Without TLS the brokers' answers are not Kafka.
	_, err = kafka.NewClient(testCtx(t), kafka.Config{Hosts: cl.Addrs()})
	require.ErrorIs(t, err, kafka.ErrNoBrokersAvailable)

	// Verification is on: a config that does not trust the cluster's CA fails.
	untrusting := client.Clone()
	untrusting.RootCAs = nil
	_, err = kafka.NewClient(testCtx(t), kafka.Config{Hosts: cl.Addrs(), TLS: untrusting})
	require.ErrorIs(t, err, kafka.ErrNoBrokersAvailable)
	require.ErrorContains(t, err, "certificate")
}

func TestSASL(t *testing.T) {
	t.Parallel()
	for _, mech := range []string{kafka.SASLPlain, kafka.SASLScramSHA256, kafka.SASLScramSHA512} {
		t.Run(mech, func(t *testing.T) {
			cl := kafkatest.NeedsKfake(t, "has SASL users of its own", kafkatest.SASLUser(mech, "alice", "s3cret"))
			c := newClient(t, kafka.Config{Hosts: cl.Addrs(), SASL: &kafka.SASL{Mechanism: mech, Username: "alice", Password: "s3cret"}})
			require.NoError(t, c.CreateTopic(testCtx(t), "authenticated", kafka.TopicConfig{Partitions: 3}))
			topic, err := c.Topic(testCtx(t), "authenticated")
			require.NoError(t, err)
			_, err = topic.EarliestAvailableOffsets(testCtx(t))
			require.NoError(t, err, "every broker's connection authenticates")

			_, err = kafka.NewClient(testCtx(t), kafka.Config{Hosts: cl.Addrs(), SASL: &kafka.SASL{Mechanism: mech, Username: "alice", Password: "wrong"}})
			require.ErrorIs(t, err, kafka.ErrSaslAuthenticationFailed)
			require.ErrorIs(t, err, kafka.ErrNoBrokersAvailable)
			require.False(t, kafka.IsRetriable(err), "a wrong password does not get better by retrying")
			require.ErrorContains(t, err, "alice")

			_, err = kafka.NewClient(testCtx(t), kafka.Config{Hosts: cl.Addrs()})
			require.Error(t, err, "no SASL against a SASL listener")
		})
	}
}

func TestSASLOverTLS(t *testing.T) {
	server, client, err := kafkatest.NewTLSConfigs()
	require.NoError(t, err)
	cl := kafkatest.NeedsKfake(t, "serves TLS and SASL of its own", kafkatest.TLS(server), kafkatest.SASLUser(kafka.SASLScramSHA512, "bob", "pw"), kafkatest.Topic("both", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), TLS: client, SASL: &kafka.SASL{Mechanism: kafka.SASLScramSHA512, Username: "bob", Password: "pw"}})
	_, err = c.Topic(testCtx(t), "both")
	require.NoError(t, err)
}

func TestUnknownSASLMechanism(t *testing.T) {
	_, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: []string{"127.0.0.1:1"}, SASL: &kafka.SASL{Mechanism: "GSSAPI"}})
	require.ErrorContains(t, err, "GSSAPI")
}
