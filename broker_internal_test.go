package kafka

import (
	"context"
	"testing"
	"time"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestBrokerLeavingMidRequestIsRetriable: a broker dropped from the
// metadata fails the requests still headed its way with a retriable
// error, not ErrClientClosed, so producers and consumers try again.
func TestBrokerLeavingMidRequestIsRetriable(t *testing.T) {
	c := groupTestClient(t, kafkatest.NewBackend(t))
	b, err := c.broker(c.Brokers()[0].ID)
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

// TestDialOfOneKindDoesNotBlockOthers: while one kind of connection waits
// out its reconnect backoff, requests on another kind's healthy connection
// go on.
func TestDialOfOneKindDoesNotBlockOthers(t *testing.T) {
	c := groupTestClient(t, kafkatest.NewBackend(t))
	b, err := c.broker(c.Brokers()[0].ID)
	require.NoError(t, err)
	ctx := groupTestCtx(t)
	_, err = b.conn(ctx, connGeneral)
	require.NoError(t, err)

	b.mu.Lock()
	b.retryAt = time.Now().Add(time.Hour) // the produce connection must wait to redial
	b.mu.Unlock()
	waiting, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { _, err := b.conn(waiting, connProduce); done <- err }()

	quick, cancelQuick := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancelQuick()
	_, err = b.conn(quick, connGeneral)
	require.NoError(t, err, "the healthy general connection is not held up by the produce connection's backoff")
	_, err = b.conn(quick, connProduce)
	require.ErrorIs(t, err, context.DeadlineExceeded, "a second produce caller waits for the same dial, within its ctx")
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}
