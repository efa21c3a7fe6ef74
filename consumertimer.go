package kafka

import (
	"sync"
	"time"
)

// consumerTimer is a ConsumerTimeout that costs nothing unless Consume
// has to wait: a timer is then taken from a pool, and given back by stop.
// The timeout runs from the first wait, not from the call: a Consume
// that finds a message at once does not even read the clock (which cost
// as much as the rest of taking a queued message), and one that waits
// has spent no more than a look at the queue before.
type consumerTimer struct {
	d time.Duration // 0: no timeout
	t *time.Timer
}

// timerPool holds stopped timers. Since Go 1.23 a stopped or reset timer
// never delivers a stale tick, so a pooled timer is as good as a new one.
var timerPool = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}}

func newConsumerTimer(d time.Duration) consumerTimer {
	if d <= 0 {
		return consumerTimer{}
	}
	return consumerTimer{d: d}
}

// C returns the channel that fires at the timeout, nil without one.
func (ct *consumerTimer) C() <-chan time.Time {
	if ct.d <= 0 {
		return nil
	}
	if ct.t == nil {
		ct.t = timerPool.Get().(*time.Timer)
		ct.t.Reset(ct.d)
	}
	return ct.t.C
}

func (ct *consumerTimer) stop() {
	if ct.t != nil {
		ct.t.Stop()
		timerPool.Put(ct.t)
		ct.t = nil
	}
}
