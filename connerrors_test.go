package kafka_test

import (
	"io"
	"net"
	"testing"

	"github.com/gokafka/kafka"
	"github.com/stretchr/testify/require"
)

// TestNewClientNamesWhatTheSeedIs: the typed causes from the connection
// layer reach the caller of NewClient, so that errors.Is tells an HTTP
// server from a TLS listener from a broker that closes on ApiVersions.
func TestNewClientNamesWhatTheSeedIs(t *testing.T) {
	serve := func(answer []byte) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				nc, err := l.Accept()
				if err != nil {
					return
				}
				nc.Read(make([]byte, 512))
				nc.Write(answer)
				io.Copy(io.Discard, nc) // until the client hangs up
				nc.Close()
			}
		}()
		return l.Addr().String()
	}
	for answer, want := range map[string]error{
		"HTTP/1.1 400 Bad Request\r\n\r\n":         kafka.ErrNotKafka,
		"\x15\x03\x03\x00\x02\x02\x46":             kafka.ErrTLSRequired,
		"\x00\x00\x00\x06\x00\x00\x00\x09\x00\x00": kafka.ErrMalformedResponse,
	} {
		_, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: []string{serve([]byte(answer))}})
		require.ErrorIs(t, err, want)
		require.NotErrorIs(t, err, kafka.ErrNoAPIVersions)
	}
}
