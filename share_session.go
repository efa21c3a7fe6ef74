package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/gokafka/kafka/internal/conn"
	"github.com/gokafka/kafka/protocol"
)

// A shareSession is the member's share session with one broker (KIP-932):
// ShareFetch acquires records of the partitions the broker leads and
// carries the acknowledgements of records fetched before; ShareAcknowledge
// sends acknowledgements alone (Commit, and Close with epoch -1). Every
// request of a session goes out from its one goroutine, in order, on a
// connection of its own (a ShareFetch waits at the broker for records, and
// the broker ties the session to the connection).
type shareSession struct {
	sc *ShareConsumer
	b  *broker

	// Owned by the run goroutine.
	cn        *conn.Conn
	epoch     int32            // the next request's session epoch; 0 opens a session
	inSession map[shareTP]bool // the partitions the broker's session holds
	failures  int

	// Guarded by sc.mu.
	want    map[shareTP]string // partitions to fetch, with their topic names
	acks    pendingAcks
	commits []chan error // Commit calls waiting for the next acknowledgement to be answered
	sending bool         // acknowledgements are in flight
	wake    chan struct{}
}

func newShareSession(sc *ShareConsumer, b *broker) *shareSession {
	return &shareSession{sc: sc, b: b, inSession: map[shareTP]bool{}, acks: pendingAcks{}, wake: make(chan struct{}, 1)}
}

func (s *shareSession) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// closeConn closes the session's connection; the broker then releases the
// records the session still holds. Called once the run goroutine is done.
func (s *shareSession) closeConn() {
	if s.cn != nil {
		_ = s.cn.Close()
		s.cn = nil
	}
}

// run is the session's loop: fetch while Consume has room, acknowledge
// when asked, close the session at Close.
func (s *shareSession) run() {
	defer s.sc.wg.Done()
	sc := s.sc
	for {
		stop, closing := sc.stopped()
		if stop {
			if closing {
				s.finish()
			}
			return
		}
		sc.mu.Lock()
		want := s.want
		var acks pendingAcks
		if len(s.acks) > 0 {
			acks, s.acks = s.acks, pendingAcks{}
		}
		commits := s.commits
		s.commits = nil
		s.sending = len(acks) > 0 || len(commits) > 0
		full := int32(len(sc.queue)) >= sc.cfg.maxRecords()
		idle := len(want) == 0 && len(s.inSession) == 0
		sc.mu.Unlock()

		var err error
		switch {
		case (full || idle) && len(acks) == 0 && len(commits) == 0:
			select {
			case <-s.wake:
			case <-sc.stop:
			case <-sc.ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		case full || idle || s.epoch == 0 && len(acks) > 0:
			err = s.acknowledge(sc.ctx, acks, s.epoch)
		default:
			err = s.fetch(sc.ctx, want, acks)
		}
		sc.mu.Lock()
		s.sending = false
		sc.mu.Unlock()
		for _, ch := range commits {
			ch <- err
		}
		if err != nil {
			s.failed(err)
		} else {
			s.failures = 0
		}
	}
}

// failed handles an error of a request: a broken connection or session
// starts a new session (the broker released the old one's records), after
// a backoff.
func (s *shareSession) failed(err error) {
	if s.sc.ctx.Err() != nil {
		return
	}
	s.sc.c.log.Debug("kafka: share session request failed", "broker", s.b.id, "epoch", s.epoch, "err", err)
	if !errors.Is(err, ErrInvalidRecordState) {
		s.reset()
	}
	s.failures++
	d := min(time.Duration(s.failures)*100*time.Millisecond, 2*time.Second)
	select {
	case <-time.After(d):
	case <-s.sc.stop:
	case <-s.sc.ctx.Done():
	}
}

// reset forgets the session: the next request opens a new one.
func (s *shareSession) reset() {
	s.closeConn()
	s.epoch = 0
	clear(s.inSession)
}

func (s *shareSession) conn(ctx context.Context) (*conn.Conn, error) {
	if s.cn != nil {
		return s.cn, nil
	}
	cn, err := s.b.dial(ctx)
	if err != nil {
		return nil, err
	}
	s.cn = cn
	return cn, nil
}

// nextEpoch is the epoch after e: it wraps to 1, never 0 or -1.
func nextEpoch(e int32) int32 {
	if e == 1<<31-1 {
		return 1
	}
	return e + 1
}

// fetch sends one ShareFetch: partitions newly wanted join the session,
// partitions no longer wanted leave it, and acknowledgements of partitions
// in the session ride along; others go by ShareAcknowledge first.
func (s *shareSession) fetch(ctx context.Context, want map[shareTP]string, acks pendingAcks) error {
	sc := s.sc
	piggy := pendingAcks{}
	rest := pendingAcks{}
	for tp, a := range acks {
		if s.epoch > 0 && s.inSession[tp] && want[tp] != "" {
			piggy[tp] = a
		} else {
			rest[tp] = a
		}
	}
	if len(rest) > 0 && s.epoch > 0 {
		if err := s.acknowledge(ctx, rest, s.epoch); err != nil {
			return err
		}
	}
	version, err := s.b.version(ctx, protocol.KeyShareFetch)
	if err != nil {
		return err
	}
	req := &protocol.ShareFetchRequest{
		GroupID:           &sc.cfg.Group,
		MemberID:          &sc.memberID,
		ShareSessionEpoch: s.epoch,
		MaxWaitMs:         int32(sc.cfg.fetchWaitMax() / time.Millisecond),
		MinBytes:          1,
		MaxBytes:          sc.cfg.fetchMaxBytes(),
		MaxRecords:        sc.cfg.maxRecords(),
		BatchSize:         sc.cfg.maxRecords(),
	}
	if len(piggy) > 0 {
		req.MaxWaitMs = min(req.MaxWaitMs, 100) // acknowledgements should not wait for records
	}
	topics := map[protocol.UUID]int{}
	part := func(tp shareTP) *protocol.ShareFetchPartition {
		i, ok := topics[tp.id]
		if !ok {
			i = len(req.Topics)
			topics[tp.id] = i
			req.Topics = append(req.Topics, protocol.ShareFetchTopic{TopicID: tp.id})
		}
		t := &req.Topics[i]
		for j := range t.Partitions {
			if t.Partitions[j].Partition == tp.partition {
				return &t.Partitions[j]
			}
		}
		t.Partitions = append(t.Partitions, protocol.ShareFetchPartition{Partition: tp.partition})
		return &t.Partitions[len(t.Partitions)-1]
	}
	for tp := range want {
		if s.epoch == 0 || !s.inSession[tp] {
			part(tp)
		}
	}
	for tp, a := range piggy {
		part(tp).AcknowledgementBatches = ackBatches(a)
	}
	if s.epoch > 0 {
		for tp := range s.inSession {
			if want[tp] == "" {
				req.ForgottenTopicsData = appendForgotten(req.ForgottenTopicsData, tp)
			}
		}
	}
	cn, err := s.conn(ctx)
	if err != nil {
		return err
	}
	var resp protocol.ShareFetchResponse
	sent := time.Now()
	if err := s.b.requestOn(ctx, cn, req, &resp, version, sc.cfg.fetchWaitMax()); err != nil {
		return err
	}
	if err := messageError(resp.ErrorCode, resp.ErrorMessage); err != nil {
		return fmt.Errorf("ShareFetch to broker %d: %w", s.b.id, err)
	}
	s.epoch = nextEpoch(s.epoch)
	clear(s.inSession)
	for tp := range want {
		s.inSession[tp] = true
	}
	var (
		ackErr  error
		out     []shareDelivery
		hints   []leaderHint
		refresh bool
	)
	for _, t := range resp.Topics {
		for i := range t.Partitions {
			p := &t.Partitions[i]
			tp := shareTP{t.TopicID, p.Partition}
			if err := messageError(p.AcknowledgeErrorCode, p.AcknowledgeErrorMessage); err != nil && ackErr == nil {
				ackErr = fmt.Errorf("acknowledging %s[%d]: %w", want[tp], p.Partition, err)
			}
			if err := messageError(p.ErrorCode, p.ErrorMessage); err != nil {
				// A leader moved or the topic changed: the answer may
				// say where (KIP-951), or the metadata will.
				sc.c.log.Debug("kafka: share fetch partition error", "topic", want[tp], "partition", p.Partition, "err", err)
				h := leaderHint{topic: want[tp], partition: p.Partition, leader: p.CurrentLeader}
				if errors.Is(err, ErrNotLeaderOrFollower) && h.topic != "" && h.usable() {
					hints = append(hints, h)
				} else {
					refresh = true
				}
				continue
			}
			name := want[tp]
			if name == "" || len(p.AcquiredRecords) == 0 {
				continue
			}
			out = s.decode(out, name, tp, p)
		}
	}
	if resp.AcquisitionLockTimeoutMs > 0 {
		expires := sent.Add(time.Duration(resp.AcquisitionLockTimeoutMs) * time.Millisecond)
		for i := range out {
			out[i].expires = expires
		}
	}
	sc.push(out)
	s.followLeaders(hints, resp.NodeEndpoints, refresh)
	return ackErr
}

// followLeaders routes partitions whose leader moved to the leaders the
// answer named, without a metadata round trip, and refreshes the metadata
// for errors that named none. A hint may already be installed (a
// producer's or a fetch's answer said the same first): the share
// consumer, which is not one of the Client's engines, routes then too.
func (s *shareSession) followLeaders(hints []leaderHint, endpoints []protocol.NodeEndpoint, refresh bool) {
	sc := s.sc
	if len(hints) > 0 {
		sc.c.applyLeaderHints(hints, endpoints)
		if sc.c.meta.Load().follows(hints) {
			sc.route(sc.ctx)
		} else {
			refresh = true
		}
	}
	if refresh {
		sc.mu.Lock()
		sc.refreshLocked(true)
		sc.mu.Unlock()
	}
}

func appendForgotten(f []protocol.ShareGroupTopicPartitions, tp shareTP) []protocol.ShareGroupTopicPartitions {
	for i := range f {
		if f[i].TopicID == tp.id {
			f[i].Partitions = append(f[i].Partitions, tp.partition)
			return f
		}
	}
	return append(f, protocol.ShareGroupTopicPartitions{TopicID: tp.id, Partitions: []int32{tp.partition}})
}

// maxGapSpan bounds the offsets of an acquired range that are walked to
// find gaps, so that a range from the wire cannot make the client loop for
// long.
const maxGapSpan = 1 << 20

// decode turns a partition's records into deliveries: only the offsets the
// member acquired, each with its range's delivery count. Acquired offsets
// that hold no record (transaction markers, compacted records) are
// acknowledged as gaps.
func (s *shareSession) decode(out []shareDelivery, topic string, tp shareTP, p *protocol.ShareFetchResponsePartition) []shareDelivery {
	ranges := p.AcquiredRecords
	sort.Slice(ranges, func(i, j int) bool { return ranges[i].FirstOffset < ranges[j].FirstOffset })
	count := func(off int64) (int16, bool) {
		i := sort.Search(len(ranges), func(i int) bool { return ranges[i].LastOffset >= off })
		if i < len(ranges) && ranges[i].FirstOffset <= off {
			return ranges[i].DeliveryCount, true
		}
		return 0, false
	}
	seen := map[int64]bool{}
	rd := protocol.NewRecordSetReader(p.Records, protocol.DecodeOptions{})
	var batch protocol.RecordBatch
	for rd.Next(&batch) {
		if batch.Control() {
			continue
		}
		for i := range batch.Records {
			rec := &batch.Records[i]
			off := rec.Offset(&batch)
			dc, ok := count(off)
			if !ok || seen[off] {
				continue
			}
			seen[off] = true
			out = append(out, shareDelivery{
				msg: Message{
					Topic:         topic,
					Partition:     tp.partition,
					Offset:        off,
					Key:           rec.Key,
					Value:         rec.Value,
					Headers:       convertHeaders(rec.Headers),
					Timestamp:     time.UnixMilli(rec.Timestamp(&batch)),
					DeliveryCount: int(dc),
				},
				key: shareKey{tp, off},
				s:   s,
			})
		}
		batch.Detach()
	}
	if err := rd.Err(); err != nil {
		s.sc.c.log.Warn("kafka: share fetch records do not decode", "topic", topic, "partition", tp.partition, "err", err)
	}
	var gaps []shareAck
	for _, r := range ranges {
		if r.LastOffset < r.FirstOffset || r.LastOffset-r.FirstOffset > maxGapSpan {
			continue
		}
		for off := r.FirstOffset; off <= r.LastOffset; off++ {
			if !seen[off] {
				gaps = append(gaps, shareAck{off, protocol.ShareAckGap})
			}
		}
	}
	if len(gaps) > 0 {
		s.sc.mu.Lock()
		s.acks[tp] = append(s.acks[tp], gaps...)
		s.sc.mu.Unlock()
	}
	return out
}

// acknowledge sends acks by ShareAcknowledge at epoch (-1 closes the
// session). At epoch 0 there is no session: the broker released its
// records when the old one ended, so the acknowledgements are moot.
func (s *shareSession) acknowledge(ctx context.Context, acks pendingAcks, epoch int32) error {
	if len(acks) == 0 && epoch != -1 {
		return nil
	}
	if epoch == 0 {
		if n := acks.count(); n > 0 {
			s.sc.c.log.Debug("kafka: share acknowledgements dropped with their session; the records will be delivered again", "broker", s.b.id, "count", n)
		}
		return nil
	}
	version, err := s.b.version(ctx, protocol.KeyShareAcknowledge)
	if err != nil {
		return err
	}
	req := &protocol.ShareAcknowledgeRequest{GroupID: &s.sc.cfg.Group, MemberID: &s.sc.memberID, ShareSessionEpoch: epoch}
	idx := map[protocol.UUID]int{}
	for tp, a := range acks {
		i, ok := idx[tp.id]
		if !ok {
			i = len(req.Topics)
			idx[tp.id] = i
			req.Topics = append(req.Topics, protocol.ShareAcknowledgeTopic{TopicID: tp.id})
		}
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, protocol.ShareAcknowledgePartition{Partition: tp.partition, AcknowledgementBatches: ackBatches(a)})
	}
	cn, err := s.conn(ctx)
	if err != nil {
		return err
	}
	var resp protocol.ShareAcknowledgeResponse
	if err := s.b.requestOn(ctx, cn, req, &resp, version, 0); err != nil {
		return err
	}
	if err := messageError(resp.ErrorCode, resp.ErrorMessage); err != nil {
		return fmt.Errorf("ShareAcknowledge to broker %d: %w", s.b.id, err)
	}
	if epoch > 0 {
		s.epoch = nextEpoch(epoch)
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := messageError(p.ErrorCode, p.ErrorMessage); err != nil {
				return fmt.Errorf("acknowledging partition %d: %w", p.Partition, err)
			}
		}
	}
	return nil
}

// finish sends the last acknowledgements with epoch -1, which closes the
// session (the broker releases whatever the member still holds).
func (s *shareSession) finish() {
	sc := s.sc
	sc.mu.Lock()
	acks := s.acks
	commits := s.commits
	s.acks, s.commits = pendingAcks{}, nil
	sc.mu.Unlock()
	var err error
	if s.epoch > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), sc.c.cfg.RequestTimeout)
		err = s.acknowledge(ctx, acks, -1)
		cancel()
	}
	for _, ch := range commits {
		ch <- ErrConsumerStopped
	}
	if err != nil {
		sc.c.log.Debug("kafka: closing share session", "broker", s.b.id, "err", err)
	}
}
