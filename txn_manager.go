package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// txnState is where a transactional producer is in its cycle.
type txnState int32

const (
	txnIdle       txnState = iota // no transaction: BeginTransaction opens one
	txnOpen                       // messages and offsets join the transaction
	txnCommitting                 // CommitTransaction is under way (or was cut short by its context)
	txnAborting                   // AbortTransaction is under way (or was cut short)
	txnAbortable                  // the transaction failed: only AbortTransaction ends it
	txnFatal                      // fenced, or refused for good: the producer must be closed
)

// transactions is a transactional producer's side of the transaction
// protocol (the Java client's TransactionManager): its state, the
// partitions and groups of the open transaction, and the requests to the
// transaction coordinator. The identity (producer ID, epoch) stays in the
// producer's idempotence, whose sequence numbers the batches carry.
type transactions struct {
	p       *Producer
	id      string
	timeout time.Duration

	state atomic.Int32 // a txnState; changed under gate and mu
	// gate orders Produce against the state: Produce holds it shared
	// from its check of the state until its message is queued, and a
	// transaction's end takes it alone to change the state, so that no
	// message slips into a transaction being committed.
	gate sync.RWMutex

	mu      sync.Mutex
	err     *TransactionError   // why the state is txnAbortable or txnFatal
	rebump  bool                // the broker's sequences are unknown: a new epoch after the abort
	started bool                // the coordinator knows of the transaction: EndTxn ends it
	added   map[*partQueue]bool // partitions in the transaction
	pending map[*partQueue]bool // partitions waiting for AddPartitionsToTxn
	adding  chan struct{}       // non-nil while a goroutine adds partitions; closed when it stops
	groups  map[string]bool     // groups whose offsets are in the transaction
	ctx     context.Context     // ends at Close: the background requests stop
	cancel  context.CancelFunc
}

func newTransactions(p *Producer) *transactions {
	t := &transactions{p: p, id: p.cfg.TransactionalID, timeout: p.cfg.TransactionTimeout,
		added: map[*partQueue]bool{}, pending: map[*partQueue]bool{}, groups: map[string]bool{}}
	t.ctx, t.cancel = context.WithCancel(p.client.ctx)
	return t
}

func (t *transactions) current() txnState { return txnState(t.state.Load()) }

// failure returns the error of a failed transaction, or nil.
func (t *transactions) failure() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil {
		return nil
	}
	return t.err
}

// begin opens a transaction.
func (t *transactions) begin() error {
	t.gate.Lock()
	defer t.gate.Unlock()
	switch t.current() {
	case txnIdle:
		t.state.Store(int32(txnOpen))
		return nil
	case txnAbortable, txnFatal:
		return t.failure()
	case txnCommitting, txnAborting:
		return fmt.Errorf("%w: the previous one is being ended", ErrTransactionInProgress)
	}
	return ErrTransactionInProgress
}

// admit says whether a message (or, for SendOffsetsToTransaction,
// offsets) may join the transaction now; Produce holds gate shared.
func (t *transactions) admit() error {
	switch t.current() {
	case txnOpen:
		return nil
	case txnAbortable, txnFatal:
		return t.failure()
	}
	return fmt.Errorf("%w: call BeginTransaction first", ErrNoTransaction)
}

// mayWrite reports whether q's partition is in the transaction, so that
// its batches may be sent; if not, it asks for it to be added. q.mu is
// held (the lock order is q.mu, then t.mu).
func (t *transactions) mayWrite(q *partQueue) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.added[q] {
		return true
	}
	if st := t.current(); st != txnOpen && st != txnCommitting {
		return false // nothing more joins a transaction that is failing or aborting
	}
	t.pending[q] = true
	if t.adding == nil {
		select {
		case <-t.p.quit:
			return false
		default:
		}
		t.adding = make(chan struct{})
		t.p.bg.Add(1)
		go t.addPending(t.adding)
	}
	return false
}

// addPending adds the partitions waiting to join the transaction, in one
// AddPartitionsToTxn per round, until none waits.
func (t *transactions) addPending(done chan struct{}) {
	defer t.p.bg.Done()
	defer close(done)
	for {
		t.mu.Lock()
		st := t.current()
		if len(t.pending) == 0 || st != txnOpen && st != txnCommitting {
			clear(t.pending)
			t.adding = nil
			t.mu.Unlock()
			return
		}
		queues := make([]*partQueue, 0, len(t.pending))
		for q := range t.pending {
			queues = append(queues, q)
		}
		t.mu.Unlock()

		ctx, cancel := context.WithTimeout(t.ctx, t.p.cfg.DeliveryTimeout)
		err := t.addPartitions(ctx, queues)
		cancel()
		t.mu.Lock()
		for _, q := range queues {
			delete(t.pending, q)
			if err == nil {
				t.added[q] = true
			}
		}
		if err == nil {
			t.started = true
		}
		t.mu.Unlock()
		if err != nil {
			t.fail("add partitions", err)
		}
		t.p.client.producers.wakeSinks()
	}
}

// fail makes the transaction abortable, or the producer fatally failed,
// and fails the batches not yet sent: nothing more of the transaction
// will be written.
func (t *transactions) fail(op string, err error) {
	if txErr := t.recordFailure(op, err); txErr != nil {
		t.failedQueued(txErr)
	}
}

// recordFailure makes the transaction abortable, or the producer fatally
// failed, and returns the new failure, or nil when an earlier one stands
// (the first failure stands, unless this one is worse). It takes only
// t.mu, so that a batch's completion can call it under its partition's
// lock, before the batch counts as done (see Producer.complete).
func (t *transactions) recordFailure(op string, err error) *TransactionError {
	fatal := fatalForTxn(err)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil && (t.err.Fatal || !fatal) {
		return nil
	}
	t.err = &TransactionError{TransactionalID: t.id, Op: op, Fatal: fatal, Err: err}
	if errors.Is(err, ErrInvalidProducerEpoch) || errors.Is(err, ErrUnknownProducerID) ||
		errors.Is(err, ErrOutOfOrderSequenceNumber) || errors.Is(err, ErrInvalidProducerIDMapping) {
		t.rebump = true // the broker no longer takes this epoch's sequences
	}
	clear(t.pending)
	if fatal {
		t.state.Store(int32(txnFatal))
	} else {
		t.state.CompareAndSwap(int32(txnOpen), int32(txnAbortable))
		t.state.CompareAndSwap(int32(txnCommitting), int32(txnAbortable))
	}
	return t.err
}

// failedQueued logs a failure recordFailure recorded and fails the
// batches not yet sent with it. No partition lock may be held.
//
// It fails only batches of the transaction txErr failed: its caller may
// run late (the goroutine that settled a refused batch gets to it after
// the batch was reported done, and so after CommitTransaction saw the
// failure and the application aborted), by which time the batches queued
// may be the next transaction's. Failed with this stale error, which is
// not their own (ownFailure), they did not fail that transaction, and it
// committed without them. So each partition's batches are failed only
// while txErr is still the failure of the transaction, checked under the
// partition's lock: a batch of the next transaction joins a partition
// only after finish has cleared the failure.
func (t *transactions) failedQueued(txErr *TransactionError) {
	t.p.client.log.Warn("kafka: transaction failed", "transactional_id", t.id, "op", txErr.Op, "fatal", txErr.Fatal, "err", txErr.Err)
	t.p.failQueuedWhile(txErr, func() bool {
		t.mu.Lock()
		defer t.mu.Unlock()
		return t.err == txErr
	})
}

// batchFailed is told of each batch of the transaction that failed, with
// its partition's lock held and before the batch is reported done: a
// CommitTransaction waiting for the batch must find the transaction
// failed when the wait ends. (Told after the reports, as it once was, the
// failure could come while EndTxn was committing the transaction without
// the batch, and be wiped by the end of the commit: the batch's messages
// were lost, and their input's offsets committed.) rebump says the broker
// may hold the batch, or batches after it, so that only a new epoch makes
// the sequences certain again. It returns the failure for the caller to
// hand to failedQueued once the lock is released, or nil.
func (t *transactions) batchFailed(err error, rebump bool) *TransactionError {
	if rebump {
		t.mu.Lock()
		t.rebump = true
		t.mu.Unlock()
	}
	if !ownFailure(err) {
		return nil
	}
	return t.recordFailure("produce", err)
}

// messageFailed is told of each message of the transaction that failed
// before it joined a batch (too large, its topic unknown, or refused by
// the partitioner once its topic was known), before it is reported, with
// no partition lock held: the transaction cannot commit without it. (The
// Java client fails the transaction likewise.)
func (t *transactions) messageFailed(err error) {
	if ownFailure(err) {
		t.fail("produce", err)
	}
}

// refused is told of a message that Produce admitted into the
// transaction and then refused, returning err: the partitioner's error,
// no room (FailOnQueueFull, or ctx ended while Produce waited for some).
// The transaction cannot commit without the message, and the application
// may go on to commit without looking at err, so it fails the transaction
// (abortable), as the Java client's send does with every ApiException it
// meets while taking a record: a TimeoutException from max.block.ms
// (metadata, or buffer memory), a record too large, and so on. A ctx
// that ended is this client's max.block.ms, whether it ended at a
// deadline or by a cancel (Java's thread interrupt, which leaves the
// transaction alone, has no equivalent here: every wait is under ctx).
// Refusals because the producer or client is closing do not: Close
// aborts the transaction anyway. The gate is held shared: only the
// failure is recorded, and refused returns it for failedQueued, with
// the error for Produce to return (the failure, or the earlier one that
// stands). t.mu must not be held.
func (t *transactions) refused(err error) (*TransactionError, error) {
	if errors.Is(err, ErrProducerStopped) || errors.Is(err, ErrClientClosed) {
		return nil, err
	}
	if failed := t.recordFailure("produce", err); failed != nil {
		return failed, failed
	}
	if standing := t.failure(); standing != nil {
		return nil, standing
	}
	return nil, err
}

// ownFailure reports whether a message's failure is its own, not the
// abort's or that of the transaction failed already.
func ownFailure(err error) bool {
	return !errors.Is(err, ErrTransactionAborted) && !errors.As(err, new(*TransactionError))
}

// fatalForTxn reports whether err leaves a transactional producer unable
// to go on, as the Java client decides: it was fenced, or the cluster
// refuses its transactional ID or the protocol. Anything else fails the
// transaction only.
func fatalForTxn(err error) bool {
	for _, fatal := range []error{ErrProducerFenced, ErrTransactionalIDAuthorizationFailed,
		ErrInvalidTxnState, ErrTransactionCoordinatorFenced, ErrClusterAuthorizationFailed,
		ErrUnsupportedVersion, ErrUnsupportedForMessageFormat, ErrClientClosed, ErrProducerStopped} {
		if errors.Is(err, fatal) {
			return true // a broker too old for transactions is ErrUnsupportedVersion
		}
	}
	return false
}

// end commits or aborts the transaction.
func (t *transactions) end(ctx context.Context, commit bool) error {
	op := "abort"
	if commit {
		op = "commit"
	}
	if err := t.startEnding(commit); err != nil {
		return err
	}
	if commit {
		if err := t.p.flush(ctx); err != nil {
			return err // still committing: a later call goes on
		}
		if err := t.failure(); err != nil {
			return err // a message failed: the state is abortable
		}
	} else {
		// Messages still waiting for their topic's metadata first: placed
		// in batches after the abort began, they would never be sent (an
		// aborting transaction adds no partition), and the wait for them
		// lasted until DeliveryTimeout; placed after the abort, they went
		// out with the next transaction.
		if err := t.p.discardHeld(ctx, ErrTransactionAborted); err != nil {
			return err
		}
		t.p.failQueued(ErrTransactionAborted)
		if err := t.settle(ctx); err != nil {
			return err
		}
	}
	t.mu.Lock()
	started, rebump, failed := t.started, t.rebump, t.err
	t.mu.Unlock()
	if failed != nil && failed.Fatal {
		return failed
	}
	if started {
		if err := t.endTxn(ctx, commit); err != nil {
			if ctx.Err() != nil {
				return err // cut short: a later call tries again
			}
			t.fail(op, err)
			return t.failure()
		}
	}
	if !commit && rebump {
		if err := t.initProducerID(ctx, true); err != nil {
			if ctx.Err() != nil {
				return err
			}
			t.fail("abort: new epoch", err)
			return t.failure()
		}
	}
	t.finish()
	return nil
}

// startEnding moves the state to committing or aborting, if the state
// allows it.
func (t *transactions) startEnding(commit bool) error {
	t.gate.Lock()
	defer t.gate.Unlock()
	st := t.current()
	switch {
	case st == txnFatal:
		return t.failure()
	case commit && st == txnAbortable:
		return t.failure()
	case commit && st == txnAborting:
		return fmt.Errorf("%w: an abort is under way: call AbortTransaction", ErrNoTransaction)
	case commit && (st == txnOpen || st == txnCommitting):
		t.state.Store(int32(txnCommitting))
	case !commit && st == txnIdle:
		return fmt.Errorf("%w: nothing to abort", ErrNoTransaction)
	case !commit:
		t.state.Store(int32(txnAborting))
	default:
		return fmt.Errorf("%w: call BeginTransaction first", ErrNoTransaction)
	}
	return nil
}

// settle waits, in an abort, for the batches in flight to have their
// answers, and for partitions being added to be added or not: the abort
// marker must cover everything the brokers may hold of the transaction.
func (t *transactions) settle(ctx context.Context) error {
	t.mu.Lock()
	adding := t.adding
	t.mu.Unlock()
	if adding != nil {
		select {
		case <-adding:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := t.p.flush(ctx)
	t.p.failQueued(ErrTransactionAborted) // what came back for a retry meanwhile
	return err
}

// finish ends the transaction on the producer's side: the next one
// starts afresh.
func (t *transactions) finish() {
	t.gate.Lock()
	defer t.gate.Unlock()
	t.mu.Lock()
	clear(t.added)
	clear(t.groups)
	t.started, t.rebump, t.err = false, false, nil
	t.mu.Unlock()
	t.state.Store(int32(txnIdle))
	t.p.failures.take() // the aborted messages' failures were the transaction's
}

// closeOpen aborts the transaction open at Close, within ctx.
func (t *transactions) closeOpen(ctx context.Context) error {
	defer t.cancel()
	switch t.current() {
	case txnIdle, txnFatal:
		return nil
	}
	if err := t.end(ctx, false); err != nil {
		return fmt.Errorf("kafka: aborting the open transaction at Close: %w", err)
	}
	return nil
}

// resetSequences starts every partition's sequences afresh, as a new
// epoch does. No batch is queued: the transaction was aborted.
func (t *transactions) resetSequences() {
	for _, q := range t.p.allQueues() {
		q.mu.Lock()
		q.nextSeq = 0
		q.mu.Unlock()
	}
}
