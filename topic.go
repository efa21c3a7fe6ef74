package kafka

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/gokafka/kafka/protocol"
)

// A Topic is one topic of the cluster, pykafka's Topic: it knows its
// partitions, answers offset queries, and makes producers and consumers.
// Its view of the partitions follows the client's metadata as it refreshes.
type Topic struct {
	client *Client
	name   string
}

// Partition describes one partition of a topic. Replicas and ISR list
// broker IDs; they are shared with the client's metadata and must not be
// modified.
type Partition struct {
	ID              int32
	Leader          int32 // the leader broker's ID, -1 while there is none
	LeaderEpoch     int32 // -1 when the broker does not say (before Kafka 2.1)
	Replicas        []int32
	ISR             []int32 // the in-sync replicas
	OfflineReplicas []int32
}

// Name returns the topic's name.
func (t *Topic) Name() string { return t.name }

// Partitions returns the topic's partitions, sorted by ID, as of the
// client's latest metadata. It is empty if the topic was deleted since.
func (t *Topic) Partitions() []Partition {
	if m, ok := t.client.meta.Load().topics[t.name]; ok {
		return slices.Clone(m.partitions)
	}
	return nil
}

// partitionIDs returns the IDs of the topic's partitions.
func (t *Topic) partitionIDs() []int32 {
	parts := t.Partitions()
	ids := make([]int32, len(parts))
	for i, p := range parts {
		ids[i] = p.ID
	}
	return ids
}

// Special timestamps of ListOffsets.
const (
	listLatest   int64 = -1
	listEarliest int64 = -2
)

// EarliestAvailableOffsets returns, for each partition, the offset of the
// oldest message the broker still holds (the log start offset).
func (t *Topic) EarliestAvailableOffsets(ctx context.Context) (map[int32]int64, error) {
	return t.client.listOffsets(ctx, t.name, t.partitionIDs(), listEarliest, 0)
}

// LatestAvailableOffsets returns, for each partition, the offset the next
// message appended will get (the high watermark): a consumer that starts
// there sees only new messages.
func (t *Topic) LatestAvailableOffsets(ctx context.Context) (map[int32]int64, error) {
	return t.client.listOffsets(ctx, t.name, t.partitionIDs(), listLatest, 0)
}

// OffsetsForTime returns, for each partition, the offset of the first
// message whose timestamp is at or after ts: where to start reading to see
// everything from ts on. A partition with no such message gets its latest
// offset. The answer is exact (ListOffsets v1, Kafka 0.10.1 and later), not
// the log-segment boundary pykafka's fetch_offset_limits returned.
func (t *Topic) OffsetsForTime(ctx context.Context, ts time.Time) (map[int32]int64, error) {
	offsets, err := t.client.listOffsets(ctx, t.name, t.partitionIDs(), ts.UnixMilli(), 0)
	if err != nil {
		return nil, err
	}
	var none []int32
	for p, o := range offsets {
		if o < 0 {
			none = append(none, p)
		}
	}
	if len(none) > 0 {
		latest, err := t.client.listOffsets(ctx, t.name, none, listLatest, 0)
		if err != nil {
			return nil, err
		}
		for p, o := range latest {
			offsets[p] = o
		}
	}
	return offsets, nil
}

// leaders groups partitions of topic by their leader. Partitions without a
// leader, or unknown to the metadata, come back as err.
func (c *Client) leaders(topic string, partitions []int32) (map[int32][]int32, error) {
	tm, ok := c.meta.Load().topics[topic]
	if !ok {
		return nil, &OpError{Op: "find leader", Topic: topic, Partition: -1, Broker: -1, Err: ErrUnknownTopicOrPartition}
	}
	byLeader := make(map[int32][]int32)
	for _, id := range partitions {
		p, ok := tm.partition(id)
		if !ok {
			return nil, &OpError{Op: "find leader", Topic: topic, Partition: id, Broker: -1, Err: ErrUnknownTopicOrPartition}
		}
		if p.Leader < 0 {
			return nil, &OpError{Op: "find leader", Topic: topic, Partition: id, Broker: -1, Err: ErrLeaderNotAvailable}
		}
		byLeader[p.Leader] = append(byLeader[p.Leader], id)
	}
	return byLeader, nil
}

// listOffsets asks each partition's leader for the offset at timestamp
// (or listLatest/listEarliest), retrying partitions whose leader moved.
func (c *Client) listOffsets(ctx context.Context, topic string, partitions []int32, timestamp int64, isolation int8) (map[int32]int64, error) {
	offsets := make(map[int32]int64, len(partitions))
	pending := slices.Clone(partitions)
	err := c.retry(ctx, []string{topic}, func() error {
		byLeader, err := c.leaders(topic, pending)
		if err != nil {
			return err
		}
		var (
			mu   sync.Mutex
			errs []error
			wg   sync.WaitGroup
		)
		for leader, parts := range byLeader {
			wg.Go(func() {
				got, err := c.listOffsetsAt(ctx, leader, topic, parts, timestamp, isolation)
				mu.Lock()
				defer mu.Unlock()
				for p, o := range got {
					offsets[p] = o
				}
				if err != nil {
					errs = append(errs, err)
				}
			})
		}
		wg.Wait()
		pending = slices.DeleteFunc(pending, func(p int32) bool { _, done := offsets[p]; return done })
		return firstFinal(errs)
	})
	if err != nil {
		return nil, err
	}
	return offsets, nil
}

// firstFinal returns the first error that is not retriable, else all of
// them joined (nil when there are none), so that retry stops only when it
// must and, when it gives up, says what every attempt met.
func firstFinal(errs []error) error {
	for _, err := range errs {
		if !IsRetriable(err) {
			return err
		}
	}
	return errors.Join(errs...)
}

// listOffsetsAt sends one ListOffsets request to broker id for parts. It
// returns the offsets found and an error for the partitions that failed.
func (c *Client) listOffsetsAt(ctx context.Context, id int32, topic string, parts []int32, timestamp int64, isolation int8) (map[int32]int64, error) {
	b, err := c.broker(id)
	if err != nil {
		return nil, err
	}
	version, err := b.version(ctx, protocol.KeyListOffsets)
	if err != nil {
		return nil, b.opError("list offsets", topic, -1, err)
	}
	if timestamp >= 0 && version < 1 {
		return nil, b.opError("list offsets", topic, -1, final{errBrokerTooOld("offsets by time", "0.10.1")})
	}
	req := &protocol.ListOffsetsRequest{
		ReplicaID:      -1,
		IsolationLevel: isolation,
		Topics:         []protocol.ListOffsetsRequestTopic{{Name: topic}},
		TimeoutMs:      int32(c.cfg.RequestTimeout / time.Millisecond),
	}
	for _, p := range parts {
		req.Topics[0].Partitions = append(req.Topics[0].Partitions, protocol.ListOffsetsRequestTopicPartition{
			PartitionIndex: p, CurrentLeaderEpoch: -1, Timestamp: timestamp, MaxNumOffsets: 1,
		})
	}
	var resp protocol.ListOffsetsResponse
	if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
		return nil, b.opError("list offsets", topic, -1, err)
	}
	offsets := make(map[int32]int64, len(parts))
	var errs []error
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if !slices.Contains(parts, rp.PartitionIndex) {
				continue // not asked for: ignore rather than trust
			}
			if rp.ErrorCode != 0 {
				errs = append(errs, b.opError("list offsets", topic, rp.PartitionIndex, Error(rp.ErrorCode)))
				continue
			}
			switch {
			case version >= 1:
				offsets[rp.PartitionIndex] = rp.Offset
			case len(rp.OldStyleOffsets) > 0:
				offsets[rp.PartitionIndex] = rp.OldStyleOffsets[0]
			default:
				offsets[rp.PartitionIndex] = -1
			}
		}
	}
	for _, p := range parts {
		if _, ok := offsets[p]; !ok && !slices.ContainsFunc(errs, func(err error) bool { return err.(*OpError).Partition == p }) {
			errs = append(errs, b.opError("list offsets", topic, p, ErrUnknownServerError))
		}
	}
	return offsets, firstFinal(errs)
}
