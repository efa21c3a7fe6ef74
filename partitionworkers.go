package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gokafka/kafka/internal/backoff"
)

// A PartitionHandler processes one message. RunWorkers calls it from the
// goroutine of the message's partition, so a partition's messages are
// handled one at a time, in order.
type PartitionHandler func(ctx context.Context, msg Message) error

// RunWorkers consumes with one goroutine per assigned partition, the Go
// form of yelp_kafka's MultiprocessingConsumerGroup: a partition's worker
// starts when the partition is assigned and is stopped (its context
// cancelled, and waited for) before the partition is given up in a
// rebalance, so that its progress can be committed. Each message whose
// handler returns nil is marked with TaskDone; set TrackTaskDone (and
// AutoCommitEnable, or call CommitOffsets) to commit exactly what was
// handled. A handler that returns an error or panics is called again with
// the same message after a backoff, so a partition never skips one.
//
// RunWorkers blocks until ctx ends (returning ctx's error), the consumer
// is closed (returning nil), or Consume meets an error other than
// ErrConsumerTimeout, which RunWorkers returns: a lost connection (an
// error wrapping ErrSocketDisconnected or ErrNoBrokersAvailable), a
// membership or commit failure. Either way it first stops the workers, and
// the messages they had not handled go back to the consumer: the next
// RunWorkers (or Consume) returns them again, and a commit does not pass
// them. After an error the guide's advice holds: close the consumer and
// make a new one, or call RunWorkers again to carry on. Close waits for the
// workers. Only one RunWorkers may run at a time. With AutoCommitEnable it
// needs TrackTaskDone, or messages waiting for a worker at a commit would
// be committed unhandled.
func (c *BalancedConsumer) RunWorkers(ctx context.Context, handle PartitionHandler) error {
	if c.cfg.AutoCommitEnable && !c.cfg.TrackTaskDone {
		return errors.New("kafka: RunWorkers with AutoCommitEnable needs TrackTaskDone, or unhandled messages would be committed")
	}
	wp := &workerPool{c: c, handle: handle, workers: map[TopicPartition]*worker{}}
	wp.ctx, wp.cancel = context.WithCancel(ctx)
	c.mu.Lock()
	if c.workers != nil {
		c.mu.Unlock()
		return errors.New("kafka: RunWorkers is already running")
	}
	c.workers = wp
	assigned := c.assigned
	c.mu.Unlock()
	wp.assigned(assigned)
	defer func() {
		c.mu.Lock()
		c.workers = nil
		c.mu.Unlock()
		wp.stop()
	}()
	for {
		msg, err := c.Consume(wp.ctx)
		switch {
		case err == nil:
			wp.dispatch(msg)
		case errors.Is(err, ErrConsumerStopped):
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, ErrConsumerTimeout):
		default:
			return err
		}
	}
}

// workerPool runs the partition workers of one RunWorkers call.
type workerPool struct {
	c      *BalancedConsumer
	handle PartitionHandler
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	workers map[TopicPartition]*worker
}

// A worker runs one partition's handler. Its queue is unbounded so that
// dispatching never waits on one slow partition; the fetcher counts the
// queue toward the partition's QueuedMaxMessages, which bounds it.
type worker struct {
	tp     TopicPartition
	f      *fetcher // the assignment's, which counts the backlog
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex
	queue    []Message
	head     int
	inFlight int64         // the offset of the message being handled; -1 when none
	ready    chan struct{} // signalled when the queue gains a message
}

func (w *worker) push(msg Message) {
	w.mu.Lock()
	w.queue = append(w.queue, msg)
	w.mu.Unlock()
	w.f.addBacklog(w.tp, 1)
	select {
	case w.ready <- struct{}{}:
	default:
	}
}

// pop takes the oldest queued message, if any, as the one in flight.
func (w *worker) pop() (Message, bool) {
	w.mu.Lock()
	if w.head == len(w.queue) {
		w.queue, w.head = w.queue[:0], 0
		w.mu.Unlock()
		return Message{}, false
	}
	msg := w.queue[w.head]
	w.queue[w.head] = Message{}
	w.head++
	w.inFlight = msg.Offset
	w.mu.Unlock()
	w.f.addBacklog(w.tp, -1)
	return msg, true
}

// handled records that the message in flight was handled.
func (w *worker) handled() {
	w.mu.Lock()
	w.inFlight = -1
	w.mu.Unlock()
}

// giveBack, once the worker has stopped, hands the messages it did not
// handle (the one in flight and those queued) back to the fetcher: the
// partition moves back to the oldest of them, so that they are consumed
// again, and are not tracked as handed out meanwhile. Without this, a
// RunWorkers that returned and is called again would skip them.
func (w *worker) giveBack(done *doneTracker) {
	w.mu.Lock()
	rewind := w.inFlight
	if rewind < 0 && w.head < len(w.queue) {
		rewind = w.queue[w.head].Offset
	}
	left := len(w.queue) - w.head
	w.queue, w.head, w.inFlight = nil, 0, -1
	w.mu.Unlock()
	if left > 0 {
		w.f.addBacklog(w.tp, -left)
	}
	if rewind >= 0 {
		done.forget([]TopicPartition{w.tp})
		w.f.seek(map[TopicPartition]int64{w.tp: rewind})
	}
}

// assigned starts a worker for each new partition of the consumer's
// current fetcher.
func (wp *workerPool) assigned(tps []TopicPartition) {
	wp.c.mu.Lock()
	f := wp.c.f
	wp.c.mu.Unlock()
	wp.start(f, tps)
}

// start starts a worker for each partition of tps that has none, counting
// its backlog in f. A rebalance calls it before the partitions are
// fetched: a message handed out before its partition had a worker would
// be dropped by dispatch, and never handled.
func (wp *workerPool) start(f *fetcher, tps []TopicPartition) {
	wp.mu.Lock()
	defer wp.mu.Unlock()
	for _, tp := range tps {
		if _, ok := wp.workers[tp]; ok || wp.ctx.Err() != nil || f == nil {
			continue
		}
		ctx, cancel := context.WithCancel(wp.ctx)
		w := &worker{tp: tp, f: f, cancel: cancel, done: make(chan struct{}), inFlight: -1, ready: make(chan struct{}, 1)}
		wp.workers[tp] = w
		go wp.work(ctx, tp, w)
	}
}

// revoked stops the partitions' workers, waits for them and gives back
// what they did not handle.
func (wp *workerPool) revoked(tps []TopicPartition) {
	wp.mu.Lock()
	var stopping []*worker
	for _, tp := range tps {
		if w, ok := wp.workers[tp]; ok {
			w.cancel()
			stopping = append(stopping, w)
			delete(wp.workers, tp)
		}
	}
	wp.mu.Unlock()
	for _, w := range stopping {
		<-w.done
		w.giveBack(&wp.c.done)
	}
}

// stop stops every worker and waits for them.
func (wp *workerPool) stop() {
	wp.cancel()
	wp.mu.Lock()
	tps := make([]TopicPartition, 0, len(wp.workers))
	for tp := range wp.workers {
		tps = append(tps, tp)
	}
	wp.mu.Unlock()
	wp.revoked(tps)
}

// dispatch hands msg to its partition's worker without waiting; a message
// of a partition given up meanwhile is dropped (its new owner reads it
// again).
func (wp *workerPool) dispatch(msg Message) {
	wp.mu.Lock()
	w := wp.workers[TopicPartition{msg.Topic, msg.Partition}]
	wp.mu.Unlock()
	if w != nil {
		w.push(msg)
	}
}

// work handles a partition's messages in order until cancelled.
func (wp *workerPool) work(ctx context.Context, tp TopicPartition, w *worker) {
	defer close(w.done)
	bo := backoff.Backoff{Min: wp.c.client.cfg.RetryBackoff, Max: 30 * wp.c.client.cfg.RetryBackoff}
	for ctx.Err() == nil {
		msg, ok := w.pop()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-w.ready:
			}
			continue
		}
		for attempt := 0; ; attempt++ {
			err := wp.call(ctx, msg)
			if err == nil {
				wp.c.TaskDone(msg)
				w.handled()
				break
			}
			if ctx.Err() != nil {
				return
			}
			wp.c.client.log.Warn("kafka: partition worker failed; retrying the message", "topic", tp.Topic, "partition", tp.Partition, "offset", msg.Offset, "attempt", attempt+1, "err", err)
			if backoff.Sleep(ctx, bo.Delay(attempt)) != nil {
				return
			}
		}
	}
}

// call runs the handler, turning a panic into an error.
func (wp *workerPool) call(ctx context.Context, msg Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("kafka: partition handler panicked: %v", r)
		}
	}()
	return wp.handle(ctx, msg)
}
