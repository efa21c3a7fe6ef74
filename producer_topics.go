package kafka

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"time"
)

// topicQueues is a producer's state for one topic: the partitioner, the
// partitions' queues, and the messages that wait for the topic's metadata.
type topicQueues struct {
	p           *Producer
	name        string
	partitioner Partitioner
	sticky      BatchClosedNotifier // the partitioner, if it wants to know

	parts atomic.Pointer[[]*partQueue] // by partition ID; grows under p.mu
	view  atomic.Pointer[topicView]    // the partition count, as of a metadata

	// While the topic's partitions are unknown, messages wait here, in
	// order, and every later message queues behind them. The engine's
	// lookups place them in batches, or fail them.
	// settling lets one settleHeld (or discardHeld) at a time place or
	// fail held messages, so that placements keep their order; it is a
	// channel so that an abort can wait for it within its ctx.
	settling chan struct{}
	mu       sync.Mutex
	holding  atomic.Bool
	held     []heldMsg
	heldAt   time.Time // when the first held message came
	lookups  int       // answers without the topic, in a row
	lookErr  error     // why the latest lookup failed
	lookNext time.Time // no lookup before this
}

// topicView caches a topic's partition count for one metadata snapshot.
type topicView struct {
	meta *clusterMeta
	n    int
}

// heldMsg is a message waiting for its topic's metadata, with the room it
// took.
type heldMsg struct {
	msg     Message
	waiting chan DeliveryReport
	size    int64
}

// topicFor returns the producer's state for topic, making it on first use.
func (p *Producer) topicFor(topic string) *topicQueues {
	if tq := (*p.topics.Load())[topic]; tq != nil {
		return tq
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := *p.topics.Load()
	if tq := cur[topic]; tq != nil {
		return tq
	}
	tq := &topicQueues{p: p, name: topic, partitioner: p.cfg.Partitioner, settling: make(chan struct{}, 1)}
	if tq.partitioner == nil {
		// The default partitioner sticks to a partition per topic: each
		// topic gets its own.
		tq.partitioner = NewDefaultPartitioner()
	}
	tq.sticky, _ = tq.partitioner.(BatchClosedNotifier)
	empty := []*partQueue{}
	tq.parts.Store(&empty)
	next := maps.Clone(cur)
	next[topic] = tq
	p.topics.Store(&next)
	return tq
}

// numPartitions is the topic's partition count in the client's metadata, 0
// when the metadata does not know the topic.
func (tq *topicQueues) numPartitions() int {
	meta := tq.p.client.meta.Load()
	if v := tq.view.Load(); v != nil && v.meta == meta {
		return v.n
	}
	n := 0
	if t, ok := meta.topics[tq.name]; ok && t.err == 0 {
		n = len(t.partitions)
	}
	tq.view.Store(&topicView{meta: meta, n: n})
	return n
}

// queue returns partition id's queue, making it (and registering it with
// the client's engine) on first use; nil once the producer is closed.
func (tq *topicQueues) queue(id int32) *partQueue {
	if parts := *tq.parts.Load(); int(id) < len(parts) {
		return parts[id]
	}
	p := tq.p
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	parts := *tq.parts.Load()
	var added []*partQueue
	if int(id) >= len(parts) {
		grown := append([]*partQueue(nil), parts...)
		for int(id) >= len(grown) {
			q := &partQueue{p: p, tq: tq, id: int32(len(grown))}
			grown = append(grown, q)
			added = append(added, q)
		}
		tq.parts.Store(&grown)
		p.queues = append(p.queues, added...)
		parts = grown
	}
	p.mu.Unlock()
	for _, q := range added {
		p.client.producers.register(q)
	}
	return parts[id]
}

// hold keeps a message until the topic's partitions are known, and
// reports whether it did: false when they became known meanwhile, so the
// caller places the message itself.
func (tq *topicQueues) hold(m heldMsg) bool {
	tq.mu.Lock()
	defer tq.mu.Unlock()
	if !tq.holding.Load() && tq.numPartitions() > 0 {
		return false
	}
	if len(tq.held) == 0 {
		tq.heldAt = time.Now()
	}
	tq.held = append(tq.held, m)
	tq.holding.Store(true)
	tq.p.client.producers.lookup(tq)
	return true
}

// settleHeld places the held messages once the topic is known, or fails
// them when it will not be: after maxTopicLookups answers without it, at
// DeliveryTimeout, or with cause when it is given (at Close). It reports
// whether the topic still needs a lookup.
//
// Messages are placed or reported without tq.mu held (a report may call
// the application, which may produce again), in order: while they are,
// holding stays set, so new messages queue behind them.
func (tq *topicQueues) settleHeld(now time.Time, looked bool, cause error) bool {
	tq.settling <- struct{}{}
	defer func() { <-tq.settling }()
	p := tq.p
	for {
		tq.mu.Lock()
		if tq.releaseIfDoneLocked() {
			tq.mu.Unlock()
			return false
		}
		n := tq.numPartitions()
		if n == 0 && cause == nil {
			cause = tq.lookupFailure(now, looked)
			looked = false // counted once
			if cause == nil {
				tq.mu.Unlock()
				return true
			}
		}
		held := tq.held
		tq.held = nil
		tq.mu.Unlock()
		for _, m := range held {
			if n > 0 {
				p.place(tq, m, n)
			} else {
				p.failHeld(tq, m, cause)
			}
		}
	}
}

// releaseIfDoneLocked ends the topic's holding once no message is held,
// so that new messages go straight to their batches again, and reports
// whether it did. tq.mu is held.
func (tq *topicQueues) releaseIfDoneLocked() bool {
	if len(tq.held) > 0 {
		return false
	}
	tq.lookups, tq.lookErr = 0, nil
	tq.holding.Store(false)
	return true
}

// discardHeld fails every held message with cause, whether or not the
// topic is known by now: the abort of the transaction they belong to. A
// placement under way (settleHeld) ends first, so that once discardHeld
// returns, each message held before it was called is either failed or in
// a batch. It returns ctx's error if ctx ends before that placement.
func (tq *topicQueues) discardHeld(ctx context.Context, cause error) error {
	select {
	case tq.settling <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-tq.settling }()
	for {
		tq.mu.Lock()
		if tq.releaseIfDoneLocked() {
			tq.mu.Unlock()
			return nil
		}
		held := tq.held
		tq.held = nil
		tq.mu.Unlock()
		for _, m := range held {
			tq.p.failHeld(tq, m, cause)
		}
	}
}

// discardHeld fails every message held for its topic's metadata with
// cause (see topicQueues.discardHeld).
func (p *Producer) discardHeld(ctx context.Context, cause error) error {
	for _, tq := range *p.topics.Load() {
		if !tq.holding.Load() {
			continue
		}
		if err := tq.discardHeld(ctx, cause); err != nil {
			return err
		}
	}
	return nil
}

// lookupFailure says why held messages fail, or nil while the topic may
// still show up. tq.mu is held.
func (tq *topicQueues) lookupFailure(now time.Time, looked bool) error {
	p := tq.p
	if looked && p.client.meta.Load().lacks(tq.name) {
		tq.lookups++ // not a topic still being created: one that is not there
	}
	switch {
	case tq.lookups >= maxTopicLookups:
		return fmt.Errorf("%w: the cluster does not have the topic (asked %d times)", ErrUnknownTopicOrPartition, tq.lookups)
	case now.Sub(tq.heldAt) > p.cfg.DeliveryTimeout:
		cause := fmt.Errorf("%w: the topic's partitions were not known within DeliveryTimeout (%v)", ErrRequestTimedOut, p.cfg.DeliveryTimeout)
		if tq.lookErr != nil {
			cause = fmt.Errorf("%w; last error: %w", cause, tq.lookErr)
		}
		return cause
	}
	return nil
}

// failHeld reports a held message failed with cause.
func (p *Producer) failHeld(tq *topicQueues, m heldMsg, cause error) {
	p.failUnbatched(m, &OpError{Op: "produce", Topic: tq.name, Partition: -1, Broker: -1, Err: cause})
}

// failUnbatched reports a message that took room but never joined a batch
// failed with err, giving its room back; in a transaction, the failure
// fails the transaction first (transactions.messageFailed), since it
// cannot commit without the message. No lock may be held: the report may
// call the application.
func (p *Producer) failUnbatched(m heldMsg, err error) {
	p.room.give(0, m.size)
	if p.txn != nil {
		p.txn.messageFailed(err)
	}
	if p.report(DeliveryReport{Message: m.msg, Err: err}, m.waiting) {
		p.room.give(1, 0)
	}
}

// maxTopicLookups is how many metadata answers without a topic fail the
// messages waiting for it: a topic being created shows up within a few.
const maxTopicLookups = 4
