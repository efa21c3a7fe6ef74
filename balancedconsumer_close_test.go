package kafka_test

import (
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestTaskDoneAfterClose: a closed consumer has given its partitions up,
// so marking one of their messages done reports false.
func TestTaskDoneAfterClose(t *testing.T) {
	cl := kafkatest.MustCluster(t, kafkatest.Topic("closedtask", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	produceAt(t, cl, "closedtask", 0, time.Now(), "a")
	produceAt(t, cl, "closedtask", 0, time.Now(), "b")
	cfg := groupConfig("closedtask")
	cfg.TrackTaskDone = true
	bc := newBalanced(t, c, "closedtask", cfg)
	first, err := bc.Consume(testCtx(t))
	require.NoError(t, err)
	second, err := bc.Consume(testCtx(t))
	require.NoError(t, err)
	require.True(t, bc.TaskDone(first), "an open consumer's message is marked")
	require.NoError(t, bc.Close())
	require.False(t, bc.TaskDone(second), "after Close nothing is marked")
}
