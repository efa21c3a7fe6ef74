package kafka

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/gokafka/kafka/protocol"
)

// maxInFlightPerBroker bounds the produce requests in flight to one broker
// (per sink), and an idempotent producer's batches in flight per
// partition: a broker remembers the last five batches of each producer
// and partition, to drop duplicates.
const maxInFlightPerBroker = 5

// wireKey is what a ProduceRequest says once for all its batches, so that
// producers differing in it cannot share requests.
type wireKey struct {
	acks      int16
	timeoutMs int32
	txnID     string // a transactional producer's, whose requests carry it
}

// sinkKey names a sink: a broker, and the request-wide settings.
type sinkKey struct {
	broker int32
	wire   wireKey
}

// A sink sends the ready batches of every producer of the Client whose
// partitions a broker leads: one goroutine builds requests, each carrying
// at most one batch per partition from any topic and producer, and writes
// them in order on the broker's produce connection; another takes the
// answers in the same order (Kafka answers a connection's requests in
// order) and settles each batch.
type sink struct {
	e     *produceEngine
	key   sinkKey
	wake  chan struct{}
	calls chan *produceCall // requests written, oldest first

	mu       sync.Mutex
	queues   []*partQueue // copy-on-write
	inflight int          // requests written and not yet settled
	start    int          // where the next request starts looking, for fairness
	free     []*produceCall

	resp protocol.ProduceResponse // the answers goroutine's, reused
}

func newSink(e *produceEngine, key sinkKey) *sink {
	s := &sink{e: e, key: key, wake: make(chan struct{}, 1), calls: make(chan *produceCall, maxInFlightPerBroker)}
	e.c.bg.Add(2)
	go s.run()
	go s.answers()
	return s
}

// signal wakes the sink to look for ready batches.
func (s *sink) signal() { signal(s.wake) }

func (s *sink) add(q *partQueue) {
	s.mu.Lock()
	s.queues = append(s.queues[:len(s.queues):len(s.queues)], q)
	s.mu.Unlock()
	s.signal()
}

func (s *sink) remove(q *partQueue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, o := range s.queues {
		if o == q {
			next := make([]*partQueue, 0, len(s.queues)-1)
			next = append(next, s.queues[:i]...)
			s.queues = append(next, s.queues[i+1:]...)
			return
		}
	}
}

// run sends what is ready, then sleeps until something may be ready.
func (s *sink) run() {
	defer s.e.c.bg.Done()
	ctx := s.e.c.ctx
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := s.drain()
		wait := time.Hour
		if !next.IsZero() {
			wait = max(time.Until(next), 100*time.Microsecond)
		}
		timer.Reset(wait)
		select {
		case <-s.wake:
		case <-timer.C:
		case <-ctx.Done():
			return
		}
	}
}

// produceReq is one request being assembled.
type produceReq struct {
	batches []*batch
	size    int
	limit   int // the smallest MaxRequestSize of the producers in it
	full    bool
}

// has reports whether the request already carries a batch for q's
// partition (from another producer): a broker takes one batch per
// partition per request.
func (r *produceReq) has(q *partQueue) bool {
	for _, b := range r.batches {
		if b.q.id == q.id && b.q.tq.name == q.tq.name {
			return true
		}
	}
	return false
}

// drain sends requests while batches are ready and the broker has room for
// more requests in flight. It returns when it next needs to look, or zero.
func (s *sink) drain() time.Time {
	var next time.Time
	for {
		s.mu.Lock()
		if s.inflight >= maxInFlightPerBroker {
			s.mu.Unlock()
			return next // an answer will wake us
		}
		queues, start := s.queues, s.start
		s.start++
		call := s.newCall()
		s.mu.Unlock()
		later := s.collect(&call.req, queues, start)
		next = earlier(next, later)
		if len(call.req.batches) == 0 {
			s.mu.Lock()
			s.free = append(s.free, call)
			s.mu.Unlock()
			return next
		}
		s.mu.Lock()
		s.inflight++
		s.mu.Unlock()
		s.send(call)
	}
}

// newCall returns a request to fill, reusing one that was answered;
// s.mu is held. (A request and its buffers per request would be most of
// a producer's allocations.)
func (s *sink) newCall() *produceCall {
	if n := len(s.free); n > 0 {
		c := s.free[n-1]
		s.free = s.free[:n-1]
		return c
	}
	return new(produceCall)
}

// settled frees the request's place in flight, keeps it for reuse and
// wakes the sink.
func (s *sink) settled(call *produceCall) {
	call.reset()
	s.mu.Lock()
	s.inflight--
	s.free = append(s.free, call)
	s.mu.Unlock()
	s.signal()
}

// earlier returns the earlier of two times, zero meaning none.
func earlier(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// collect takes one ready batch from each partition that has one, within
// the request size limit, starting at queues[start] so that no partition
// is always last.
func (s *sink) collect(req *produceReq, queues []*partQueue, start int) time.Time {
	now := time.Now()
	req.limit = math.MaxInt
	var next time.Time
	for i := range queues {
		q := queues[(start+i)%len(queues)]
		q.pick(s, now, req, &next, false)
		if req.full {
			return next
		}
	}
	if len(req.batches) == 0 {
		return next
	}
	// A request goes anyway: it takes along what the broker's other
	// partitions hold, lingering or not, as the Java client does, so
	// that the broker gets fewer, fuller requests.
	for i := range queues {
		q := queues[(start+i)%len(queues)]
		var ignored time.Time
		q.pick(s, now, req, &ignored, true)
		if req.full {
			break
		}
	}
	return next
}

// pick adds q's next batch to req, if one is ready (or, eager, has
// messages), else makes *next when to look again. It also fails batches past DeliveryTimeout and starts an
// epoch bump the producer waits for.
func (q *partQueue) pick(s *sink, now time.Time, req *produceReq, next *time.Time, eager bool) {
	closed, later := q.take(s, now, req, eager)
	*next = earlier(*next, later)
	if closed {
		q.tq.batchesClosed(q.id)
	}
}

// take is pick's work: it adds the ready batch to req, and reports
// whether it sealed it, or returns when to look again. eager takes a
// batch still within its Linger.
func (q *partQueue) take(s *sink, now time.Time, req *produceReq, eager bool) (bool, time.Time) {
	p := q.p
	q.mu.Lock()
	if q.sink != s || len(q.batches) == 0 {
		q.mu.Unlock()
		return false, time.Time{}
	}
	if q.inflight == 0 {
		if expired := q.expired(now); expired != nil {
			q.mu.Unlock()
			p.expire(expired)
			q.mu.Lock()
		}
	}
	if q.stalled {
		if q.inflight > 0 {
			q.mu.Unlock()
			return false, time.Time{} // an answer will wake the sink
		}
		q.stalled = false
	}
	limit := 1
	if p.idem != nil {
		limit = maxInFlightPerBroker
	}
	if q.inflight >= limit || q.inflight > 0 && q.via != s {
		q.mu.Unlock()
		return false, time.Time{}
	}
	var b *batch
	for _, c := range q.batches {
		if !c.inflight && !c.finished {
			b = c
			break
		}
	}
	if b == nil {
		q.mu.Unlock()
		return false, time.Time{}
	}
	if p.txn != nil && !p.txn.mayWrite(q) {
		// Its partition joins the transaction first; the sink is woken
		// when it has.
		q.mu.Unlock()
		return false, time.Time{}
	}
	if p.idem != nil {
		// While the producer waits for a new identity, only batches the
		// broker may hold go, to be settled under the identity they were
		// written with; then the epoch is bumped and everything else
		// numbered afresh.
		if p.idem.busy.Load() || p.idem.wantsBump() && !b.maybeWritten {
			expiry := q.batches[0].created.Add(p.cfg.DeliveryTimeout) // to expire it, if it comes to that
			q.mu.Unlock()
			p.maybeBump()
			return false, expiry
		}
	}
	if at := b.retryAt; at.After(now) {
		q.mu.Unlock()
		return false, at
	}
	if !eager && !b.sealed && !b.urgent && now.Sub(b.created) < p.cfg.Linger &&
		(p.cfg.MinQueuedMessages == 0 || b.count < p.cfg.MinQueuedMessages) {
		at := b.created.Add(p.cfg.Linger)
		q.mu.Unlock()
		return false, at
	}
	if req.has(q) {
		q.mu.Unlock()
		return false, time.Time{} // the next request takes it
	}
	if len(req.batches) > 0 && req.size+b.size > min(req.limit, p.cfg.MaxRequestSize) {
		req.full = true
		q.mu.Unlock()
		return false, time.Time{}
	}
	closed := p.seal(b)
	b.inflight = true
	q.inflight++
	q.via = s
	req.batches = append(req.batches, b)
	req.size += b.size
	req.limit = min(req.limit, p.cfg.MaxRequestSize)
	q.mu.Unlock()
	return closed, time.Time{}
}

// expired takes out of the running the batches at the head of q that
// passed DeliveryTimeout; q.mu is held and nothing is in flight.
func (q *partQueue) expired(now time.Time) []*batch {
	var out []*batch
	for _, b := range q.batches {
		if b.finished {
			continue
		}
		if now.Sub(b.created) <= q.p.cfg.DeliveryTimeout {
			break
		}
		b.finished = true // appends stop; complete reports it
		out = append(out, b)
	}
	return out
}

// expire fails batches past DeliveryTimeout.
func (p *Producer) expire(batches []*batch) {
	for _, b := range batches {
		if b.lastErr == nil && p.idem != nil {
			b.lastErr = p.idem.lastError() // it waited for a producer ID
		}
		err := fmt.Errorf("%w: not delivered within DeliveryTimeout (%v)", ErrRequestTimedOut, p.cfg.DeliveryTimeout)
		if b.lastErr != nil {
			err = fmt.Errorf("%w; last error: %w", err, b.lastErr)
		}
		p.complete(b, -1, time.Time{}, b.opError(-1, err))
	}
}

// produceCall is one request: assembled, written, waiting for its answer.
// Calls are reused, with their slices.
type produceCall struct {
	req     produceReq
	preq    protocol.ProduceRequest
	sent    sent
	version int16
}

// reset empties the call for reuse, dropping its references to batches.
func (c *produceCall) reset() {
	clear(c.req.batches)
	c.req = produceReq{batches: c.req.batches[:0]}
	for i := range c.preq.TopicData {
		td := &c.preq.TopicData[i]
		clear(td.PartitionData)
		td.PartitionData = td.PartitionData[:0]
	}
	c.preq.TopicData = c.preq.TopicData[:0]
	c.sent = sent{}
}

// send builds the call's request and writes it to the broker; the answer
// goroutine takes it from there. A request that cannot be written comes
// back for retries at once.
func (s *sink) send(call *produceCall) {
	req := &call.req
	ctx := s.e.c.ctx
	br, err := s.e.c.broker(s.key.broker)
	if err != nil && !s.e.c.isClosed() {
		// The metadata that sent the partition here named a broker the
		// pool has dropped since (it left the cluster): the partition
		// has a new leader to find.
		err = fmt.Errorf("%w: broker %d left the cluster", ErrLeaderNotAvailable, s.key.broker)
	}
	var version int16
	if err == nil {
		version, err = br.version(ctx, protocol.KeyProduce)
		if err == nil && version < 3 {
			err = final{errBrokerTooOld("producing record batches", "0.11")}
		}
		if s.key.wire.txnID != "" {
			version = min(version, maxTxnProduceVersion)
		}
	}
	if err == nil {
		s.build(call, version)
		if len(req.batches) == 0 {
			s.settled(call)
			return
		}
		call.version = version
		call.sent, err = br.send(ctx, connProduce, &call.preq, version, s.key.wire.acks != 0)
	}
	if err != nil {
		// Not written, or not whole: the broker cannot hold it.
		s.retryAll(req, err, false)
		s.settled(call)
		return
	}
	if !call.sent.waits() { // acks=0: no answer comes, and none is waited for
		for _, b := range req.batches {
			s.finish(b, -1, time.Time{}, nil)
		}
		s.settled(call)
		return
	}
	s.calls <- call
}

// build encodes the batches (once: retries reuse the bytes) into the
// call's request, grouped by topic. A batch that cannot be encoded fails
// and leaves the request.
func (s *sink) build(call *produceCall, version int16) {
	req, preq := &call.req, &call.preq
	preq.Acks, preq.TimeoutMs = s.key.wire.acks, s.key.wire.timeoutMs
	preq.TransactionalID = nil
	if s.key.wire.txnID != "" {
		preq.TransactionalID = &s.key.wire.txnID
	}
	meta := s.e.c.meta.Load()
	kept := req.batches[:0]
	for _, b := range req.batches {
		q := b.q
		if version < 7 && q.p.cfg.Compression == CompressionZstd {
			// Brokers before 2.1 cannot read zstd batches, and later ones
			// refuse them below Produce v7 (kfake would store them).
			s.finish(b, -1, time.Time{}, b.opError(s.key.broker, final{errZstdTooOld(version)}))
			continue
		}
		if len(b.wire) == 0 {
			if q.p.idem != nil {
				b.builder.SetProducer(b.producerID, b.epoch, b.seq)
			}
			var err error
			if b.wire, err = b.builder.Finish(); err != nil {
				s.finish(b, -1, time.Time{}, b.opError(s.key.broker, err))
				continue
			}
		}
		kept = append(kept, b)
		i := len(preq.TopicData) - 1
		for ; i >= 0 && preq.TopicData[i].Name != q.tq.name; i-- {
		}
		if i < 0 {
			// Reuse the topic entries (and their partition lists) of an
			// earlier request.
			if len(preq.TopicData) < cap(preq.TopicData) {
				preq.TopicData = preq.TopicData[:len(preq.TopicData)+1]
			} else {
				preq.TopicData = append(preq.TopicData, protocol.ProduceRequestTopicData{})
			}
			i = len(preq.TopicData) - 1
			td := &preq.TopicData[i]
			td.Name, td.TopicID = q.tq.name, protocol.UUID{}
			if tm := meta.topics[q.tq.name]; tm != nil {
				td.TopicID = tm.id
			}
		}
		preq.TopicData[i].PartitionData = append(preq.TopicData[i].PartitionData,
			protocol.ProduceRequestTopicDataPartitionData{Index: q.id, Records: b.wire})
	}
	req.batches = kept
}

// answers settles each request's batches from its answer, in the order
// the requests were written.
func (s *sink) answers() {
	defer s.e.c.bg.Done()
	ctx := s.e.c.ctx
	for {
		select {
		case call := <-s.calls:
			s.answer(ctx, call)
		case <-ctx.Done():
			return
		}
	}
}

func (s *sink) answer(ctx context.Context, call *produceCall) {
	defer s.settled(call)
	resp := &s.resp
	wait := time.Duration(s.key.wire.timeoutMs) * time.Millisecond
	if err := call.sent.wait(ctx, resp, wait); err != nil {
		// The request may have reached the broker: the outcome is unknown.
		s.retryAll(&call.req, err, true)
		return
	}
	s.followLeaders(resp, call)
	for _, b := range call.req.batches {
		s.settle(b, findResult(resp, b.q, call.version))
	}
}

// followLeaders installs the leaders the answer names for partitions this
// broker no longer leads (KIP-951), before their batches are retried: the
// retry goes to the new leader at once.
func (s *sink) followLeaders(resp *protocol.ProduceResponse, call *produceCall) {
	var (
		hints []leaderHint
		moved []*partQueue
	)
	for _, b := range call.req.batches {
		if r := findResult(resp, b.q, call.version); r != nil && r.ErrorCode != 0 && r.CurrentLeader.LeaderID >= 0 {
			hints = append(hints, leaderHint{topic: b.q.tq.name, partition: b.q.id, leader: r.CurrentLeader})
			moved = append(moved, b.q)
		}
	}
	if len(hints) > 0 && s.e.c.applyLeaderHints(hints, resp.NodeEndpoints) {
		s.e.reroute(moved) // now, not at the engine's next metadata round
	}
}

// findResult finds a partition's result in a produce response, by topic
// name, or by topic ID from v13 on.
func findResult(resp *protocol.ProduceResponse, q *partQueue, version int16) *protocol.ProduceResponsePartition {
	var id protocol.UUID
	if version >= 13 {
		if tm := q.p.client.meta.Load().topics[q.tq.name]; tm != nil {
			id = tm.id
		}
	}
	for i := range resp.Responses {
		t := &resp.Responses[i]
		if version >= 13 && t.TopicID != id || version < 13 && t.Name != q.tq.name {
			continue
		}
		for j := range t.PartitionResponses {
			if t.PartitionResponses[j].Index == q.id {
				return &t.PartitionResponses[j]
			}
		}
	}
	return nil
}

// settle acts on one partition's answer.
func (s *sink) settle(b *batch, r *protocol.ProduceResponsePartition) {
	q := b.q
	p := q.p
	q.mu.Lock()
	if b.abandoned || !b.inflight {
		q.mu.Unlock()
		return // Close reported it already
	}
	q.mu.Unlock()
	defer p.maybeBump() // this answer may be the last one a bump waits for
	leader := s.key.broker
	if r == nil {
		q.setMaybeWritten(b, true)
		err := fmt.Errorf("%w: the broker's answer left the partition out", ErrUnknownServerError)
		s.requestError(q, q.id, err)
		s.retry(b, err)
		return
	}
	code := Error(r.ErrorCode)
	if code != 0 {
		s.requestError(q, q.id, code)
	}
	switch {
	case code == 0, code == ErrDuplicateSequenceNumber:
		// A duplicate was written by an earlier attempt: delivered.
		var appended time.Time
		if r.LogAppendTimeMs >= 0 {
			appended = time.UnixMilli(r.LogAppendTimeMs)
		}
		s.finish(b, r.BaseOffset, appended, nil)
	case p.txn != nil && needsBump(code):
		// A transaction cannot renumber its batches under a new epoch:
		// the batch fails, and with it the transaction, which the
		// application aborts; the abort gets the new epoch.
		s.finish(b, -1, time.Time{}, b.opError(leader, code))
	case p.idem != nil && needsBump(code):
		q.mu.Lock()
		behind := q.behindUnfinished(b)
		written := b.maybeWritten
		q.mu.Unlock()
		if !behind && written && code == ErrOutOfOrderSequenceNumber {
			// Every batch before it is acknowledged, so the broker cannot
			// be waiting for an earlier sequence: it has moved past this
			// one, which an attempt whose answer was lost wrote (a broker
			// that no longer recognises it as a duplicate, as after a
			// leader change, answers so). Renumbered under a new epoch it
			// would be written twice: it is delivered, at an offset the
			// broker did not say.
			p.client.log.Warn("kafka: a batch whose answer was lost is taken as written: the broker is past its sequence",
				"topic", q.tq.name, "partition", q.id, "messages", b.count)
			s.finish(b, -1, time.Time{}, nil)
			return
		}
		if behind {
			// A batch before it failed, so the broker refused this one
			// as out of order: it goes again after that one, as it is.
			s.requeue(b, 0)
			return
		}
		// Not this batch's fault, and not written: the broker holds
		// none of this producer's batches past its last acknowledged
		// one. After the new epoch it is renumbered and sent again,
		// without using up a retry.
		q.setMaybeWritten(b, false)
		b.lastErr = code
		p.idem.requestBump()
		s.requeue(b, 0)
	case code.Retriable():
		if writtenAnyway(code) {
			q.setMaybeWritten(b, true)
		}
		s.retry(b, code)
	case code == ErrMessageTooLarge && p.split(b):
		// Sent again as two smaller batches.
	default:
		var err error = code
		if r.ErrorMessage != nil && *r.ErrorMessage != "" {
			err = fmt.Errorf("%w (%s)", code, *r.ErrorMessage)
		}
		s.finish(b, -1, time.Time{}, b.opError(leader, err))
	}
}

// behindUnfinished reports whether a batch queued before b has no outcome
// yet; q.mu is held.
func (q *partQueue) behindUnfinished(b *batch) bool {
	for _, o := range q.batches {
		if o == b {
			return false
		}
		if !o.finished {
			return true
		}
	}
	return false
}

// finish completes b with its outcome.
func (s *sink) finish(b *batch, base int64, appendTime time.Time, err error) {
	b.q.p.complete(b, base, appendTime, err)
}

// writtenAnyway reports whether a broker may have appended a batch it
// answered with code: these two errors come after the append, while the
// broker waits for its followers.
func writtenAnyway(code Error) bool {
	return code == ErrRequestTimedOut || code == ErrNotEnoughReplicasAfterAppend
}

// setMaybeWritten records whether the broker may hold b. It takes q.mu:
// a producer's bump goroutine reads the mark to decide when it may
// renumber batches.
func (q *partQueue) setMaybeWritten(b *batch, v bool) {
	q.mu.Lock()
	b.maybeWritten = v
	q.mu.Unlock()
}

// retryAll puts every batch of req back for another attempt, or fails it.
// written says whether the request may have reached the broker.
func (s *sink) retryAll(req *produceReq, err error, written bool) {
	for _, b := range req.batches {
		q := b.q
		q.mu.Lock()
		gone := b.abandoned || !b.inflight
		if written && !gone {
			b.maybeWritten = true // under q.mu: a bump reads it from another goroutine
		}
		q.mu.Unlock()
		if gone {
			continue // Close reported it already
		}
		s.requestError(q, -1, err)
		s.retry(b, err)
		q.p.maybeBump()
	}
}

// retry schedules b for another attempt after a backoff, unless err is
// final or its retries are used up.
func (s *sink) retry(b *batch, err error) {
	p := b.q.p
	b.attempts++
	b.lastErr = err
	giveUp := !IsRetriable(err) || errors.As(err, new(final)) ||
		p.cfg.MaxRetries < 0 ||
		p.cfg.MaxRetries > 0 && b.attempts > p.cfg.MaxRetries ||
		time.Since(b.created) > p.cfg.DeliveryTimeout
	if giveUp && s.e.c.ctx.Err() == nil {
		s.finish(b, -1, time.Time{}, b.opError(s.key.broker, err))
		return
	}
	// Logged before requeue: once requeued, b may be taken by another
	// sink's goroutine (its leader moved) and its fields are no longer
	// this goroutine's to read.
	p.client.log.Debug("kafka: retrying produce", "topic", b.q.tq.name, "partition", b.q.id, "attempt", b.attempts, "err", err)
	topic, wait := b.q.tq.name, p.backoff.Delay(b.attempts-1)
	if s.leaderMoved(b.q) {
		// The answer named the new leader (KIP-951): go there now.
		s.requeue(b, 0)
		return
	}
	s.requeue(b, wait)
	s.e.refreshFor(topic)
}

// leaderMoved reports whether the metadata names a leader for q's
// partition other than this sink's broker.
func (s *sink) leaderMoved(q *partQueue) bool {
	leader := s.e.c.meta.Load().leader(TopicPartition{q.tq.name, q.id})
	return leader >= 0 && leader != s.key.broker
}

// requeue puts b back for another attempt after wait; batches of its
// partition still in flight come back before anything is sent again.
func (s *sink) requeue(b *batch, wait time.Duration) {
	q := b.q
	q.mu.Lock()
	if !b.inflight {
		q.mu.Unlock()
		return
	}
	q.land(b)
	b.retryAt = time.Now().Add(wait)
	if q.inflight > 0 {
		q.stalled = true
	}
	target := q.sink
	q.mu.Unlock()
	if target != nil {
		target.signal()
	}
}

// requestError tells the RequestErrorHooks about an error a produce request
// met, retried or not: partition -1 for the request as a whole.
func (s *sink) requestError(q *partQueue, partition int32, err error) {
	e := RequestErrorEvent{API: "Produce", Broker: s.key.broker, Partition: partition,
		Err: &OpError{Op: "produce", Topic: q.tq.name, Partition: partition, Broker: s.key.broker, Err: err}}
	if partition >= 0 {
		e.Topic = q.tq.name
	}
	q.p.client.hooks.requestError(e)
}

func (b *batch) opError(leader int32, err error) error {
	return &OpError{Op: "produce", Topic: b.q.tq.name, Partition: b.q.id, Broker: leader, Err: err}
}
