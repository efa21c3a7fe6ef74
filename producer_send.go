package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokafka/kafka/protocol"
)

// maxInFlightPerBroker bounds the produce requests pipelined to one broker.
const maxInFlightPerBroker = 5

// The sender moves ready batches to their leaders: one goroutine decides
// what to send, and each request runs in a goroutine of its own.
type sender struct {
	p      *Producer
	ctx    context.Context // ends when the producer stops
	cancel context.CancelFunc

	mu       sync.Mutex
	inflight map[int32]int // requests in flight per broker
	total    int

	refreshing atomic.Bool

	// run's goroutine only: failed attempts to get a producer ID or epoch
	// in a row, and the latest error, named by reports of batches that
	// expire meanwhile.
	bumpFailures int
	bumpErr      error
}

func newSender(p *Producer) *sender {
	s := &sender{p: p, inflight: make(map[int32]int)}
	s.ctx, s.cancel = context.WithCancel(p.client.ctx)
	return s
}

// run sends what is ready, then sleeps until something may be ready.
func (s *sender) run() {
	p := s.p
	defer close(p.done)
	defer s.cancel()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := s.dispatch()
		wait := time.Hour
		if !next.IsZero() {
			wait = max(time.Until(next), time.Millisecond)
		}
		timer.Reset(wait)
		select {
		case <-p.wake:
		case <-timer.C:
		case <-p.quit:
			s.cancel()
			return
		}
	}
}

// outgoing is one produce request being assembled for a broker.
type outgoing struct {
	leader  int32
	batches []*batch
	size    int
}

// dispatch sends every batch that is ready and whose leader has room for
// another request. It returns when it next needs to look, or zero.
//
// While an idempotent producer wants a new identity (or has none yet), only
// batches the broker may already hold are sent, to settle them under the
// identity they were written with; once none is left, the identity is
// renewed and everything else numbered afresh (see tryBump).
func (s *sender) dispatch() time.Time {
	p := s.p
	now := time.Now()
	var next time.Time
	later := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	bumping := p.idem != nil && p.idem.wantsBump()
	tm := p.client.meta.Load().topics[p.topic]
	p.mu.Lock()
	parts := p.parts
	p.mu.Unlock()

	var (
		reqs      []*outgoing
		open      = map[int32]*outgoing{}
		expired   []*batch
		closed    []int32 // partitions whose batch was sealed here
		refresh   bool
		unsettled bool // a batch the broker may hold waits for its answer
	)
	s.mu.Lock()
	for _, q := range parts {
		q.mu.Lock()
		if len(q.batches) == 0 {
			q.mu.Unlock()
			continue
		}
		b := q.batches[0]
		if b.inflight {
			q.mu.Unlock()
			continue // its sender owns it
		}
		if b.maybeWritten {
			unsettled = true
		}
		switch {
		case now.Sub(b.created) > p.cfg.DeliveryTimeout:
			b.inflight = true // taken out of the running; failed below
			expired = append(expired, b)
			q.mu.Unlock()
			continue
		case bumping && !b.maybeWritten:
			q.mu.Unlock()
			continue // numbered afresh by the bump, then sent
		case b.retryAt.After(now):
			later(b.retryAt)
			q.mu.Unlock()
			continue
		case !b.sealed && !b.urgent && len(q.batches) == 1 && now.Sub(b.created) < p.cfg.Linger &&
			(p.cfg.MinQueuedMessages == 0 || len(b.msgs) < p.cfg.MinQueuedMessages):
			later(b.created.Add(p.cfg.Linger))
			q.mu.Unlock()
			continue
		}
		leader := int32(-1)
		if tm != nil {
			if part, ok := tm.partition(q.id); ok {
				leader = part.Leader
			}
		}
		if leader < 0 {
			refresh = true
			b.retryAt = now.Add(p.cfg.RetryBackoff)
			later(b.retryAt)
			q.mu.Unlock()
			continue
		}
		req := open[leader]
		if req != nil && req.size+b.size > p.cfg.MaxRequestSize {
			req = nil
		}
		if req == nil {
			if s.inflight[leader] >= maxInFlightPerBroker {
				q.mu.Unlock()
				continue // a response will wake us
			}
			req = &outgoing{leader: leader}
			open[leader] = req
			reqs = append(reqs, req)
			s.inflight[leader]++
			s.total++
		}
		if p.seal(b) {
			closed = append(closed, q.id)
		}
		b.inflight = true
		req.batches = append(req.batches, b)
		req.size += b.size
		q.mu.Unlock()
	}
	idle := s.total == 0
	s.mu.Unlock()

	p.batchesClosed(closed)
	for _, b := range expired {
		if b.lastErr == nil {
			b.lastErr = s.bumpErr // it waited for a producer ID
		}
		p.finish(b, -1, time.Time{}, s.opError(b, -1, deliveryTimeout(b, p.cfg.DeliveryTimeout)))
	}
	if len(expired) > 0 {
		signal(p.wake) // look again: a bump may now be possible, or wanted
	}
	if refresh {
		s.refresh()
	}
	for _, req := range reqs {
		p.inflight.Add(1)
		go s.send(req)
	}
	if bumping && idle && !unsettled && len(expired) == 0 {
		if wait := s.tryBump(); wait > 0 {
			later(now.Add(wait))
		} else {
			signal(p.wake) // send what the bump numbered
		}
	}
	return next
}

func deliveryTimeout(b *batch, d time.Duration) error {
	err := fmt.Errorf("%w: not delivered within DeliveryTimeout (%v)", ErrRequestTimedOut, d)
	if b.lastErr != nil {
		err = fmt.Errorf("%w; last error: %w", err, b.lastErr)
	}
	return err
}

// send sends one request and settles each of its batches.
func (s *sender) send(req *outgoing) {
	p := s.p
	defer p.inflight.Done()
	defer func() {
		s.mu.Lock()
		s.inflight[req.leader]--
		s.total--
		s.mu.Unlock()
		signal(p.wake)
	}()
	br, err := p.client.broker(req.leader)
	if err != nil {
		if errors.Is(err, ErrBrokerNotAvailable) {
			// The leader left the cluster after dispatch read the
			// metadata: retried once a refresh names the new one.
			err = fmt.Errorf("%w: %w", ErrLeaderNotAvailable, err)
		}
		s.retryAll(req, -1, err, false)
		return
	}
	version, err := br.version(s.ctx, protocol.KeyProduce)
	if err == nil && version < 3 {
		err = final{errBrokerTooOld("producing record batches", "0.11")}
	}
	if err != nil {
		s.retryAll(req, req.leader, err, false)
		return
	}
	preq, err := s.build(req, version)
	if err != nil {
		for _, b := range req.batches {
			p.finish(b, -1, time.Time{}, s.opError(b, req.leader, err))
		}
		return
	}
	if p.cfg.RequiredAcks == AcksNone {
		err := br.request(s.ctx, connProduce, preq, nil, version, 0)
		if err != nil {
			s.retryAll(req, req.leader, err, true)
			return
		}
		for _, b := range req.batches {
			p.finish(b, -1, time.Time{}, nil)
		}
		return
	}
	var resp protocol.ProduceResponse
	if err := br.request(s.ctx, connProduce, preq, &resp, version, p.cfg.AckTimeout); err != nil {
		// The request may have reached the broker: the outcome is unknown.
		s.retryAll(req, req.leader, err, true)
		return
	}
	results := make(map[int32]*protocol.ProduceResponsePartition, len(req.batches))
	for i := range resp.Responses {
		for j := range resp.Responses[i].PartitionResponses {
			r := &resp.Responses[i].PartitionResponses[j]
			results[r.Index] = r
		}
	}
	for _, b := range req.batches {
		s.settle(b, req.leader, results[b.part.id])
	}
}

// build encodes the batches (once: retries reuse the bytes) into a request.
func (s *sender) build(req *outgoing, version int16) (*protocol.ProduceRequest, error) {
	p := s.p
	td := protocol.ProduceRequestTopicData{Name: p.topic}
	if version >= 13 {
		tm := p.client.meta.Load().topics[p.topic]
		if tm == nil {
			return nil, ErrUnknownTopicOrPartition
		}
		td.TopicID = tm.id
	}
	for _, b := range req.batches {
		if len(b.wire) == 0 {
			if p.idem != nil {
				b.builder.SetProducer(b.producerID, b.epoch, b.seq)
			}
			var err error
			if b.wire, err = b.builder.Finish(); err != nil {
				return nil, err
			}
		}
		td.PartitionData = append(td.PartitionData, protocol.ProduceRequestTopicDataPartitionData{Index: b.part.id, Records: b.wire})
	}
	return &protocol.ProduceRequest{
		Acks:      p.cfg.RequiredAcks.wire(),
		TimeoutMs: int32(p.cfg.AckTimeout / time.Millisecond),
		TopicData: []protocol.ProduceRequestTopicData{td},
	}, nil
}

// settle acts on one partition's answer.
func (s *sender) settle(b *batch, leader int32, r *protocol.ProduceResponsePartition) {
	p := s.p
	if r == nil {
		b.maybeWritten = true
		err := fmt.Errorf("%w: the broker's answer left the partition out", ErrUnknownServerError)
		s.requestError(leader, b.part.id, err)
		s.retry(b, leader, err)
		return
	}
	code := Error(r.ErrorCode)
	if code != 0 {
		s.requestError(leader, b.part.id, code)
	}
	switch {
	case code == 0, code == ErrDuplicateSequenceNumber:
		// A duplicate was written by an earlier attempt: delivered.
		var appended time.Time
		if r.LogAppendTimeMs >= 0 {
			appended = time.UnixMilli(r.LogAppendTimeMs)
		}
		p.finish(b, r.BaseOffset, appended, nil)
	case p.idem != nil && needsBump(code):
		// Not this batch's fault, and not written: the broker holds
		// none of this producer's batches past its last acknowledged
		// one. After the new epoch it is renumbered and sent again,
		// without using up a retry.
		b.maybeWritten = false
		b.lastErr = code
		p.idem.requestBump()
		s.requeue(b, 0)
	case code.Retriable():
		if writtenAnyway(code) {
			b.maybeWritten = true
		}
		s.retry(b, leader, code)
	case code == ErrMessageTooLarge && p.split(b):
		// Sent again as two smaller batches.
	default:
		var err error = code
		if r.ErrorMessage != nil && *r.ErrorMessage != "" {
			err = fmt.Errorf("%w (%s)", code, *r.ErrorMessage)
		}
		p.finish(b, -1, time.Time{}, s.opError(b, leader, err))
	}
}

// writtenAnyway reports whether a broker may have appended a batch it
// answered with code: these two errors come after the append, while the
// broker waits for its followers.
func writtenAnyway(code Error) bool {
	return code == ErrRequestTimedOut || code == ErrNotEnoughReplicasAfterAppend
}

// retryAll puts every batch of req back for another attempt, or fails it.
// sent says whether the request may have reached the broker.
func (s *sender) retryAll(req *outgoing, leader int32, err error, sent bool) {
	s.requestError(leader, -1, err)
	for _, b := range req.batches {
		if sent {
			b.maybeWritten = true
		}
		s.retry(b, leader, err)
	}
}

// retry schedules b for another attempt after a backoff, unless err is
// final, its retries are used up or the producer is stopping.
func (s *sender) retry(b *batch, leader int32, err error) {
	p := s.p
	b.attempts++
	b.lastErr = err
	giveUp := !IsRetriable(err) || errors.As(err, new(final)) ||
		p.cfg.MaxRetries < 0 ||
		p.cfg.MaxRetries > 0 && b.attempts > p.cfg.MaxRetries ||
		time.Since(b.created) > p.cfg.DeliveryTimeout
	if giveUp && s.ctx.Err() == nil {
		p.finish(b, -1, time.Time{}, s.opError(b, leader, err))
		return
	}
	s.requeue(b, p.backoff.Delay(b.attempts-1))
	if s.ctx.Err() == nil {
		p.client.log.Debug("kafka: retrying produce", "topic", p.topic, "partition", b.part.id, "attempt", b.attempts, "err", err)
		s.refresh()
	}
}

// requeue puts b back at the head of its partition, to be sent again
// after wait.
func (s *sender) requeue(b *batch, wait time.Duration) {
	q := b.part
	q.mu.Lock()
	b.inflight = false
	b.retryAt = time.Now().Add(wait)
	q.mu.Unlock()
	signal(s.p.wake)
}

// refresh updates the topic's metadata in the background, one at a time.
func (s *sender) refresh() {
	if !s.refreshing.CompareAndSwap(false, true) {
		return
	}
	p := s.p
	p.inflight.Add(1)
	go func() {
		defer p.inflight.Done()
		defer s.refreshing.Store(false)
		ctx, cancel := context.WithTimeout(s.ctx, p.client.cfg.RequestTimeout)
		defer cancel()
		if err := p.client.refresh(ctx, []string{p.topic}, false); err != nil && s.ctx.Err() == nil {
			p.client.log.Warn("kafka: producer metadata refresh failed", "topic", p.topic, "err", err)
		}
		signal(p.wake)
	}()
}

// tryBump gets the idempotent producer a new identity: its first, or a
// new epoch after a sequence error or the final failure of a batch the
// broker may hold. dispatch calls it with nothing in flight and every
// batch the broker may hold settled. It returns how long to wait before
// trying again when it failed, or zero.
func (s *sender) tryBump() time.Duration {
	p := s.p
	ctx, cancel := context.WithTimeout(s.ctx, p.client.cfg.RequestTimeout)
	defer cancel()
	err := p.bump(ctx)
	if err == nil {
		s.bumpFailures, s.bumpErr = 0, nil
		return 0
	}
	if s.ctx.Err() != nil {
		return p.cfg.RetryBackoff // stopping
	}
	s.bumpFailures++
	s.bumpErr = err
	if !IsRetriable(err) && !errors.Is(err, context.DeadlineExceeded) {
		// No waiting helps (a broker too old for idempotence, an
		// authorization failure): what is queued fails with the cause.
		p.client.log.Error("kafka: idempotent producer cannot get a producer ID", "topic", p.topic, "err", err)
		p.failAll(err)
	} else {
		p.client.log.Warn("kafka: idempotent producer cannot get a producer ID; will retry", "topic", p.topic, "err", err)
	}
	return p.backoff.Delay(s.bumpFailures - 1)
}

// requestError tells the RequestErrorHooks about an error a produce request
// met, retried or not: partition -1 for the request as a whole.
func (s *sender) requestError(leader, partition int32, err error) {
	e := RequestErrorEvent{API: "Produce", Broker: leader, Partition: partition,
		Err: &OpError{Op: "produce", Topic: s.p.topic, Partition: partition, Broker: leader, Err: err}}
	if partition >= 0 {
		e.Topic = s.p.topic
	}
	s.p.client.hooks.requestError(e)
}

func (s *sender) opError(b *batch, leader int32, err error) error {
	return &OpError{Op: "produce", Topic: s.p.topic, Partition: b.part.id, Broker: leader, Err: err}
}
