package kafkatest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitFor fails t if ch is not closed within a generous time.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: still waiting after 10s", what)
	}
}

// TestDelayedConnCopiesAndSplits checks that Write copies what it is given
// (kfake reuses its buffer) and that a write larger than the queue arrives
// whole and in order.
func TestDelayedConnCopiesAndSplits(t *testing.T) {
	t.Parallel()
	broker, client := net.Pipe()
	defer client.Close()
	c := newDelayedConn(broker, time.Millisecond, 100)
	defer c.Close()

	p := bytes.Repeat([]byte("abcdefghij"), 25) // 250 bytes: three pieces
	want := bytes.Clone(p)
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, len(want))
		_, err := io.ReadFull(client, b)
		if err != nil {
			b = nil
		}
		got <- b
	}()
	n, err := c.Write(p)
	require.NoError(t, err)
	assert.Equal(t, len(want), n)
	clear(p) // as kfake reuses its buffer for the next answer
	assert.Equal(t, want, <-got)
}

// TestDelayedConnBoundsQueue checks that a write waits while the queue is
// full, and goes on when the client reads.
func TestDelayedConnBoundsQueue(t *testing.T) {
	t.Parallel()
	broker, client := net.Pipe() // a write blocks until the client reads it
	defer client.Close()
	c := newDelayedConn(broker, 0, 100)
	defer c.Close()

	_, err := c.Write(make([]byte, 100)) // fills the queue, and stays there
	require.NoError(t, err)
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		_, err := c.Write([]byte{1})
		assert.NoError(t, err)
	}()
	select {
	case <-wrote:
		t.Fatal("Write returned with the queue full")
	case <-time.After(20 * time.Millisecond):
	}
	b := make([]byte, 101)
	_, err = io.ReadFull(client, b) // makes room
	require.NoError(t, err)
	waitFor(t, wrote, "Write after the client read")
	assert.Equal(t, byte(1), b[100])
}

// TestDelayedConnCloseUnblocks checks that Close returns while the writing
// goroutine is stuck on a client that does not read and a Write waits for
// room, that both end, and that later writes fail.
func TestDelayedConnCloseUnblocks(t *testing.T) {
	t.Parallel()
	broker, client := net.Pipe()
	defer client.Close()
	c := newDelayedConn(broker, 0, 100)

	_, err := c.Write(make([]byte, 100))
	require.NoError(t, err)
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		_, err := c.Write(make([]byte, 50))
		assert.ErrorIs(t, err, net.ErrClosed)
	}()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		assert.NoError(t, c.Close())
	}()
	waitFor(t, closed, "Close")
	waitFor(t, wrote, "a Write waiting for room, after Close")
	waitFor(t, c.done, "the writing goroutine, after Close")
	_, err = c.Write([]byte{1})
	assert.ErrorIs(t, err, net.ErrClosed)
	c.Close() // a second Close returns too
}

// TestDelayedConnWriteError checks that a failed write to the client ends
// the writing goroutine and fails the next Write.
func TestDelayedConnWriteError(t *testing.T) {
	t.Parallel()
	broker, client := net.Pipe()
	c := newDelayedConn(broker, 0, 100)
	defer c.Close()
	client.Close()
	_, err := c.Write([]byte{1}) // queued, then fails to go out
	require.NoError(t, err)
	waitFor(t, c.done, "the writing goroutine, after a write error")
	_, err = c.Write([]byte{2})
	assert.True(t, errors.Is(err, io.ErrClosedPipe), "got %v", err)
}
