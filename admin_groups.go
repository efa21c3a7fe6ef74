package kafka

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gokafka/kafka/protocol"
)

// DeleteGroups deletes groups and their committed offsets (Kafka 1.1+),
// asking each group's coordinator. Only a group without members can be
// deleted: a live one fails with [ErrNonEmptyGroup], one that does not
// exist with [ErrGroupIDNotFound]. Coordinators that move or load are
// retried within ctx.
//
// The map returned has an entry for every group (nil when it was deleted);
// the error is nil when all were, and otherwise joins the [*OpError] of
// each group that failed.
func (c *Client) DeleteGroups(ctx context.Context, groups ...string) (map[string]error, error) {
	results := make(map[string]error, len(groups))
	for _, g := range groups {
		if _, done := results[g]; done {
			continue
		}
		op := "delete group " + fmt.Sprintf("%q", g)
		results[g] = c.groupRetry(ctx, g, defaultOffsetsRetries, defaultOffsetsBackoff, func(b *broker) error {
			var resp protocol.DeleteGroupsResponse
			if _, err := b.call(ctx, &protocol.DeleteGroupsRequest{GroupsNames: []string{g}}, &resp); err != nil {
				return b.opError(op, "", -1, err)
			}
			for _, r := range resp.Results {
				if r.GroupID == g {
					if err := codeError(r.ErrorCode); err != nil {
						return b.opError(op, "", -1, err)
					}
					return nil
				}
			}
			return b.opError(op, "", -1, fmt.Errorf("%w: no result for the group in the answer", ErrUnknownServerError))
		})
	}
	return results, joinErrs(results, strings.Compare)
}

// DeleteGroupOffsets deletes the offsets group committed for partitions
// (Kafka 2.4+, KIP-496), as kafka-consumer-groups --delete-offsets does.
// The group may be live, but not subscribed to the partitions' topics:
// such partitions fail with [ErrGroupSubscribedToTopic]. A group that does
// not exist fails every partition with [ErrGroupIDNotFound].
//
// The map returned has an entry for every partition (nil when its offset
// was deleted, or there was none); the error is nil when all succeeded,
// and otherwise joins the [*OpError] of each partition that failed.
func (c *Client) DeleteGroupOffsets(ctx context.Context, group string, partitions ...TopicPartition) (map[TopicPartition]error, error) {
	tps := sortedTPs(partitions)
	results := make(map[TopicPartition]error, len(tps))
	if len(tps) == 0 {
		return results, nil
	}
	op := "delete offsets of group " + fmt.Sprintf("%q", group)
	err := c.groupRetry(ctx, group, defaultOffsetsRetries, defaultOffsetsBackoff, func(b *broker) error {
		clear(results)
		req := &protocol.OffsetDeleteRequest{GroupID: group}
		for _, tp := range tps {
			if n := len(req.Topics); n == 0 || req.Topics[n-1].Name != tp.Topic {
				req.Topics = append(req.Topics, protocol.OffsetDeleteRequestTopic{Name: tp.Topic})
			}
			t := &req.Topics[len(req.Topics)-1]
			t.Partitions = append(t.Partitions, protocol.OffsetDeleteRequestPartition{PartitionIndex: tp.Partition})
		}
		var resp protocol.OffsetDeleteResponse
		if _, err := b.call(ctx, req, &resp); err != nil {
			return b.opError(op, "", -1, err)
		}
		if err := codeError(resp.ErrorCode); err != nil {
			return b.opError(op, "", -1, err)
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				tp := TopicPartition{Topic: t.Name, Partition: p.PartitionIndex}
				if _, ok := slices.BinarySearchFunc(tps, tp, TopicPartition.compare); !ok {
					continue
				}
				if err := codeError(p.ErrorCode); err != nil {
					results[tp] = b.opError(op, tp.Topic, tp.Partition, err)
				} else {
					results[tp] = nil
				}
			}
		}
		for _, tp := range tps {
			if _, ok := results[tp]; !ok {
				results[tp] = b.opError(op, tp.Topic, tp.Partition, fmt.Errorf("%w: no result for the partition in the answer", ErrUnknownServerError))
			}
		}
		return nil
	})
	if err != nil {
		for _, tp := range tps {
			results[tp] = err
		}
	}
	return results, joinErrs(results, TopicPartition.compare)
}
