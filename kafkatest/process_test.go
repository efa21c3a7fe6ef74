package kafkatest_test

import (
	"os"
	"testing"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	kafkatest.ServeProcess()
	os.Exit(m.Run())
}

func TestStartProcess(t *testing.T) {
	addrs := kafkatest.StartProcess(t, map[string]int{"apart": 3, "other": 1})
	require.Len(t, addrs, kafkatest.DefaultBrokers)
	cl := newClient(t, addrs)
	resp := metadata(t, cl, "apart", "other")
	require.Len(t, resp.Topics, 2)
	for _, tp := range resp.Topics {
		want := map[string]int{"apart": 3, "other": 1}[*tp.Topic]
		require.Len(t, tp.Partitions, want, "topic %s", *tp.Topic)
	}
	produce(t, cl, "apart", "across processes")
}
