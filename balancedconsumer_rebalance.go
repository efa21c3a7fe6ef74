package kafka

import (
	"context"
	"fmt"
	"maps"
	"slices"
)

// A member's assignment changes in two steps that every group protocol
// shares: revokePartitions gives partitions up, assignPartitions takes new
// ones. Eager rebalancing (the classic protocol's range, roundrobin and
// sticky) revokes everything before it rejoins and assigns the whole new
// assignment after; cooperative rebalancing (cooperative-sticky, KIP-429)
// and KIP-848 revoke and assign only the partitions that move, while the
// others are fetched and handed out throughout. Both run from the
// member's own loop, one at a time.

// revokePartitions gives partitions up: their workers stop (handing back
// what they had not handled), they are no longer fetched or handed out,
// PreRebalanceCallback hears of them with the offsets about to be
// committed, and with AutoCommitEnable or TrackTaskDone their progress is
// committed with the assignment's membership, unless lost: the member was
// dropped from the group, their new owner may already have them, and a
// commit would be refused or overwrite the new owner's. A transaction
// holding messages handed out past what it sent of them makes the next
// SendOffsetsToTransaction fail. Partitions not assigned are ignored.
func (c *BalancedConsumer) revokePartitions(ctx context.Context, lost bool, tps []TopicPartition) {
	c.mu.Lock()
	f, workers := c.f, c.workers
	tps = slices.DeleteFunc(slices.Clone(tps), func(tp TopicPartition) bool { return !slices.Contains(c.assigned, tp) })
	c.mu.Unlock()
	if f == nil || len(tps) == 0 {
		return
	}
	slices.SortFunc(tps, TopicPartition.compare)
	if workers != nil {
		workers.revoked(tps) // their positions move back to what they did not handle
	}
	c.mu.Lock()
	memberID, generation := c.memberID, c.generation
	held := f.removePartitions(tps) // nothing of them is handed out from here on
	c.assigned = slices.DeleteFunc(slices.Clone(c.assigned), func(tp TopicPartition) bool { return slices.Contains(tps, tp) })
	c.revoking = tps
	if c.previous == nil {
		c.previous = map[TopicPartition]int64{}
	}
	maps.Copy(c.previous, held)
	c.txnCheckRevoke(held)
	empty := len(c.assigned) == 0
	if empty {
		c.f = nil
	}
	c.notifyLocked()
	c.mu.Unlock()
	if empty {
		f.close()
	}
	offsets := c.commitPointsOf(held)
	if err := c.giveUp(ctx, lost, offsets, memberID, generation); err != nil {
		c.client.log.Warn("kafka: committing before a rebalance failed", "group", c.cfg.ConsumerGroup, "err", err)
	}
	c.mu.Lock()
	c.revoking = nil
	c.mu.Unlock()
	c.done.forget(tps)
}

// assignPartitions takes new partitions: each starts from the group's
// committed offset (or where AutoOffsetReset, ResetOffsetOnStart or
// PostRebalanceCallback says), is fetched and handed out, and gets a
// worker when RunWorkers runs. It records the member's current membership
// for commits, and calls PostRebalanceCallback even when tps holds
// nothing new. Partitions already assigned are ignored.
func (c *BalancedConsumer) assignPartitions(ctx context.Context, tps []TopicPartition) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.RebalanceTimeout)
	defer cancel()
	c.mu.Lock()
	f := c.f
	tps = slices.DeleteFunc(slices.Clone(tps), func(tp TopicPartition) bool { return slices.Contains(c.assigned, tp) })
	resetOnStart := c.sc.ResetOffsetOnStart && !c.started
	c.mu.Unlock()
	slices.SortFunc(tps, TopicPartition.compare)
	tps = slices.Compact(tps)
	fresh := f == nil
	if fresh {
		f = newFetcher(c.client, tps, c.sc.fetchOptions())
	}
	start, err := c.startOffsets(ctx, f, tps, resetOnStart)
	if err != nil {
		if fresh {
			f.close()
		}
		return err
	}
	if cb := c.cfg.PostRebalanceCallback; cb != nil {
		c.mu.Lock()
		old := maps.Clone(c.previous)
		c.mu.Unlock()
		if old == nil {
			old = map[TopicPartition]int64{}
		}
		if !fresh {
			maps.Copy(old, f.held()) // the partitions kept go on from here
		}
		override, err := cb(ctx, old, maps.Clone(start))
		if err != nil {
			if fresh {
				f.close()
			}
			return fmt.Errorf("kafka: PostRebalanceCallback: %w", err)
		}
		for tp, o := range override {
			if _, ok := start[tp]; ok {
				start[tp] = o
			}
		}
	}
	memberID, generation := c.membership()
	c.mu.Lock()
	if c.workers != nil {
		// Before the partitions can be handed out (see workerPool.start);
		// under mu, so that a RunWorkers starting now either is seen here
		// or finds tps in c.assigned. (wp.mu is never held while taking
		// mu, so this order is safe.)
		c.workers.start(f, tps)
	}
	if fresh {
		f.seek(start)
		f.setPaused(c.pausedLocked(), true) // pauses outlive rebalances
	} else {
		f.addPartitions(start, maps.Clone(c.paused))
	}
	assigned := append(slices.Clone(c.assigned), tps...)
	slices.SortFunc(assigned, TopicPartition.compare)
	c.f, c.assigned, c.started, c.err, c.previous = f, assigned, true, nil, nil
	c.memberID, c.generation = memberID, generation
	c.txnAssigned(start)
	c.notifyLocked()
	c.mu.Unlock()
	if fresh {
		f.run()
	}
	return nil
}

// revokeAll gives up every assigned partition.
func (c *BalancedConsumer) revokeAll(ctx context.Context, lost bool) {
	c.mu.Lock()
	tps := slices.Clone(c.assigned)
	c.mu.Unlock()
	c.revokePartitions(ctx, lost, tps)
}

// setMembership records the membership commits of the assignment carry
// from now on: under cooperative rebalancing the partitions a member
// keeps (and those it gives up after the join that took them) are
// committed with the new generation.
func (c *BalancedConsumer) setMembership(memberID string, generation int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.memberID, c.generation = memberID, generation
}

// commitPointsOf returns what to commit for partitions at positions held:
// with TrackTaskDone, the oldest message not done.
func (c *BalancedConsumer) commitPointsOf(held map[TopicPartition]int64) map[TopicPartition]int64 {
	if !c.cfg.TrackTaskDone {
		return held
	}
	out := make(map[TopicPartition]int64, len(held))
	for tp, o := range held {
		out[tp] = c.done.commitPoint(tp, o)
	}
	return out
}
