package kafka

import (
	"context"
	"fmt"
)

// txnPoint is what SendOffsetsToTransaction commits for a consumer: its
// positions, with the membership they were reached under (KIP-447).
type txnPoint struct {
	version    uint64 // the consumer's assignment version it was taken at
	memberID   string
	generation int32
	instanceID *string
	offsets    map[TopicPartition]int64
}

// sendOffsets adds c's positions to the open transaction.
func (t *transactions) sendOffsets(ctx context.Context, c *BalancedConsumer) error {
	if err := t.admit(); err != nil {
		return err
	}
	at, err := c.txnPoint()
	if err != nil {
		t.fail("send offsets", err)
		return t.failure()
	}
	if len(at.offsets) == 0 {
		return nil
	}
	group := c.cfg.ConsumerGroup
	t.mu.Lock()
	known := t.groups[group]
	t.mu.Unlock()
	if !known {
		if err := t.addOffsets(ctx, group); err != nil {
			return t.offsetsFailed(ctx, err)
		}
		t.mu.Lock()
		t.groups[group], t.started = true, true
		t.mu.Unlock()
	}
	if err := t.txnOffsetCommit(ctx, group, at); err != nil {
		return t.offsetsFailed(ctx, err)
	}
	c.txnSent(at)
	return nil
}

// offsetsFailed fails the transaction after SendOffsetsToTransaction
// failed, unless only ctx ended: the call may then be made again.
func (t *transactions) offsetsFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	t.fail("send offsets", err)
	return t.failure()
}

// txnPoint returns the positions SendOffsetsToTransaction commits, or
// ErrRebalanceInProgress when messages handed out since the last call
// came from partitions the member has given up since, or when it holds
// no assignment: their offsets cannot be committed by this member any
// more, so the transaction that holds their output must abort.
func (c *BalancedConsumer) txnPoint() (txnPoint, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.txnLost {
		c.txnLost = false // reported once: the application aborts and rewinds
		return txnPoint{}, fmt.Errorf("%w: group %s took back partitions whose messages this transaction holds; abort it and rewind the consumer",
			ErrRebalanceInProgress, c.cfg.ConsumerGroup)
	}
	if c.f == nil {
		return txnPoint{}, fmt.Errorf("%w: group %s is rebalancing: the member holds no partitions", ErrRebalanceInProgress, c.cfg.ConsumerGroup)
	}
	return txnPoint{version: c.assignVersion, memberID: c.memberID, generation: c.generation, instanceID: c.member.instance,
		offsets: c.commitPoints(c.f)}, nil
}

// txnSent records the positions a transaction now holds: a rebalance that
// takes back partitions past them loses messages of a transaction.
func (c *BalancedConsumer) txnSent(at txnPoint) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Only for partitions held since the point was taken: one given up
	// (and maybe assigned again) meanwhile starts afresh.
	for tp, o := range at.offsets {
		if v, ok := c.assignedAt[tp]; ok && v <= at.version {
			c.txnBase[tp] = o
		}
	}
}

// txnCheckRevoke is told of positions given up in a rebalance, all of
// the assignment or (cooperative rebalancing, KIP-848) some of it: if
// messages were handed out past those a transaction holds, the next
// SendOffsetsToTransaction fails. The partitions are forgotten. c.mu is
// held.
func (c *BalancedConsumer) txnCheckRevoke(held map[TopicPartition]int64) {
	for tp, o := range held {
		if base, ok := c.txnBase[tp]; !ok || base != o {
			c.txnLost = true
		}
		delete(c.txnBase, tp)
		delete(c.assignedAt, tp)
	}
}

// RewindToCommitted moves every assigned partition back to its group's
// committed offset (or AutoOffsetReset where none is committed): after
// AbortTransaction, the messages whose output the transaction discarded
// are consumed again. It waits for offsets of transactions still being
// ended (RequireStable, KIP-447). While the group rebalances it returns an
// error wrapping ErrRebalanceInProgress; the next assignment starts from
// the committed offsets anyway.
func (c *BalancedConsumer) RewindToCommitted(ctx context.Context) error {
	c.mu.Lock()
	f, assigned := c.f, c.assigned
	c.mu.Unlock()
	if f == nil {
		return fmt.Errorf("kafka: rewind group %s: no partitions assigned: %w", c.cfg.ConsumerGroup, ErrRebalanceInProgress)
	}
	start, err := c.startOffsets(ctx, f, assigned, false)
	if err != nil {
		return err
	}
	f.seek(start)
	c.mu.Lock()
	if c.f == f {
		c.txnLost = false
		for tp, o := range start {
			if _, ok := c.assignedAt[tp]; ok {
				c.txnBase[tp] = o
			}
		}
	}
	c.mu.Unlock()
	return nil
}

// txnAssigned records the start positions of partitions newly assigned:
// nothing of them is in a transaction yet. c.mu is held. txnLost stays as the revoke
// left it: a transaction holding output of messages handed out before the
// rebalance must still abort, although the member holds partitions again
// (the new ones start from the group's commits, so committing it would
// write that output twice). Only txnPoint, which reports it, and
// RewindToCommitted clear it.
func (c *BalancedConsumer) txnAssigned(start map[TopicPartition]int64) {
	c.assignVersion++
	if c.txnBase == nil {
		c.txnBase = map[TopicPartition]int64{}
		c.assignedAt = map[TopicPartition]uint64{}
	}
	for tp, o := range start {
		c.txnBase[tp] = o
		c.assignedAt[tp] = c.assignVersion
	}
}
