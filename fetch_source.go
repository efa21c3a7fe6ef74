package kafka

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/gokafka/kafka/internal/conn"
	"github.com/gokafka/kafka/protocol"
)

// A source fetches, over a connection of its own, the partitions a broker
// leads for every consumer of the Client with the same fetch settings:
// one fetch at a time, holding each partition with room in its consumer's
// buffer, in a fetch session (KIP-227) where the broker has them, so that
// partitions with nothing new cost nothing to ask about again. What comes
// back is decoded and handed to each partition's own consumer.
type source struct {
	e    *fetchEngine
	key  sourceKey
	wake chan struct{}

	mu    sync.Mutex
	parts []*partState // copy-on-write

	// The source's goroutine's own.
	br       *broker
	cn       *conn.Conn
	failures int
	session  fetchSession
	rs       requestScratch
	claimed  []claimed
	expired  []*partState // read from a replica for long enough (claim's scratch)
	// full: a partition was left out of the claim for want of room in its
	// consumer's buffer. The fetch then waits at most fullWait, so that
	// once the consumer makes room its partition is not left waiting for
	// a long poll of idle partitions to end.
	full bool
}

// fullWait caps a fetch's wait at the broker while a partition routed to
// the source is left out for a full buffer.
const fullWait = 20 * time.Millisecond

// sourceIdle is how long a source without partitions lives on before it
// retires, closing its connection (leaders moved away, consumers closed).
const sourceIdle = 10 * time.Second

func newSource(e *fetchEngine, key sourceKey) *source {
	s := &source{e: e, key: key, wake: make(chan struct{}, 1)}
	e.c.bg.Add(1)
	go s.run()
	return s
}

// signal wakes the source to look for partitions to fetch.
func (s *source) signal() { signal(s.wake) }

// add takes ps in; the engine wakes s once it has added all it routes
// here.
func (s *source) add(ps *partState) {
	s.mu.Lock()
	s.parts = append(s.parts[:len(s.parts):len(s.parts)], ps)
	s.mu.Unlock()
}

func (s *source) remove(ps *partState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.parts, ps); i >= 0 {
		s.parts = slices.Delete(slices.Clone(s.parts), i, i+1)
	}
}

// run fetches while partitions are ready, and sleeps until one may be.
func (s *source) run() {
	defer s.e.c.bg.Done()
	defer s.closeConn()
	ctx := s.e.c.ctx
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var idleSince time.Time
	// A new source waits for the engine to have added its partitions,
	// or to have prepared it for partitions to come: then it connects
	// meanwhile. (A failed dial is left for the first fetch to retry and
	// report.)
	select {
	case <-ctx.Done():
	case <-s.wake:
	}
	s.mu.Lock()
	prepared := len(s.parts) == 0
	s.mu.Unlock()
	if prepared && ctx.Err() == nil {
		s.conn(ctx) // the error: see above
	}
	for ctx.Err() == nil {
		next := s.claim()
		if len(s.claimed) > 0 {
			idleSince = time.Time{}
			s.fetch(ctx)
			continue
		}
		wait := time.Hour
		if !next.IsZero() {
			wait = max(time.Until(next), time.Millisecond)
		}
		s.mu.Lock()
		empty := len(s.parts) == 0
		s.mu.Unlock()
		if empty {
			if idleSince.IsZero() {
				idleSince = time.Now()
			}
			if time.Since(idleSince) >= s.e.idle && s.e.retire(s) {
				return
			}
			wait = min(wait, s.e.idle)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-timer.C:
		}
	}
}

// claimed is a partition taken for one fetch, with the position it had.
type claimed struct {
	ps     *partState
	offset int64
	gen    uint64
	epoch  int32   // the leader epoch the metadata gives, -1 if unknown
	last   int32   // the leader epoch of the last batch fetched, -1 if none
	src    *source // the source that claimed it
}

// claim takes the partitions ready to fetch into s.claimed: routed here,
// not paused or backing off, with room in their consumer's buffer. It
// returns when a partition backing off may be fetched again.
func (s *source) claim() (next time.Time) {
	s.claimed, s.full = s.claimed[:0], false
	s.mu.Lock()
	parts := s.parts
	s.mu.Unlock()
	meta := s.e.c.meta.Load()
	now := time.Now()
	s.expired = s.expired[:0]
	for _, ps := range parts {
		f := ps.f
		f.mu.Lock()
		switch {
		// A busy partition is in another source's fetch: its leader
		// moved meanwhile; that source tells this one when it is done.
		case ps.src != s || ps.busy || ps.paused || f.ctx.Err() != nil:
		case ps.buffered+ps.backlog >= f.opts.queued:
			s.full = true
		case ps.replicaExpired(now):
			s.expired = append(s.expired, ps)
		case ps.retryAt.After(now):
			next = earlier(next, ps.retryAt)
		default:
			ps.busy = true
			s.claimed = append(s.claimed, claimed{ps: ps, offset: ps.fetchOffset, gen: ps.gen, epoch: meta.leaderEpoch(ps.tp), last: ps.lastEpoch, src: s})
		}
		f.mu.Unlock()
	}
	for _, ps := range s.expired {
		s.e.rerouteOne(ps) // back to the leader, which may choose again
	}
	slices.SortFunc(s.claimed, func(a, b claimed) int { return a.ps.tp.compare(b.ps.tp) })
	return next
}

// fetch sends one fetch for the claimed partitions and files what comes
// back; a failed request backs them all off.
func (s *source) fetch(ctx context.Context) {
	err := s.fetchOnce(ctx)
	if err == nil {
		s.failures = 0
		return
	}
	if ctx.Err() != nil {
		return
	}
	s.closeConn()
	s.session.reset()
	s.failures++
	wait := s.e.c.backoff.Delay(s.failures - 1)
	var fetchers []*fetcher
	for _, c := range s.claimed {
		c.ps.f.release(c, wait)
		if !slices.Contains(fetchers, c.ps.f) {
			fetchers = append(fetchers, c.ps.f)
		}
	}
	s.leaveReplica()
	s.e.c.hooks.requestError(RequestErrorEvent{API: "Fetch", Broker: s.key.broker, Partition: -1, Err: err})
	for _, f := range fetchers {
		f.refresh()
		// A broker that stays unreachable is reported, as pykafka raised
		// SocketDisconnectedError; fetching goes on meanwhile.
		if s.failures%3 == 0 || !IsRetriable(err) {
			f.fail(err)
		}
	}
}

func (s *source) fetchOnce(ctx context.Context) error {
	cn, err := s.conn(ctx)
	if err != nil {
		return err
	}
	b := s.br
	version, ok := cn.Versions().For(protocol.KeyFetch)
	if !ok {
		return b.opError("fetch", "", -1, ErrUnsupportedVersion)
	}
	req := s.request(version)
	resp := &s.rs.resp
	if err := b.requestOn(ctx, cn, req, resp, version, s.key.maxWait); err != nil {
		return b.opError("fetch", "", -1, err)
	}
	if code := Error(resp.ErrorCode); code != 0 {
		if s.session.lost(code) {
			// The broker forgot the session, or it moved on: start a new
			// one with a full fetch, at once, losing nothing.
			s.e.c.log.Debug("kafka: fetch session reset", "broker", b.id, "err", code)
			s.session.reset()
			for _, c := range s.claimed {
				c.ps.f.release(c, 0)
			}
			return nil
		}
		return b.opError("fetch", "", -1, code)
	}
	s.session.answered(resp.SessionID)
	got := s.rs.results(resp, version)
	s.followLeaders(got, resp.NodeEndpoints)
	for _, c := range s.claimed {
		r := got[c.ps.tp]
		if r == nil {
			// In a session the broker leaves out partitions with nothing
			// new; outside one, a partition left out is retried later.
			wait := time.Duration(0)
			if !s.session.incremental() {
				wait = s.e.c.cfg.RetryBackoff
			}
			c.ps.f.release(c, wait)
			continue
		}
		c.ps.f.file(b, c, r, &s.rs.batch)
	}
	return nil
}

// followLeaders installs the leaders the answer names for partitions this
// broker no longer leads (KIP-951) and routes them there at once, so that
// their next fetch waits for no metadata.
func (s *source) followLeaders(got map[TopicPartition]*protocol.FetchResponsePartition, endpoints []protocol.NodeEndpoint) {
	var hints []leaderHint
	for _, c := range s.claimed {
		if r := got[c.ps.tp]; r != nil && r.ErrorCode != 0 && r.CurrentLeader.LeaderID >= 0 {
			hints = append(hints, leaderHint{topic: c.ps.tp.Topic, partition: c.ps.tp.Partition, leader: r.CurrentLeader})
		}
	}
	if len(hints) > 0 && s.e.c.applyLeaderHints(hints, endpoints) {
		s.e.reroute()
	}
}

// conn returns the source's connection to its broker, dialing one when
// there is none or it broke.
func (s *source) conn(ctx context.Context) (*conn.Conn, error) {
	br, err := s.e.c.broker(s.key.broker)
	if err != nil {
		return nil, err
	}
	if s.cn != nil && s.cn.Err() == nil && s.br == br {
		return s.cn, nil
	}
	s.closeConn()
	dctx, cancel := context.WithTimeout(ctx, s.e.c.dialTimeout())
	defer cancel()
	cn, err := br.dial(dctx)
	if err != nil {
		return nil, err
	}
	s.br, s.cn = br, cn
	s.session.reset() // a session lives on the broker, but its epoch is uncertain now
	return cn, nil
}

func (s *source) closeConn() {
	if s.cn != nil {
		s.cn.Close()
		s.cn = nil
	}
}

// request builds the fetch for the claimed partitions: all of them
// outside a session or when one starts, else only those whose position
// changed, with those no longer fetched forgotten.
func (s *source) request(version int16) *protocol.FetchRequest {
	rs := &s.rs
	m := s.e.c.meta.Load()
	sess := &s.session
	sess.begin(version >= 7)
	topics := rs.topics[:0]
	if rs.ids == nil || len(rs.ids) > 4*len(s.claimed)+64 {
		rs.ids = map[protocol.UUID]string{} // topics fetched long ago are forgotten
	}
	for _, c := range s.claimed {
		// An incremental answer names partitions the request did not:
		// every fetched topic's ID must resolve.
		if tm := m.topics[c.ps.tp.Topic]; tm != nil && version >= 13 {
			rs.ids[tm.id] = tm.name
		}
		sp := sentPart{offset: c.offset, epoch: c.epoch, last: c.last}
		if !sess.include(c.ps.tp, sp) {
			continue
		}
		tp := c.ps.tp
		if n := len(topics); n == 0 || topics[n-1].Topic != tp.Topic {
			if n == cap(topics) {
				topics = append(topics, protocol.FetchRequestTopic{})
			} else {
				topics = topics[:n+1]
			}
			t := &topics[n]
			*t = protocol.FetchRequestTopic{Topic: tp.Topic, Partitions: t.Partitions[:0]}
			if tm := m.topics[tp.Topic]; tm != nil && version >= 13 {
				t.TopicID = tm.id
			}
		}
		t := &topics[len(topics)-1]
		t.Partitions = append(t.Partitions, protocol.FetchRequestTopicPartition{
			Partition: tp.Partition, CurrentLeaderEpoch: c.epoch, FetchOffset: c.offset, LastFetchedEpoch: c.last,
			LogStartOffset: -1, PartitionMaxBytes: int32(c.ps.f.opts.maxBytes), HighWatermark: math.MaxInt64,
		})
	}
	rs.topics = topics
	rs.forgotten = sess.forget(rs.forgotten[:0], m, version)
	wait := s.key.maxWait
	if s.full {
		wait = min(wait, fullWait)
	}
	rs.req = protocol.FetchRequest{
		ReplicaID:           -1,
		ReplicaState:        protocol.FetchRequestReplicaState{ReplicaID: -1, ReplicaEpoch: -1},
		MaxWaitMs:           int32(wait / time.Millisecond),
		MinBytes:            int32(s.key.minBytes),
		MaxBytes:            fetchMaxBytes,
		IsolationLevel:      s.key.isolation,
		SessionID:           sess.id,
		SessionEpoch:        sess.epoch,
		Topics:              topics,
		ForgottenTopicsData: rs.forgotten,
		RackID:              s.e.c.cfg.Rack,
	}
	return &rs.req
}

// fetchMaxBytes caps a whole fetch response, as Kafka's fetch.max.bytes.
const fetchMaxBytes = 50 << 20

// requestScratch is what a source reuses from one fetch to the next: the
// request (encoded before the round trip returns), the response and the
// record batch being decoded (messages keep the bytes they alias, not the
// structs).
type requestScratch struct {
	req       protocol.FetchRequest
	topics    []protocol.FetchRequestTopic
	forgotten []protocol.FetchRequestForgottenTopicsData
	ids       map[protocol.UUID]string
	resp      protocol.FetchResponse
	got       map[TopicPartition]*protocol.FetchResponsePartition
	batch     protocol.RecordBatch
}

// results indexes a response's partitions by topic and partition.
func (rs *requestScratch) results(resp *protocol.FetchResponse, version int16) map[TopicPartition]*protocol.FetchResponsePartition {
	if rs.got == nil {
		rs.got = make(map[TopicPartition]*protocol.FetchResponsePartition)
	}
	clear(rs.got)
	for i := range resp.Responses {
		rt := &resp.Responses[i]
		topic := rt.Topic
		if version >= 13 {
			topic = rs.ids[rt.TopicID]
		}
		for j := range rt.Partitions {
			p := &rt.Partitions[j]
			rs.got[TopicPartition{topic, p.PartitionIndex}] = p
		}
	}
	return rs.got
}
