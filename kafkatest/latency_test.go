package kafkatest_test

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
)

// The latency tests assert lower bounds only, which a loaded machine cannot
// break; the one upper bound (pipelining) is 10 times the expected time.
const testLatency = 50 * time.Millisecond

// apiVersionsRoundTrips sends n APIVersions requests on conn in one write,
// then reads the n answers, checking that they come in order. It returns
// how long the first answer took and how long all took.
func apiVersionsRoundTrips(t *testing.T, conn net.Conn, n int) (first, all time.Duration) {
	t.Helper()
	require.NoError(t, conn.SetDeadline(time.Now().Add(30*time.Second)))
	clientID := "latency"
	var frames []byte
	for corr := range int32(n) {
		var err error
		frames, err = protocol.AppendRequest(frames, corr, &clientID, &protocol.APIVersionsRequest{}, 0)
		require.NoError(t, err)
	}
	start := time.Now()
	_, err := conn.Write(frames)
	require.NoError(t, err)
	var body []byte
	for corr := range int32(n) {
		body, err = protocol.ReadFrame(conn, body, 1<<20)
		require.NoError(t, err)
		if corr == 0 {
			first = time.Since(start)
		}
		var resp protocol.APIVersionsResponse
		got, err := protocol.DecodeResponse(body, &resp, 0)
		require.NoError(t, err)
		require.Equal(t, corr, got, "answers come in request order")
		require.Zero(t, resp.ErrorCode)
	}
	return first, time.Since(start)
}

// apiVersionsRequest returns an APIVersions v0 request frame.
func apiVersionsRequest(t *testing.T) []byte {
	t.Helper()
	clientID := "latency"
	frame, err := protocol.AppendRequest(nil, 1, &clientID, &protocol.APIVersionsRequest{}, 0)
	require.NoError(t, err)
	return frame
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestLatencyDelaysAnswers(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Latency(testLatency), kafkatest.Topic("slow", 1))

	first, _ := apiVersionsRoundTrips(t, dial(t, c.Addrs()[0]), 1)
	assert.GreaterOrEqual(t, first, testLatency, "APIVersions round trip")

	// A real client.
	cl := newClient(t, c.Addrs())
	start := time.Now()
	resp := metadata(t, cl, "slow")
	assert.GreaterOrEqual(t, time.Since(start), testLatency, "a Metadata round trip")
	require.Len(t, resp.Topics, 1)
	start = time.Now()
	produce(t, cl, "slow", "late")
	assert.GreaterOrEqual(t, time.Since(start), testLatency, "a produce round trip")
}

// TestLatencyPipelines checks that Latency delays rather than throttles:
// answers to requests pipelined on one connection arrive together, about
// one latency after the requests, not one latency after one another.
func TestLatencyPipelines(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Latency(testLatency), kafkatest.NumBrokers(1))
	const n = 20
	first, all := apiVersionsRoundTrips(t, dial(t, c.Addrs()[0]), n)
	assert.GreaterOrEqual(t, first, testLatency, "first answer")
	assert.Less(t, all, n*testLatency/2, "%d pipelined requests, each delayed %v", n, testLatency)
}

// TestLatencyBigAnswers checks that an answer larger than what a
// connection holds in flight (LatencyBufferBytes) goes through whole.
func TestLatencyBigAnswers(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Latency(time.Millisecond), kafkatest.Topic("big", 1),
		kafkatest.BrokerConfig("message.max.bytes", "10000000"))
	cl := newClient(t, c.Addrs(), kgo.ProducerBatchMaxBytes(4<<20), kgo.ProducerBatchCompression(kgo.NoCompression()))
	// Six MiB in three records, which one fetch answer carries.
	const n, size = 3, 2 << 20
	var want [][]byte
	for i := range n {
		v := make([]byte, size)
		for j := range v {
			v[j] = byte(i + j)
		}
		want = append(want, v)
		r := &kgo.Record{Topic: "big", Value: v}
		require.NoError(t, cl.ProduceSync(ctxFor(t, 10*time.Second), r).FirstErr())
	}
	consumer := newClient(t, c.Addrs(), kgo.ConsumeTopics("big"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxBytes(32<<20), kgo.FetchMaxPartitionBytes(32<<20))
	got := consume(t, consumer, n)
	require.Len(t, got, n)
	for i, r := range got {
		assert.True(t, bytes.Equal(want[i], r.Value), "record %d arrived whole", i)
	}
}

// TestLatencyClose checks that closing a cluster does not wait for the
// answers it still delays: they are dropped, as a reset would drop them.
func TestLatencyClose(t *testing.T) {
	t.Parallel()
	c, err := kafkatest.NewCluster(kafkatest.Latency(time.Hour), kafkatest.NumBrokers(1))
	require.NoError(t, err)
	defer c.Close()
	conn := dial(t, c.Addrs()[0])
	_, err = conn.Write(apiVersionsRequest(t))
	require.NoError(t, err)
	for deadline := time.Now().Add(10 * time.Second); c.Requests(keyAPIVersions) == 0; {
		require.True(t, time.Now().Before(deadline), "the request never reached the broker")
		time.Sleep(time.Millisecond)
	}

	closed := make(chan struct{})
	go func() {
		c.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs on a delayed answer")
	}
	assertCut(t, conn)
}

// TestLatencyStartProcess checks that Latency reaches the cluster process.
func TestLatencyStartProcess(t *testing.T) {
	t.Parallel()
	addrs := kafkatest.StartProcess(t, nil, kafkatest.Latency(testLatency), kafkatest.NumBrokers(1))
	first, _ := apiVersionsRoundTrips(t, dial(t, addrs[0]), 1)
	assert.GreaterOrEqual(t, first, testLatency, "APIVersions round trip")
}

func TestLatencyNegative(t *testing.T) {
	t.Parallel()
	_, err := kafkatest.NewCluster(kafkatest.Latency(-time.Second))
	assert.ErrorContains(t, err, "Latency")
}
