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
// RunWorkers blocks until ctx ends (returning ctx's error) or the consumer
// is closed (returning nil); Close waits for the workers. Only one
// RunWorkers may run at a time. With AutoCommitEnable it needs
// TrackTaskDone, or messages waiting for a worker at a commit would be
// committed unhandled.
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
			c.client.log.Warn("kafka: consuming for the partition workers", "group", c.cfg.ConsumerGroup, "err", err)
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

	mu    sync.Mutex
	queue []Message
	head  int
	ready chan struct{} // signalled when the queue gains a message
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

// pop takes the oldest queued message, if any.
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
	w.mu.Unlock()
	w.f.addBacklog(w.tp, -1)
	return msg, true
}

// assigned starts a worker for each new partition.
func (wp *workerPool) assigned(tps []TopicPartition) {
	wp.mu.Lock()
	defer wp.mu.Unlock()
	wp.c.mu.Lock()
	f := wp.c.f
	wp.c.mu.Unlock()
	for _, tp := range tps {
		if _, ok := wp.workers[tp]; ok || wp.ctx.Err() != nil || f == nil {
			continue
		}
		ctx, cancel := context.WithCancel(wp.ctx)
		w := &worker{tp: tp, f: f, cancel: cancel, done: make(chan struct{}), ready: make(chan struct{}, 1)}
		wp.workers[tp] = w
		go wp.work(ctx, tp, w)
	}
}

// revoked stops the partitions' workers and waits for them.
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
