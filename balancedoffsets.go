package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// A BalancedConsumer's offset methods come in two kinds: those of a
// SimpleConsumer (CommitPartitionOffsets, HeldOffsets, Partitions,
// ResetOffsets), keyed by partition ID and speaking of the topic the
// consumer was made from, and their TopicPartition-keyed counterparts
// (CommitTopicOffsets, HeldTopicOffsets, Assignment, ResetTopicOffsets),
// which cover every subscribed topic. CommitOffsets commits them all.

// CommitOffsets commits the positions of every assigned partition of
// every subscribed topic (with TrackTaskDone, up to the oldest message not
// done), with the member's generation, so that a member that lost its
// partitions cannot overwrite their new owner's commits.
func (c *BalancedConsumer) CommitOffsets(ctx context.Context) error {
	c.commitMu.Lock()
	defer c.commitMu.Unlock()
	c.mu.Lock()
	f, memberID, generation := c.f, c.memberID, c.generation
	c.mu.Unlock()
	if f == nil {
		return nil // nothing assigned
	}
	return c.commitLocked(ctx, memberID, generation, c.commitPoints(f))
}

// CommitPartitionOffsets commits the given offsets (next offsets to read)
// for partitions of the consumer's own topic assigned to it, with its
// membership (pykafka's commit_offsets with partition_offsets), as
// SimpleConsumer.CommitPartitionOffsets does; PreRebalanceCallback may
// commit the partitions being given up with it. A partition not assigned
// to it is an error wrapping ErrUnknownTopicOrPartition: the group would
// refuse or overwrite it. CommitTopicOffsets covers every subscribed topic.
func (c *BalancedConsumer) CommitPartitionOffsets(ctx context.Context, offsets map[int32]int64) error {
	return c.CommitTopicOffsets(ctx, c.ownTopic(offsets))
}

// CommitTopicOffsets is CommitPartitionOffsets for partitions of any
// subscribed topic.
func (c *BalancedConsumer) CommitTopicOffsets(ctx context.Context, offsets map[TopicPartition]int64) error {
	c.commitMu.Lock()
	defer c.commitMu.Unlock()
	c.mu.Lock()
	assigned, revoking, memberID, generation := c.assigned, c.revoking, c.memberID, c.generation
	c.mu.Unlock()
	for tp, o := range offsets {
		if !slices.Contains(assigned, tp) && !slices.Contains(revoking, tp) {
			return notAssigned("commit offsets", tp)
		}
		if o < 0 {
			return &OpError{Op: "commit offsets", Topic: tp.Topic, Partition: tp.Partition, Broker: -1, Err: fmt.Errorf("offset %d is negative", o)}
		}
	}
	return c.commitLocked(ctx, memberID, generation, offsets)
}

// notAssigned is the error for a partition the member does not hold.
func notAssigned(op string, tp TopicPartition) error {
	return &OpError{Op: op, Topic: tp.Topic, Partition: tp.Partition, Broker: -1,
		Err: fmt.Errorf("%w: not assigned to this member", ErrUnknownTopicOrPartition)}
}

// ownTopic keys offsets of the consumer's own topic by TopicPartition.
func (c *BalancedConsumer) ownTopic(offsets map[int32]int64) map[TopicPartition]int64 {
	out := make(map[TopicPartition]int64, len(offsets))
	for p, o := range offsets {
		out[TopicPartition{c.topic, p}] = o
	}
	return out
}

// commitLocked commits offsets with the membership of the assignment they
// belong to. c.commitMu is held.
func (c *BalancedConsumer) commitLocked(ctx context.Context, memberID string, generation int32, offsets map[TopicPartition]int64) error {
	byTopic := map[string]map[int32]int64{}
	meta := c.client.meta.Load()
	for tp, o := range offsets {
		if meta.lacks(tp.Topic) {
			// Deleted since it was assigned (the client's metadata no
			// longer lists it): nothing to commit, and a commit would
			// be retried as if the topic were coming back, past the
			// member's session.
			continue
		}
		if byTopic[tp.Topic] == nil {
			byTopic[tp.Topic] = map[int32]int64{}
		}
		byTopic[tp.Topic][tp.Partition] = o
	}
	var errs []error
	for topic, offs := range byTopic {
		errs = append(errs, c.client.commitOffsets(ctx, commitRequest{
			group: c.cfg.ConsumerGroup, generation: generation, member: memberID, topic: topic, offsets: offs,
			retries: c.sc.OffsetsCommitMaxRetries, backoff: c.sc.OffsetsChannelBackoff,
		}))
	}
	return errors.Join(errs...)
}

// ResetOffsets moves assigned partitions of the consumer's own topic, as
// SimpleConsumer.ResetOffsets does: each to the given next offset to read,
// or OffsetEarliest or OffsetLatest. nil moves every assigned partition of
// every subscribed topic to AutoOffsetReset. A partition not assigned to
// the member is an error wrapping ErrUnknownTopicOrPartition, and while
// the group rebalances (nothing assigned) one wrapping
// ErrRebalanceInProgress.
func (c *BalancedConsumer) ResetOffsets(ctx context.Context, offsets map[int32]int64) error {
	if offsets == nil {
		return c.ResetTopicOffsets(ctx, nil)
	}
	return c.ResetTopicOffsets(ctx, c.ownTopic(offsets))
}

// ResetTopicOffsets is ResetOffsets for partitions of any subscribed
// topic; nil moves every assigned partition to AutoOffsetReset.
func (c *BalancedConsumer) ResetTopicOffsets(ctx context.Context, offsets map[TopicPartition]int64) error {
	c.mu.Lock()
	f, assigned := c.f, c.assigned
	c.mu.Unlock()
	if f == nil {
		return fmt.Errorf("kafka: reset offsets of group %s: no partitions assigned: %w", c.cfg.ConsumerGroup, ErrRebalanceInProgress)
	}
	if offsets == nil {
		offsets = make(map[TopicPartition]int64, len(assigned))
		for _, tp := range assigned {
			offsets[tp] = int64(c.sc.AutoOffsetReset)
		}
	}
	for tp := range offsets {
		if !slices.Contains(assigned, tp) {
			return notAssigned("reset offsets", tp)
		}
	}
	bounds, err := f.bounds(ctx, slices.Collect(maps.Keys(offsets)))
	if err != nil {
		return err
	}
	to := make(map[TopicPartition]int64, len(offsets))
	for tp, o := range offsets {
		to[tp] = resetTarget(o, c.sc.AutoOffsetReset, bounds[tp])
	}
	f.seek(to)
	return nil
}

// HeldOffsets returns the next offset to read of each assigned partition
// of the consumer's own topic; HeldTopicOffsets covers every subscribed
// topic.
func (c *BalancedConsumer) HeldOffsets() map[int32]int64 {
	out := map[int32]int64{}
	for tp, o := range c.lastHeld() {
		if tp.Topic == c.topic {
			out[tp.Partition] = o
		}
	}
	return out
}

// HeldTopicOffsets returns the next offset to read of every assigned
// partition, of all subscribed topics.
func (c *BalancedConsumer) HeldTopicOffsets() map[TopicPartition]int64 {
	return c.lastHeld()
}

// Partitions returns the partitions of the consumer's own topic assigned
// to it, sorted; empty while an eager rebalance runs (under cooperative
// rebalancing a member keeps the partitions that stay). Assignment covers
// every subscribed topic.
func (c *BalancedConsumer) Partitions() []int32 {
	var out []int32
	for _, tp := range c.Assignment() {
		if tp.Topic == c.topic {
			out = append(out, tp.Partition)
		}
	}
	return out
}

// Assignment returns every partition assigned to the member, of all its
// topics, sorted; empty while an eager rebalance runs.
func (c *BalancedConsumer) Assignment() []TopicPartition {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.assigned)
}
