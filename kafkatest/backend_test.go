package kafkatest_test

import (
	"strings"
	"testing"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

func TestBackendNamesAndTopics(t *testing.T) {
	b := kafkatest.NewBackend(t)
	require.Equal(t, kafkatest.External(), b.External())
	require.NotEmpty(t, b.Addrs())
	one, two := b.NewTopic("orders", 2), b.NewTopic("orders", 1)
	require.NotEqual(t, one, two, "each call names a new topic")
	require.True(t, strings.HasPrefix(one, "orders-"), one)
	off, err := b.Committed(b.Name("nobody"), one)
	require.NoError(t, err)
	require.Empty(t, off)
	require.NoError(t, b.DeleteRecords(one, 0, 0))
}

func TestNeedsKfake(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "checks the helper itself")
	require.False(t, kafkatest.External(), "skipped against KAFKA_BROKERS")
	require.Len(t, cl.Addrs(), 3)
}
