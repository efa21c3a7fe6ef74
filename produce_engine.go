package kafka

import (
	"context"
	"sync"
	"time"
)

// produceEngine is the Client's side of producing: one sink per broker
// (and per request-wide settings) shared by every producer of the Client,
// the routing of each producer's partitions to their leader's sink, and
// one goroutine that looks up the topics and leaders producers wait for.
// So goroutines and connections grow with brokers, not with producers.
type produceEngine struct {
	c       *Client
	wake    chan struct{}
	started sync.Once

	mu      sync.Mutex
	sinks   map[sinkKey]*sink
	queues  map[*partQueue]struct{}   // every partition queue of every open producer
	lookups map[*topicQueues]struct{} // topics whose messages wait for metadata
	stale   map[string]struct{}       // topics whose leaders a broker said moved
}

func (e *produceEngine) init(c *Client) {
	e.c = c
	e.wake = make(chan struct{}, 1)
	e.sinks = make(map[sinkKey]*sink)
	e.queues = make(map[*partQueue]struct{})
	e.lookups = make(map[*topicQueues]struct{})
	e.stale = make(map[string]struct{})
}

// start runs the engine's goroutine, once a producer needs it.
func (e *produceEngine) start() {
	e.started.Do(func() {
		e.c.bg.Add(1)
		go e.run()
	})
}

// register routes a new partition queue to its leader's sink.
func (e *produceEngine) register(q *partQueue) {
	e.start()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.c.isClosed() {
		return
	}
	e.queues[q] = struct{}{}
	e.route(q, e.c.meta.Load())
}

// unregister forgets a closed producer's queues.
func (e *produceEngine) unregister(p *Producer) {
	queues := p.allQueues()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, q := range queues {
		delete(e.queues, q)
		q.mu.Lock()
		s := q.sink
		q.sink = nil
		q.mu.Unlock()
		if s != nil {
			s.remove(q)
		}
	}
	for tq := range e.lookups {
		if tq.p == p {
			delete(e.lookups, tq)
		}
	}
}

// lookup asks for the metadata of a topic whose messages wait for it.
func (e *produceEngine) lookup(tq *topicQueues) {
	e.start()
	e.mu.Lock()
	e.lookups[tq] = struct{}{}
	e.mu.Unlock()
	signal(e.wake)
}

// refreshFor asks for fresh metadata for a topic after a broker said a
// leader moved or a request failed.
func (e *produceEngine) refreshFor(topic string) {
	e.mu.Lock()
	e.stale[topic] = struct{}{}
	e.mu.Unlock()
	signal(e.wake)
}

// metaChanged is told of every new metadata: leaders may have moved.
func (e *produceEngine) metaChanged() { signal(e.wake) }

// wakeSinks has every sink look for ready batches.
func (e *produceEngine) wakeSinks() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.sinks {
		s.signal()
	}
}

// reroute routes qs to their leaders' sinks by the current metadata.
func (e *produceEngine) reroute(qs []*partQueue) {
	meta := e.c.meta.Load()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, q := range qs {
		if _, ok := e.queues[q]; ok {
			e.route(q, meta)
		}
	}
}

// route moves q to the sink of its partition's leader, or to none while
// there is no leader; e.mu is held.
func (e *produceEngine) route(q *partQueue, meta *clusterMeta) {
	var s *sink
	if tm, ok := meta.topics[q.tq.name]; ok {
		if part, ok := tm.partition(q.id); ok && part.Leader >= 0 {
			key := sinkKey{broker: part.Leader, wire: q.p.wire}
			if s = e.sinks[key]; s == nil {
				s = newSink(e, key)
				e.sinks[key] = s
			}
		}
	}
	q.mu.Lock()
	old := q.sink
	q.sink = s
	q.mu.Unlock()
	if old == s {
		return
	}
	if old != nil {
		old.remove(q)
	}
	if s != nil {
		s.add(q)
	}
}

// run looks up what producers wait for: topics not yet known, partitions
// without a leader, leaders that moved. It refreshes at most once per
// RetryBackoff.
func (e *produceEngine) run() {
	defer e.c.bg.Done()
	ctx := e.c.ctx
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var last time.Time
	for {
		select {
		case <-e.wake:
		case <-timer.C:
		case <-ctx.Done():
			return
		}
		if wait := e.c.cfg.RetryBackoff - time.Since(last); wait > 0 && e.wanted() {
			timer.Reset(wait)
			continue
		}
		refreshed := e.step(ctx)
		if refreshed {
			last = time.Now()
		}
		if e.wanted() {
			timer.Reset(e.c.cfg.RetryBackoff)
		}
	}
}

// wanted reports whether anything waits for metadata.
func (e *produceEngine) wanted() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.lookups) > 0 || len(e.stale) > 0 {
		return true
	}
	for q := range e.queues {
		q.mu.Lock()
		waiting := q.sink == nil && len(q.batches) > 0
		q.mu.Unlock()
		if waiting {
			return true
		}
	}
	return false
}

// step refreshes the metadata producers wait for, routes every queue to
// its leader, places or fails messages waiting for their topics, and fails
// batches that waited for a leader past DeliveryTimeout. It reports
// whether it asked for metadata.
func (e *produceEngine) step(ctx context.Context) bool {
	e.mu.Lock()
	var lookup, stale []string
	looking := make([]*topicQueues, 0, len(e.lookups))
	for tq := range e.lookups {
		looking = append(looking, tq)
		lookup = append(lookup, tq.name)
	}
	seen := make(map[string]bool)
	for t := range e.stale {
		stale = append(stale, t)
		seen[t] = true
	}
	clear(e.stale)
	for q := range e.queues {
		q.mu.Lock()
		waiting := q.sink == nil && len(q.batches) > 0
		q.mu.Unlock()
		if waiting && !seen[q.tq.name] {
			stale = append(stale, q.tq.name)
			seen[q.tq.name] = true
		}
	}
	e.mu.Unlock()

	var lookErr error
	if len(lookup) > 0 {
		rctx, cancel := context.WithTimeout(ctx, e.c.cfg.RequestTimeout)
		// Topics are created where the cluster creates them on first use.
		lookErr = e.c.refresh(rctx, dedupe(lookup), true)
		cancel()
	}
	if len(stale) > 0 {
		rctx, cancel := context.WithTimeout(ctx, e.c.cfg.RequestTimeout)
		if err := e.c.refresh(rctx, stale, false); err != nil && ctx.Err() == nil {
			e.c.log.Warn("kafka: producer metadata refresh failed", "topics", stale, "err", err)
		}
		cancel()
	}

	meta := e.c.meta.Load()
	e.mu.Lock()
	for q := range e.queues {
		e.route(q, meta)
	}
	e.mu.Unlock()

	now := time.Now()
	for _, tq := range looking {
		tq.mu.Lock()
		tq.lookErr = lookErr
		tq.mu.Unlock()
		if !tq.settleHeld(now, lookErr == nil, nil) {
			e.mu.Lock()
			if !tq.holding.Load() { // else new messages wait again
				delete(e.lookups, tq)
			}
			e.mu.Unlock()
		}
	}
	e.expireUnrouted(now)
	return len(lookup)+len(stale) > 0
}

// expireUnrouted fails batches that waited for a leader past
// DeliveryTimeout.
func (e *produceEngine) expireUnrouted(now time.Time) {
	e.mu.Lock()
	var unrouted []*partQueue
	for q := range e.queues {
		unrouted = append(unrouted, q)
	}
	e.mu.Unlock()
	for _, q := range unrouted {
		q.mu.Lock()
		var expired []*batch
		if q.sink == nil && q.inflight == 0 {
			expired = q.expired(now)
		}
		q.mu.Unlock()
		if expired != nil {
			q.p.expire(expired)
		}
	}
}

func dedupe(names []string) []string {
	seen := make(map[string]bool, len(names))
	out := names[:0]
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
