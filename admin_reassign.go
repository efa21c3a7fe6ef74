package kafka

import (
	"context"
	"fmt"
	"slices"

	"github.com/gokafka/kafka/protocol"
)

// Reassignment is a partition reassignment in progress (KIP-455).
type Reassignment struct {
	Replicas         []int32 // the partition's replicas now, adding ones included
	AddingReplicas   []int32 // brokers catching up to join
	RemovingReplicas []int32 // brokers leaving once the others caught up
}

// ListPartitionReassignments returns the reassignments in progress (Kafka
// 2.4+), asking the controller: of the partitions given, or of every
// partition when none is. A partition not being reassigned is absent.
func (c *Client) ListPartitionReassignments(ctx context.Context, partitions ...TopicPartition) (map[TopicPartition]Reassignment, error) {
	var out map[TopicPartition]Reassignment
	err := c.controllerCall(ctx, "list partition reassignments", protocol.KeyListPartitionReassignments, "", func(b *broker, version int16) error {
		out = make(map[TopicPartition]Reassignment)
		req := &protocol.ListPartitionReassignmentsRequest{TimeoutMs: c.adminTimeout(ctx)}
		for _, tp := range sortedTPs(partitions) {
			if n := len(req.Topics); n == 0 || req.Topics[n-1].Name != tp.Topic {
				req.Topics = append(req.Topics, protocol.ListPartitionReassignmentsRequestTopic{Name: tp.Topic, PartitionIndexes: []int32{}})
			}
			t := &req.Topics[len(req.Topics)-1]
			t.PartitionIndexes = append(t.PartitionIndexes, tp.Partition)
		}
		var resp protocol.ListPartitionReassignmentsResponse
		if err := b.request(ctx, connAdmin, req, &resp, version, c.cfg.RequestTimeout); err != nil {
			return err
		}
		if err := adminError(resp.ErrorCode, resp.ErrorMessage); err != nil {
			return err
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				out[TopicPartition{Topic: t.Name, Partition: p.PartitionIndex}] = Reassignment{
					Replicas: p.Replicas, AddingReplicas: p.AddingReplicas, RemovingReplicas: p.RemovingReplicas,
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ElectionType is the kind of leader election [Client.ElectLeaders] asks
// for.
type ElectionType int8

// The election types.
const (
	// ElectPreferred moves leadership back to each partition's preferred
	// replica, the first of its replicas, if it is in sync.
	ElectPreferred ElectionType = 0
	// ElectUnclean elects an out-of-sync replica where no in-sync one is
	// alive, losing the records it lacks (Kafka 2.4+).
	ElectUnclean ElectionType = 1
)

// ElectLeaders asks the controller to elect leaders (Kafka 2.2+; unclean
// elections 2.4+): for the partitions given, or every partition when none
// is, as kafka-leader-election does.
//
// The map returned has an entry for every partition the controller
// answered for (nil when elected); the error is nil when all were, and
// otherwise joins the [*OpError] of each partition that failed. A
// partition already led by its preferred replica fails with
// [ErrElectionNotNeeded], which callers usually ignore.
func (c *Client) ElectLeaders(ctx context.Context, how ElectionType, partitions ...TopicPartition) (map[TopicPartition]error, error) {
	var results map[TopicPartition]error
	err := c.controllerCall(ctx, "elect leaders", protocol.KeyElectLeaders, "", func(b *broker, version int16) error {
		results = make(map[TopicPartition]error)
		if version < 1 && how != ElectPreferred {
			return final{errBrokerTooOld("unclean leader elections", "2.4")}
		}
		req := &protocol.ElectLeadersRequest{ElectionType: int8(how), TimeoutMs: c.adminTimeout(ctx)}
		for _, tp := range sortedTPs(partitions) {
			if n := len(req.TopicPartitions); n == 0 || req.TopicPartitions[n-1].Topic != tp.Topic {
				req.TopicPartitions = append(req.TopicPartitions, protocol.ElectLeadersRequestTopic{Topic: tp.Topic})
			}
			t := &req.TopicPartitions[len(req.TopicPartitions)-1]
			t.Partitions = append(t.Partitions, tp.Partition)
		}
		var resp protocol.ElectLeadersResponse
		if err := b.request(ctx, connAdmin, req, &resp, version, c.cfg.RequestTimeout); err != nil {
			return err
		}
		if err := adminError(resp.ErrorCode, nil); err != nil {
			return err
		}
		for _, t := range resp.ReplicaElectionResults {
			for _, p := range t.PartitionResult {
				tp := TopicPartition{Topic: t.Topic, Partition: p.PartitionID}
				if err := messageError(p.ErrorCode, p.ErrorMessage); err != nil {
					results[tp] = b.opError("elect leader", tp.Topic, tp.Partition, err)
				} else {
					results[tp] = nil
				}
			}
		}
		for _, tp := range partitions {
			if _, ok := results[tp]; !ok {
				results[tp] = b.opError("elect leader", tp.Topic, tp.Partition, fmt.Errorf("%w: no result for the partition in the answer", ErrUnknownServerError))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, joinErrs(results, TopicPartition.compare)
}

// sortedTPs returns tps sorted by topic and partition, without repeats; nil
// stays nil (every partition, for the APIs that take a null list).
func sortedTPs(tps []TopicPartition) []TopicPartition {
	if tps == nil {
		return nil
	}
	out := slices.Clone(tps)
	slices.SortFunc(out, TopicPartition.compare)
	return slices.Compact(out)
}
