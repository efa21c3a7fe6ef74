package kafka

import (
	"slices"
)

// A group member's assignment changes piece by piece under cooperative
// rebalancing (and under KIP-848): partitions join and leave a running
// fetcher, while the others go on being fetched and handed out. The
// fetcher's partition set (parts, states, topics) changes holding the
// engine's mu and then the fetcher's, since the engine reads states under
// its own mu and the fetcher under f.mu; states and topics are replaced,
// never changed in place.

// addPartitions adds partitions to a running fetcher at the given
// positions (next offsets to read); those in paused start paused.
// Partitions it already has are left as they are. It does nothing once
// the fetcher is closed.
func (f *fetcher) addPartitions(start map[TopicPartition]int64, paused map[TopicPartition]bool) {
	e := &f.client.fetches
	e.start()
	meta := f.client.meta.Load()
	e.mu.Lock()
	defer e.mu.Unlock()
	f.mu.Lock()
	if f.ctx.Err() != nil || f.client.isClosed() {
		f.mu.Unlock()
		return
	}
	var added []*partState
	states := slices.Clone(f.states)
	for tp, o := range start {
		if f.parts[tp] != nil {
			continue
		}
		ps := &partState{tp: tp, f: f, fetchOffset: o, held: o, replica: -1, lastEpoch: -1, paused: paused[tp]}
		f.parts[tp] = ps
		states = append(states, ps)
		added = append(added, ps)
	}
	slices.SortFunc(states, func(a, b *partState) int { return a.tp.compare(b.tp) })
	f.states, f.topics = states, statesTopics(states)
	f.mu.Unlock()
	for _, ps := range added {
		e.parts[ps] = struct{}{}
		e.route(ps, meta)
	}
	e.wakeAdded()
}

// removePartitions takes partitions out of the fetcher: they are no
// longer fetched, what was fetched for them and not handed out is
// dropped, and a fetch under way for them is ignored when it answers. It
// returns their positions (next offsets to hand out): nothing of them is
// handed out after it returns. Partitions it does not have are ignored.
func (f *fetcher) removePartitions(tps []TopicPartition) map[TopicPartition]int64 {
	e := &f.client.fetches
	e.mu.Lock()
	defer e.mu.Unlock()
	f.mu.Lock()
	held := make(map[TopicPartition]int64, len(tps))
	var gone []*partState
	for _, tp := range tps {
		ps := f.parts[tp]
		if ps == nil {
			continue
		}
		if ps.held >= 0 {
			held[tp] = ps.held
		}
		ps.gen++ // a fetch under way is dropped when it answers
		delete(f.parts, tp)
		gone = append(gone, ps)
	}
	states := slices.DeleteFunc(slices.Clone(f.states), func(ps *partState) bool { return f.parts[ps.tp] != ps })
	f.states, f.topics = states, statesTopics(states)
	f.dropStaleLocked()
	f.mu.Unlock()
	for _, ps := range gone {
		delete(e.parts, ps)
		f.mu.Lock()
		s := ps.src
		ps.src = nil
		f.mu.Unlock()
		if s != nil {
			s.remove(ps)
		}
	}
	return held
}

// statesTopics returns the sorted topics of sorted partition states.
func statesTopics(states []*partState) []string {
	var topics []string
	for _, ps := range states {
		if len(topics) == 0 || topics[len(topics)-1] != ps.tp.Topic {
			topics = append(topics, ps.tp.Topic)
		}
	}
	return topics
}
