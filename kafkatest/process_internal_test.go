package kafkatest

import (
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProcessSpecRoundTrip checks that what StartProcess sends rebuilds the
// same cluster configuration in the child.
func TestProcessSpecRoundTrip(t *testing.T) {
	opts := []Option{
		Ports(40001, 0), DefaultPartitions(3), AutoCreateTopics(),
		SASLUser(SASLScramSHA256, "alice", "s3cret"), Version("2.8"),
		BrokerConfig("message.max.bytes", "1000"), Topic("b", 1), Latency(3 * time.Millisecond),
		DataDir("/tmp/logs"),
	}
	spec, err := newProcessSpec(map[string]int{"a": 2}, opts)
	require.NoError(t, err)
	env, err := json.Marshal(spec)
	require.NoError(t, err)
	var back processSpec
	require.NoError(t, json.Unmarshal(env, &back))

	want := newConfig(append(opts, Topic("a", 2)))
	got := newConfig(back.options())
	_, err = got.kfakeOpts()
	require.NoError(t, err)
	_, err = want.kfakeOpts()
	require.NoError(t, err)
	assert.Equal(t, want.ports, got.ports)
	assert.Equal(t, 2, got.brokers)
	assert.ElementsMatch(t, want.topics, got.topics)
	assert.Equal(t, 3, got.defaultPart)
	assert.True(t, got.autoCreate)
	assert.Equal(t, want.sasl, got.sasl)
	assert.Equal(t, want.versions, got.versions)
	assert.Equal(t, want.brokerCfgs, got.brokerCfgs)
	assert.Equal(t, 3*time.Millisecond, got.latency)
	assert.Equal(t, "/tmp/logs", got.dataDir)
}

func TestProcessSpecRefusesGoValues(t *testing.T) {
	server, _, err := NewTLSConfigs()
	require.NoError(t, err)
	for name, opt := range map[string]Option{
		"TLS":    TLS(server),
		"Logger": Logger(slog.Default()),
		"bad":    NumBrokers(0),
	} {
		_, err := newProcessSpec(nil, []Option{opt})
		assert.Error(t, err, name)
	}
}
