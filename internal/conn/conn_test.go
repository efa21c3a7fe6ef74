package conn

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// fakeBroker is the far end of a net.Pipe: it reads request frames and lets
// the test decide what goes back.
type fakeBroker struct {
	t  *testing.T
	nc net.Conn
}

func newPipe(t *testing.T) (*Conn, *fakeBroker) {
	client, server := net.Pipe()
	c := newConn("pipe", client, Config{ClientID: "test", MaxResponseSize: 1 << 20})
	t.Cleanup(func() { c.Close(); server.Close() })
	return c, &fakeBroker{t: t, nc: server}
}

// readRequest reads one request and returns its header.
func (b *fakeBroker) readRequest() protocol.RequestHeader {
	frame, err := protocol.ReadFrame(b.nc, nil, 1<<20)
	require.NoError(b.t, err)
	h, _, err := protocol.DecodeRequest(frame)
	require.NoError(b.t, err)
	return h
}

// answer writes an APIVersions v0 response carrying errorCode.
func (b *fakeBroker) answer(correlationID int32, errorCode int16) {
	frame, err := protocol.AppendResponse(nil, correlationID, &protocol.APIVersionsResponse{ErrorCode: errorCode}, 0)
	require.NoError(b.t, err)
	_, err = b.nc.Write(frame)
	require.NoError(b.t, err)
}

func roundTrip(ctx context.Context, c *Conn) (int16, error) {
	var resp protocol.APIVersionsResponse
	err := c.RoundTrip(ctx, &protocol.APIVersionsRequest{}, &resp, 0)
	return resp.ErrorCode, err
}

// checkNoLeak waits for the goroutine count to come back to what it was.
func checkNoLeak(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines leaked")
}

func TestPipelinedRequestsMatchInOrder(t *testing.T) {
	before := runtime.NumGoroutine()
	c, b := newPipe(t)
	ctx := context.Background()

	const n = 5
	results := make([]int16, n)
	var wg sync.WaitGroup
	var sendMu sync.Mutex // requests go out one after another so we know their order
	ids := make(chan int32, n)
	for i := range n {
		wg.Add(1)
		sendMu.Lock()
		go func() {
			defer wg.Done()
			code, err := roundTrip(ctx, c)
			require.NoError(t, err)
			results[i] = code
		}()
		h := b.readRequest()
		require.Equal(t, "test", *h.ClientID)
		ids <- h.CorrelationID
		sendMu.Unlock()
	}
	// All five are in flight before the broker answers any of them.
	for range n {
		id := <-ids
		b.answer(id, int16(100+id))
	}
	wg.Wait()
	for i, code := range results {
		require.Equal(t, int16(100+i), code, "each caller gets its own answer")
	}
	c.Close()
	b.nc.Close()
	checkNoLeak(t, before)
}

func TestCorrelationMismatchBreaksConnection(t *testing.T) {
	before := runtime.NumGoroutine()
	c, b := newPipe(t)
	done := make(chan error)
	go func() { _, err := roundTrip(context.Background(), c); done <- err }()
	h := b.readRequest()
	b.answer(h.CorrelationID+7, 0) // out of order: nothing was sent with that ID
	err := <-done
	require.ErrorIs(t, err, ErrDisconnected)
	require.ErrorContains(t, err, "answered correlation ID 7, expected 0")
	require.ErrorIs(t, c.Err(), ErrDisconnected)
	_, err = roundTrip(context.Background(), c)
	require.ErrorIs(t, err, ErrDisconnected, "a broken connection refuses new requests")
	c.Close()
	checkNoLeak(t, before)
}

func TestOutOfOrderResponsesFailEveryCallInFlight(t *testing.T) {
	before := runtime.NumGoroutine()
	c, b := newPipe(t)
	done := make(chan error, 2)
	var ids []int32
	for range 2 {
		go func() { _, err := roundTrip(context.Background(), c); done <- err }()
		ids = append(ids, b.readRequest().CorrelationID)
	}
	b.answer(ids[1], 0) // the second answered before the first
	for range 2 {
		err := <-done
		require.ErrorIs(t, err, ErrDisconnected, "neither caller may get the other's answer")
		require.ErrorContains(t, err, fmt.Sprintf("answered correlation ID %d, expected %d", ids[1], ids[0]))
	}
	c.Close()
	checkNoLeak(t, before)
}

func TestTruncatedFrameFailsPendingCalls(t *testing.T) {
	before := runtime.NumGoroutine()
	c, b := newPipe(t)
	done := make(chan error)
	go func() { _, err := roundTrip(context.Background(), c); done <- err }()
	b.readRequest()
	b.nc.Write([]byte{0, 0, 0, 50, 0, 0, 0, 0}) // announces 50 bytes, sends 4
	b.nc.Close()
	err := <-done
	require.ErrorIs(t, err, ErrDisconnected)
	require.ErrorContains(t, err, "truncated frame")
	c.Close()
	checkNoLeak(t, before)
}

func TestHugeLengthPrefixIsRefused(t *testing.T) {
	before := runtime.NumGoroutine()
	c, b := newPipe(t)
	done := make(chan error)
	go func() { _, err := roundTrip(context.Background(), c); done <- err }()
	b.readRequest()
	var prefix [4]byte
	binary.BigEndian.PutUint32(prefix[:], 2<<30-1) // 2 GiB
	b.nc.Write(prefix[:])
	err := <-done
	require.ErrorIs(t, err, ErrDisconnected)
	require.ErrorIs(t, err, protocol.ErrFrameTooLarge)
	c.Close()
	checkNoLeak(t, before)
}

func TestContextCancelDoesNotBreakConnection(t *testing.T) {
	before := runtime.NumGoroutine()
	c, b := newPipe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error)
	go func() { _, err := roundTrip(ctx, c); done <- err }()
	first := b.readRequest()
	require.ErrorIs(t, <-done, context.DeadlineExceeded)

	// The late answer is discarded; the next request still works.
	go func() { code, err := roundTrip(context.Background(), c); require.Equal(t, int16(3), code); done <- err }()
	second := b.readRequest()
	b.answer(first.CorrelationID, 1)
	b.answer(second.CorrelationID, 3)
	require.NoError(t, <-done)
	require.NoError(t, c.Err())
	c.Close()
	checkNoLeak(t, before)
}

func TestCloseFailsCallsInFlightAndIsIdempotent(t *testing.T) {
	before := runtime.NumGoroutine()
	c, b := newPipe(t)
	done := make(chan error)
	go func() { _, err := roundTrip(context.Background(), c); done <- err }()
	b.readRequest()
	require.NoError(t, c.Close())
	require.NoError(t, c.Close())
	err := <-done
	require.True(t, errors.Is(err, ErrDisconnected))
	require.ErrorContains(t, err, "closed")
	b.nc.Close()
	checkNoLeak(t, before)
}

func TestUndecodableResponseFailsOnlyThatCall(t *testing.T) {
	c, b := newPipe(t)
	done := make(chan error)
	go func() { _, err := roundTrip(context.Background(), c); done <- err }()
	h := b.readRequest()
	frame := []byte{0, 0, 0, 6, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(frame[4:], uint32(h.CorrelationID))
	b.nc.Write(frame) // a body too short for APIVersions v0
	err := <-done
	require.ErrorIs(t, err, protocol.ErrMalformed)
	require.NoError(t, c.Err())
}

func TestRequestTimeoutBreaksConnection(t *testing.T) {
	before := runtime.NumGoroutine()
	c, b := newPipe(t)
	other := make(chan error)
	go func() { _, err := roundTrip(context.Background(), c); other <- err }()
	b.readRequest()

	var resp protocol.APIVersionsResponse
	done := make(chan error)
	go func() {
		done <- c.RoundTripWithin(context.Background(), &protocol.APIVersionsRequest{}, &resp, 0, 50*time.Millisecond)
	}()
	b.readRequest() // read, never answered
	err := <-done
	require.ErrorIs(t, err, ErrDisconnected)
	require.ErrorContains(t, err, "did not answer ApiVersions within 50ms")
	require.ErrorIs(t, <-other, ErrDisconnected, "a broker taken for dead fails every call in flight")
	require.ErrorIs(t, c.Err(), ErrDisconnected)
	c.Close()
	b.nc.Close()
	checkNoLeak(t, before)
}

// TestCallsAreReused checks that calls, reused from a pool, never get
// another request's answer.
func TestCallsAreReused(t *testing.T) {
	c, b := newPipe(t)
	defer c.Close()
	go func() { // answers each request with an error code derived from its ID
		for {
			frame, err := protocol.ReadFrame(b.nc, nil, 1<<20)
			if err != nil {
				return
			}
			h, _, err := protocol.DecodeRequest(frame)
			if err != nil {
				return
			}
			out, _ := protocol.AppendResponse(nil, h.CorrelationID, &protocol.APIVersionsResponse{ErrorCode: int16(h.CorrelationID % 7)}, 0)
			if _, err := b.nc.Write(out); err != nil {
				return
			}
		}
	}()
	for i := range 200 {
		code, err := roundTrip(context.Background(), c)
		require.NoError(t, err)
		require.Equal(t, int16(i%7), code, "request %d got another's answer", i)
	}
}
