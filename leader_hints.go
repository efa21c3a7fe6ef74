package kafka

import (
	"maps"
	"slices"

	"github.com/gokafka/kafka/protocol"
)

// A leaderHint is a partition's current leader as a broker named it in a
// Produce or Fetch answer (KIP-951, Kafka 3.7+): answering
// NOT_LEADER_OR_FOLLOWER, a broker says who leads now, and the brokers it
// names that the client may not know, so that the next attempt goes there
// without a metadata round trip first.
type leaderHint struct {
	topic     string
	partition int32
	leader    protocol.LeaderIDAndEpoch
}

// usable reports whether the hint names a leader at all: brokers before
// KIP-951, and answers without a leader change, leave it at -1.
func (h leaderHint) usable() bool { return h.leader.LeaderID >= 0 && h.leader.LeaderEpoch >= 0 }

// applyLeaderHints installs the leaders hints name where they are newer,
// by leader epoch, than what the metadata says, with the endpoints of
// brokers it does not know yet. It reports whether the metadata changed;
// the engines then route the partitions to their new leaders.
func (c *Client) applyLeaderHints(hints []leaderHint, endpoints []protocol.NodeEndpoint) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.meta.Load()
	var m *clusterMeta // a copy, made at the first change
	for _, h := range hints {
		if !h.usable() {
			continue
		}
		cur := old
		if m != nil {
			cur = m
		}
		t := cur.topics[h.topic]
		if t == nil {
			continue
		}
		i, ok := slices.BinarySearchFunc(t.partitions, h.partition, func(p Partition, id int32) int { return int(p.ID - id) })
		if !ok || t.partitions[i].LeaderEpoch >= h.leader.LeaderEpoch {
			continue // not newer than what we know
		}
		if _, known := cur.brokers[h.leader.LeaderID]; !known && !slices.ContainsFunc(endpoints, func(e protocol.NodeEndpoint) bool { return e.NodeID == h.leader.LeaderID }) {
			continue // a leader we could not reach: the metadata refresh finds it
		}
		if m == nil {
			cp := *old
			cp.topics = maps.Clone(old.topics)
			cp.brokers = maps.Clone(old.brokers)
			m = &cp
		}
		nt := *t
		nt.partitions = slices.Clone(t.partitions)
		nt.partitions[i].Leader, nt.partitions[i].LeaderEpoch = h.leader.LeaderID, h.leader.LeaderEpoch
		m.topics[h.topic] = &nt
		for _, e := range endpoints {
			if e.NodeID == h.leader.LeaderID {
				if _, known := m.brokers[e.NodeID]; !known {
					br := Broker{ID: e.NodeID, Host: e.Host, Port: e.Port}
					if e.Rack != nil {
						br.Rack = *e.Rack
					}
					m.brokers[e.NodeID] = br
				}
			}
		}
	}
	if m == nil {
		return false
	}
	c.log.Debug("kafka: leaders moved, as a broker's answer said", "hints", len(hints))
	c.installLocked(m)
	return true
}

// follows reports whether m names, for every hint, the hinted leader at
// the hint's epoch or a later one: the hints are installed, whoever's
// answer brought them.
func (m *clusterMeta) follows(hints []leaderHint) bool {
	for _, h := range hints {
		p, ok := m.partition(TopicPartition{h.topic, h.partition})
		if !ok || p.LeaderEpoch < h.leader.LeaderEpoch || p.LeaderEpoch == h.leader.LeaderEpoch && p.Leader != h.leader.LeaderID {
			return false
		}
	}
	return true
}
