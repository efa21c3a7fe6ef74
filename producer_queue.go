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

// A partQueue holds one partition's batches of one producer, oldest first.
// Only the last may be open for appends. Batches go to the partition's
// sink in order; an idempotent producer may have several in flight (its
// sequence numbers keep them in order at the broker), any other one.
// Reports leave in the same order, whatever order the answers come in.
type partQueue struct {
	p  *Producer
	tq *topicQueues
	id int32

	mu       sync.Mutex
	batches  []*batch
	nextSeq  int32 // the idempotent sequence of the next batch sealed
	sink     *sink // where the partition's leader is; nil while unknown
	inflight int   // batches in flight
	via      *sink // the sink of the batches in flight
	// stalled: a batch came back for another attempt while later ones
	// were in flight; nothing is sent until they are back, and then
	// everything again in order from the oldest.
	stalled   bool
	reporting bool // a goroutine reports finished batches from the head
	lastSize  int  // the previous batch's size, to size the next one's buffer
	lastCount int  // and its messages
	headers   []protocol.RecordHeader
}

// A batch is one record batch on its way to a partition.
type batch struct {
	q       *partQueue
	builder protocol.BatchBuilder
	count   int // messages in it
	// msgs holds every message when the producer hands out reports
	// (DeliveryReports, OnDelivery), and otherwise only those a
	// ProduceSync waits for: a producer whose failures go to Flush needs
	// no more than counts, which spares it a copy of every message (and
	// the garbage collector the scanning of them).
	msgs    []queuedMsg
	size    int   // encoded size so far, uncompressed
	bytes   int64 // room taken by its messages
	created time.Time
	wallMs  int64         // created, in Unix milliseconds
	sealed  bool          // no more appends: sending or about to
	urgent  bool          // a ProduceSync or Flush waits on it: no lingering
	done    chan struct{} // made when someone waits (Flush), closed when every message has its report

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
	// finished: the batch is out of the running (appends and sends
	// stop); it is reported once complete has also given it its outcome
	// (settled), in queue order. Expiry and failQueued mark a run of
	// batches finished before completing them one by one: until each is
	// settled, a report of the ones before it must not take it along.
	// abandoned: Close reported it while a request carrying it was in
	// flight, so its answer is ignored.
	finished   bool
	settled    bool
	abandoned  bool
	base       int64
	appendTime time.Time
	err        error

	wire     []byte // the built batch (the builder's memory), reused by retries
	attempts int
	retryAt  time.Time
	lastErr  error
}

// queuedMsg is a message waiting for its report.
type queuedMsg struct {
	index   int // its place in the batch
	msg     Message
	waiting chan DeliveryReport // ProduceSync's, or nil
}

// newBatch opens a batch for q, its buffer sized once from the previous
// batch's size, so that it is not grown by doubling at full speed.
func (p *Producer) newBatch(q *partQueue, now time.Time) *batch {
	want := q.lastSize + q.lastSize/4 + batchOverhead
	if q.lastSize > p.cfg.BatchBytes/4 {
		// A busy partition: a buffer of the largest batch, which it
		// will not outgrow, and which comes back to the spares.
		want = p.cfg.BatchBytes + batchOverhead
	}
	want = min(want, p.cfg.BatchBytes+batchOverhead)
	b := p.spare.get(want)
	if b == nil {
		b = new(batch)
	}
	b.q = q
	b.created = now
	b.wallMs = now.UnixMilli()
	b.builder.Reset(protocol.BatchOptions{Codec: compress.Codec(p.cfg.Compression), Level: p.cfg.CompressionLevel,
		Transactional: p.txn != nil})
	b.builder.Grow(want)
	if n := q.lastCount + q.lastCount/4 + 1; p.keepMsgs && cap(b.msgs) < n {
		b.msgs = make([]queuedMsg, 0, n)
	}
	return b
}

// release keeps a finished batch's buffers for a later batch.
func (p *Producer) release(b *batch) {
	if b.abandoned {
		return // a request in flight still holds its bytes
	}
	clear(b.msgs)                                    // drop references to the application's bytes
	*b = batch{builder: b.builder, msgs: b.msgs[:0]} // wire is the builder's memory
	p.spare.put(b)
}

// produce validates msg, takes room for it and places it in its
// partition's open batch, or holds it until its topic is known.
func (p *Producer) produce(ctx context.Context, msg Message, waiting chan DeliveryReport) error {
	switch {
	case p.topic == "" && msg.Topic == "":
		return &OpError{Op: "produce", Partition: -1, Broker: -1, Err: ErrNoTopic}
	case p.topic != "" && msg.Topic != "" && msg.Topic != p.topic:
		return &OpError{Op: "produce", Topic: msg.Topic, Partition: -1, Broker: -1,
			Err: fmt.Errorf("%w: this producer writes to %q", ErrTopicMismatch, p.topic)}
	case p.topic != "":
		msg.Topic = p.topic
	}
	if p.isClosed() {
		return ErrProducerStopped
	}
	if p.client.isClosed() {
		return ErrClientClosed
	}
	t := p.txn
	if t != nil {
		// A first look, so that a Produce outside a transaction fails
		// at once; the look that counts is under the gate, below.
		if err := t.admit(); err != nil {
			return err
		}
	}
	msg.Offset = -1
	size := int64(recordSizeBound(&msg))
	var tooLarge error
	if size+batchOverhead > int64(p.cfg.MaxRequestSize) {
		if exact := exactRecordSize(&msg); exact+batchOverhead > p.cfg.MaxRequestSize {
			tooLarge = fmt.Errorf("%w: a %d-byte message is over MaxRequestSize (%d)", ErrMessageTooLarge, exact, p.cfg.MaxRequestSize)
		}
	}
	tq := p.topicFor(msg.Topic)
	// The partitioner's verdict comes before any wait for room, so that
	// its errors are returned at once.
	n := 0
	if !tq.holding.Load() {
		n = tq.numPartitions()
	}
	if n > 0 {
		part, err := tq.partition(msg, n)
		if err != nil {
			return p.refused(err)
		}
		msg.Partition = part
	}
	// The wait for room is outside the transaction's gate: an abort
	// that would free the room (discarding messages held for their
	// topic) must not wait for this Produce's ctx to get the gate.
	if err := p.room.take(ctx, size, p.cfg.FailOnQueueFull, p.quit); err != nil {
		return p.refused(err)
	}
	m := heldMsg{msg: msg, waiting: waiting, size: size}
	if t == nil {
		_, err := p.enqueue(tq, m, n, tooLarge)
		return err
	}
	// Held until the message is queued, or refused and the refusal
	// recorded: a commit cannot start between the check and then.
	t.gate.RLock()
	if err := t.admit(); err != nil {
		t.gate.RUnlock()
		p.room.give(1, size)
		return err
	}
	failed, err := p.enqueue(tq, m, n, tooLarge)
	if err != nil {
		failed, err = t.refused(err)
	}
	t.gate.RUnlock()
	if failed != nil {
		// The transaction's batches fail with it, their reports out of
		// the gate: a report may call the application, which may
		// produce again.
		t.failedQueued(failed)
	}
	return err
}

// refused returns err, the refusal of a message before it took room; in
// an open transaction, the refusal fails it first (transactions.refused).
func (p *Producer) refused(err error) error {
	t := p.txn
	if t == nil {
		return err
	}
	t.gate.RLock()
	if t.admit() != nil {
		t.gate.RUnlock()
		return err // the transaction ended meanwhile: not its message
	}
	failed, err := t.refused(err)
	t.gate.RUnlock()
	if failed != nil {
		t.failedQueued(failed)
	}
	return err
}

// enqueue places a message that took room (n is its topic's partition
// count, 0 while unknown, and msg.Partition set when n > 0) in its
// partition's open batch, or holds it until its topic is known; in a
// transaction, the transaction admitted it. A message too large is
// reported failed; in a transaction, that fails the transaction, and
// enqueue returns the failure for failedQueued.
func (p *Producer) enqueue(tq *topicQueues, m heldMsg, n int, tooLarge error) (*TransactionError, error) {
	msg, size := m.msg, m.size
	if tooLarge != nil {
		// Reported, like any other failure, so that nothing else changes.
		p.room.give(0, size)
		var failed *TransactionError
		if p.txn != nil {
			failed = p.txn.recordFailure("produce", tooLarge)
		}
		if p.report(DeliveryReport{Message: msg, Err: &OpError{Op: "produce", Topic: msg.Topic, Partition: msg.Partition, Broker: -1, Err: tooLarge}}, m.waiting) {
			p.room.give(1, 0)
		}
		return failed, nil
	}
	if n == 0 {
		if tq.hold(m) {
			return nil, nil
		}
		n = tq.numPartitions()
		part, err := tq.partition(msg, n)
		if err != nil {
			p.room.give(1, size)
			return nil, err
		}
		m.msg.Partition = part
	}
	if !p.append(tq, m) {
		p.room.give(1, size)
		return nil, ErrProducerStopped
	}
	return nil, nil
}

// partition asks the topic's partitioner for msg's partition among n.
func (tq *topicQueues) partition(msg Message, n int) (int32, error) {
	part, err := tq.partitioner.Partition(msg, n)
	if err != nil {
		return 0, &OpError{Op: "produce", Topic: tq.name, Partition: -1, Broker: -1, Err: err}
	}
	if part < 0 || int(part) >= n {
		return 0, &OpError{Op: "produce", Topic: tq.name, Partition: part, Broker: -1,
			Err: fmt.Errorf("%w: the partitioner chose partition %d of %d", ErrUnknownTopicOrPartition, part, n)}
	}
	return part, nil
}

// place partitions a held message and appends it; a partitioner's error
// is its report.
func (p *Producer) place(tq *topicQueues, m heldMsg, n int) {
	part, err := tq.partition(m.msg, n)
	if err == nil {
		m.msg.Partition = part
		if p.append(tq, m) {
			return
		}
		err = &OpError{Op: "produce", Topic: tq.name, Partition: part, Broker: -1, Err: ErrProducerStopped}
	}
	p.failUnbatched(m, err)
}

// append adds a message to its partition's open batch, opening one when
// there is none or it is full. It returns false once the producer is
// closed.
func (p *Producer) append(tq *topicQueues, m heldMsg) bool {
	q := tq.queue(m.msg.Partition)
	if q == nil {
		return false
	}
	msg := &m.msg
	q.mu.Lock()
	var b *batch
	if last := len(q.batches) - 1; last >= 0 && q.batches[last].open() {
		b = q.batches[last]
	}
	now := time.Time{}
	if b == nil {
		now = time.Now()
	}
	var ts int64
	switch {
	case !msg.Timestamp.IsZero():
		ts = msg.Timestamp.UnixMilli()
	case b != nil:
		// One clock read per message: the monotonic one, from the
		// batch's opening, is cheaper than the wall clock.
		ts = b.wallMs + int64(time.Since(b.created)/time.Millisecond)
	default:
		ts = now.UnixMilli()
	}
	if msg.Timestamp.IsZero() && (p.keepMsgs || m.waiting != nil) {
		msg.Timestamp = time.UnixMilli(ts) // the report says when
	}
	hdrs := q.recordHeaders(msg.Headers)
	full := false
	if b != nil && b.size+int(m.size) > p.cfg.BatchBytes && b.size+b.builder.RecordSize(ts, msg.Key, msg.Value, hdrs) > p.cfg.BatchBytes {
		full = p.seal(b)
		b = nil
		now = time.Now()
	}
	if b == nil {
		b = p.newBatch(q, now)
		q.batches = append(q.batches, b)
	}
	if b.builder.EstimatedSize()+int(m.size) > b.builder.Cap() {
		// Outgrown: one buffer of the largest batch, once, rather than
		// doubling (and copying) again and again.
		b.builder.Grow(p.cfg.BatchBytes + batchOverhead)
	}
	b.size += b.builder.Append(ts, msg.Key, msg.Value, hdrs)
	b.bytes += m.size
	if p.keepMsgs || m.waiting != nil {
		if len(b.msgs) == cap(b.msgs) {
			b.msgs = slices.Grow(b.msgs, 3*len(b.msgs)+8)
		}
		b.msgs = append(b.msgs, queuedMsg{index: b.count, msg: *msg, waiting: m.waiting})
	}
	b.count++
	if m.waiting != nil {
		b.urgent = true
	}
	// The sink looks at a batch when it opens (to time its Linger), and
	// when it must go at once.
	ready := b.count == 1 || m.waiting != nil || b.count == p.cfg.MinQueuedMessages
	s := q.sink
	q.mu.Unlock()
	if full {
		tq.batchesClosed(q.id)
	}
	if ready && s != nil {
		s.signal()
	}
	return true
}

// open reports whether messages may still be appended to b: it is not
// sealed, and not being sent, failed or reported.
func (b *batch) open() bool { return !b.sealed && !b.inflight && !b.finished }

// batchOverhead is a record batch's header, plus a produce request's
// fixed part, generously.
const batchOverhead = 61 + 128

// recordSizeBound is the most bytes msg can take in a batch, with the
// largest varints, computed without encoding anything.
func recordSizeBound(msg *Message) int {
	n := len(msg.Key) + len(msg.Value) + 5 + 1 + 10 + 5 + 5 + 5 + 5 // length, attributes, deltas, key and value lengths, header count
	for _, h := range msg.Headers {
		n += 5 + len(h.Key) + 5 + len(h.Value)
	}
	return n
}

// exactRecordSize is msg's size as the first record of a batch.
func exactRecordSize(msg *Message) int {
	var empty protocol.BatchBuilder
	var hdrs []protocol.RecordHeader
	for _, h := range msg.Headers {
		hdrs = append(hdrs, protocol.RecordHeader{Key: []byte(h.Key), Value: h.Value})
	}
	return empty.RecordSize(0, msg.Key, msg.Value, hdrs)
}

// recordHeaders converts headers without copying: the builder only reads
// them, and copies them into the batch. q.mu is held.
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

// seal closes b to appends, and reports whether it was open. The caller
// holds b.q.mu, and tells the partitioner with batchesClosed once it has
// let go of its locks.
func (p *Producer) seal(b *batch) bool {
	if b.sealed {
		return false
	}
	b.sealed = true
	b.q.lastSize, b.q.lastCount = b.size, b.count
	if p.idem != nil {
		p.idem.assign(b)
	}
	return true
}

// batchesClosed tells a partitioner that wants to know that a partition's
// batch was closed. It is called without locks: the partitioner may be
// the application's code.
func (tq *topicQueues) batchesClosed(partition int32) {
	if tq.sticky != nil {
		tq.sticky.BatchClosed(partition)
	}
}

// allQueues returns every partition queue of the producer.
func (p *Producer) allQueues() []*partQueue {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.queues
}

// sealAll marks every queued batch urgent (sent without lingering) and
// returns their done channels, and whether messages still wait for their
// topic's metadata.
func (p *Producer) sealAll() (waits []chan struct{}, held bool) {
	for _, tq := range *p.topics.Load() {
		if tq.holding.Load() {
			held = true
		}
	}
	for _, q := range p.allQueues() {
		q.mu.Lock()
		for _, b := range q.batches {
			b.urgent = true
			if b.done == nil {
				b.done = make(chan struct{})
			}
			waits = append(waits, b.done)
		}
		q.mu.Unlock()
	}
	return waits, held
}

// complete records b's outcome (err nil on success, offsets from base)
// and reports, in order, every finished batch at the head of its queue:
// a partition's reports come in the order its messages were stored,
// whatever order the answers came in. A batch leaves the queue only after
// its reports, so that a Flush that starts meanwhile finds it and waits
// for them.
//
// An idempotent batch that failed leaves its sequence numbers unused:
// when the broker cannot hold it and no later batch is out, the batches
// behind it take them over at once; otherwise only a new epoch can tell,
// so one is asked for.
func (p *Producer) complete(b *batch, base int64, appendTime time.Time, err error) {
	q := b.q
	q.mu.Lock()
	q.land(b)
	b.finished, b.settled, b.base, b.appendTime, b.err = true, true, base, appendTime, err
	rebump := false
	if err != nil && p.idem != nil && b.sealed {
		if b.maybeWritten || q.laterOut(b) {
			rebump = true
		} else {
			closeGap(q, b)
		}
	}
	if rebump && p.txn == nil {
		p.idem.requestBump()
	}
	if err != nil && p.txn != nil {
		// The transaction fails now, before b is settled (reported,
		// its done closed): a CommitTransaction waiting for b must
		// find it failed. The batches of every partition fail with it
		// once q.mu is released.
		if txErr := p.txn.batchFailed(err, rebump); txErr != nil {
			defer p.txn.failedQueued(txErr)
		}
	}
	if q.reporting {
		q.mu.Unlock()
		return // the reporting goroutine will get to it
	}
	q.reporting = true
	for len(q.batches) > 0 && q.batches[0].settled {
		head := q.batches[0]
		q.mu.Unlock()
		p.reportBatch(head)
		q.mu.Lock()
		q.batches = slices.Delete(q.batches, 0, 1)
		if head.done != nil {
			close(head.done)
		}
		p.release(head)
	}
	q.reporting = false
	s := q.sink
	q.mu.Unlock()
	if s != nil {
		s.signal() // the partition's next batch may go
	}
	if p.afterComplete != nil {
		p.afterComplete(err)
	}
}

// land marks b back from an attempt; q.mu is held.
func (q *partQueue) land(b *batch) {
	if !b.inflight {
		return
	}
	b.inflight = false
	q.inflight--
	if q.inflight == 0 {
		q.via = nil
	}
}

// laterOut reports whether a batch queued after b is in flight or
// finished, so that renumbering those behind b is no longer possible.
// q.mu is held.
func (q *partQueue) laterOut(b *batch) bool {
	after := false
	for _, l := range q.batches {
		if after && (l.inflight || l.finished) {
			return true
		}
		after = after || l == b
	}
	return false
}

// reportBatch hands out the reports of a finished batch and gives back
// its room.
func (p *Producer) reportBatch(b *batch) {
	q := b.q
	if len(p.client.hooks) > 0 {
		e := ProduceBatchEvent{
			Topic: q.tq.name, Partition: q.id, Messages: b.count, Bytes: len(b.wire),
			Retries: b.attempts, Latency: time.Since(b.created), Err: b.err,
		}
		emit(p.client.hooks, func(h ProduceBatchHook) { h.OnProduceBatch(e) })
	}
	freed := 0
	for i := range b.msgs {
		m := &b.msgs[i]
		if b.err == nil && b.base >= 0 {
			m.msg.Offset = b.base + int64(m.index)
		}
		if b.err == nil && !b.appendTime.IsZero() {
			m.msg.Timestamp = b.appendTime
		}
		if p.report(DeliveryReport{Message: m.msg, Err: b.err}, m.waiting) {
			freed++
		}
	}
	if untold := b.count - len(b.msgs); untold > 0 {
		// Messages kept only as a count: their failures go to Flush.
		if b.err != nil {
			p.failures.addN(q.tq.name, q.id, b.err, untold)
			p.client.log.Error("kafka: messages not delivered", "topic", q.tq.name, "partition", q.id, "messages", untold, "err", b.err)
		}
		freed += untold
	}
	p.room.give(int64(freed), b.bytes)
}

// failAll reports every batch queued as failed with err: at Close, when
// no more messages come. Batches in flight are abandoned: their answers,
// when they come, are ignored.
func (p *Producer) failAll(err error) {
	for _, tq := range *p.topics.Load() {
		tq.settleHeld(time.Now(), false, err)
	}
	for _, q := range p.allQueues() {
		q.mu.Lock()
		queued := slices.Clone(q.batches)
		q.mu.Unlock()
		for _, b := range queued {
			q.mu.Lock()
			if b.finished {
				q.mu.Unlock()
				continue
			}
			if b.inflight {
				b.abandoned = true
			}
			cause := err
			if b.lastErr != nil {
				cause = fmt.Errorf("%w (last error: %w)", err, b.lastErr)
			}
			q.mu.Unlock()
			p.complete(b, -1, time.Time{}, &OpError{Op: "produce", Topic: q.tq.name, Partition: q.id, Broker: -1, Err: cause})
		}
	}
}
