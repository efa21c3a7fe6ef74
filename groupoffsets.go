package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/gokafka/kafka/internal/backoff"
	"github.com/gokafka/kafka/protocol"
)

// commitRequest is what a consumer commits for one topic: next offsets to
// read, as Kafka stores them, with the group membership when there is one.
type commitRequest struct {
	group      string
	generation int32  // -1 outside group membership
	member     string // "" outside group membership
	topic      string
	offsets    map[int32]int64
	retries    int           // attempts after the first
	backoff    time.Duration // first wait between attempts
}

// commitMetadata is stored with every commit, for lag tools and people
// looking at a group: who committed, from where and when. It is JSON with
// pykafka's keys (consumer_id, hostname), which pykafka's own tools read.
func (c *Client) commitMetadata(member string) string {
	host, _ := os.Hostname()
	if member == "" {
		member = c.cfg.ClientID
	}
	b, _ := json.Marshal(struct {
		ConsumerID string `json:"consumer_id"`
		Hostname   string `json:"hostname"`
		ClientID   string `json:"client_id"`
		PID        int    `json:"pid"`
		Time       string `json:"time"`
	}{member, host, c.cfg.ClientID, os.Getpid(), time.Now().UTC().Format(time.RFC3339)})
	return string(b)
}

// commitOffsets commits offsets to the group's coordinator, retrying
// coordinator moves and loads up to r.retries times.
func (c *Client) commitOffsets(ctx context.Context, r commitRequest) error {
	if len(r.offsets) == 0 {
		return nil
	}
	meta := c.commitMetadata(r.member)
	return c.groupRetry(ctx, r.group, r.retries, r.backoff, func(b *broker) error {
		version, err := b.version(ctx, protocol.KeyOffsetCommit)
		if err != nil {
			return final{err}
		}
		t := protocol.OffsetCommitRequestTopic{Name: r.topic}
		for p, o := range r.offsets {
			t.Partitions = append(t.Partitions, protocol.OffsetCommitRequestTopicPartition{
				PartitionIndex: p, CommittedOffset: o, CommitTimestamp: -1, CommittedLeaderEpoch: -1, CommittedMetadata: &meta,
			})
		}
		req := &protocol.OffsetCommitRequest{
			GroupID: r.group, GenerationIDOrMemberEpoch: r.generation, MemberID: r.member,
			RetentionTimeMs: -1, Topics: []protocol.OffsetCommitRequestTopic{t},
		}
		var resp protocol.OffsetCommitResponse
		if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
			return err
		}
		var (
			errs    []error
			unknown bool
		)
		for _, rt := range resp.Topics {
			for _, rp := range rt.Partitions {
				if rp.ErrorCode != 0 {
					errs = append(errs, b.opError("commit offsets", r.topic, rp.PartitionIndex, Error(rp.ErrorCode)))
					code := Error(rp.ErrorCode)
					unknown = unknown || code == ErrUnknownTopicOrPartition || code == ErrUnknownTopicID
				}
			}
		}
		if unknown && c.topicDeleted(ctx, r.topic) {
			// Retrying would hold the commit (and a rebalance waiting
			// for it) for every backoff, for a topic that is not coming
			// back.
			return final{firstFinal(errs)}
		}
		return firstFinal(errs)
	})
}

// topicDeleted reports whether fresh metadata lacks topic.
func (c *Client) topicDeleted(ctx context.Context, topic string) bool {
	if err := c.refresh(ctx, []string{topic}, false); err != nil {
		return false
	}
	return c.meta.Load().lacks(topic)
}

// fetchCommitted returns the group's committed offsets of topic's
// partitions; partitions with nothing committed are left out.
func (c *Client) fetchCommitted(ctx context.Context, group, topic string, partitions []int32, retries int, wait time.Duration) (map[int32]int64, error) {
	out := make(map[int32]int64, len(partitions))
	err := c.groupRetry(ctx, group, retries, wait, func(b *broker) error {
		version, err := b.version(ctx, protocol.KeyOffsetFetch)
		if err != nil {
			return final{err}
		}
		req := &protocol.OffsetFetchRequest{RequireStable: true}
		if version >= 8 {
			req.Groups = []protocol.OffsetFetchRequestGroup{{GroupID: group, MemberEpoch: -1,
				Topics: []protocol.OffsetFetchRequestGroupTopic{{Name: topic, PartitionIndexes: partitions}}}}
		} else {
			req.GroupID = group
			req.Topics = []protocol.OffsetFetchRequestTopic{{Name: topic, PartitionIndexes: partitions}}
		}
		var resp protocol.OffsetFetchResponse
		if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
			return err
		}
		var errs []error
		code := walkCommitted(&resp, version, group, func(_ string, p int32, offset int64, code int16) {
			if code != 0 && Error(code) != ErrGroupIDNotFound {
				errs = append(errs, b.opError("fetch offsets", topic, p, Error(code)))
			} else if offset >= 0 {
				out[p] = offset
			}
		})
		if Error(code) == ErrGroupIDNotFound {
			return nil // a group that never committed: nothing to start from
		}
		if code != 0 {
			return b.opError("fetch offsets", topic, -1, Error(code))
		}
		return firstFinal(errs)
	})
	return out, err
}

// walkCommitted calls add for every partition of group in an OffsetFetch
// response of version (the per-group form from v8, the flat one before),
// and returns the group's error code: when it is not 0, add is not called.
func walkCommitted(resp *protocol.OffsetFetchResponse, version int16, group string, add func(topic string, p int32, offset int64, code int16)) int16 {
	if version >= 8 {
		for _, g := range resp.Groups {
			if g.GroupID != group {
				continue
			}
			if g.ErrorCode != 0 {
				return g.ErrorCode
			}
			for _, t := range g.Topics {
				for _, p := range t.Partitions {
					add(t.Name, p.PartitionIndex, p.CommittedOffset, p.ErrorCode)
				}
			}
		}
		return 0
	}
	if resp.ErrorCode != 0 {
		return resp.ErrorCode
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			add(t.Name, p.PartitionIndex, p.CommittedOffset, p.ErrorCode)
		}
	}
	return 0
}

// groupRetry runs fn against the group's coordinator, finding it again when
// it moved and retrying retriable errors up to retries times (within ctx).
func (c *Client) groupRetry(ctx context.Context, group string, retries int, wait time.Duration, fn func(*broker) error) error {
	bo := backoff.Backoff{Min: wait, Max: 10 * wait}
	for attempt := 0; ; attempt++ {
		b, err := c.coordinator(ctx, group)
		if err == nil {
			err = fn(b)
		}
		if err == nil {
			return nil
		}
		if coordinatorGone(err) {
			c.forgetCoordinator(group)
		}
		if !IsRetriable(err) || errors.As(err, new(final)) || attempt >= retries {
			return err
		}
		if backoff.Sleep(ctx, bo.Delay(attempt)) != nil {
			return err
		}
	}
}

// FetchGroupOffsets returns the offsets group has committed for topic's
// partitions (next offsets to read); partitions with no commit are left
// out, and a group that never committed gives an empty map. It reads
// without joining the group, as a lag monitor does.
func (c *Client) FetchGroupOffsets(ctx context.Context, group, topic string) (map[int32]int64, error) {
	parts, err := c.partitionIDs(ctx, topic)
	if err != nil {
		return nil, err
	}
	return c.fetchCommitted(ctx, group, topic, parts, defaultOffsetsRetries, defaultOffsetsBackoff)
}

// CommitGroupOffsets commits offsets (partition to the next offset to read)
// for group and topic from outside the group, as Kafka's
// kafka-consumer-groups --reset-offsets does. The coordinator accepts it
// only while the group has no members: a live group fails with
// ErrUnknownMemberID, since its members would overwrite the commit anyway.
func (c *Client) CommitGroupOffsets(ctx context.Context, group, topic string, offsets map[int32]int64) error {
	parts, err := c.partitionIDs(ctx, topic)
	if err != nil {
		return err
	}
	for p, o := range offsets {
		if !slices.Contains(parts, p) {
			return &OpError{Op: "commit offsets", Topic: topic, Partition: p, Broker: -1, Err: ErrUnknownTopicOrPartition}
		}
		if o < 0 {
			return &OpError{Op: "commit offsets", Topic: topic, Partition: p, Broker: -1, Err: fmt.Errorf("offset %d is negative", o)}
		}
	}
	return c.commitOffsets(ctx, commitRequest{
		group: group, generation: -1, topic: topic, offsets: offsets,
		retries: defaultOffsetsRetries, backoff: defaultOffsetsBackoff,
	})
}

// partitionIDs returns topic's partition IDs, sorted.
func (c *Client) partitionIDs(ctx context.Context, topic string) ([]int32, error) {
	t, err := c.Topic(ctx, topic)
	if err != nil {
		return nil, err
	}
	var ids []int32
	for _, p := range t.Partitions() {
		ids = append(ids, p.ID)
	}
	slices.Sort(ids)
	return ids, nil
}
