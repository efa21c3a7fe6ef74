package kafkatest_test

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
)

// TestDropResponse: the broker acts on the request and the client loses
// the answer. A producer without idempotence that retries then writes its
// record twice, where DropConnection (before the broker acts) leaves one.
func TestDropResponse(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.NumBrokers(1), kafkatest.Topic("lost", 1))
	cl := newClient(t, c.Addrs(), kgo.DisableIdempotentWrite(),
		kgo.ConsumeTopics("lost"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	produce(t, cl, "lost", "warm-up")

	inj := c.DropResponse(keyProduce, 1)
	before := c.Requests(keyProduce)
	produce(t, cl, "lost", "after")
	assert.Equal(t, 1, inj.Hits())
	assert.GreaterOrEqual(t, c.Requests(keyProduce)-before, 2, "the dropped request and the retry")

	drop := c.DropConnection(keyProduce, 1)
	produce(t, cl, "lost", "before")
	assert.Equal(t, 1, drop.Hits())

	// Spent: other requests, and the next Produce, are answered.
	produce(t, cl, "lost", "answered")
	assert.Equal(t, 1, inj.Hits())
	assert.Equal(t, []string{"after", "after", "answered", "before", "warm-up"}, values(consume(t, cl, 5)))
}

// TestTruncateResponse: the client gets the size of the answer and part of
// it, then the connection ends. Always applies until Remove; an answer
// to another API is sent whole.
func TestTruncateResponse(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.NumBrokers(1))
	addr := c.Addrs()[0]
	inj := c.TruncateResponse(keyAPIVersions, kafkatest.Always)
	for i := range 2 {
		size, body, err := rawExchange(t, addr, &protocol.APIVersionsRequest{})
		require.Error(t, err, "answer %d", i)
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("read: %v, want the connection closed", err)
		}
		assert.Positive(t, len(body), "part of answer %d was sent", i)
		assert.Less(t, len(body), size, "answer %d was cut", i)
	}
	assert.Equal(t, 2, inj.Hits())

	size, body, err := rawExchange(t, addr, &protocol.MetadataRequest{})
	require.NoError(t, err)
	assert.Len(t, body, size, "another API's answer is whole")
	inj.Remove()
	_, err = rawAPIVersions(addr, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, inj.Hits())
}

// rawExchange sends req (version 0) on a new connection and reads the
// answer: its size, and the bytes that came of its body until the
// connection ended or the body was complete.
func rawExchange(t *testing.T, addr string, req protocol.Request) (int, []byte, error) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	clientID := "raw"
	frame, err := protocol.AppendRequest(nil, 7, &clientID, req, 0)
	require.NoError(t, err)
	_, err = conn.Write(frame)
	require.NoError(t, err)
	var head [4]byte
	_, err = io.ReadFull(conn, head[:])
	require.NoError(t, err, "the size is sent")
	size := int(binary.BigEndian.Uint32(head[:]))
	body := make([]byte, size)
	n, err := io.ReadFull(conn, body)
	return size, body[:n], err
}

// TestResponseInjectionsNotOverTLS: through TLS the cluster cannot find
// the answers, as documented: DropResponse never applies, and the
// connections carry on.
func TestResponseInjectionsNotOverTLS(t *testing.T) {
	t.Parallel()
	server, client, err := kafkatest.NewTLSConfigs()
	require.NoError(t, err)
	c := kafkatest.MustCluster(t, kafkatest.TLS(server), kafkatest.Topic("tls", 1))
	cl := newClient(t, c.Addrs(), kgo.DialTLSConfig(client))
	inj := c.DropResponse(kafkatest.AnyAPI, kafkatest.Always)
	produce(t, cl, "tls", "answered")
	assert.Zero(t, inj.Hits())
}
