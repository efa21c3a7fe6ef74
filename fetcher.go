package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gokafka/kafka/protocol"
)

// A fetcher keeps partitions' messages flowing: one goroutine
// per leader broker fetches every partition that broker leads and has room
// in its buffer, and next hands the messages out in arrival order. It is
// the machinery of both consumers.
type fetcher struct {
	client     *Client
	partitions []TopicPartition // sorted
	topics     []string         // the partitions' topics, sorted
	opts       fetchOptions

	mu      sync.Mutex
	parts   map[TopicPartition]*partState
	queue   chunkQueue    // fetched and not yet consumed
	err     error         // to return from the next call to next
	avail   chan struct{} // signalled when chunks or err arrive
	changed chan struct{} // closed (and replaced) to wake the workers
	workers map[int32]bool

	sem    chan struct{} // bounds fetches in flight, when configured
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	refreshing sync.Mutex
}

type fetchOptions struct {
	maxBytes, minBytes int
	maxWait            time.Duration
	queued             int
	isolation          int8
	reset              OffsetType
	maxFetches         int
}

// partState is one partition's position.
type partState struct {
	fetchOffset int64  // the next offset to fetch
	held        int64  // the next offset to hand out
	buffered    int    // messages fetched, not handed out
	backlog     int    // handed out to a partition worker, not yet taken by it
	gen         uint64 // bumped by seeks: fetches begun before are dropped
	busy        bool   // in a fetch
	retryAt     time.Time
	failures    int
}

func newFetcher(c *Client, partitions []TopicPartition, opts fetchOptions) *fetcher {
	partitions = slices.Clone(partitions)
	slices.SortFunc(partitions, TopicPartition.compare)
	f := &fetcher{
		client: c, partitions: partitions, opts: opts,
		parts:   make(map[TopicPartition]*partState, len(partitions)),
		avail:   make(chan struct{}, 1),
		changed: make(chan struct{}),
		workers: make(map[int32]bool),
	}
	for _, tp := range partitions {
		f.parts[tp] = &partState{fetchOffset: -1, held: -1}
		if !slices.Contains(f.topics, tp.Topic) {
			f.topics = append(f.topics, tp.Topic)
		}
	}
	if opts.maxFetches > 0 {
		f.sem = make(chan struct{}, opts.maxFetches)
	}
	f.ctx, f.cancel = context.WithCancel(c.ctx)
	return f
}

// run starts fetching.
func (f *fetcher) run() {
	f.wg.Add(1)
	go f.manage()
}

// manage starts a worker for each broker leading one of the partitions,
// looking again whenever the workers are woken and every second.
func (f *fetcher) manage() {
	defer f.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		f.mu.Lock()
		ch := f.changed
		m := f.client.meta.Load()
		for _, tp := range f.partitions {
			if leader := m.leader(tp); leader >= 0 && !f.workers[leader] {
				f.workers[leader] = true
				f.wg.Add(1)
				go f.work(leader)
			}
		}
		f.mu.Unlock()
		select {
		case <-f.ctx.Done():
			return
		case <-ch:
		case <-t.C:
			f.wake()
		}
	}
}

// wake tells the workers (and the manager) that something changed.
func (f *fetcher) wake() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wakeLocked()
}

func (f *fetcher) wakeLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// claimed is a partition taken for one fetch, with the position it had.
type claimed struct {
	tp     TopicPartition
	offset int64
	gen    uint64
}

// claim takes the partitions broker leads that are ready to fetch.
func (f *fetcher) claim(broker int32, parts []claimed) (_ []claimed, wake <-chan struct{}, next time.Time) {
	parts = parts[:0]
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.client.meta.Load()
	now := time.Now()
	for _, tp := range f.partitions {
		ps := f.parts[tp]
		if m.leader(tp) != broker || ps.busy || ps.buffered+ps.backlog >= f.opts.queued {
			continue
		}
		if ps.retryAt.After(now) {
			if next.IsZero() || ps.retryAt.Before(next) {
				next = ps.retryAt
			}
			continue
		}
		ps.busy = true
		parts = append(parts, claimed{tp: tp, offset: ps.fetchOffset, gen: ps.gen})
	}
	return parts, f.changed, next
}

// work fetches, over and over, the partitions broker leads.
func (f *fetcher) work(broker int32) {
	defer f.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	failures := 0
	var (
		parts []claimed
		wake  <-chan struct{}
		next  time.Time
		rs    requestScratch
	)
	for f.ctx.Err() == nil {
		parts, wake, next = f.claim(broker, parts)
		if len(parts) == 0 {
			wait := time.Hour
			if !next.IsZero() {
				wait = max(time.Until(next), time.Millisecond)
			}
			timer.Reset(wait)
			select {
			case <-f.ctx.Done():
			case <-wake:
			case <-timer.C:
			}
			continue
		}
		err := f.fetch(broker, parts, &rs)
		if err == nil {
			failures = 0
			continue
		}
		if f.ctx.Err() != nil {
			return
		}
		f.client.hooks.requestError(RequestErrorEvent{API: "Fetch", Broker: broker, Partition: -1, Err: err})
		failures++
		f.release(parts, f.client.backoff.Delay(failures-1))
		f.refresh()
		// A broker that stays unreachable is reported, as pykafka raised
		// SocketDisconnectedError; fetching goes on meanwhile.
		if failures%3 == 0 || !IsRetriable(err) {
			f.fail(err)
		}
	}
}

// release gives claimed partitions back, to be retried after wait.
func (f *fetcher) release(parts []claimed, wait time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range parts {
		ps := f.parts[c.tp]
		ps.busy = false
		if wait > 0 {
			ps.retryAt = time.Now().Add(wait)
		}
	}
}

// refresh updates the topic's metadata in the background, then wakes the
// workers, so that partitions whose leader moved find the new one.
func (f *fetcher) refresh() {
	if !f.refreshing.TryLock() {
		return
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		defer f.refreshing.Unlock()
		ctx, cancel := context.WithTimeout(f.ctx, f.client.cfg.RequestTimeout)
		defer cancel()
		f.client.refresh(ctx, f.topics, false)
		f.wake()
	}()
}

// fetch sends one fetch for parts to broker and files what comes back. It
// returns an error when the request as a whole failed.
func (f *fetcher) fetch(id int32, parts []claimed, rs *requestScratch) error {
	if f.sem != nil {
		select {
		case f.sem <- struct{}{}:
			defer func() { <-f.sem }()
		case <-f.ctx.Done():
			return f.ctx.Err()
		}
	}
	b, err := f.client.broker(id)
	if err != nil {
		return err
	}
	version, err := b.version(f.ctx, protocol.KeyFetch)
	if err != nil {
		return b.opError("fetch", "", -1, err)
	}
	req, ids := f.request(parts, version, rs)
	resp := &rs.resp
	if err := b.request(f.ctx, connFetch, req, resp, version, f.opts.maxWait); err != nil {
		return b.opError("fetch", "", -1, err)
	}
	if code := Error(resp.ErrorCode); code != 0 {
		return b.opError("fetch", "", -1, code)
	}
	if rs.got == nil {
		rs.got = make(map[TopicPartition]*protocol.FetchResponsePartition, len(parts))
	}
	got := rs.got
	clear(got)
	for i := range resp.Responses {
		rt := &resp.Responses[i]
		topic := rt.Topic
		if version >= 13 {
			topic = ids[rt.TopicID]
		}
		for j := range rt.Partitions {
			p := &rt.Partitions[j]
			got[TopicPartition{topic, p.PartitionIndex}] = p
		}
	}
	for _, c := range parts {
		f.file(b, c, got[c.tp], &rs.batch)
	}
	return nil
}

// requestScratch is what a worker reuses from one fetch to the next: the
// request (encoded before RoundTrip returns), the response and the record
// batch being decoded (messages keep the bytes they alias, not the structs).
type requestScratch struct {
	req    protocol.FetchRequest
	topics []protocol.FetchRequestTopic
	ids    map[protocol.UUID]string
	resp   protocol.FetchResponse
	got    map[TopicPartition]*protocol.FetchResponsePartition
	batch  protocol.RecordBatch // messages copy what they need from it
}

// request builds a fetch for parts (sorted by topic, as claimed), and the
// topic names by ID for reading a v13+ answer.
func (f *fetcher) request(parts []claimed, version int16, rs *requestScratch) (*protocol.FetchRequest, map[protocol.UUID]string) {
	m := f.client.meta.Load()
	topics := rs.topics[:0]
	if rs.ids == nil {
		rs.ids = map[protocol.UUID]string{}
	}
	clear(rs.ids)
	for _, c := range parts {
		if n := len(topics); n == 0 || topics[n-1].Topic != c.tp.Topic {
			if n == cap(topics) {
				topics = append(topics, protocol.FetchRequestTopic{})
			} else {
				topics = topics[:n+1]
			}
			t := &topics[n]
			*t = protocol.FetchRequestTopic{Topic: c.tp.Topic, Partitions: t.Partitions[:0]}
			if tm := m.topics[c.tp.Topic]; tm != nil && version >= 13 {
				t.TopicID = tm.id
				rs.ids[tm.id] = tm.name
			}
		}
		t := &topics[len(topics)-1]
		t.Partitions = append(t.Partitions, protocol.FetchRequestTopicPartition{
			Partition: c.tp.Partition, CurrentLeaderEpoch: -1, FetchOffset: c.offset, LastFetchedEpoch: -1,
			LogStartOffset: -1, PartitionMaxBytes: int32(f.opts.maxBytes), HighWatermark: 1<<63 - 1,
		})
	}
	rs.topics = topics
	rs.req = protocol.FetchRequest{
		ReplicaID:      -1,
		ReplicaState:   protocol.FetchRequestReplicaState{ReplicaID: -1, ReplicaEpoch: -1},
		MaxWaitMs:      int32(f.opts.maxWait / time.Millisecond),
		MinBytes:       int32(f.opts.minBytes),
		MaxBytes:       fetchMaxBytes,
		IsolationLevel: f.opts.isolation,
		SessionEpoch:   -1, // no fetch session: every fetch is a full one
		Topics:         topics,
	}
	return &rs.req, rs.ids
}

// fetchMaxBytes caps a whole fetch response, as Kafka's fetch.max.bytes.
const fetchMaxBytes = 50 << 20

// file acts on one partition's part of a fetch response.
func (f *fetcher) file(b *broker, c claimed, r *protocol.FetchResponsePartition, batch *protocol.RecordBatch) {
	if r == nil {
		f.release([]claimed{c}, f.client.cfg.RetryBackoff)
		return
	}
	switch code := Error(r.ErrorCode); {
	case code == ErrOffsetOutOfRange:
		f.client.hooks.requestError(RequestErrorEvent{API: "Fetch", Broker: b.id, Topic: c.tp.Topic, Partition: c.tp.Partition,
			Err: b.opError("fetch", c.tp.Topic, c.tp.Partition, code)})
		f.outOfRange(c)
		return
	case code != 0:
		f.partitionError(b, c, code)
		return
	}
	msgs, next, err := f.decode(c, r, batch)
	if err != nil {
		f.partitionError(b, c, err)
		return
	}
	if f.enqueue(c, msgs, next) && len(msgs) > 0 && len(f.client.hooks) > 0 {
		// Outside the lock: a slow hook must not hold up Consume.
		e := FetchBatchEvent{Topic: c.tp.Topic, Partition: c.tp.Partition, Messages: len(msgs), Bytes: len(r.Records), Lag: max(r.HighWatermark-next, 0)}
		emit(f.client.hooks, func(h FetchBatchHook) { h.OnFetchBatch(e) })
	}
}

// enqueue queues a partition's fetched messages,
// unless its position moved meanwhile; it reports whether it queued them.
func (f *fetcher) enqueue(c claimed, msgs []Message, next int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps := f.parts[c.tp]
	ps.busy = false
	if ps.gen != c.gen {
		return false // seeked meanwhile: this data is for the old position
	}
	ps.failures = 0
	if next == c.offset {
		return false // nothing new; the broker waited FetchWaitMax
	}
	ps.fetchOffset = next
	ps.buffered += len(msgs)
	f.queue.push(chunk{tp: c.tp, gen: c.gen, msgs: msgs, end: next})
	select {
	case f.avail <- struct{}{}:
	default:
	}
	return true
}

// decode turns a partition's records into messages, from the claimed
// offset on, and returns the next offset to fetch.
func (f *fetcher) decode(c claimed, r *protocol.FetchResponsePartition, batch *protocol.RecordBatch) ([]Message, int64, error) {
	next := c.offset
	rd := protocol.NewRecordSetReader(r.Records, protocol.DecodeOptions{})
	var (
		msgs    []Message
		aborted abortedTxns
	)
	if f.opts.isolation == int8(ReadCommitted) {
		aborted = newAbortedTxns(r.AbortedTransactions)
	}
	for rd.Next(batch) {
		if batch.NextOffset() <= c.offset {
			continue // wholly before the position (a compressed batch fetched from its start)
		}
		if aborted.skip(batch) || batch.Control() {
			next = batch.NextOffset()
			continue
		}
		if msgs == nil {
			n := max(protocol.CountRecords(r.Records), len(batch.Records))
			f.mu.Lock()
			msgs = f.queue.messages(n)
			f.mu.Unlock()
		}
		for i := range batch.Records {
			rec := &batch.Records[i]
			off := rec.Offset(batch)
			if off < c.offset {
				continue
			}
			msgs = append(msgs, Message{
				Topic:     c.tp.Topic,
				Partition: c.tp.Partition,
				Offset:    off,
				Key:       rec.Key,
				Value:     rec.Value,
				Headers:   convertHeaders(rec.Headers),
				Timestamp: time.UnixMilli(rec.Timestamp(batch)),
			})
		}
		// Messages alias the batch's decompressed bytes: keep them.
		batch.Detach()
		next = batch.NextOffset()
	}
	if err := rd.Err(); err != nil {
		return nil, c.offset, err
	}
	if next == c.offset && rd.Partial() {
		return nil, c.offset, fmt.Errorf("%w: a record batch at offset %d is larger than FetchMessageMaxBytes (%d)", ErrRecordListTooLarge, c.offset, f.opts.maxBytes)
	}
	return msgs, next, nil
}

func convertHeaders(hs []protocol.RecordHeader) []Header {
	if len(hs) == 0 {
		return nil
	}
	out := make([]Header, len(hs))
	for i, h := range hs {
		out[i] = Header{Key: string(h.Key), Value: h.Value}
	}
	return out
}

// abortedTxns tracks, while reading committed, the producers whose
// records are part of an aborted transaction.
type abortedTxns struct {
	pending []protocol.FetchResponseAbortedTransaction // by first offset, not started yet
	active  map[int64]bool
}

func newAbortedTxns(list []protocol.FetchResponseAbortedTransaction) abortedTxns {
	a := abortedTxns{pending: slices.Clone(list), active: map[int64]bool{}}
	slices.SortFunc(a.pending, func(x, y protocol.FetchResponseAbortedTransaction) int {
		return int(x.FirstOffset - y.FirstOffset)
	})
	return a
}

// skip reports whether batch belongs to an aborted transaction. A control
// batch ending a transaction takes its producer off the list.
func (a *abortedTxns) skip(b *protocol.RecordBatch) bool {
	if a.active == nil {
		return false
	}
	for len(a.pending) > 0 && a.pending[0].FirstOffset <= b.LastOffset() {
		a.active[a.pending[0].ProducerID] = true
		a.pending = a.pending[1:]
	}
	if b.Control() {
		if len(b.Records) > 0 {
			if _, typ, err := protocol.ParseControlKey(b.Records[0].Key); err == nil && typ == protocol.ControlAbort {
				delete(a.active, b.ProducerID)
			}
		}
		return true
	}
	return b.Transactional() && a.active[b.ProducerID]
}

// outOfRange moves a partition whose position left the log to
// AutoOffsetReset, as the guide says.
func (f *fetcher) outOfRange(c claimed) {
	bounds, err := f.bounds(f.ctx, []TopicPartition{c.tp})
	if err != nil {
		f.release([]claimed{c}, f.client.cfg.RetryBackoff)
		return
	}
	to := outOfRange(c.offset, f.opts.reset, bounds[c.tp])
	f.mu.Lock()
	defer f.mu.Unlock()
	ps := f.parts[c.tp]
	ps.busy = false
	if ps.gen != c.gen {
		return
	}
	f.client.log.Info("kafka: offset out of range; moving to AutoOffsetReset", "topic", c.tp.Topic, "partition", c.tp.Partition, "from", c.offset, "to", to)
	ps.fetchOffset = to
	if ps.buffered == 0 {
		ps.held = to
	}
}

// partitionError backs a partition off after an error: retriable ones
// (a leader moving) refresh the metadata; others are returned by next.
func (f *fetcher) partitionError(b *broker, c claimed, err error) {
	err = b.opError("fetch", c.tp.Topic, c.tp.Partition, err)
	f.client.hooks.requestError(RequestErrorEvent{API: "Fetch", Broker: b.id, Topic: c.tp.Topic, Partition: c.tp.Partition, Err: err})
	f.mu.Lock()
	ps := f.parts[c.tp]
	ps.failures++
	wait := f.client.backoff.Delay(ps.failures - 1)
	f.mu.Unlock()
	f.release([]claimed{c}, wait)
	f.refresh()
	if !IsRetriable(err) {
		f.fail(err)
	}
}

// bounds returns the partitions' log start and end offsets (the end is the
// last stable offset when reading committed).
func (f *fetcher) bounds(ctx context.Context, parts []TopicPartition) (map[TopicPartition]logBounds, error) {
	byTopic := map[string][]int32{}
	for _, tp := range parts {
		byTopic[tp.Topic] = append(byTopic[tp.Topic], tp.Partition)
	}
	out := make(map[TopicPartition]logBounds, len(parts))
	for topic, ids := range byTopic {
		start, err := f.client.listOffsets(ctx, topic, ids, listEarliest, 0)
		if err != nil {
			return nil, err
		}
		end, err := f.client.listOffsets(ctx, topic, ids, listLatest, f.opts.isolation)
		if err != nil {
			return nil, err
		}
		for _, p := range ids {
			out[TopicPartition{topic, p}] = logBounds{start: start[p], end: end[p]}
		}
	}
	return out, nil
}

// reset moves partitions to the positions ResetOffsets is given: offsets
// map each to the next offset to read, or to OffsetEarliest or
// OffsetLatest; an offset outside the log moves to AutoOffsetReset, as a
// fetch would. What was fetched for them is dropped.
func (f *fetcher) reset(ctx context.Context, offsets map[TopicPartition]int64) error {
	tps := make([]TopicPartition, 0, len(offsets))
	for tp := range offsets {
		tps = append(tps, tp)
	}
	bounds, err := f.bounds(ctx, tps)
	if err != nil {
		return err
	}
	to := make(map[TopicPartition]int64, len(offsets))
	for tp, o := range offsets {
		to[tp] = resetTarget(o, f.opts.reset, bounds[tp])
	}
	f.seek(to)
	return nil
}

// seek moves partitions to new positions, dropping what was fetched for
// them.
func (f *fetcher) seek(offsets map[TopicPartition]int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for tp, o := range offsets {
		ps := f.parts[tp]
		ps.gen++
		ps.fetchOffset, ps.held, ps.buffered = o, o, 0
		ps.retryAt, ps.failures = time.Time{}, 0
	}
	f.queue.dropIf(func(c *chunk) bool { return c.gen != f.parts[c.tp].gen })
	f.wakeLocked()
}

// next returns the next fetched message, waiting within ctx and the
// consumer timeout (ErrConsumerTimeout). Once the fetcher is closed (or its
// client is), it returns ErrConsumerStopped, even with messages still
// buffered: they were fetched ahead, not consumed, and are not handed out.
func (f *fetcher) next(ctx context.Context, ct *consumerTimer) (Message, error) {
	for {
		if f.ctx.Err() != nil {
			return Message{}, ErrConsumerStopped
		}
		f.mu.Lock()
		if msg, ok := f.takeLocked(); ok {
			if f.queue.len() > 0 {
				select {
				case f.avail <- struct{}{}:
				default:
				}
			}
			f.mu.Unlock()
			return msg, nil
		}
		if err := f.err; err != nil {
			f.err = nil
			f.mu.Unlock()
			return Message{}, err
		}
		f.mu.Unlock()
		select {
		case <-f.avail:
		case <-f.ctx.Done():
		case <-ctx.Done():
			return Message{}, ctx.Err()
		case <-ct.C():
			return Message{}, ErrConsumerTimeout
		}
	}
}

// takeLocked pops the next message, moving past spent chunks.
func (f *fetcher) takeLocked() (Message, bool) {
	for f.queue.len() > 0 {
		c := f.queue.front()
		ps := f.parts[c.tp]
		if c.i < len(c.msgs) {
			msg := c.msgs[c.i]
			c.msgs[c.i] = Message{} // the application owns it now
			c.i++
			ps.buffered--
			ps.held = msg.Offset + 1
			if c.i == len(c.msgs) {
				ps.held = c.end
				f.queue.pop()
			}
			if ps.buffered+ps.backlog == f.opts.queued-1 {
				f.wakeLocked() // room again: fetching may resume
			}
			return msg, true
		}
		ps.held = c.end
		f.queue.pop()
	}
	return Message{}, false
}

// addBacklog counts n messages into (or, negative, out of) tp's backlog:
// messages a partition worker has not taken yet, which count toward the
// partition's QueuedMaxMessages so that a slow worker pauses its own
// partition's fetching rather than everyone's consumption.
func (f *fetcher) addBacklog(tp TopicPartition, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps := f.parts[tp]
	if ps == nil {
		return
	}
	before := ps.buffered + ps.backlog
	ps.backlog += n
	if before >= f.opts.queued && before+n < f.opts.queued {
		f.wakeLocked() // room again: fetching may resume
	}
}

// held returns each partition's next offset to hand out.
func (f *fetcher) held() map[TopicPartition]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[TopicPartition]int64, len(f.parts))
	for tp, ps := range f.parts {
		if ps.held >= 0 {
			out[tp] = ps.held
		}
	}
	return out
}

// fail records err for the next call to next.
func (f *fetcher) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil || errors.Is(err, ErrSocketDisconnected) {
		f.err = err
	}
	select {
	case f.avail <- struct{}{}:
	default:
	}
}

// close stops the workers; next returns ErrConsumerStopped from then on,
// in waiting calls too.
func (f *fetcher) close() {
	f.cancel()
	f.wg.Wait()
}
