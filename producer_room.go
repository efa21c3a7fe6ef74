package kafka

import (
	"context"
	"sync"
	"sync/atomic"
)

// room bounds what a producer holds: messages produced and not yet
// reported (MaxQueuedMessages) and the bytes of their records
// (MaxBufferedBytes). Produce takes room message by message, lock-free;
// room comes back batch by batch, and a waiting Produce is woken only
// when one waits, so that a full queue costs one wake-up per batch rather
// than one per message.
type room struct {
	maxMsgs, maxBytes int64

	msgs, bytes atomic.Int64
	waiters     atomic.Int32
	freed       chan struct{} // signalled when room is given back and someone waits
}

func newRoom(maxMsgs, maxBytes int) room {
	return room{maxMsgs: int64(maxMsgs), maxBytes: int64(maxBytes), freed: make(chan struct{}, 1)}
}

// take takes room for one message of size bytes. When there is none it
// fails with ErrProducerQueueFull if failFast, and otherwise waits for
// room, ctx or quit.
func (r *room) take(ctx context.Context, size int64, failFast bool, quit <-chan struct{}) error {
	for {
		if r.tryTake(size) {
			return nil
		}
		if failFast {
			return ErrProducerQueueFull
		}
		r.waiters.Add(1)
		// Look again once registered: room given back between the first
		// look and the registration signalled nobody.
		if r.tryTake(size) {
			r.waiters.Add(-1)
			return nil
		}
		select {
		case <-r.freed:
			r.waiters.Add(-1)
			if r.waiters.Load() > 0 {
				signal(r.freed) // let the next waiter look too
			}
		case <-ctx.Done():
			r.waiters.Add(-1)
			return ctx.Err()
		case <-quit:
			r.waiters.Add(-1)
			return ErrProducerStopped
		}
	}
}

// tryTake takes room for a message if there is some. A message larger
// than the whole byte budget goes when nothing else is buffered.
func (r *room) tryTake(size int64) bool {
	m := r.msgs.Add(1)
	b := r.bytes.Add(size)
	if m <= r.maxMsgs && (b <= r.maxBytes || b == size) {
		return true
	}
	r.msgs.Add(-1)
	r.bytes.Add(-size)
	return false
}

// give gives back room for msgs messages and bytes bytes.
func (r *room) give(msgs, bytes int64) {
	r.msgs.Add(-msgs)
	r.bytes.Add(-bytes)
	if r.waiters.Load() > 0 {
		signal(r.freed)
	}
}

// giveMessages gives back the slots of n messages whose reports were read.
func (r *room) giveMessages(n int) { r.give(int64(n), 0) }

// spareBatches keeps finished batches, with their buffers, for reuse, up
// to MaxBufferedBytes of buffer. A sync.Pool would not do: it
// is emptied at every GC, which at full speed comes every few batches, so
// buffers of up to a megabyte would be grown afresh again and again.
type spareBatches struct {
	mu      sync.Mutex
	batches []*batch
	bytes   int // their buffers' capacity
	max     int
}

func (s *spareBatches) init(maxBuffered int) { s.max = maxBuffered }

// get returns a spare batch whose buffer holds at least want bytes, the
// largest one otherwise, or nil.
func (s *spareBatches) get(want int) *batch {
	s.mu.Lock()
	defer s.mu.Unlock()
	best := -1
	for i, b := range s.batches {
		if best < 0 || b.builder.Cap() > s.batches[best].builder.Cap() {
			best = i
		}
		if b.builder.Cap() >= want {
			best = i
			break
		}
	}
	if best < 0 {
		return nil
	}
	b := s.batches[best]
	last := len(s.batches) - 1
	s.batches[best] = s.batches[last]
	s.batches[last] = nil
	s.batches = s.batches[:last]
	s.bytes -= b.builder.Cap()
	return b
}

// put keeps b for reuse if there is room for its buffer.
func (s *spareBatches) put(b *batch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bytes+b.builder.Cap() > s.max {
		return
	}
	s.batches = append(s.batches, b)
	s.bytes += b.builder.Cap()
}
