package kafka

import (
	"slices"
	"sync"
)

// doneTracker remembers, per partition, the messages handed out and not
// yet marked done with TaskDone, so that commits stop at the oldest of
// them: at-least-once even when work finishes out of order (yelp_kafka's
// task_done).
type doneTracker struct {
	mu    sync.Mutex
	parts map[TopicPartition]*pending
}

// pending is a partition's outstanding offsets, in the order handed out
// (increasing), with done ones dropped from the front as they complete.
type pending struct {
	offsets []int64
	done    []bool
	next    int64 // the offset after the last one handed out
}

// consumed records a message handed to the application.
func (t *doneTracker) consumed(msg *Message) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.parts == nil {
		t.parts = map[TopicPartition]*pending{}
	}
	tp := TopicPartition{msg.Topic, msg.Partition}
	p := t.parts[tp]
	if p == nil {
		p = &pending{}
		t.parts[tp] = p
	}
	p.offsets = append(p.offsets, msg.Offset)
	p.done = append(p.done, false)
	p.next = msg.Offset + 1
}

// markDone marks msg done; it reports false for a message not handed out
// (or already done, or of a partition given up since).
func (t *doneTracker) markDone(msg *Message) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.parts[TopicPartition{msg.Topic, msg.Partition}]
	if p == nil {
		return false
	}
	i, ok := slices.BinarySearch(p.offsets, msg.Offset)
	if !ok || p.done[i] {
		return false
	}
	p.done[i] = true
	n := 0
	for n < len(p.done) && p.done[n] {
		n++
	}
	p.offsets, p.done = p.offsets[n:], p.done[n:]
	return true
}

// commitPoint returns where a commit of tp may go: the oldest offset not
// done, or held when every message handed out is done.
func (t *doneTracker) commitPoint(tp TopicPartition, held int64) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.parts[tp]; p != nil && len(p.offsets) > 0 {
		return p.offsets[0]
	}
	return held
}

// forget drops partitions given up in a rebalance.
func (t *doneTracker) forget(tps []TopicPartition) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, tp := range tps {
		delete(t.parts, tp)
	}
}
