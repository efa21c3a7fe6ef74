package conn

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is a log sink safe for the connection's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.buf.String()), "\n")
}

// answerWithTrailing answers one request with an APIVersions response at the
// request's version followed by extra bytes.
func (b *fakeBroker) answerWithTrailing(extra int) {
	frame, err := protocol.ReadFrame(b.nc, nil, 1<<20)
	require.NoError(b.t, err)
	h, _, err := protocol.DecodeRequest(frame)
	require.NoError(b.t, err)
	resp := &protocol.APIVersionsResponse{APIKeys: brokerKeys, FinalizedFeaturesEpoch: -1}
	out, err := protocol.AppendResponse(nil, h.CorrelationID, resp, h.APIVersion)
	require.NoError(b.t, err)
	out = append(out, make([]byte, extra)...)
	out[3] += byte(extra) // the frame's size grows by extra (small frames: the low byte suffices)
	_, err = b.nc.Write(out)
	require.NoError(b.t, err)
}

// TestTrailingBytesLoggedOncePerAPIVersion: responses with bytes after their
// fields decode, and the logger sees one debug line per API and version, not
// one per response or per connection.
func TestTrailingBytesLoggedOncePerAPIVersion(t *testing.T) {
	var sink lockedBuffer
	logger := slog.New(slog.NewTextHandler(&sink, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	for range 2 { // two connections sharing the logger, as a client's do
		client, server := net.Pipe()
		c := newConn("pipe", client, Config{Logger: logger})
		b := &fakeBroker{t: t, nc: server}
		for _, version := range []int16{0, 0, 3, 3, 3} {
			errc := make(chan error, 1)
			go func() {
				var resp protocol.APIVersionsResponse
				errc <- c.RoundTrip(ctx, &protocol.APIVersionsRequest{ClientSoftwareName: "a", ClientSoftwareVersion: "1"}, &resp, version)
			}()
			b.answerWithTrailing(4)
			require.NoError(t, <-errc, "v%d with 4 trailing bytes", version)
		}
		c.Close()
		server.Close()
	}
	lines := sink.lines()
	require.Len(t, lines, 2, "one line per API and version: %q", lines)
	require.Contains(t, lines[0], "api=ApiVersions version=0 bytes=4")
	require.Contains(t, lines[1], "api=ApiVersions version=3 bytes=4")
	require.Contains(t, lines[0], "level=DEBUG")
}
