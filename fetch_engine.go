package kafka

import (
	"slices"
	"sync"
	"time"
)

// fetchEngine is the Client's side of consuming: one source per broker
// (and per request-wide settings: isolation, FetchWaitMax, FetchMinBytes)
// fetching the partitions of every consumer of the Client, and the routing
// of each partition to its leader's source. Consumers with different wait
// settings get different sources, each with a connection of its own, so
// that one consumer's long poll never holds up another's data; consumers
// alike share requests. Goroutines and connections grow with brokers, not
// with consumers.
type fetchEngine struct {
	c       *Client
	wake    chan struct{}
	started sync.Once
	idle    time.Duration // how long an idle source lives on: sourceIdle, shorter in tests

	mu      sync.Mutex
	sources map[sourceKey]*source
	parts   map[*partState]struct{} // every partition of every running consumer
	added   []*source               // sources route added partitions to, for wakeAdded
}

// sourceKey names a source: a broker, and what a FetchRequest says once
// for all its partitions.
type sourceKey struct {
	broker    int32
	isolation int8
	maxWait   time.Duration
	minBytes  int
}

// sourceKey names the source that fetches f's partitions from broker.
func (f *fetcher) sourceKey(broker int32) sourceKey {
	return sourceKey{broker: broker, isolation: f.opts.isolation, maxWait: f.opts.maxWait, minBytes: f.opts.minBytes}
}

func (e *fetchEngine) init(c *Client) {
	e.c = c
	e.idle = sourceIdle
	e.wake = make(chan struct{}, 1)
	e.sources = make(map[sourceKey]*source)
	e.parts = make(map[*partState]struct{})
}

// start runs the engine's goroutine, once a consumer needs it.
func (e *fetchEngine) start() {
	e.started.Do(func() {
		e.c.bg.Add(1)
		go e.run()
	})
}

// whileOpen runs fn with the current metadata and e.mu held, unless the
// Client is closed.
func (e *fetchEngine) whileOpen(fn func(meta *clusterMeta)) {
	e.start()
	meta := e.c.meta.Load()
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.c.isClosed() {
		fn(meta)
	}
}

// register routes a fetcher's partitions to their leaders' sources.
func (e *fetchEngine) register(f *fetcher) {
	e.whileOpen(func(meta *clusterMeta) {
		for _, ps := range f.states {
			e.parts[ps] = struct{}{}
			e.route(ps, meta)
		}
		e.wakeAdded()
	})
}

// prepare has the sources that will fetch tps for f connect now, while
// the consumer still looks up where to start: its first fetch then waits
// for no dial. The partitions join their sources later (register).
func (e *fetchEngine) prepare(f *fetcher, tps []TopicPartition) {
	e.whileOpen(func(meta *clusterMeta) {
		for _, tp := range tps {
			if broker := meta.leader(tp); broker >= 0 {
				if s, made := e.source(f.sourceKey(broker)); made {
					s.signal() // it connects, then idles until partitions come
				}
			}
		}
	})
}

// source returns the source for key, making it if there is none (and
// saying so); e.mu is held.
func (e *fetchEngine) source(key sourceKey) (*source, bool) {
	if s := e.sources[key]; s != nil {
		return s, false
	}
	s := newSource(e, key)
	e.sources[key] = s
	return s, true
}

// unregister takes a fetcher's partitions out of their sources.
func (e *fetchEngine) unregister(f *fetcher) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ps := range f.states {
		delete(e.parts, ps)
		f.mu.Lock()
		s := ps.src
		ps.src = nil
		f.mu.Unlock()
		if s != nil {
			s.remove(ps)
		}
	}
}

// metaChanged is told of every new metadata: leaders may have moved.
func (e *fetchEngine) metaChanged() { signal(e.wake) }

// route moves ps to the source of its partition's leader (its preferred
// read replica, when the leader named one), or to none while there is no
// leader; e.mu is held.
func (e *fetchEngine) route(ps *partState, meta *clusterMeta) {
	f := ps.f
	f.mu.Lock()
	broker := ps.replica
	if _, ok := meta.brokers[broker]; !ok {
		ps.replica = -1 // none named, or it left: the leader may name another
		broker = meta.leader(ps.tp)
	}
	f.mu.Unlock()
	var s *source
	if broker >= 0 {
		s, _ = e.source(f.sourceKey(broker))
	}
	f.mu.Lock()
	old := ps.src
	ps.src = s
	f.mu.Unlock()
	if old == s {
		return
	}
	if old != nil {
		old.remove(ps)
	}
	if s != nil {
		s.add(ps)
		if !slices.Contains(e.added, s) {
			e.added = append(e.added, s)
		}
	}
}

// wakeAdded wakes the sources route added partitions to, once all are
// added: a source woken at the first would fetch without the others, and
// they would wait for that fetch's answer (up to FetchWaitMax); e.mu is
// held.
func (e *fetchEngine) wakeAdded() {
	for _, s := range e.added {
		s.signal()
	}
	clear(e.added)
	e.added = e.added[:0]
}

// reroute routes every partition again, after new metadata.
func (e *fetchEngine) reroute() {
	meta := e.c.meta.Load()
	e.mu.Lock()
	defer e.mu.Unlock()
	for ps := range e.parts {
		e.route(ps, meta)
	}
	e.wakeAdded()
}

// retire forgets s if it still has no partitions, and reports whether it
// did: its goroutine then ends.
func (e *fetchEngine) retire(s *source) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	s.mu.Lock()
	idle := len(s.parts) == 0
	s.mu.Unlock()
	if !idle || e.sources[s.key] != s {
		return false
	}
	delete(e.sources, s.key)
	return true
}

// run reroutes partitions whenever the metadata changes.
func (e *fetchEngine) run() {
	defer e.c.bg.Done()
	for {
		select {
		case <-e.wake:
			e.reroute()
		case <-e.c.ctx.Done():
			return
		}
	}
}
