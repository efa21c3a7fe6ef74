package kafka

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gokafka/kafka/protocol"
)

// A fetcher is one consumer's side of fetching: its partitions'
// positions and buffers, and the queue Consume takes messages from. The
// fetching itself is done by the Client's sources (fetch_source.go), one
// per broker, which fetch the partitions of every consumer and hand each
// partition's messages to its own fetcher. It is the machinery of both
// consumers.
type fetcher struct {
	client *Client
	states []*partState // sorted by topic and partition
	topics []string     // the partitions' topics, sorted
	opts   fetchOptions

	mu    sync.Mutex
	parts map[TopicPartition]*partState
	queue chunkQueue    // fetched and not yet consumed
	err   error         // to return from the next call to next
	avail chan struct{} // signalled when chunks or err arrive

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
	group              string // for ConsumeRecordHook
	recordHooks        bool   // the client has a ConsumeRecordHook: set by newFetcher
}

// partState is one partition's position, and its place in the Client's
// fetch engine. The fetcher's mu guards it.
type partState struct {
	tp TopicPartition
	f  *fetcher

	fetchOffset  int64     // the next offset to fetch
	held         int64     // the next offset to hand out
	buffered     int       // messages fetched, not handed out
	backlog      int       // handed out to a partition worker, not yet taken by it
	gen          uint64    // bumped by seeks: fetches begun before are dropped
	busy         bool      // in a fetch
	paused       bool      // Pause: not fetched, not handed out
	src          *source   // where it is fetched from; nil while it has no leader
	replica      int32     // the preferred read replica the leader named (KIP-392), or -1
	lastEpoch    int32     // the leader epoch of the last batch fetched (KIP-320), or -1
	replicaUntil time.Time // when to go back to the leader from replica
	retryAt      time.Time
	failures     int
}

func newFetcher(c *Client, partitions []TopicPartition, opts fetchOptions) *fetcher {
	partitions = slices.Clone(partitions)
	slices.SortFunc(partitions, TopicPartition.compare)
	partitions = slices.Compact(partitions)
	opts.recordHooks = hasHook[ConsumeRecordHook](c.hooks)
	f := &fetcher{
		client: c, opts: opts,
		parts: make(map[TopicPartition]*partState, len(partitions)),
		avail: make(chan struct{}, 1),
	}
	for _, tp := range partitions {
		ps := &partState{tp: tp, f: f, fetchOffset: -1, held: -1, replica: -1, lastEpoch: -1}
		f.parts[tp] = ps
		f.states = append(f.states, ps)
		if !slices.Contains(f.topics, tp.Topic) {
			f.topics = append(f.topics, tp.Topic)
		}
	}
	f.ctx, f.cancel = context.WithCancel(c.ctx)
	return f
}

// run starts fetching: the partitions join their leaders' sources.
func (f *fetcher) run() { f.client.fetches.register(f) }

// prepare has the sources of tps connect while the consumer looks up
// where to start (fetchEngine.prepare).
func (f *fetcher) prepare(tps []TopicPartition) { f.client.fetches.prepare(f, tps) }

// wakeLocked tells the sources of f's partitions to look again (room in a
// buffer, a new position); f.mu is held.
func (f *fetcher) wakeLocked() {
	for _, ps := range f.states {
		if ps.src != nil {
			ps.src.signal()
		}
	}
}

// wakePart tells ps's source to look again; f.mu is held.
func (ps *partState) wake() {
	if ps.src != nil {
		ps.src.signal()
	}
}

// release gives a claimed partition back, to be fetched again after wait.
func (f *fetcher) release(c claimed, wait time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps := c.ps
	ps.unclaim(c)
	if wait > 0 {
		ps.retryAt = time.Now().Add(wait)
	}
}

// refresh updates the topic's metadata in the background; the Client's
// fetch engine then routes partitions whose leader moved to the new one.
func (f *fetcher) refresh() {
	if !f.refreshing.TryLock() {
		return
	}
	// A source calls this for any consumer it fetches for, maybe while
	// the consumer closes: no Add once close has cancelled (under f.mu)
	// and may be waiting.
	f.mu.Lock()
	if f.ctx.Err() != nil {
		f.mu.Unlock()
		f.refreshing.Unlock()
		return
	}
	f.wg.Add(1)
	topics := f.topics // replaced, never changed, as partitions come and go
	f.mu.Unlock()
	go func() {
		defer f.wg.Done()
		defer f.refreshing.Unlock()
		ctx, cancel := context.WithTimeout(f.ctx, f.client.cfg.RequestTimeout)
		defer cancel()
		f.client.refresh(ctx, topics, false)
	}()
}

// file acts on one partition's part of a fetch response.
func (f *fetcher) file(b *broker, c claimed, r *protocol.FetchResponsePartition, batch *protocol.RecordBatch) {
	tp := c.ps.tp
	code := Error(r.ErrorCode)
	if code != 0 && f.replicaFailed(b, c, code) {
		return // the leader is asked again
	}
	switch {
	case code == ErrOffsetOutOfRange:
		f.client.hooks.requestError(RequestErrorEvent{API: "Fetch", Broker: b.id, Topic: tp.Topic, Partition: tp.Partition,
			Err: b.opError("fetch", tp.Topic, tp.Partition, code)})
		f.outOfRange(c)
		return
	case code != 0:
		f.partitionError(b, c, code)
		return
	case r.DivergingEpoch.Epoch >= 0:
		f.diverged(b, c, r.DivergingEpoch)
		return
	}
	msgs, next, epoch, err := f.decode(c, r, batch)
	if err != nil {
		f.partitionError(b, c, err)
		return
	}
	if len(msgs) > 0 && len(f.client.hooks) > 0 {
		// Before the messages are queued, so that a hook has counted every
		// message Consume returns; and outside the lock, so that a slow hook
		// holds up only this partition's data.
		e := FetchBatchEvent{Topic: tp.Topic, Partition: tp.Partition, Messages: len(msgs), Bytes: len(r.Records), Lag: max(r.HighWatermark-next, 0)}
		emit(f.client.hooks, func(h FetchBatchHook) { h.OnFetchBatch(e) })
	}
	f.enqueue(c, msgs, next, epoch)
	if r.PreferredReadReplica >= 0 {
		f.readFrom(b, c, r.PreferredReadReplica) // what came with it is kept
	}
}

// enqueue queues a partition's fetched messages, and the epoch of the last batch,
// unless its position moved meanwhile.
func (f *fetcher) enqueue(c claimed, msgs []Message, next int64, epoch int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps := c.ps
	ps.unclaim(c)
	if ps.gen != c.gen || f.ctx.Err() != nil {
		return // seeked meanwhile (this data is for the old position), or closed
	}
	ps.failures = 0
	if next == c.offset {
		return // nothing new; the broker waited FetchWaitMax
	}
	ps.lastEpoch = epoch // sent as LastFetchedEpoch from now on (KIP-320)
	ps.fetchOffset = next
	ps.buffered += len(msgs)
	f.queue.push(chunk{ps: ps, gen: c.gen, msgs: msgs, end: next})
	select {
	case f.avail <- struct{}{}:
	default:
	}
}

// decode turns a partition's records into messages, from the claimed
// offset on, and returns the next offset to fetch and the leader epoch of
// the last batch read (-1 for none, or a legacy message set), which the
// next fetch sends as LastFetchedEpoch (KIP-320).
func (f *fetcher) decode(c claimed, r *protocol.FetchResponsePartition, batch *protocol.RecordBatch) ([]Message, int64, int32, error) {
	next, epoch := c.offset, int32(-1)
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
			next, epoch = batch.NextOffset(), batch.PartitionLeaderEpoch
			continue
		}
		if msgs == nil {
			// Room for every record of the fetch, as the batches'
			// headers count them; a count is from the wire, so it is
			// capped by the bytes (a record takes at least
			// minRecordBytes), and a compressed set holding more
			// records grows the slice as they are decoded.
			n := max(min(protocol.CountRecords(r.Records), len(r.Records)/minRecordBytes), len(batch.Records))
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
				Topic:     c.ps.tp.Topic,
				Partition: c.ps.tp.Partition,
				Offset:    off,
				Key:       rec.Key,
				Value:     rec.Value,
				Headers:   convertHeaders(rec.Headers),
				Timestamp: time.UnixMilli(rec.Timestamp(batch)),
			})
		}
		// Messages alias the batch's decompressed bytes: keep them.
		batch.Detach()
		next, epoch = batch.NextOffset(), batch.PartitionLeaderEpoch
	}
	if err := rd.Err(); err != nil {
		return nil, c.offset, -1, err
	}
	if next == c.offset && rd.Partial() {
		return nil, c.offset, -1, fmt.Errorf("%w: a record batch at offset %d is larger than FetchMessageMaxBytes (%d)", ErrRecordListTooLarge, c.offset, f.opts.maxBytes)
	}
	return msgs, next, epoch, nil
}

// minRecordBytes is the size of the smallest record (v2): a length,
// attributes, timestamp and offset deltas, key and value lengths and a
// header count, a byte each.
const minRecordBytes = 7

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
	tp := c.ps.tp
	bounds, err := f.bounds(f.ctx, []TopicPartition{tp})
	if err != nil {
		f.release(c, f.client.cfg.RetryBackoff)
		return
	}
	to := outOfRange(c.offset, f.opts.reset, bounds[tp])
	f.mu.Lock()
	defer f.mu.Unlock()
	ps := c.ps
	ps.unclaim(c)
	if ps.gen != c.gen {
		return
	}
	f.client.log.Info("kafka: offset out of range; moving to AutoOffsetReset", "topic", tp.Topic, "partition", tp.Partition, "from", c.offset, "to", to)
	ps.fetchOffset = to
	if ps.buffered == 0 {
		ps.held = to
	}
}

// partitionError backs a partition off after an error: retriable ones
// (a leader moving) refresh the metadata; others are returned by next.
func (f *fetcher) partitionError(b *broker, c claimed, err error) {
	tp := c.ps.tp
	err = b.opError("fetch", tp.Topic, tp.Partition, err)
	f.client.hooks.requestError(RequestErrorEvent{API: "Fetch", Broker: b.id, Topic: tp.Topic, Partition: tp.Partition, Err: err})
	f.mu.Lock()
	ps := c.ps
	if ps.gen != c.gen {
		// Seeked or given up meanwhile: the error is about a position
		// (or a partition) the consumer has left.
		ps.unclaim(c)
		f.mu.Unlock()
		return
	}
	ps.failures++
	wait := f.client.backoff.Delay(ps.failures - 1)
	f.mu.Unlock()
	if leader := f.client.meta.Load().leader(tp); leader >= 0 && leader != b.id && IsRetriable(err) {
		// The answer named the new leader (KIP-951), and the partition
		// is routed there already: fetch from it now.
		f.release(c, 0)
		return
	}
	f.release(c, wait)
	f.refresh()
	if !IsRetriable(err) {
		f.fail(err)
	}
}

// startBounds prepares the partitions' sources and looks up their logs'
// bounds while alongside runs (a consumer's lookup of its group's
// commits): a consumer's start waits one round trip, not two. alongside's
// error comes first.
func (f *fetcher) startBounds(ctx context.Context, parts []TopicPartition, alongside func() error) (map[TopicPartition]logBounds, error) {
	f.prepare(parts)
	var (
		bounds map[TopicPartition]logBounds
		err    error
		wg     sync.WaitGroup
	)
	wg.Go(func() { bounds, err = f.bounds(ctx, parts) })
	if aerr := alongside(); aerr != nil {
		wg.Wait()
		return nil, aerr
	}
	wg.Wait()
	return bounds, err
}

// bounds returns the partitions' log start and end offsets (the end is the
// last stable offset when reading committed). Every topic's start and end
// are asked at once: a consumer's start waits one round trip, not two per
// topic.
func (f *fetcher) bounds(ctx context.Context, parts []TopicPartition) (map[TopicPartition]logBounds, error) {
	byTopic := map[string][]int32{}
	for _, tp := range parts {
		byTopic[tp.Topic] = append(byTopic[tp.Topic], tp.Partition)
	}
	// Two answers per topic, each written by its own goroutine into its
	// own slot, and joined once all are in.
	type answer struct {
		topic      string
		ids        []int32
		start, end map[int32]int64
		errs       [2]error
	}
	answers := make([]answer, 0, len(byTopic))
	for topic, ids := range byTopic {
		answers = append(answers, answer{topic: topic, ids: ids})
	}
	var wg sync.WaitGroup
	for i := range answers {
		a := &answers[i]
		wg.Go(func() { a.start, a.errs[0] = f.client.listOffsets(ctx, a.topic, a.ids, listEarliest, 0) })
		wg.Go(func() { a.end, a.errs[1] = f.client.listOffsets(ctx, a.topic, a.ids, listLatest, f.opts.isolation) })
	}
	wg.Wait()
	out := make(map[TopicPartition]logBounds, len(parts))
	for _, a := range answers {
		if err := cmp.Or(a.errs[0], a.errs[1]); err != nil {
			return nil, err
		}
		for _, p := range a.ids {
			out[TopicPartition{a.topic, p}] = logBounds{start: a.start[p], end: a.end[p]}
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
		if ps == nil {
			continue // given up meanwhile
		}
		f.rewindLocked(ps, o)
		ps.lastEpoch = -1
	}
	f.dropStaleLocked()
}

// rewindLocked moves ps to offset to, as the next to fetch and to hand
// out, in a new generation: a fetch under way and the chunks buffered for
// it become stale (dropStaleLocked drops them), and its source looks
// again; f.mu is held.
func (f *fetcher) rewindLocked(ps *partState, to int64) {
	ps.gen++
	ps.fetchOffset, ps.held, ps.buffered = to, to, 0
	ps.retryAt, ps.failures = time.Time{}, 0
	ps.wake()
}

// dropStaleLocked drops the buffered chunks of past generations; f.mu is
// held.
func (f *fetcher) dropStaleLocked() {
	f.queue.dropIf(func(c *chunk) bool { return c.gen != c.ps.gen })
}

// next returns the next fetched message, waiting within ctx and the
// consumer timeout (ErrConsumerTimeout). Once the fetcher is closed (or its
// client is), it returns ErrConsumerStopped, even with messages still
// buffered: they were fetched ahead, not consumed, and are not handed out.
func (f *fetcher) next(ctx context.Context, ct *consumerTimer, dst *Message) error {
	for {
		if f.ctx.Err() != nil {
			return ErrConsumerStopped
		}
		f.mu.Lock()
		if f.takeLocked(dst) {
			if f.queue.len() > 0 {
				select {
				case f.avail <- struct{}{}:
				default:
				}
			}
			f.mu.Unlock()
			if f.opts.recordHooks {
				f.client.hooks.consumeRecord(ctx, *dst, f.opts.group)
			}
			return nil
		}
		if err := f.err; err != nil {
			f.err = nil
			f.mu.Unlock()
			return err
		}
		f.mu.Unlock()
		select {
		case <-f.avail:
		case <-f.ctx.Done():
		case <-ctx.Done():
			return ctx.Err()
		case <-ct.C():
			return ErrConsumerTimeout
		}
	}
}

// takeLocked pops the next message into dst, moving past spent chunks.
// It writes into the caller's message rather than returning one: a
// Message is 17 words, and each copy on the way out cost more than the
// rest of taking it.
func (f *fetcher) takeLocked(dst *Message) bool {
	for f.queue.len() > 0 {
		c := f.queue.front()
		ps := c.ps
		if c.i < len(c.msgs) {
			*dst = c.msgs[c.i] // pop clears the slice once it is spent
			c.i++
			ps.buffered--
			ps.held = dst.Offset + 1
			if c.i == len(c.msgs) {
				ps.held = c.end
				f.queue.pop()
			}
			if ps.buffered+ps.backlog == f.opts.queued-1 {
				ps.wake() // room again: fetching may resume
			}
			return true
		}
		ps.held = c.end
		f.queue.pop()
	}
	return false
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
		ps.wake() // room again: fetching may resume
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

// close takes the partitions out of their sources; next returns
// ErrConsumerStopped from then on, in waiting calls too.
func (f *fetcher) close() {
	f.mu.Lock()
	f.cancel()
	f.mu.Unlock()
	f.client.fetches.unregister(f)
	f.wg.Wait()
}
