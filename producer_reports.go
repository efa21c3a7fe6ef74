package kafka

import (
	"errors"
	"fmt"
	"sync"
)

// A DeliveryError sums up the messages of one partition that failed for
// one cause. When delivery reports are off, [Producer.Flush] and
// [Producer.Close] return one per partition and cause, joined with
// [errors.Join]; errors.Is and errors.As see through it to the first
// message's error.
type DeliveryError struct {
	Topic     string
	Partition int32
	Messages  int   // how many messages failed so
	Err       error // the first of them's error, usually an *OpError
}

// Error says where, how many and why, as in "topic t partition 3: 120
// messages: MESSAGE_TOO_LARGE (10): ...".
func (e *DeliveryError) Error() string {
	cause := e.Err
	var op *OpError
	if errors.As(cause, &op) && op.Topic == e.Topic && op.Partition == e.Partition {
		cause = op.Err // the topic and partition are said already
	}
	noun := "messages"
	if e.Messages == 1 {
		noun = "message"
	}
	return fmt.Sprintf("topic %s partition %d: %d %s: %v", e.Topic, e.Partition, e.Messages, noun, cause)
}

// Unwrap returns the first message's error.
func (e *DeliveryError) Unwrap() error { return e.Err }

// maxFailureKinds bounds the distinct (partition, cause) pairs a producer
// keeps between two Flushes; further kinds are only counted.
const maxFailureKinds = 64

// failureKey is what makes two failures the same: their partition and the
// cause, by Kafka error code where there is one, else by text.
type failureKey struct {
	partition int32
	stopped   bool
	code      Error
	text      string
}

func keyOf(partition int32, err error) failureKey {
	k := failureKey{partition: partition, stopped: errors.Is(err, ErrProducerStopped)}
	if errors.As(err, &k.code) {
		return k
	}
	var op *OpError
	if errors.As(err, &op) {
		err = op.Err
	}
	k.text = err.Error()
	return k
}

// failureTally keeps the failures reported while delivery reports are
// off, for the next Flush or Close.
type failureTally struct {
	mu     sync.Mutex
	kinds  map[failureKey]*DeliveryError
	order  []*DeliveryError // as first seen
	others int              // failures past maxFailureKinds kinds
}

func (t *failureTally) add(topic string, partition int32, err error) {
	t.addN(topic, partition, err, 1)
}

// addN counts n messages that failed for err.
func (t *failureTally) addN(topic string, partition int32, err error, n int) {
	k := keyOf(partition, err)
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.kinds[k]; e != nil {
		e.Messages += n
		return
	}
	if len(t.order) == maxFailureKinds {
		t.others += n
		return
	}
	if t.kinds == nil {
		t.kinds = make(map[failureKey]*DeliveryError)
	}
	e := &DeliveryError{Topic: topic, Partition: partition, Messages: n, Err: err}
	t.kinds[k] = e
	t.order = append(t.order, e)
}

// take returns every failure kept, joined, and forgets them.
func (t *failureTally) take() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	errs := make([]error, 0, len(t.order)+1)
	for _, e := range t.order {
		errs = append(errs, e)
	}
	if t.others > 0 {
		errs = append(errs, fmt.Errorf("kafka: %d more messages failed, for other causes", t.others))
	}
	t.kinds, t.order, t.others = nil, nil, 0
	return errors.Join(errs...)
}

// reportQueue hands delivery reports to the DeliveryReports channel. The
// producer appends to a list that grows only as far as the application
// lags behind (at most MaxQueuedMessages, since a message keeps its queue
// slot until its report is handed over), and one goroutine feeds the
// channel from it. A channel as large as the queue would cost its full
// size (some 14 MB at the defaults) for every producer, used or not.
type reportQueue struct {
	ch chan DeliveryReport

	mu      sync.Mutex
	pending []DeliveryReport // not yet taken by the hand-over, oldest first
	closing bool             // no more reports: close ch once all are handed over
	ready   chan struct{}    // signalled when pending stops being empty, or at close
}

const (
	// reportChanSize is the DeliveryReports channel's own buffer: it
	// lets the hand-over run ahead of the reader a little.
	reportChanSize = 64
	// maxKeptReports is the largest list kept for reuse after a burst
	// (some 2.4 MB); larger ones are given back.
	maxKeptReports = 16384
)

func newReportQueue() *reportQueue {
	return &reportQueue{ch: make(chan DeliveryReport, reportChanSize), ready: make(chan struct{}, 1)}
}

func (q *reportQueue) push(r DeliveryReport) {
	q.mu.Lock()
	wasEmpty := len(q.pending) == 0
	q.pending = append(q.pending, r)
	q.mu.Unlock()
	if wasEmpty {
		signal(q.ready) // the hand-over waits only when it found the list empty
	}
}

// close makes the hand-over close the channel after the last report.
func (q *reportQueue) close() {
	q.mu.Lock()
	q.closing = true
	q.mu.Unlock()
	signal(q.ready)
}

// handOver feeds the channel until close, and every report is handed
// over; handed is told of reports taken by the channel, in steps of up to
// handStep, so that their slots come back a few at a time rather than one
// wake-up per report. A Producer runs it in a goroutine of its own, which
// outlives Close until the application has read the last report. It takes
// the whole list at once and gives the producer an empty one, so that the
// two do not contend for the lock report by report.
func (q *reportQueue) handOver(handed func(int)) {
	var taken []DeliveryReport
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			closing := q.closing
			q.mu.Unlock()
			if closing {
				close(q.ch)
				return
			}
			<-q.ready
			continue
		}
		taken, q.pending = q.pending, taken[:0]
		q.mu.Unlock()
		n := 0
		for i := range taken {
			q.ch <- taken[i]
			taken[i] = DeliveryReport{} // drop references to the application's bytes
			if n++; n == handStep {
				handed(n)
				n = 0
			}
		}
		handed(n)
		if cap(taken) > maxKeptReports {
			taken = nil // a burst is over: give its memory back
		}
	}
}

// handStep is how many reports read give their slots back at once.
const handStep = 64

// signal wakes whoever waits on ch, without blocking.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
