package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/gokafka/kafka/protocol"
)

// Lag is how far a group is behind on one partition.
type Lag struct {
	// Committed is the group's committed offset (the next to read), or -1
	// when it has committed none for the partition.
	Committed int64
	// End is the partition's end offset (high watermark): the offset the
	// next message will get.
	End int64
	// Start is the partition's log start offset, the first offset left.
	Start int64
	// Lag is End minus Committed: the messages the group has still to
	// read. With no commit it is End minus Start, every message present,
	// as kadm and Kafka's tools count it (a new member starting at the
	// earliest offset has all of them to read). It is never negative: a
	// commit past the end (the log was truncated) counts as no lag.
	Lag int64
	// MemberID, ClientID and Host name the member the partition is
	// assigned to; "" when no member has it (an empty group, a rebalance
	// in progress, a topic the group no longer consumes).
	MemberID string
	ClientID string
	Host     string
}

// GroupLag returns group's lag on every partition of every topic it has
// committed offsets for or its members are assigned, Kafka's
// kafka-consumer-groups --describe. It reads without joining the group.
// Classic groups are described by DescribeGroups, KIP-848 ("consumer")
// groups by ConsumerGroupDescribe, and the members' assignments give each
// partition's owner. A group that neither exists nor has commits is an
// error wrapping [ErrGroupIDNotFound]. Topics deleted since the group
// committed to them are left out.
//
// Committed offsets need brokers 0.10.2+ (OffsetFetch v2, all of a group's
// topics at once).
func (c *Client) GroupLag(ctx context.Context, group string) (map[TopicPartition]Lag, error) {
	committed, err := c.allCommitted(ctx, group)
	if err != nil {
		return nil, err
	}
	owners := make(map[TopicPartition]GroupMember)
	descs, derr := c.DescribeGroups(ctx, group)
	if derr != nil && !errors.Is(derr, ErrGroupIDNotFound) {
		return nil, derr
	}
	for _, d := range descs {
		for _, m := range d.Members {
			for topic, ps := range m.Assignment {
				for _, p := range ps {
					owners[TopicPartition{Topic: topic, Partition: p}] = m
				}
			}
		}
	}
	if len(committed) == 0 && len(owners) == 0 {
		if derr != nil {
			return nil, derr
		}
		if len(descs) == 0 || len(descs[0].Members) == 0 {
			return nil, &OpError{Op: fmt.Sprintf("lag of group %q", group), Partition: -1, Broker: -1,
				Err: fmt.Errorf("%w: the group has no members and no committed offsets", ErrGroupIDNotFound)}
		}
	}
	topics := make(map[string]bool)
	for tp := range committed {
		topics[tp.Topic] = true
	}
	for tp := range owners {
		topics[tp.Topic] = true
	}
	out := make(map[TopicPartition]Lag)
	for _, name := range slices.Sorted(maps.Keys(topics)) {
		t, err := c.Topic(ctx, name)
		if errors.Is(err, ErrUnknownTopicOrPartition) {
			continue // deleted since: nothing to lag behind
		}
		if err != nil {
			return nil, err
		}
		ends, err := t.LatestAvailableOffsets(ctx)
		if err != nil {
			return nil, err
		}
		starts, err := t.EarliestAvailableOffsets(ctx)
		if err != nil {
			return nil, err
		}
		for p, end := range ends {
			tp := TopicPartition{Topic: name, Partition: p}
			l := Lag{Committed: -1, End: end, Start: starts[p]}
			if o, ok := committed[tp]; ok {
				l.Committed = o
				l.Lag = max(end-o, 0)
			} else {
				l.Lag = max(end-l.Start, 0)
			}
			if m, ok := owners[tp]; ok {
				l.MemberID, l.ClientID, l.Host = m.MemberID, m.ClientID, m.ClientHost
			}
			out[tp] = l
		}
	}
	return out, nil
}

// allCommitted returns every offset group has committed, of every topic.
func (c *Client) allCommitted(ctx context.Context, group string) (map[TopicPartition]int64, error) {
	out := make(map[TopicPartition]int64)
	op := fmt.Sprintf("fetch offsets of group %q", group)
	err := c.groupRetry(ctx, group, defaultOffsetsRetries, defaultOffsetsBackoff, func(b *broker) error {
		clear(out)
		version, err := b.version(ctx, protocol.KeyOffsetFetch)
		if err != nil {
			return final{err}
		}
		if version < 2 {
			return final{b.opError(op, "", -1, errBrokerTooOld("fetching all of a group's offsets", "0.10.2"))}
		}
		req := &protocol.OffsetFetchRequest{RequireStable: true}
		if version >= 8 {
			req.Groups = []protocol.OffsetFetchRequestGroup{{GroupID: group, MemberEpoch: -1}} // null topics: all
		} else {
			req.GroupID = group
		}
		var resp protocol.OffsetFetchResponse
		if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
			return b.opError(op, "", -1, err)
		}
		var errs []error
		code := walkCommitted(&resp, version, group, func(topic string, p int32, offset int64, code int16) {
			if err := codeError(code); err != nil {
				errs = append(errs, b.opError(op, topic, p, err))
			} else if offset >= 0 {
				out[TopicPartition{Topic: topic, Partition: p}] = offset
			}
		})
		if Error(code) == ErrGroupIDNotFound {
			return nil
		}
		if err := codeError(code); err != nil {
			return b.opError(op, "", -1, err)
		}
		return firstFinal(errs)
	})
	return out, err
}
