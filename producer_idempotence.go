package kafka

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/gokafka/kafka/protocol"
)

// idempotence holds an idempotent producer's identity: the producer ID and
// epoch the brokers gave it. Each partition's batches carry consecutive
// sequence numbers under that identity, so a broker drops a batch it has
// already written, and refuses one that would leave a gap.
type idempotence struct {
	client *Client

	mu         sync.Mutex
	producerID int64
	epoch      int16
	bumping    bool // a new identity is wanted; nothing new is sent until then
}

// newIdempotence makes a producer's idempotence without a producer ID: the
// sender asks for one before it sends the first batch, so that a producer
// can be made while no broker is reachable.
func newIdempotence(c *Client) *idempotence {
	return &idempotence{client: c, producerID: -1, epoch: -1, bumping: true}
}

// initProducerID asks any broker for a producer ID, or (v3+, with one
// already held) for the next epoch of the same ID.
func (i *idempotence) initProducerID(ctx context.Context) error {
	return i.client.retry(ctx, []string{}, func() error {
		return i.client.anyBroker(ctx, "init producer id", func(b *broker) error {
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
			i.mu.Unlock()
			return nil
		})
	})
}

// assign gives a batch being sealed the producer's identity and its
// partition's next sequence numbers. The caller holds b.part.mu.
func (i *idempotence) assign(b *batch) {
	i.mu.Lock()
	b.producerID, b.epoch = i.producerID, i.epoch
	i.mu.Unlock()
	b.seq = b.part.nextSeq
	b.part.nextSeq = nextSequence(b.part.nextSeq, len(b.msgs))
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
// before anything more is sent (KIP-360).
func needsBump(err error) bool {
	switch err {
	case ErrOutOfOrderSequenceNumber, ErrUnknownProducerID, ErrInvalidProducerEpoch:
		return true
	}
	return false
}

// closeGap gives the sealed batches queued behind b the sequence numbers
// from b's on: b failed without being written, so the broker still waits
// for b's first sequence. q.mu is held and b is the head of the queue, on
// its way out; the batches behind it have not been sent, since only a
// partition's first batch is ever sent.
func closeGap(q *partQueue, b *batch) {
	seq := b.seq
	for _, later := range q.batches {
		if later == b {
			continue
		}
		if !later.sealed {
			break // the open batch is last, and numbered when sealed
		}
		later.seq = seq
		later.wire = later.wire[:0] // rebuilt with its new sequence
		seq = nextSequence(seq, len(later.msgs))
	}
	q.nextSeq = seq
}

// bump gets a new identity (the first, or a new epoch) and renumbers every
// queued batch, from 0 in each partition, as the new epoch starts
// sequences afresh. The sender calls it with nothing in flight and no
// batch the broker may hold: such a batch, renumbered, would be written
// twice.
func (p *Producer) bump(ctx context.Context) error {
	if err := p.idem.initProducerID(ctx); err != nil {
		return fmt.Errorf("kafka: renewing the idempotent producer's epoch: %w", err)
	}
	p.mu.Lock()
	parts := p.parts
	p.mu.Unlock()
	for _, q := range parts {
		q.mu.Lock()
		q.nextSeq = 0
		for _, b := range q.batches {
			if b.sealed {
				p.idem.assign(b)
				b.wire = b.wire[:0] // rebuilt with the new identity
			}
		}
		q.mu.Unlock()
	}
	return nil
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
