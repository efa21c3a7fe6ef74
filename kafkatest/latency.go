package kafkatest

import (
	"net"
	"sync"
	"time"
)

// Latency makes the network from the brokers to their clients slow: every
// byte a broker writes reaches the client d after the broker wrote it, as
// over a link with a one-way latency of d. It delays without throttling:
// responses pipelined on one connection each arrive d after their own
// write, so N requests in flight take about d in all, not N × d. Requests
// are not delayed, so a round trip takes d longer than without Latency;
// give it the round-trip time to emulate. Zero, the default, means no
// latency.
//
// Each connection holds at most [LatencyBufferBytes] of responses in
// flight; a broker writing more waits for room, as it would for a full
// socket buffer. Closing a connection (a client's Close,
// [Cluster.DropConnection], [Cluster.RemoveBroker], [Cluster.Close]) drops
// what it still held, as a connection reset would. [StartProcess] passes
// Latency on to the cluster process.
func Latency(d time.Duration) Option {
	return func(cfg *config) {
		if d < 0 {
			cfg.errorf("Latency(%v): a latency cannot be negative", d)
			return
		}
		cfg.latency = d
	}
}

// LatencyBufferBytes is how many bytes of responses one connection holds
// in flight under [Latency] before the broker's writes wait.
const LatencyBufferBytes = 4 << 20

// delayedConn is a broker's end of a connection under Latency: Write
// copies the bytes into a queue, each with the time it is due, and returns;
// a goroutine writes them to the connection when they are due, everything
// due at once in one write.
type delayedConn struct {
	net.Conn
	delay time.Duration
	limit int // bytes queued before Write waits

	mu      sync.Mutex
	room    sync.Cond // broadcast when bytes leave the queue, or on close
	queue   []delayedWrite
	queued  int   // bytes in queue
	closed  bool  // Close was called
	err     error // the connection's write error, once it had one
	wake    chan struct{}
	closing chan struct{} // closed by Close
	done    chan struct{} // closed when run returns
}

// A delayedWrite is bytes a broker wrote and when they are due.
type delayedWrite struct {
	due time.Time
	buf *[]byte
}

func newDelayedConn(conn net.Conn, d time.Duration, limit int) *delayedConn {
	c := &delayedConn{
		Conn:    conn,
		delay:   d,
		limit:   limit,
		wake:    make(chan struct{}, 1),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	c.room.L = &c.mu
	go c.run()
	return c
}

// Write queues a copy of p to go out d from now and returns at once,
// unless the queue is full: then it waits for room. It fails once the
// connection is closed or a write to it failed. A write larger than the
// queue goes in pieces.
func (c *delayedConn) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		n := min(len(p), c.limit)
		buf := getDelayBuf(n)
		copy(*buf, p[:n])
		c.mu.Lock()
		for !c.closed && c.err == nil && c.queued > 0 && c.queued+n > c.limit {
			c.room.Wait()
		}
		if err := c.errLocked(); err != nil {
			c.mu.Unlock()
			putDelayBuf(buf)
			return written, err
		}
		c.queue = append(c.queue, delayedWrite{due: time.Now().Add(c.delay), buf: buf})
		c.queued += n
		c.mu.Unlock()
		select {
		case c.wake <- struct{}{}:
		default: // run has a wake-up pending already
		}
		written += n
		p = p[n:]
	}
	return written, nil
}

func (c *delayedConn) errLocked() error {
	switch {
	case c.closed:
		return net.ErrClosed
	case c.err != nil:
		return c.err
	}
	return nil
}

// run writes the queued bytes to the connection as they fall due, until
// Close or a write error.
func (c *delayedConn) run() {
	defer close(c.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var (
		due  []delayedWrite // the writes leaving now
		bufs net.Buffers
	)
	for {
		c.mu.Lock()
		if c.closed || c.err != nil {
			c.mu.Unlock()
			return
		}
		if len(c.queue) == 0 {
			c.mu.Unlock()
			select {
			case <-c.wake:
				continue
			case <-c.closing:
				return
			}
		}
		first := c.queue[0].due
		c.mu.Unlock()
		if wait := time.Until(first); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-c.closing:
				return
			}
		}

		// Everything due by now leaves in one write (writev on TCP).
		now := time.Now()
		c.mu.Lock()
		n := 0
		for n < len(c.queue) && !c.queue[n].due.After(now) {
			n++
		}
		due = append(due[:0], c.queue[:n]...)
		clear(c.queue[:n])
		c.queue = c.queue[n:]
		c.mu.Unlock()
		bufs = bufs[:0]
		for _, w := range due {
			bufs = append(bufs, *w.buf)
		}
		out := bufs // WriteTo consumes its receiver
		_, err := out.WriteTo(c.Conn)

		c.mu.Lock()
		for i, w := range due {
			c.queued -= len(*w.buf)
			putDelayBuf(w.buf)
			due[i] = delayedWrite{}
		}
		clear(bufs)
		if err != nil && c.err == nil {
			c.err = err
		}
		c.room.Broadcast()
		c.mu.Unlock()
	}
}

// Close closes the connection at once, dropping the bytes still queued,
// and returns when the goroutine writing them has stopped.
func (c *delayedConn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return c.Conn.Close() // the underlying error for a second close
	}
	c.closed = true
	close(c.closing)
	c.room.Broadcast()
	c.mu.Unlock()

	err := c.Conn.Close() // ends a write run is blocked in
	<-c.done
	c.mu.Lock()
	for i, w := range c.queue {
		putDelayBuf(w.buf)
		c.queue[i] = delayedWrite{}
	}
	c.queue, c.queued = nil, 0
	c.mu.Unlock()
	return err
}

// Buffers for queued bytes, reused across connections; big ones are left
// to the garbage collector.
var delayBufs = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledDelayBuf = 64 << 10

func getDelayBuf(n int) *[]byte {
	b := delayBufs.Get().(*[]byte)
	if cap(*b) < n {
		*b = make([]byte, n, max(n, 512))
	}
	*b = (*b)[:n]
	return b
}

func putDelayBuf(b *[]byte) {
	if cap(*b) <= maxPooledDelayBuf {
		delayBufs.Put(b)
	}
}
