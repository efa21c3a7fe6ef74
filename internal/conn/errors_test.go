package conn

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// fakeServer listens on loopback and runs serve on every connection it
// accepts, closing the connection when serve returns.
func fakeServer(t *testing.T, serve func(nc net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop); l.Close() })
	go func() {
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				context.AfterFunc(contextOf(stop), func() { nc.Close() })
				serve(nc)
			}()
		}
	}()
	return l.Addr().String()
}

// contextOf returns a context that ends when stop is closed.
func contextOf(stop <-chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-stop; cancel() }()
	return ctx
}

// readRequest reads one request frame and returns its header.
func readRequest(nc net.Conn) (protocol.RequestHeader, bool) {
	frame, err := protocol.ReadFrame(nc, nil, 1<<20)
	if err != nil {
		return protocol.RequestHeader{}, false
	}
	h, _, err := protocol.DecodeRequest(frame)
	return h, err == nil
}

// answering reads the request and writes out.
func answering(out []byte) func(net.Conn) {
	return func(nc net.Conn) {
		if _, ok := readRequest(nc); ok {
			nc.Write(out)
			nc.Read(make([]byte, 1)) // until the client hangs up
		}
	}
}

func dialErr(t *testing.T, addr string, cfg Config) error {
	t.Helper()
	c, err := Dial(testCtx(t), addr, cfg)
	if err == nil {
		c.Close()
	}
	require.Error(t, err)
	require.NotErrorIs(t, err, ErrNoAPIVersions, "only a broker before 0.10 gets that error")
	t.Logf("%v", err)
	return err
}

func TestDialErrorsNameTheRealCause(t *testing.T) {
	t.Parallel()
	t.Run("closed port", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		l.Close()
		err = dialErr(t, addr, Config{})
		require.ErrorIs(t, err, syscall.ECONNREFUSED)
		require.ErrorIs(t, err, ErrDisconnected)
		require.ErrorContains(t, err, "connection refused by "+addr)
	})
	t.Run("HTTP server", func(t *testing.T) {
		addr := fakeServer(t, answering([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")))
		err := dialErr(t, addr, Config{})
		require.ErrorIs(t, err, ErrNotKafka)
		require.ErrorIs(t, err, ErrDisconnected)
		require.ErrorContains(t, err, "not a Kafka broker (it answered like HTTP)")
		require.ErrorContains(t, err, addr)
	})
	for name, record := range map[string][]byte{
		"TLS alert":     {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46},
		"TLS handshake": {0x16, 0x03, 0x01, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00},
	} {
		t.Run(name, func(t *testing.T) {
			addr := fakeServer(t, answering(record))
			err := dialErr(t, addr, Config{})
			require.ErrorIs(t, err, ErrTLSRequired)
			require.ErrorContains(t, err, "answered with a TLS record; is the broker TLS-only? set Config.TLS")
		})
	}
	t.Run("plaintext to a TLS broker", func(t *testing.T) {
		server, _, err := kafkatest.NewTLSConfigs()
		require.NoError(t, err)
		cl := kafkatest.MustCluster(t, kafkatest.TLS(server))
		err = dialErr(t, cl.Addrs()[0], Config{})
		// Go's TLS listener closes without an alert; a Java one sends one.
		require.True(t, errorsIsAny(err, ErrTLSRequired, ErrClosedBeforeAnswer), "%v", err)
	})
	t.Run("closed without a byte", func(t *testing.T) {
		for _, serve := range []func(net.Conn){
			func(net.Conn) {},                     // on accept
			func(nc net.Conn) { readRequest(nc) }, // after reading the request
		} {
			err := dialErr(t, fakeServer(t, serve), Config{})
			require.ErrorIs(t, err, ErrClosedBeforeAnswer)
			require.ErrorIs(t, err, ErrDisconnected)
			require.ErrorContains(t, err, "connection closed before an answer")
		}
	})
	t.Run("random bytes", func(t *testing.T) {
		err := dialErr(t, fakeServer(t, answering([]byte{0x9C, 0x3E, 0x11, 0x07, 0xD2, 0x4F, 0x80, 0x01})), Config{})
		require.ErrorIs(t, err, ErrMalformedResponse)
		require.ErrorContains(t, err, "negative frame size")

		err = dialErr(t, fakeServer(t, answering([]byte{0x10, 0x3E, 0x11, 0x07, 0xD2, 0x4F, 0x80, 0x01})), Config{})
		require.ErrorIs(t, err, ErrMalformedResponse)
		require.ErrorIs(t, err, protocol.ErrFrameTooLarge)
		require.ErrorContains(t, err, "frame size 272503047 larger than MaxResponseSize (104857600)")
	})
	t.Run("wrong correlation ID", func(t *testing.T) {
		err := dialErr(t, fakeServer(t, answering([]byte{0, 0, 0, 6, 0, 0, 0, 9, 0, 0})), Config{})
		require.ErrorIs(t, err, ErrMalformedResponse)
		require.ErrorContains(t, err, "answered correlation ID 9, expected 0")
	})
	t.Run("truncated answer", func(t *testing.T) {
		err := dialErr(t, fakeServer(t, func(nc net.Conn) {
			if _, ok := readRequest(nc); ok {
				nc.Write([]byte{0, 0, 0, 50, 0, 0, 0, 0})
			}
		}), Config{})
		require.ErrorIs(t, err, ErrMalformedResponse)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		require.ErrorContains(t, err, "truncated frame (50 bytes announced, 4 received)")
	})
}

func errorsIsAny(err error, targets ...error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// TestDialPre010BrokerNamesTheSetting: a broker that hangs up on ApiVersions
// but answers Metadata v0, as brokers before 0.10 do, gets the error that
// names Config.BrokerVersion.
func TestDialPre010BrokerNamesTheSetting(t *testing.T) {
	t.Parallel()
	addr := fakeServer(t, func(nc net.Conn) {
		for {
			h, ok := readRequest(nc)
			if !ok || h.APIKey != protocol.KeyMetadata || h.APIVersion != 0 {
				return // hang up, as 0.9 does on an API it does not know
			}
			out, err := protocol.AppendResponse(nil, h.CorrelationID, &protocol.MetadataResponse{
				Brokers: []protocol.MetadataResponseBroker{{NodeID: 0, Host: "127.0.0.1", Port: 9092}},
			}, 0)
			if err != nil {
				panic(err)
			}
			if _, err := nc.Write(out); err != nil {
				return
			}
		}
	})
	_, err := Dial(testCtx(t), addr, Config{})
	require.ErrorIs(t, err, ErrNoAPIVersions)
	require.ErrorIs(t, err, ErrDisconnected)
	require.ErrorContains(t, err, "BrokerVersion")
	require.ErrorContains(t, err, addr)
}

// TestDialTimeoutBoundsTheHandshake: a server that accepts and never answers
// holds Dial for the dial timeout, not longer, whether it stalls ApiVersions
// or the TLS handshake, and the error names the timeout.
func TestDialTimeoutBoundsTheHandshake(t *testing.T) {
	t.Parallel()
	addr := fakeServer(t, func(nc net.Conn) { nc.Read(make([]byte, 1<<16)); nc.Read(make([]byte, 1)) })
	// saslAddr answers ApiVersions, then is silent.
	saslAddr := fakeServer(t, func(nc net.Conn) {
		h, ok := readRequest(nc)
		if !ok {
			return
		}
		resp := &protocol.APIVersionsResponse{APIKeys: []protocol.APIVersionsResponseAPIKey{
			{APIKey: protocol.KeySaslHandshake, MaxVersion: 1}, {APIKey: protocol.KeySaslAuthenticate, MaxVersion: 2},
		}}
		out, err := protocol.AppendResponse(nil, h.CorrelationID, resp, h.APIVersion)
		if err != nil {
			panic(err)
		}
		nc.Write(out)
		nc.Read(make([]byte, 1<<16))
		nc.Read(make([]byte, 1))
	})
	_, client, err := kafkatest.NewTLSConfigs()
	require.NoError(t, err)
	for name, cfg := range map[string]Config{
		"ApiVersions":   {DialTimeout: 200 * time.Millisecond},
		"TLS handshake": {DialTimeout: 200 * time.Millisecond, TLS: client},
		"SASL":          {DialTimeout: 200 * time.Millisecond, SASL: &SASL{Mechanism: "PLAIN", Username: "u", Password: "p"}},
	} {
		addr := addr
		if cfg.SASL != nil {
			addr = saslAddr
		}
		start := time.Now()
		_, err := Dial(context.Background(), addr, cfg)
		elapsed := time.Since(start)
		require.Error(t, err, name)
		require.Less(t, elapsed, 5*time.Second, "%s: Dial held for %v with a 200ms dial timeout", name, elapsed)
		require.ErrorIs(t, err, context.DeadlineExceeded, name)
		require.ErrorContains(t, err, "dial timeout (200ms)", name)
		t.Logf("%s: %v after %v", name, err, elapsed)
	}
	// The caller's shorter deadline wins, and is reported as such.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = Dial(ctx, addr, Config{DialTimeout: time.Hour})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotContains(t, err.Error(), "dial timeout")
}

// TestReaderErrorsNameTheRealCause: after the handshake, the connection's
// reader explains a failed answer the same way, naming the request in
// flight, or saying that none was.
func TestReaderErrorsNameTheRealCause(t *testing.T) {
	c, b := newPipe(t)
	errc := make(chan error, 1)
	go func() { _, err := roundTrip(context.Background(), c); errc <- err }()
	b.readRequest()
	go b.nc.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
	err := <-errc
	require.ErrorIs(t, err, ErrNotKafka)
	require.ErrorIs(t, err, ErrDisconnected)
	require.ErrorContains(t, err, `pipe sent "HTTP..." in answer to ApiVersions`)

	c, b = newPipe(t)
	go func() { _, err := roundTrip(context.Background(), c); errc <- err }()
	b.readRequest()
	b.nc.Close()
	err = <-errc
	require.ErrorIs(t, err, ErrClosedBeforeAnswer)
	require.ErrorContains(t, err, "pipe closed the connection without answering ApiVersions")

	c, b = newPipe(t)
	b.nc.Close()
	require.Eventually(t, func() bool { return c.Err() != nil }, 10*time.Second, 5*time.Millisecond)
	require.ErrorIs(t, c.Err(), ErrClosedBeforeAnswer)
	require.ErrorContains(t, c.Err(), "while no request was in flight")
}
