package kafka

import (
	"context"
	"slices"
	"time"

	"github.com/gokafka/kafka/protocol"
)

// clusterMeta is one immutable snapshot of the cluster's metadata; the
// client swaps in a new one on every refresh.
type clusterMeta struct {
	brokers    map[int32]Broker
	controller int32 // -1 when unknown
	clusterID  string
	topics     map[string]*topicMeta
	fetched    time.Time // when the last full refresh (all topics) was answered
}

// topicMeta is what the metadata says of one topic.
type topicMeta struct {
	name       string
	id         protocol.UUID
	internal   bool
	err        Error // the topic-level error code, 0 when fine
	partitions []Partition
}

// partition returns the partition with id, if the topic has it.
func (t *topicMeta) partition(id int32) (Partition, bool) {
	i, ok := slices.BinarySearchFunc(t.partitions, id, func(p Partition, id int32) int { return int(p.ID - id) })
	if !ok {
		return Partition{}, false
	}
	return t.partitions[i], true
}

// metadataRequest builds a Metadata request for topics (nil: all of them)
// at version.
func metadataRequest(topics []string, autoCreate bool) *protocol.MetadataRequest {
	req := &protocol.MetadataRequest{AllowAutoTopicCreation: autoCreate}
	if topics != nil {
		// An empty, non-nil list asks for no topics at all (v1+).
		req.Topics = make([]protocol.MetadataRequestTopic, len(topics))
		for i := range topics {
			req.Topics[i].Name = &topics[i]
		}
	}
	return req
}

// fetchMetadata asks b for the metadata of topics (nil: all).
func (b *broker) fetchMetadata(ctx context.Context, topics []string, autoCreate bool) (*protocol.MetadataResponse, error) {
	version, err := b.version(ctx, protocol.KeyMetadata)
	if err != nil {
		return nil, err
	}
	if version == 0 && topics != nil && len(topics) == 0 {
		// v0 has no way to ask for nothing: an empty list means all.
		topics = nil
	}
	var resp protocol.MetadataResponse
	if err := b.request(ctx, connGeneral, metadataRequest(topics, autoCreate), &resp, version, 0); err != nil {
		return nil, err
	}
	if err := codeError(resp.ErrorCode); err != nil {
		return nil, err
	}
	return &resp, nil
}

// merge returns a new snapshot: prev updated with resp. When full is true
// resp describes every topic and topics it lacks are dropped; otherwise only
// the topics in resp are replaced.
func merge(prev *clusterMeta, resp *protocol.MetadataResponse, full bool) *clusterMeta {
	m := &clusterMeta{
		brokers:    make(map[int32]Broker, len(resp.Brokers)),
		controller: resp.ControllerID,
		topics:     make(map[string]*topicMeta, len(resp.Topics)),
		fetched:    time.Now(),
	}
	if resp.ClusterID != nil {
		m.clusterID = *resp.ClusterID
	}
	for _, b := range resp.Brokers {
		br := Broker{ID: b.NodeID, Host: b.Host, Port: b.Port}
		if b.Rack != nil {
			br.Rack = *b.Rack
		}
		m.brokers[b.NodeID] = br
	}
	if prev != nil && !full {
		m.fetched = prev.fetched // only a full refresh counts as one
		for name, t := range prev.topics {
			m.topics[name] = t
		}
	}
	for _, t := range resp.Topics {
		if t.Name == nil {
			continue // asked by ID; we always ask by name
		}
		tm := &topicMeta{name: *t.Name, id: t.TopicID, internal: t.IsInternal, err: Error(t.ErrorCode)}
		if tm.err == ErrUnknownTopicOrPartition || tm.err == ErrInvalidTopicException {
			delete(m.topics, tm.name)
			continue
		}
		tm.partitions = make([]Partition, 0, len(t.Partitions))
		for _, p := range t.Partitions {
			tm.partitions = append(tm.partitions, Partition{
				ID:              p.PartitionIndex,
				Leader:          p.LeaderID,
				LeaderEpoch:     p.LeaderEpoch,
				Replicas:        p.ReplicaNodes,
				ISR:             p.IsrNodes,
				OfflineReplicas: p.OfflineReplicas,
			})
		}
		slices.SortFunc(tm.partitions, func(a, b Partition) int { return int(a.ID - b.ID) })
		if prev != nil {
			keepNewerLeaders(tm, prev.topics[tm.name])
		}
		m.topics[tm.name] = tm
	}
	return m
}

// lacks reports whether the metadata says topic does not exist: not
// listed, or listed as unknown.
func (m *clusterMeta) lacks(topic string) bool {
	t, ok := m.topics[topic]
	return !ok || t.err == ErrUnknownTopicOrPartition
}

// keepNewerLeaders keeps, for each partition of t, the leader old knew
// under a newer leader epoch: a broker whose metadata lags behind (or
// behind a leader a Produce or Fetch answer named, KIP-951) must not send
// the client back to a former leader. A topic made again under the same
// name (a new topic ID) starts its epochs afresh, and is taken as it is.
func keepNewerLeaders(t, old *topicMeta) {
	if old == nil || old.id != t.id {
		return
	}
	for i := range t.partitions {
		p := &t.partitions[i]
		if o, ok := old.partition(p.ID); ok && p.LeaderEpoch >= 0 && o.LeaderEpoch > p.LeaderEpoch {
			p.Leader, p.LeaderEpoch = o.Leader, o.LeaderEpoch
		}
	}
}

// partition returns tp as the metadata knows it.
func (m *clusterMeta) partition(tp TopicPartition) (Partition, bool) {
	if t, ok := m.topics[tp.Topic]; ok {
		return t.partition(tp.Partition)
	}
	return Partition{}, false
}

// leaderEpoch returns the epoch of tp's leader, -1 when unknown (brokers
// before Kafka 2.1 do not say).
func (m *clusterMeta) leaderEpoch(tp TopicPartition) int32 {
	if p, ok := m.partition(tp); ok {
		return p.LeaderEpoch
	}
	return -1
}

// leader returns the ID of tp's leader, or -1 when it has none or is
// unknown.
func (m *clusterMeta) leader(tp TopicPartition) int32 {
	if p, ok := m.partition(tp); ok {
		return p.Leader
	}
	return -1
}
