package kafka

import (
	"time"

	"github.com/gokafka/kafka/protocol"
)

// Leader epochs (KIP-320) and preferred read replicas (KIP-392) in the
// fetch engine.
//
// Every fetch sends, per partition, the leader epoch the metadata gives
// (CurrentLeaderEpoch: a broker with another epoch answers
// FENCED_LEADER_EPOCH or UNKNOWN_LEADER_EPOCH, and the metadata is
// refreshed) and the epoch of the last batch fetched (LastFetchedEpoch:
// the leader checks that its log holds that epoch up to the position, and
// answers with the diverging epoch when it does not, Fetch v12+). A
// partition whose log diverged goes back to where the logs agree, as
// Java's consumer does, and says so (log and TruncationHook).
//
// A leader may name a follower to read from (a preferred read replica,
// chosen by the broker's replica selector from Config.Rack): the
// partition is then fetched there, until the follower fails it, leaves
// the cluster, or Config.MetadataMaxAge passes, when it goes back to the
// leader, which may choose again.

// diverged acts on an answer saying that the partition's log diverged
// from the leader's (KIP-320): the leader's log holds epoch de.Epoch up to
// de.EndOffset, the largest epoch not above the last one fetched. A
// position past that end was truncated away: the partition goes back to
// de.EndOffset and what was fetched ahead is dropped (nothing handed out
// is taken back: the records at those offsets come again, the leader's).
// The answer's records, if any, are not used.
func (f *fetcher) diverged(b *broker, c claimed, de protocol.FetchResponseDivergingEpoch) {
	tp := c.ps.tp
	if de.EndOffset < 0 {
		// The leader knows no offset for the epoch: nothing to go back
		// to but AutoOffsetReset, as Java does.
		f.client.log.Warn("kafka: log truncation detected, no offset for the last fetched epoch; moving to AutoOffsetReset",
			"topic", tp.Topic, "partition", tp.Partition, "from", c.offset, "epoch", c.last, "broker", b.id)
		f.outOfRange(c)
		return
	}
	to := min(c.offset, de.EndOffset)
	f.mu.Lock()
	ps := c.ps
	ps.unclaim(c)
	if ps.gen != c.gen || f.ctx.Err() != nil {
		f.mu.Unlock()
		return // seeked meanwhile: the position this was about is gone
	}
	ps.lastEpoch = de.Epoch
	if to == c.offset {
		// The position is in the leader's log: only the epoch was
		// behind, and the next fetch sends the leader's. The same answer
		// again would be a broker out of step: do not spin on it.
		if de.Epoch == c.last {
			ps.retryAt = time.Now().Add(f.client.cfg.RetryBackoff)
		}
		f.mu.Unlock()
		return
	}
	// Drop what was fetched ahead, some of it truncated away, and fetch
	// again from where the logs agree (or from what was not handed out,
	// if that is before).
	at := to
	if ps.held >= 0 {
		at = min(ps.held, to)
	}
	f.rewindLocked(ps, at)
	f.dropStaleLocked()
	f.mu.Unlock()

	f.client.log.Warn("kafka: log truncation detected", "topic", tp.Topic, "partition", tp.Partition,
		"from", c.offset, "to", to, "epoch", de.Epoch, "broker", b.id)
	if len(f.client.hooks) > 0 {
		e := TruncationEvent{Topic: tp.Topic, Partition: tp.Partition, From: c.offset, To: to}
		emit(f.client.hooks, func(h TruncationHook) { h.OnTruncation(e) })
	}
}

// unclaim takes a partition out of the fetch c claimed it for; f.mu is
// held. If it was moved to another source meanwhile (its leader moved),
// that source, which passed it over while it was busy, is told.
func (ps *partState) unclaim(c claimed) {
	ps.busy = false
	if ps.src != c.src && ps.src != nil {
		ps.src.signal()
	}
}

// readFrom follows a leader's choice of a preferred read replica for a
// partition (KIP-392): it is fetched from that broker from now on, for
// Config.MetadataMaxAge at most. A broker the metadata does not list is
// not followed.
func (f *fetcher) readFrom(b *broker, c claimed, replica int32) {
	if replica == b.id {
		return
	}
	if _, ok := f.client.meta.Load().brokers[replica]; !ok {
		return
	}
	ps := c.ps
	f.mu.Lock()
	if ps.replica == replica || f.ctx.Err() != nil {
		f.mu.Unlock()
		return
	}
	ps.replica = replica
	ps.replicaUntil = time.Now().Add(f.client.cfg.MetadataMaxAge)
	f.mu.Unlock()
	f.client.log.Debug("kafka: fetching from a preferred read replica", "topic", ps.tp.Topic, "partition", ps.tp.Partition,
		"replica", replica, "leader", b.id)
	f.client.fetches.rerouteOne(ps)
}

// replicaFailed acts on an error a preferred read replica answered for a
// partition: the partition goes back to its leader, at once, and the
// leader, not the replica, says what the error means (a replica behind the
// leader answers OFFSET_OUT_OF_RANGE for offsets the leader has), after
// RetryBackoff. It reports whether the answer came from a replica.
func (f *fetcher) replicaFailed(b *broker, c claimed, code Error) bool {
	ps := c.ps
	f.mu.Lock()
	if ps.replica < 0 || ps.replica != b.id {
		f.mu.Unlock()
		return false
	}
	ps.replica = -1
	ps.unclaim(c)
	// A leader that names the failing replica again is not followed in a
	// tight loop.
	ps.retryAt = time.Now().Add(f.client.cfg.RetryBackoff)
	f.mu.Unlock()
	tp := ps.tp
	f.client.hooks.requestError(RequestErrorEvent{API: "Fetch", Broker: b.id, Topic: tp.Topic, Partition: tp.Partition,
		Err: b.opError("fetch", tp.Topic, tp.Partition, code)})
	f.client.log.Debug("kafka: preferred read replica failed; back to the leader", "topic", tp.Topic, "partition", tp.Partition,
		"replica", b.id, "err", code)
	f.client.fetches.rerouteOne(ps)
	return true
}

// leaveReplica sends the claimed partitions this source fetched from
// their preferred read replica back to their leaders, after the fetch
// failed as a whole.
func (s *source) leaveReplica() {
	for _, c := range s.claimed {
		ps := c.ps
		ps.f.mu.Lock()
		back := ps.replica == s.key.broker
		if back {
			ps.replica = -1
		}
		ps.f.mu.Unlock()
		if back {
			s.e.rerouteOne(ps)
		}
	}
}

// replicaExpired reports whether ps has been read from its preferred
// read replica for Config.MetadataMaxAge, and, if so, sends it back to its
// leader (the caller then reroutes it); ps.f.mu is held.
func (ps *partState) replicaExpired(now time.Time) bool {
	if ps.replica < 0 || now.Before(ps.replicaUntil) {
		return false
	}
	ps.replica = -1
	return true
}

// rerouteOne routes one partition again: to its preferred read replica,
// or back to its leader.
func (e *fetchEngine) rerouteOne(ps *partState) {
	meta := e.c.meta.Load()
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.parts[ps]; ok {
		e.route(ps, meta)
	}
	e.wakeAdded()
}
