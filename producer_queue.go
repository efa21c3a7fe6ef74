package kafka

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/gokafka/kafka/protocol"
	"github.com/gokafka/kafka/protocol/compress"
)

// A partQueue holds one partition's batches, oldest first. Only the last
// may be open for appends; only the first may be in flight, so that a
// partition's batches are written in order and a retry never overtakes.
type partQueue struct {
	id int32

	mu      sync.Mutex
	batches []*batch
	nextSeq int32 // the idempotent sequence of the next batch sealed
	headers []protocol.RecordHeader
}

// A batch is one record batch on its way to a partition.
type batch struct {
	part    *partQueue
	builder protocol.BatchBuilder
	msgs    []queuedMsg
	size    int // encoded size so far, uncompressed
	created time.Time
	sealed  bool          // no more appends: sending or about to
	urgent  bool          // a ProduceSync waits on it: no lingering
	done    chan struct{} // closed when every message has its report

	// Set when sealed (idempotent producers), reset by epoch bumps.
	producerID int64
	epoch      int16
	seq        int32

	inflight bool
	// maybeWritten: an attempt's outcome is unknown (no answer, or an
	// error a broker gives after appending), so the broker may hold the
	// batch under its producer ID, epoch and sequence. Only an answer to
	// a later attempt under that same identity settles it.
	maybeWritten bool
	wire         []byte // the built batch (the builder's memory), reused by retries
	attempts     int
	retryAt      time.Time
	lastErr      error
}

// queuedMsg is a message waiting for its report.
type queuedMsg struct {
	msg     Message
	waiting chan DeliveryReport // ProduceSync's, or nil
}

// spareBatches is how many finished batches, with their buffers, a
// producer keeps for reuse. A sync.Pool would not do: it is emptied at
// every GC, which at full speed comes every few batches, so buffers of a
// megabyte would be grown afresh again and again.
const spareBatches = 16

func (p *Producer) newBatch(q *partQueue) *batch {
	var b *batch
	select {
	case b = <-p.spare:
	default:
		b = new(batch)
	}
	b.part = q
	b.created = time.Now()
	b.done = make(chan struct{})
	b.builder.Reset(protocol.BatchOptions{Codec: compress.Codec(p.cfg.Compression), Level: p.cfg.CompressionLevel})
	return b
}

// release keeps a finished batch's buffers for a later batch.
func (p *Producer) release(b *batch) {
	clear(b.msgs)                                    // drop references to the application's bytes
	*b = batch{builder: b.builder, msgs: b.msgs[:0]} // wire is the builder's memory
	select {
	case p.spare <- b:
	default:
	}
}

// produce validates msg, picks its partition, waits for queue room and
// appends it to the partition's open batch.
func (p *Producer) produce(ctx context.Context, msg Message, waiting chan DeliveryReport) error {
	if msg.Topic != "" && msg.Topic != p.topic {
		return &OpError{Op: "produce", Topic: msg.Topic, Partition: -1, Broker: -1,
			Err: fmt.Errorf("%w: this producer writes to %q", ErrTopicMismatch, p.topic)}
	}
	msg.Topic = p.topic
	msg.Offset = -1
	if msg.Timestamp.IsZero() {
		msg.Timestamp = time.Now()
	}
	n := p.numPartitions()
	if n == 0 {
		return &OpError{Op: "produce", Topic: p.topic, Partition: -1, Broker: -1, Err: ErrUnknownTopicOrPartition}
	}
	part, err := p.cfg.Partitioner.Partition(msg, n)
	if err != nil {
		return &OpError{Op: "produce", Topic: p.topic, Partition: -1, Broker: -1, Err: err}
	}
	if part < 0 || int(part) >= n {
		return &OpError{Op: "produce", Topic: p.topic, Partition: part, Broker: -1,
			Err: fmt.Errorf("%w: the partitioner chose partition %d of %d", ErrUnknownTopicOrPartition, part, n)}
	}
	msg.Partition = part
	if err := p.waitRoom(ctx); err != nil {
		return err
	}
	q := p.queue(part)
	if q == nil {
		p.queued.Add(-1)
		return ErrProducerStopped
	}
	q.mu.Lock()
	hdrs := q.recordHeaders(msg.Headers)
	ts := msg.Timestamp.UnixMilli()
	var b *batch
	if last := len(q.batches) - 1; last >= 0 && !q.batches[last].sealed && !q.batches[last].inflight {
		b = q.batches[last] // open, and not being failed or reported
	}
	size := recordSizeBound(&msg, hdrs, ts, b)
	if size+batchOverhead > p.cfg.MaxRequestSize {
		q.mu.Unlock()
		// Reported, like any other failure, so that nothing else changes.
		p.report(DeliveryReport{Message: msg, Err: &OpError{Op: "produce", Topic: p.topic, Partition: part, Broker: -1,
			Err: fmt.Errorf("%w: a %d-byte message is over MaxRequestSize (%d)", ErrMessageTooLarge, size, p.cfg.MaxRequestSize)}}, waiting)
		return nil
	}
	full := false
	if b != nil && b.size+size > p.cfg.BatchBytes {
		full = p.seal(b)
		b = nil
	}
	if b == nil {
		b = p.newBatch(q)
		q.batches = append(q.batches, b)
	}
	b.builder.Append(ts, msg.Key, msg.Value, hdrs)
	b.size += size
	b.msgs = append(b.msgs, queuedMsg{msg: msg, waiting: waiting})
	if waiting != nil {
		b.urgent = true
	}
	ready := full || waiting != nil || len(b.msgs) == p.cfg.MinQueuedMessages || len(q.batches) == 1 && len(b.msgs) == 1
	q.mu.Unlock()
	if full {
		p.batchesClosed([]int32{part})
	}
	if ready {
		signal(p.wake)
	}
	return nil
}

// batchOverhead is a record batch's header, plus a produce request's
// fixed part, generously.
const batchOverhead = 61 + 128

// recordSizeBound is the most bytes msg can take in a batch: exact when
// appended to b, with the largest varints otherwise.
func recordSizeBound(msg *Message, hdrs []protocol.RecordHeader, ts int64, b *batch) int {
	if b != nil && b.builder.Len() > 0 {
		return b.builder.RecordSize(ts, msg.Key, msg.Value, hdrs)
	}
	var empty protocol.BatchBuilder
	return empty.RecordSize(ts, msg.Key, msg.Value, hdrs)
}

// recordHeaders converts headers without copying: the builder only reads
// them, and copies them into the batch.
func (q *partQueue) recordHeaders(hs []Header) []protocol.RecordHeader {
	if len(hs) == 0 {
		return nil
	}
	q.headers = q.headers[:0]
	for _, h := range hs {
		q.headers = append(q.headers, protocol.RecordHeader{Key: unsafe.Slice(unsafe.StringData(h.Key), len(h.Key)), Value: h.Value})
	}
	return q.headers
}

// waitRoom takes a queue slot, waiting for one if need be.
func (p *Producer) waitRoom(ctx context.Context) error {
	for {
		if p.isClosed() {
			return ErrProducerStopped
		}
		if p.queued.Add(1) <= int64(p.cfg.MaxQueuedMessages) {
			return nil
		}
		p.queued.Add(-1)
		if p.cfg.FailOnQueueFull {
			return ErrProducerQueueFull
		}
		select {
		case <-p.room:
			signal(p.room) // let the next waiter look too
		case <-ctx.Done():
			return ctx.Err()
		case <-p.quit:
			return ErrProducerStopped
		}
	}
}

func (p *Producer) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// numPartitions is the topic's partition count in the client's metadata.
func (p *Producer) numPartitions() int {
	if t, ok := p.client.meta.Load().topics[p.topic]; ok {
		return len(t.partitions)
	}
	return 0
}

// queue returns partition id's queue, creating it on first use; nil once
// the producer is closed.
func (p *Producer) queue(id int32) *partQueue {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	for int(id) >= len(p.parts) {
		p.parts = append(p.parts, &partQueue{id: int32(len(p.parts))})
	}
	return p.parts[id]
}

// seal closes b to appends, and reports whether it was open. The caller
// holds b.part.mu, and tells the partitioner with batchesClosed once it has
// let go of its locks.
func (p *Producer) seal(b *batch) bool {
	if b.sealed {
		return false
	}
	b.sealed = true
	if p.idem != nil {
		p.idem.assign(b)
	}
	return true
}

// batchesClosed tells a partitioner that wants to know which partitions'
// batches were closed. It is called without locks: the partitioner may be
// the application's code.
func (p *Producer) batchesClosed(partitions []int32) {
	if p.sticky == nil {
		return
	}
	for _, id := range partitions {
		p.sticky.BatchClosed(id)
	}
}

// sealAll seals every open batch and returns the done channels of every
// batch queued.
func (p *Producer) sealAll() []chan struct{} {
	p.mu.Lock()
	parts := p.parts
	p.mu.Unlock()
	var (
		waits  []chan struct{}
		closed []int32
	)
	for _, q := range parts {
		q.mu.Lock()
		for _, b := range q.batches {
			if p.seal(b) {
				closed = append(closed, q.id)
			}
			waits = append(waits, b.done)
		}
		q.mu.Unlock()
	}
	p.batchesClosed(closed)
	return waits
}

// finish reports every message of b, head of its queue, with err (nil on
// success, offsets from base) and removes it. An idempotent batch that
// failed leaves its sequence numbers unused: when the broker cannot hold
// it, the batches behind it take them over at once, before any of them is
// sent; when it may hold it, only a new epoch can tell, so one is asked
// for.
//
// b leaves the queue only after its reports: until then it stays the
// partition's head, marked in flight, so the partition's next batch is not
// sent and cannot be reported first (a partition's reports come in the
// order its messages were stored), and a Flush that starts meanwhile finds
// b and waits for its reports too.
func (p *Producer) finish(b *batch, base int64, appendTime time.Time, err error) {
	q := b.part
	q.mu.Lock()
	head := len(q.batches) > 0 && q.batches[0] == b
	// The dispatcher leaves the partition alone, and Produce appends no
	// message to b (an open batch failed by failAll or expiry), while it
	// is being reported.
	b.inflight = true
	if err != nil && p.idem != nil && b.sealed && head {
		if b.maybeWritten {
			p.idem.requestBump()
		} else {
			closeGap(q, b)
		}
	}
	q.mu.Unlock()
	if len(p.client.hooks) > 0 {
		e := ProduceBatchEvent{
			Topic: p.topic, Partition: q.id, Messages: len(b.msgs), Bytes: len(b.wire),
			Retries: b.attempts, Latency: time.Since(b.created), Err: err,
		}
		emit(p.client.hooks, func(h ProduceBatchHook) { h.OnProduceBatch(e) })
	}
	for i := range b.msgs {
		m := &b.msgs[i]
		if err == nil && base >= 0 {
			m.msg.Offset = base + int64(i)
		}
		if err == nil && !appendTime.IsZero() {
			m.msg.Timestamp = appendTime
		}
		p.report(DeliveryReport{Message: m.msg, Err: err}, m.waiting)
	}
	q.mu.Lock()
	if i := slices.Index(q.batches, b); i >= 0 {
		q.batches = slices.Delete(q.batches, i, i+1)
	}
	q.mu.Unlock()
	close(b.done)
	signal(p.wake) // the partition's next batch may go
	p.release(b)
}

// failAll reports every batch queued when it is called as failed with
// err. Batches queued meanwhile are left: at Close there are none, and the
// sender tries again for them.
func (p *Producer) failAll(err error) {
	p.mu.Lock()
	parts := p.parts
	p.mu.Unlock()
	for _, q := range parts {
		q.mu.Lock()
		queued := slices.Clone(q.batches)
		q.mu.Unlock()
		for _, b := range queued {
			cause := err
			if b.lastErr != nil {
				cause = fmt.Errorf("%w (last error: %w)", err, b.lastErr)
			}
			p.finish(b, -1, time.Time{}, &OpError{Op: "produce", Topic: p.topic, Partition: q.id, Broker: -1, Err: cause})
		}
	}
}
