package kafka

import (
	"testing"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestBrokerLeavingMidRequestIsRetriable: a broker dropped from the
// metadata fails the requests still headed its way with a retriable
// error, not ErrClientClosed, so producers and consumers try again.
func TestBrokerLeavingMidRequestIsRetriable(t *testing.T) {
	cl := kafkatest.MustCluster(t, kafkatest.Topic("t", 1))
	c := groupTestClient(t, cl)
	b, err := c.broker(cl.BrokerIDs()[0])
	require.NoError(t, err)
	m := *c.meta.Load()
	m.brokers = map[int32]Broker{}
	c.install(&m)
	_, err = b.conn(groupTestCtx(t), connGeneral)
	require.ErrorIs(t, err, ErrSocketDisconnected)
	require.True(t, IsRetriable(err))
	require.NoError(t, c.Close())
	_, err = b.conn(groupTestCtx(t), connGeneral)
	require.ErrorIs(t, err, ErrClientClosed)
}
