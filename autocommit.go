package kafka

import "sync/atomic"

// commitCounter asks for an early auto-commit after every n messages
// handed out, yelp_kafka's auto_commit_interval_messages; with n = 0 it
// never does, and commits go by AutoCommitInterval alone.
type commitCounter struct {
	n     int64
	count atomic.Int64
	due   chan struct{} // signalled when n more messages were handed out
}

func newCommitCounter(n int) *commitCounter {
	return &commitCounter{n: int64(n), due: make(chan struct{}, 1)}
}

// consumed counts one message handed out.
func (cc *commitCounter) consumed() {
	if cc.n > 0 && cc.count.Add(1)%cc.n == 0 {
		select {
		case cc.due <- struct{}{}:
		default: // a commit is already due
		}
	}
}
