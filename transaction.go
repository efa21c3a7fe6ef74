package kafka

import (
	"context"
	"errors"
	"fmt"
)

// Transactions (exactly-once) in outline: a Producer made with
// ProducerConfig.TransactionalID registers that ID with its transaction
// coordinator when it is made, which fences any earlier producer of the
// same ID. Then, in a loop, BeginTransaction opens a transaction, Produce
// and ProduceSync write into it, SendOffsetsToTransaction adds a
// consumer's progress, and CommitTransaction makes it all visible to
// read-committed consumers at once, or AbortTransaction discards it all.
// pykafka had no transactions; the names and the rules are the Java
// client's.

// ErrNoTransaction is returned by Produce, ProduceSync, CommitTransaction
// and SendOffsetsToTransaction of a transactional producer when no
// transaction is open (BeginTransaction was not called, or the transaction
// is being committed or aborted), and by the transaction calls of a
// producer that is not transactional.
var ErrNoTransaction = errors.New("kafka: no transaction is open")

// ErrTransactionInProgress is returned by BeginTransaction while a
// transaction is open.
var ErrTransactionInProgress = errors.New("kafka: a transaction is already open")

// ErrTransactionAborted is reported for each message of a transaction that
// AbortTransaction (or Close) discarded before it was sent: the Java
// client's TransactionAbortedException.
var ErrTransactionAborted = errors.New("kafka: the transaction was aborted")

// A TransactionError is the error of a transactional producer's call, or
// the delivery error of a message of a failed transaction. Fatal says
// what to do next: when false, the transaction failed and must be ended
// with AbortTransaction, after which the producer is good for a new one;
// when true, the producer cannot go on (another producer with the same
// TransactionalID fenced it, or the cluster refuses the ID) and must be
// closed. Err is the cause: errors.Is matches the Kafka error, such as
// ErrProducerFenced.
type TransactionError struct {
	TransactionalID string
	Op              string // the call that failed: "commit", "send offsets", ...
	Fatal           bool
	Err             error
}

// Error names the transactional ID, the call, the cause and what to do.
func (e *TransactionError) Error() string {
	what := "abort the transaction"
	if e.Fatal {
		what = "fatal: close the producer"
		if errors.Is(e.Err, ErrProducerFenced) || errors.Is(e.Err, ErrInvalidProducerEpoch) {
			what = fmt.Sprintf("fatal: a newer producer with transactional ID %q fenced this one; close it", e.TransactionalID)
		}
	}
	return fmt.Sprintf("kafka: transactional producer %q: %s: %v (%s)", e.TransactionalID, e.Op, e.Err, what)
}

// Unwrap returns the cause.
func (e *TransactionError) Unwrap() error { return e.Err }

// BeginTransaction opens a transaction: the messages produced until
// CommitTransaction or AbortTransaction belong to it. It does no network
// I/O (partitions join the transaction as their first batches go out). It
// returns ErrTransactionInProgress while a transaction is open, the
// producer's *TransactionError while a failed transaction waits for
// AbortTransaction or after a fatal one, ErrProducerStopped after Close,
// and ErrNoTransaction for a producer without TransactionalID.
func (p *Producer) BeginTransaction() error {
	if err := p.transactional(); err != nil {
		return err
	}
	if p.isClosed() {
		return ErrProducerStopped
	}
	return p.txn.begin()
}

// CommitTransaction sends every message of the open transaction, waits for
// all to be acknowledged (a message whose topic is still being looked up
// or created is waited for too, until it is sent, or fails at
// DeliveryTimeout), and commits the transaction: its messages and
// the offsets SendOffsetsToTransaction added become visible together. If a
// message of the transaction was not delivered, nothing is committed and
// a *TransactionError says why: call AbortTransaction. When ctx ends
// first, CommitTransaction returns ctx's error and may be called again to
// finish; the outcome is unknown meanwhile.
func (p *Producer) CommitTransaction(ctx context.Context) error {
	if err := p.transactional(); err != nil {
		return err
	}
	return p.txn.end(ctx, true)
}

// AbortTransaction ends the open (or failed) transaction and discards it:
// messages not yet sent, those still waiting for their topic's metadata
// included, are reported failed with ErrTransactionAborted at once,
// those already written are marked aborted, which read-committed consumers
// skip, and offsets sent with SendOffsetsToTransaction are dropped. The
// producer is then ready for BeginTransaction. A consumer whose offsets
// were in the transaction has moved past messages whose output was
// discarded: rewind it (BalancedConsumer.RewindToCommitted). The abort
// waits only for the answers to batches already sent, and for the
// coordinator: when ctx ends first, it returns ctx's error and may be
// called again to finish. After a fatal error AbortTransaction returns
// that error.
func (p *Producer) AbortTransaction(ctx context.Context) error {
	if err := p.transactional(); err != nil {
		return err
	}
	return p.txn.end(ctx, false)
}

// SendOffsetsToTransaction adds the consumer's progress to the open
// transaction: the next offset to read of every partition assigned to c,
// of every topic it reads (with TrackTaskDone, up to the oldest message
// not done), committed for c's group when the transaction commits, and
// never if it aborts. The commit carries c's generation and member ID
// (KIP-447), so that the coordinator refuses it from a member the group
// has since replaced. If c gave up partitions after handing out messages
// of this transaction (a rebalance), their offsets can no longer be
// committed: SendOffsetsToTransaction returns a *TransactionError wrapping
// ErrRebalanceInProgress, and the transaction must be aborted and c
// rewound. Call it after the transaction's last message was consumed, and
// before CommitTransaction.
func (p *Producer) SendOffsetsToTransaction(ctx context.Context, c *BalancedConsumer) error {
	if err := p.transactional(); err != nil {
		return err
	}
	return p.txn.sendOffsets(ctx, c)
}

// transactional returns ErrNoTransaction for a producer without
// TransactionalID.
func (p *Producer) transactional() error {
	if p.txn == nil {
		return fmt.Errorf("%w: the producer has no TransactionalID", ErrNoTransaction)
	}
	return nil
}
