package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/gokafka/kafka/protocol"
)

// DeleteRecordsResult is the outcome of [Client.DeleteRecords] for one
// partition.
type DeleteRecordsResult struct {
	// LowWatermark is the partition's log start offset after the
	// deletion: the first offset left to read.
	LowWatermark int64
	Err          error
}

// DeleteRecords deletes the records of each partition below the offset
// given for it, by advancing the partition's log start offset (Kafka
// 0.11+), as kafka-delete-records does; [OffsetLatest] (-1) deletes every
// record up to the high watermark. Each partition's leader is asked;
// leaders that moved are found again and retried within ctx.
//
// The map returned has an entry for every partition; the error is nil when
// all succeeded, and otherwise joins the [*OpError] of each partition that
// failed (an offset past the high watermark is [ErrOffsetOutOfRange]).
func (c *Client) DeleteRecords(ctx context.Context, before map[TopicPartition]int64) (map[TopicPartition]DeleteRecordsResult, error) {
	results := make(map[TopicPartition]DeleteRecordsResult, len(before))
	var topics []string
	for tp := range before {
		if !slices.Contains(topics, tp.Topic) {
			topics = append(topics, tp.Topic)
		}
	}
	slices.Sort(topics)
	pending := slices.SortedFunc(maps.Keys(before), TopicPartition.compare)
	last := make(map[TopicPartition]error)
	if err := c.refresh(ctx, topics, false); err != nil {
		return nil, err
	}
	rerr := c.retry(ctx, topics, func() error {
		m := c.meta.Load()
		byLeader := make(map[int32][]TopicPartition)
		for _, tp := range pending {
			t, ok := m.topics[tp.Topic]
			var p Partition
			if ok {
				p, ok = t.partition(tp.Partition)
			}
			switch {
			case !ok:
				// The metadata was just refreshed: the partition does
				// not exist, and waiting will not create it.
				results[tp] = DeleteRecordsResult{LowWatermark: -1, Err: &OpError{Op: "delete records", Topic: tp.Topic, Partition: tp.Partition, Broker: -1, Err: ErrUnknownTopicOrPartition}}
			case p.Leader < 0:
				last[tp] = &OpError{Op: "delete records", Topic: tp.Topic, Partition: tp.Partition, Broker: -1, Err: ErrLeaderNotAvailable}
			default:
				byLeader[p.Leader] = append(byLeader[p.Leader], tp)
			}
		}
		for id, tps := range byLeader {
			for tp, res := range c.deleteRecordsAt(ctx, id, tps, before) {
				if res.Err == nil || !IsRetriable(res.Err) {
					results[tp] = res
					delete(last, tp)
				} else {
					last[tp] = res.Err
				}
			}
		}
		pending = slices.DeleteFunc(pending, func(tp TopicPartition) bool { _, done := results[tp]; return done })
		var errs []error
		for _, tp := range pending {
			errs = append(errs, last[tp])
		}
		return errors.Join(errs...)
	})
	for _, tp := range pending {
		err := last[tp]
		if err == nil {
			err = rerr
		}
		results[tp] = DeleteRecordsResult{LowWatermark: -1, Err: err}
	}
	errs := make(map[TopicPartition]error, len(results))
	for tp, r := range results {
		errs[tp] = r.Err
	}
	return results, joinErrs(errs, TopicPartition.compare)
}

// deleteRecordsAt sends one DeleteRecords request to broker id for tps.
func (c *Client) deleteRecordsAt(ctx context.Context, id int32, tps []TopicPartition, before map[TopicPartition]int64) map[TopicPartition]DeleteRecordsResult {
	out := make(map[TopicPartition]DeleteRecordsResult, len(tps))
	fail := func(err error) map[TopicPartition]DeleteRecordsResult {
		for _, tp := range tps {
			out[tp] = DeleteRecordsResult{LowWatermark: -1, Err: err}
		}
		return out
	}
	b, err := c.broker(id)
	if err != nil {
		return fail(err)
	}
	req := &protocol.DeleteRecordsRequest{TimeoutMs: c.adminTimeout(ctx)}
	for _, tp := range tps {
		if n := len(req.Topics); n == 0 || req.Topics[n-1].Name != tp.Topic {
			req.Topics = append(req.Topics, protocol.DeleteRecordsRequestTopic{Name: tp.Topic})
		}
		t := &req.Topics[len(req.Topics)-1]
		t.Partitions = append(t.Partitions, protocol.DeleteRecordsRequestTopicPartition{PartitionIndex: tp.Partition, Offset: before[tp]})
	}
	var resp protocol.DeleteRecordsResponse
	version, err := b.version(ctx, protocol.KeyDeleteRecords)
	if err == nil {
		err = b.request(ctx, connAdmin, req, &resp, version, c.cfg.RequestTimeout)
	}
	if err != nil {
		return fail(b.opError("delete records", "", -1, err))
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			tp := TopicPartition{Topic: t.Name, Partition: p.PartitionIndex}
			if _, asked := before[tp]; !asked || !slices.Contains(tps, tp) {
				continue
			}
			if err := codeError(p.ErrorCode); err != nil {
				out[tp] = DeleteRecordsResult{LowWatermark: -1, Err: b.opError("delete records", tp.Topic, tp.Partition, err)}
			} else {
				out[tp] = DeleteRecordsResult{LowWatermark: p.LowWatermark}
			}
		}
	}
	for _, tp := range tps {
		if _, ok := out[tp]; !ok {
			out[tp] = DeleteRecordsResult{LowWatermark: -1, Err: b.opError("delete records", tp.Topic, tp.Partition, fmt.Errorf("%w: no result for the partition in the answer", ErrUnknownServerError))}
		}
	}
	return out
}
