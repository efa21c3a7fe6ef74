package kafka

import (
	"fmt"
	"slices"
	"time"
)

// Pausing stops fetching a partition and handing out its messages until it
// is resumed, without giving the partition up: a consumer applies
// back-pressure to one partition (a slow downstream, a full worker) while
// the others go on. What was fetched for a paused partition and not yet
// handed out is dropped and fetched again on resume, from the position the
// partition had: nothing is skipped and nothing is handed out twice.

// setPaused pauses (or resumes) the fetcher's partitions among tps; others
// are ignored.
func (f *fetcher) setPaused(tps []TopicPartition, paused bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	dropped := false
	for _, tp := range tps {
		ps := f.parts[tp]
		if ps == nil || ps.paused == paused {
			continue
		}
		ps.paused = paused
		if paused {
			// Back to the next offset to hand out: a fetch under way and
			// the buffered messages are dropped, and fetched again on
			// resume.
			f.rewindLocked(ps, ps.held)
			dropped = true
		} else {
			ps.retryAt, ps.failures = time.Time{}, 0
			ps.wake()
		}
	}
	if dropped {
		f.dropStaleLocked()
	}
}

// paused returns the fetcher's paused partitions, sorted.
func (f *fetcher) paused() []TopicPartition {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []TopicPartition
	for _, ps := range f.states {
		if ps.paused {
			out = append(out, ps.tp)
		}
	}
	return out
}

// Pause stops fetching the given partitions and handing out their
// messages until Resume, keeping their positions: Consume returns the
// other partitions' messages meanwhile. Messages fetched ahead for them
// are dropped and fetched again on Resume. Pausing a paused partition does
// nothing; a partition the consumer does not hold is an error wrapping
// ErrUnknownTopicOrPartition, and then none is paused.
func (c *SimpleConsumer) Pause(partitions ...int32) error {
	tps, err := c.held("pause", partitions)
	if err != nil {
		return err
	}
	c.f.setPaused(tps, true)
	return nil
}

// Resume fetches the given paused partitions again, from where they
// stopped. Resuming a partition that is not paused does nothing; one the
// consumer does not hold is an error wrapping ErrUnknownTopicOrPartition.
func (c *SimpleConsumer) Resume(partitions ...int32) error {
	tps, err := c.held("resume", partitions)
	if err != nil {
		return err
	}
	c.f.setPaused(tps, false)
	return nil
}

// Paused returns the paused partitions, sorted.
func (c *SimpleConsumer) Paused() []int32 {
	var out []int32
	for _, tp := range c.f.paused() {
		out = append(out, tp.Partition)
	}
	return out
}

// held names partitions of the consumer's topic, all of which it must
// hold.
func (c *SimpleConsumer) held(op string, partitions []int32) ([]TopicPartition, error) {
	for _, p := range partitions {
		if !slices.Contains(c.parts, p) {
			return nil, &OpError{Op: op, Topic: c.topic.name, Partition: p, Broker: -1,
				Err: fmt.Errorf("%w: not one of the consumer's partitions", ErrUnknownTopicOrPartition)}
		}
	}
	return c.tps(partitions), nil
}

// Pause stops fetching the given partitions and handing out their
// messages until Resume, keeping their positions and their assignment:
// the group sees a live member, and Consume returns the other partitions'
// messages meanwhile. Messages fetched ahead for them are dropped and
// fetched again on Resume.
//
// Unlike Kafka's Java consumer, a pause outlives rebalances: the member
// remembers it, and a paused partition assigned again (or assigned for
// the first time) starts paused. A partition of a topic the member does
// not subscribe to is remembered as well, to no effect.
func (c *BalancedConsumer) Pause(tps ...TopicPartition) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paused == nil {
		c.paused = make(map[TopicPartition]bool)
	}
	for _, tp := range tps {
		c.paused[tp] = true
	}
	if c.f != nil {
		c.f.setPaused(tps, true)
	}
}

// Resume fetches the given paused partitions again, from where they
// stopped; partitions not paused are left as they are.
func (c *BalancedConsumer) Resume(tps ...TopicPartition) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, tp := range tps {
		delete(c.paused, tp)
	}
	if c.f != nil {
		c.f.setPaused(tps, false)
	}
}

// Paused returns the partitions paused by Pause and not resumed, sorted,
// assigned to the member or not.
func (c *BalancedConsumer) Paused() []TopicPartition {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.pausedLocked()
	slices.SortFunc(out, TopicPartition.compare)
	return out
}

// pausedLocked returns the remembered pauses, for a new assignment's
// fetcher; c.mu is held.
func (c *BalancedConsumer) pausedLocked() []TopicPartition {
	out := make([]TopicPartition, 0, len(c.paused))
	for tp := range c.paused {
		out = append(out, tp)
	}
	return out
}
