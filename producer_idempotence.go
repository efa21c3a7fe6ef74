package kafka

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokafka/kafka/protocol"
)

// idempotence holds an idempotent producer's identity: the producer ID and
// epoch the brokers gave it. Each partition's batches carry consecutive
// sequence numbers under that identity, so a broker drops a batch it has
// already written, and refuses one that would leave a gap.
type idempotence struct {
	client *Client
	busy   atomic.Bool // a bump is being made: nothing of the producer's is sent

	mu         sync.Mutex
	producerID int64
	epoch      int16
	bumping    bool  // a new identity is wanted; nothing new is sent until then
	failures   int   // failed attempts to get one, in a row
	lastErr    error // the latest of them, named by reports of batches that expire meanwhile
}

// newIdempotence makes a producer's idempotence without a producer ID: it
// asks for one before the first batch is sent, so that a producer can be
// made while no broker is reachable.
func newIdempotence(c *Client) *idempotence {
	return &idempotence{client: c, producerID: -1, epoch: -1, bumping: true}
}

// initProducerID asks any broker for a producer ID, or (v3+, with one
// already held) for the next epoch of the same ID.
func (i *idempotence) initProducerID(ctx context.Context) error {
	return i.client.retry(ctx, []string{}, func() error {
		err := i.client.anyBroker(ctx, "init producer id", func(b *broker) error {
			version, err := b.version(ctx, protocol.KeyInitProducerID)
			if err != nil {
				return final{err}
			}
			req := &protocol.InitProducerIDRequest{TransactionTimeoutMs: -1, ProducerID: -1, ProducerEpoch: -1}
			i.mu.Lock()
			if version >= 3 {
				req.ProducerID, req.ProducerEpoch = i.producerID, i.epoch
			}
			i.mu.Unlock()
			var resp protocol.InitProducerIDResponse
			if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
				return err
			}
			if err := codeError(resp.ErrorCode); err != nil {
				return err
			}
			i.mu.Lock()
			i.producerID, i.epoch, i.bumping = resp.ProducerID, resp.ProducerEpoch, false
			i.failures, i.lastErr = 0, nil
			i.mu.Unlock()
			return nil
		})
		if err != nil && ctx.Err() == nil {
			// Kept at once, not when the retries give up: a batch that
			// expires meanwhile names the brokers' latest answer.
			i.mu.Lock()
			i.lastErr = renewalError(err)
			i.mu.Unlock()
		}
		return err
	})
}

// renewalError says that err came of asking for a producer ID or epoch.
func renewalError(err error) error {
	return fmt.Errorf("kafka: renewing the idempotent producer's epoch: %w", err)
}

// assign gives a batch being sealed the producer's identity and its
// partition's next sequence numbers. The caller holds b.q.mu.
func (i *idempotence) assign(b *batch) {
	i.mu.Lock()
	b.producerID, b.epoch = i.producerID, i.epoch
	i.mu.Unlock()
	b.seq = b.q.nextSeq
	b.q.nextSeq = nextSequence(b.q.nextSeq, b.count)
}

// nextSequence advances a sequence by n, wrapping at MaxInt32 as Kafka's
// sequences do.
func nextSequence(seq int32, n int) int32 {
	next := int64(seq) + int64(n)
	if next > math.MaxInt32 {
		next -= math.MaxInt32 + 1
	}
	return int32(next)
}

// needsBump reports whether err from a broker means this producer's
// identity or sequences are no longer valid, so that it needs a new epoch
// before anything more is sent (KIP-360), unless a batch before the one
// refused failed first.
func needsBump(err error) bool {
	switch err {
	case ErrOutOfOrderSequenceNumber, ErrUnknownProducerID, ErrInvalidProducerEpoch:
		return true
	}
	return false
}

// closeGap gives the sealed batches queued behind b the sequence numbers
// from b's on: b failed without being written, so the broker still waits
// for b's first sequence. q.mu is held, and none of them is in flight or
// finished (laterOut).
func closeGap(q *partQueue, b *batch) {
	seq := b.seq
	after := false
	for _, later := range q.batches {
		if later == b {
			after = true
			continue
		}
		if !after {
			continue
		}
		if !later.sealed {
			break // the open batch is last, and numbered when sealed
		}
		later.seq = seq
		later.wire = later.wire[:0] // rebuilt with its new sequence
		seq = nextSequence(seq, later.count)
	}
	q.nextSeq = seq
}

// maybeBump starts getting the producer a new identity, in a goroutine of
// its own, if it wants one and none is being got. The goroutine gives up
// at once while a batch of the producer's is in flight or may be held by a
// broker: each answer calls maybeBump again.
func (p *Producer) maybeBump() {
	i := p.idem
	if i == nil || p.txn != nil || !i.wantsBump() || !i.busy.CompareAndSwap(false, true) {
		return // a transactional producer gets its new epochs at aborts
	}
	select {
	case <-p.quit:
		i.busy.Store(false)
		return // closed: nothing more is sent
	default:
	}
	p.bg.Add(1)
	go func() {
		defer p.bg.Done()
		defer p.client.producers.wakeSinks()
		defer i.busy.Store(false)
		for i.wantsBump() && p.settledForBump() && p.hasQueued() {
			wait, ok := p.tryBump()
			if ok {
				return
			}
			select {
			case <-time.After(wait):
			case <-p.quit:
				return
			case <-p.client.ctx.Done():
				return
			}
		}
	}()
}

// settledForBump reports whether nothing of the producer's is in flight
// and no batch the broker may hold is unsettled: renumbered, such a batch
// would be written twice. busy is set, so no sink sends meanwhile.
func (p *Producer) settledForBump() bool {
	for _, q := range p.allQueues() {
		q.mu.Lock()
		settled := q.inflight == 0
		for _, b := range q.batches {
			if b.maybeWritten && !b.finished {
				settled = false
			}
		}
		q.mu.Unlock()
		if !settled {
			return false
		}
	}
	return true
}

// hasQueued reports whether the producer has a batch without its outcome.
func (p *Producer) hasQueued() bool {
	for _, q := range p.allQueues() {
		q.mu.Lock()
		n := len(q.batches)
		q.mu.Unlock()
		if n > 0 {
			return true
		}
	}
	return false
}

// tryBump gets the producer a new identity (its first, or a new epoch) and
// renumbers every batch queued, from 0 in each partition, as the new epoch
// starts sequences afresh. When it fails it returns how long to wait
// before trying again; an answer no waiting can change (a broker too old
// for idempotence, an authorization failure) fails what is queued.
func (p *Producer) tryBump() (time.Duration, bool) {
	ctx, cancel := context.WithTimeout(p.client.ctx, p.client.cfg.RequestTimeout)
	defer cancel()
	if err := p.idem.initProducerID(ctx); err != nil {
		if p.client.ctx.Err() != nil {
			return 0, false
		}
		err = renewalError(err)
		i := p.idem
		i.mu.Lock()
		i.failures++
		if i.lastErr == nil || !errors.Is(err, context.DeadlineExceeded) {
			i.lastErr = err // a broker's answer, kept above, says more than no answer in time
		}
		n := i.failures
		i.mu.Unlock()
		if !IsRetriable(err) && !errors.Is(err, context.DeadlineExceeded) {
			p.client.log.Error("kafka: idempotent producer cannot get a producer ID", "err", err)
			p.failQueued(err)
		} else {
			p.client.log.Warn("kafka: idempotent producer cannot get a producer ID; will retry", "err", err)
		}
		return p.backoff.Delay(n - 1), false
	}
	for _, q := range p.allQueues() {
		q.mu.Lock()
		q.nextSeq = 0
		for _, b := range q.batches {
			if b.sealed && !b.finished {
				p.idem.assign(b)
				b.wire = b.wire[:0] // rebuilt with the new identity
			}
		}
		q.mu.Unlock()
	}
	return 0, true
}

// failQueued fails every batch queued and not in flight with err.
func (p *Producer) failQueued(err error) { p.failQueuedWhile(err, nil) }

// failQueuedWhile is failQueued, partition by partition while still
// (when not nil) holds: it is asked with the partition's lock held, and
// when it no longer holds the remaining partitions are left alone.
func (p *Producer) failQueuedWhile(err error, still func() bool) {
	for _, q := range p.allQueues() {
		q.mu.Lock()
		if still != nil && !still() {
			q.mu.Unlock()
			return
		}
		var failed []*batch
		for _, b := range q.batches {
			if !b.inflight && !b.finished {
				b.finished = true
				failed = append(failed, b)
			}
		}
		q.mu.Unlock()
		for _, b := range failed {
			p.complete(b, -1, time.Time{}, b.opError(-1, err))
		}
	}
}

// requestBump asks for a new epoch before anything more is sent.
func (i *idempotence) requestBump() {
	i.mu.Lock()
	i.bumping = true
	i.mu.Unlock()
}

func (i *idempotence) wantsBump() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.bumping
}

// lastError is why the latest attempt to get an identity failed, or nil.
func (i *idempotence) lastError() error {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.lastErr
}
