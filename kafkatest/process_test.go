package kafkatest_test

import (
	"os"
	"testing"
	"time"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestMain(m *testing.M) {
	// The children StartProcess starts also get this option: see
	// TestServeProcessOptions.
	kafkatest.ServeProcess(kafkatest.AutoCreateTopics())
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

// TestServeProcessOptions checks that the options TestMain gives
// ServeProcess apply in the child: it creates topics a Metadata request
// asks for.
func TestServeProcessOptions(t *testing.T) {
	addrs := kafkatest.StartProcess(t, nil)
	cl := newClient(t, addrs)
	req := kmsg.NewPtrMetadataRequest()
	req.AllowAutoTopicCreation = true
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr("made-by-the-child")
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctxFor(t, 10*time.Second), cl)
	require.NoError(t, err)
	require.Len(t, resp.Topics, 1)
	require.Zero(t, resp.Topics[0].ErrorCode, "auto-created in the child")
	require.NotEmpty(t, resp.Topics[0].Partitions)
}
