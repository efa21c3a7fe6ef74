package kafka

import (
	"slices"

	"github.com/gokafka/kafka/protocol"
)

// split replaces b, which a broker refused as too large (its
// max.message.bytes is below BatchBytes), by two batches holding half of
// its records each, in its place in the partition's queue, so that every
// message still gets through, as the Java client does. It reports whether
// it could: a batch of one record cannot be split, and fails.
//
// The records are taken from the batch as built, not from the messages:
// the application may have reused its buffers since Produce returned.
// For an idempotent producer the halves take over the refused batch's
// sequence numbers, which the broker never used (batches behind it that
// were in flight come back out of order and go again after the halves); a
// batch the broker may hold from an earlier attempt is not split, but
// fails.
func (p *Producer) split(b *batch) bool {
	if b.count < 2 || len(b.wire) == 0 || b.maybeWritten {
		return false
	}
	q := b.q
	var rb protocol.RecordBatch
	if _, err := rb.Decode(b.wire, protocol.DecodeOptions{}); err != nil || len(rb.Records) != b.count {
		p.client.log.Warn("kafka: cannot split a batch the broker refused as too large", "topic", q.tq.name, "partition", q.id, "err", err)
		return false
	}
	q.mu.Lock()
	i := slices.Index(q.batches, b)
	if i < 0 || !b.inflight {
		q.mu.Unlock()
		return false
	}
	q.land(b)
	if q.inflight > 0 {
		q.stalled = true
	}
	half := b.count / 2
	first := p.rebatch(q, b, &rb, 0, half)
	second := p.rebatch(q, b, &rb, half, b.count)
	if p.idem != nil {
		first.producerID, first.epoch, first.seq = b.producerID, b.epoch, b.seq
		second.producerID, second.epoch, second.seq = b.producerID, b.epoch, nextSequence(b.seq, half)
	}
	second.bytes = b.bytes // the room comes back with the second half's reports
	q.batches = slices.Replace(q.batches, i, i+1, first, second)
	if done := b.done; done != nil {
		// Whoever waits for b (Flush, Close) waits for both halves
		// instead.
		d1, d2 := make(chan struct{}), make(chan struct{})
		first.done, second.done = d1, d2
		go func() {
			<-d1
			<-d2
			close(done)
		}()
	}
	s := q.sink
	q.mu.Unlock()
	p.release(b)
	if s != nil {
		s.signal()
	}
	return true
}

// rebatch makes a sealed batch of records [from, to) of rb, with their
// messages from old, keeping old's age and attempts. q.mu is held.
func (p *Producer) rebatch(q *partQueue, old *batch, rb *protocol.RecordBatch, from, to int) *batch {
	nb := p.newBatch(q, old.created)
	nb.wallMs, nb.attempts, nb.lastErr = old.wallMs, old.attempts, old.lastErr
	for i := from; i < to; i++ {
		r := &rb.Records[i]
		ts := r.Timestamp(rb)
		nb.size += nb.builder.Append(ts, r.Key, r.Value, r.Headers)
	}
	nb.count = to - from
	for _, m := range old.msgs {
		if m.index >= from && m.index < to {
			m.index -= from
			nb.msgs = append(nb.msgs, m)
			nb.urgent = nb.urgent || m.waiting != nil
		}
	}
	nb.sealed = true // numbered by the caller
	return nb
}
