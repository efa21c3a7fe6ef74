package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gokafka/kafka/internal/backoff"
	"github.com/gokafka/kafka/protocol"
)

// The transaction protocol's requests to the coordinators. gokafka speaks
// the protocol as clients before KIP-890's second part do (transaction
// version 1): partitions join with AddPartitionsToTxn v3 or below, and
// EndTxn stays below v5, which would bump the epoch at each end; Produce
// stays below v12, which would add partitions implicitly. Every broker
// since 0.11 takes it, Kafka 4 included.
const (
	maxTxnProduceVersion       int16 = 11
	maxAddPartitionsTxnVersion int16 = 3
	maxEndTxnVersion           int16 = 4
)

// coordinatorRetry calls fn with k's coordinator until it succeeds, fails
// for good, or ctx ends (RequestTimeout when ctx has no deadline). A
// coordinator that moved is looked up again; CONCURRENT_TRANSACTIONS (the
// coordinator is still ending the previous transaction) is waited out.
func (c *Client) coordinatorRetry(ctx context.Context, k coordinatorKey, fn func(*broker) error) error {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	// The Java client waits 20 ms after CONCURRENT_TRANSACTIONS, which
	// lasts as long as the markers of the previous transaction take.
	bo := backoff.Backoff{Min: 20 * time.Millisecond, Max: c.cfg.RetryBackoff * 10}
	for attempt := 0; ; attempt++ {
		b, err := c.findCoordinator(ctx, k)
		if err == nil {
			err = fn(b)
		}
		if err == nil {
			return nil
		}
		if coordinatorGone(err) {
			c.coords.forget(k, -1)
		}
		retriable := IsRetriable(err) || errors.Is(err, ErrConcurrentTransactions)
		if !retriable || errors.As(err, new(final)) {
			return err
		}
		c.log.Debug("kafka: retrying a coordinator request", "key", k.key, "attempt", attempt+1, "err", err)
		if backoff.Sleep(ctx, bo.Delay(attempt)) != nil {
			return err
		}
	}
}

func (t *transactions) key() coordinatorKey { return coordinatorKey{typ: coordinatorTxn, key: t.id} }

// identity returns the producer ID and epoch the batches carry.
func (t *transactions) identity() (int64, int16) {
	i := t.p.idem
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.producerID, i.epoch
}

// initProducerID registers the transactional ID with its coordinator:
// the first time, which fences any earlier producer of the ID and aborts
// its open transaction, or (bump) to get a new epoch of the producer's own
// ID after an abort that left its sequences unknown (KIP-360).
func (t *transactions) initProducerID(ctx context.Context, bump bool) error {
	i := t.p.idem
	return t.p.client.coordinatorRetry(ctx, t.key(), func(b *broker) error {
		version, err := b.version(ctx, protocol.KeyInitProducerID)
		if err != nil {
			return final{err}
		}
		id := t.id
		req := &protocol.InitProducerIDRequest{TransactionalID: &id,
			TransactionTimeoutMs: int32(t.timeout / time.Millisecond), ProducerID: -1, ProducerEpoch: -1}
		if bump {
			if version < 3 {
				return final{errBrokerTooOld("recovering a transactional producer after a sequence error (KIP-360)", "2.5")}
			}
			req.ProducerID, req.ProducerEpoch = t.identity()
		}
		var resp protocol.InitProducerIDResponse
		if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
			return err
		}
		if err := codeError(resp.ErrorCode); err != nil {
			return b.opError("init producer id", "", -1, err)
		}
		i.mu.Lock()
		i.producerID, i.epoch, i.bumping = resp.ProducerID, resp.ProducerEpoch, false
		i.failures, i.lastErr = 0, nil
		i.mu.Unlock()
		t.resetSequences()
		return nil
	})
}

// addPartitions adds the queues' partitions to the transaction.
func (t *transactions) addPartitions(ctx context.Context, queues []*partQueue) error {
	byTopic := map[string][]int32{}
	var order []string
	for _, q := range queues {
		if byTopic[q.tq.name] == nil {
			order = append(order, q.tq.name)
		}
		byTopic[q.tq.name] = append(byTopic[q.tq.name], q.id)
	}
	return t.p.client.coordinatorRetry(ctx, t.key(), func(b *broker) error {
		version, err := b.version(ctx, protocol.KeyAddPartitionsToTxn)
		if err != nil {
			return final{err}
		}
		version = min(version, maxAddPartitionsTxnVersion)
		pid, epoch := t.identity()
		req := &protocol.AddPartitionsToTxnRequest{TransactionalID: t.id, ProducerID: pid, ProducerEpoch: epoch}
		for _, name := range order {
			req.Topics = append(req.Topics, protocol.AddPartitionsToTxnRequestTopic{Name: name, Partitions: byTopic[name]})
		}
		var resp protocol.AddPartitionsToTxnResponse
		if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
			return err
		}
		// A partition the broker did not try, because another failed,
		// is not the cause: the other one is.
		var cause, notTried error
		for _, rt := range resp.ResultsByTopic {
			for _, rp := range rt.ResultsByPartition {
				if rp.PartitionErrorCode == 0 {
					continue
				}
				err := b.opError("add partitions to transaction", rt.Name, rp.PartitionIndex, Error(rp.PartitionErrorCode))
				if Error(rp.PartitionErrorCode) == ErrOperationNotAttempted {
					notTried = err
				} else if cause == nil {
					cause = err
				}
			}
		}
		if cause == nil {
			cause = notTried
		}
		return cause
	})
}

// endTxn commits or aborts the transaction at the coordinator, which
// writes the markers.
func (t *transactions) endTxn(ctx context.Context, commit bool) error {
	return t.p.client.coordinatorRetry(ctx, t.key(), func(b *broker) error {
		version, err := b.version(ctx, protocol.KeyEndTxn)
		if err != nil {
			return final{err}
		}
		version = min(version, maxEndTxnVersion)
		pid, epoch := t.identity()
		req := &protocol.EndTxnRequest{TransactionalID: t.id, ProducerID: pid, ProducerEpoch: epoch, Committed: commit}
		var resp protocol.EndTxnResponse
		if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
			return err
		}
		if err := codeError(resp.ErrorCode); err != nil {
			return b.opError("end transaction", "", -1, err)
		}
		return nil
	})
}

// addOffsets adds group to the transaction, so that its offsets commit
// or abort with it.
func (t *transactions) addOffsets(ctx context.Context, group string) error {
	return t.p.client.coordinatorRetry(ctx, t.key(), func(b *broker) error {
		version, err := b.version(ctx, protocol.KeyAddOffsetsToTxn)
		if err != nil {
			return final{err}
		}
		pid, epoch := t.identity()
		req := &protocol.AddOffsetsToTxnRequest{TransactionalID: t.id, ProducerID: pid, ProducerEpoch: epoch, GroupID: group}
		var resp protocol.AddOffsetsToTxnResponse
		if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
			return err
		}
		if err := codeError(resp.ErrorCode); err != nil {
			return b.opError("add offsets to transaction", "", -1, fmt.Errorf("group %s: %w", group, err))
		}
		return nil
	})
}

// txnOffsetCommit stages the consumer's offsets at its group's
// coordinator, to be committed with the transaction.
func (t *transactions) txnOffsetCommit(ctx context.Context, group string, at txnPoint) error {
	topics := map[string][]protocol.TxnOffsetCommitRequestTopicPartition{}
	var order []string
	for tp, o := range at.offsets {
		if topics[tp.Topic] == nil {
			order = append(order, tp.Topic)
		}
		topics[tp.Topic] = append(topics[tp.Topic], protocol.TxnOffsetCommitRequestTopicPartition{
			PartitionIndex: tp.Partition, CommittedOffset: o, CommittedLeaderEpoch: -1})
	}
	return t.p.client.coordinatorRetry(ctx, coordinatorKey{typ: coordinatorGroup, key: group}, func(b *broker) error {
		version, err := b.version(ctx, protocol.KeyTxnOffsetCommit)
		if err != nil {
			return final{err}
		}
		pid, epoch := t.identity()
		req := &protocol.TxnOffsetCommitRequest{TransactionalID: t.id, GroupID: group, ProducerID: pid, ProducerEpoch: epoch,
			GenerationID: at.generation, MemberID: at.memberID, GroupInstanceID: at.instanceID}
		for _, name := range order {
			req.Topics = append(req.Topics, protocol.TxnOffsetCommitRequestTopic{Name: name, Partitions: topics[name]})
		}
		var resp protocol.TxnOffsetCommitResponse
		if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
			return err
		}
		var errs []error
		for _, rt := range resp.Topics {
			for _, rp := range rt.Partitions {
				if rp.ErrorCode != 0 {
					errs = append(errs, b.opError("commit offsets in transaction", rt.Name, rp.PartitionIndex, Error(rp.ErrorCode)))
				}
			}
		}
		return firstFinal(errs)
	})
}
