package kafka

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/gokafka/kafka/protocol"
)

// ShareConsumerConfig configures a [ShareConsumer], a member of a share group
// (KIP-932, Kafka 4.1+).
type ShareConsumerConfig struct {
	// Group is the share group's name. Required.
	Group string
	// Topics are the topics the member subscribes to. Required.
	Topics []string
	// ExplicitAck makes every message need an [ShareConsumer.Ack]. Without
	// it (KIP-932's implicit mode) each message handed out is accepted when
	// the next Consume is called, or at Commit or Close.
	//
	// A message still unacknowledged in explicit mode stays acquired by
	// this member until the broker's acquisition lock runs out
	// (group.share.record.lock.duration.ms, 30 s by default), then it is
	// delivered again, to any member; Close releases such messages at once.
	ExplicitAck bool
	// MaxRecords caps the records one ShareFetch acquires, and the records
	// fetched but not yet handed out. Zero means 500.
	MaxRecords int32
	// FetchMaxBytes caps the bytes of one ShareFetch answer. Zero means
	// 50 MiB.
	FetchMaxBytes int32
	// FetchWaitMax is how long the broker may hold a ShareFetch when it has
	// no records; it also bounds how long a Commit or Close may wait for a
	// fetch in flight. Zero means 500 ms.
	FetchWaitMax time.Duration
	// RackID is the member's rack, for rack-aware assignment.
	RackID string
}

func (c *ShareConsumerConfig) maxRecords() int32 {
	if c.MaxRecords > 0 {
		return c.MaxRecords
	}
	return 500
}

func (c *ShareConsumerConfig) fetchMaxBytes() int32 {
	if c.FetchMaxBytes > 0 {
		return c.FetchMaxBytes
	}
	return 50 << 20
}

func (c *ShareConsumerConfig) fetchWaitMax() time.Duration {
	if c.FetchWaitMax > 0 {
		return c.FetchWaitMax
	}
	return 500 * time.Millisecond
}

// A ShareConsumer is a member of a share group: any number of members read
// the same partitions, each record is acquired by one member at a time, and
// each is acknowledged: accepted, released for redelivery, or rejected.
// Consumed messages carry [Message.DeliveryCount]. Its methods are safe for
// concurrent use.
type ShareConsumer struct {
	c        *Client
	cfg      ShareConsumerConfig
	memberID string

	ctx    context.Context // ends at Close (or kill)
	cancel context.CancelFunc
	wg     sync.WaitGroup // the heartbeat loop and every session loop
	stop   chan struct{}  // closed at Close or kill: the loops stop
	stopMu sync.Once

	mu          sync.Mutex
	memberEpoch int32
	assigned    map[shareTP]bool
	sessions    map[int32]*shareSession // by broker ID
	queue       []shareDelivery         // fetched, not yet handed out
	ready       chan struct{}           // closed (and replaced) when queue grows
	handed      map[shareKey]*shareSession
	lastHanded  []shareKey // implicit mode: handed out by the last Consume
	closing     bool       // Close has begun: sessions send their last acks and stop
	killed      bool       // tests: stop without acknowledging or leaving
	refreshing  bool       // a background metadata refresh is running
	fatal       error      // a heartbeat error that ended membership
	closeOnce   sync.Once
	closeErr    error
}

// shareKey names one delivered record.
type shareKey struct {
	tp     shareTP
	offset int64
}

// shareDelivery is a fetched message and the session it came through.
type shareDelivery struct {
	msg Message
	key shareKey
	s   *shareSession
	// expires is when the broker's acquisition lock on the record ends
	// (counted from when the ShareFetch was sent; zero if the broker did
	// not say): after it the record may be delivered to another member,
	// so a buffered one is dropped rather than handed out.
	expires time.Time
}

// ShareConsumer joins the share group cfg.Group, subscribed to cfg.Topics,
// and returns once the group coordinator has accepted the member. It needs
// Kafka 4.1 or newer with share groups enabled. Records start, for a new
// group, at the latest offset unless the group's share.auto.offset.reset
// config says "earliest".
func (c *Client) ShareConsumer(ctx context.Context, cfg ShareConsumerConfig) (*ShareConsumer, error) {
	if cfg.Group == "" {
		return nil, fmt.Errorf("kafka: ShareConsumerConfig.Group is required")
	}
	if len(cfg.Topics) == 0 {
		return nil, fmt.Errorf("kafka: ShareConsumerConfig.Topics is required")
	}
	for _, t := range cfg.Topics {
		if err := validTopicName(t); err != nil {
			return nil, err
		}
	}
	if c.isClosed() {
		return nil, ErrClientClosed
	}
	cfg.Topics = slices.Sorted(slices.Values(slices.Clone(cfg.Topics)))
	cfg.Topics = slices.Compact(cfg.Topics)
	sc := &ShareConsumer{
		c:        c,
		cfg:      cfg,
		memberID: newMemberID(),
		assigned: map[shareTP]bool{},
		sessions: map[int32]*shareSession{},
		ready:    make(chan struct{}),
		handed:   map[shareKey]*shareSession{},
		stop:     make(chan struct{}),
	}
	sc.ctx, sc.cancel = context.WithCancel(c.ctx)
	if err := c.refresh(ctx, cfg.Topics, false); err != nil && ctx.Err() != nil {
		sc.cancel()
		return nil, err
	}
	// The first heartbeat joins, in the caller's context, so that a broker
	// without share groups or a bad group name is an error here.
	interval, err := sc.heartbeat(ctx)
	if err != nil {
		sc.cancel()
		return nil, fmt.Errorf("kafka: joining share group %q: %w", cfg.Group, err)
	}
	sc.wg.Add(1)
	go sc.heartbeatLoop(interval)
	return sc, nil
}

// MemberID returns the member's ID in the share group.
func (sc *ShareConsumer) MemberID() string { return sc.memberID }

// Consume returns the next message, waiting for one until ctx ends. In
// implicit mode it first accepts every message the previous call returned.
// A fetched message whose acquisition lock (the group's
// share.record.lock.duration.ms, 30 s by default) ran out before Consume
// reached it is dropped: the broker may have given it to another member,
// and it comes back, if at all, with a higher DeliveryCount.
func (sc *ShareConsumer) Consume(ctx context.Context) (Message, error) {
	sc.mu.Lock()
	if !sc.cfg.ExplicitAck {
		sc.acceptLastLocked()
	}
	for {
		if sc.closing || sc.killed {
			sc.mu.Unlock()
			return Message{}, ErrConsumerStopped
		}
		if sc.fatal != nil {
			err := sc.fatal
			sc.mu.Unlock()
			return Message{}, err
		}
		if len(sc.queue) > 0 {
			d := sc.queue[0]
			sc.queue[0] = shareDelivery{}
			sc.queue = sc.queue[1:]
			if len(sc.queue) == 0 {
				sc.wakeSessionsLocked() // room for the next fetch
			}
			if !d.expires.IsZero() && time.Now().After(d.expires) {
				// Its lock ended while it waited here: the broker may
				// have given it to another member, and it comes back to
				// this one, if at all, with the next delivery count.
				sc.c.log.Debug("kafka: a buffered share record's acquisition lock expired; dropped", "topic", d.msg.Topic, "partition", d.msg.Partition, "offset", d.msg.Offset)
				continue
			}
			sc.handed[d.key] = d.s
			if !sc.cfg.ExplicitAck {
				sc.lastHanded = append(sc.lastHanded, d.key)
			}
			sc.mu.Unlock()
			return d.msg, nil
		}
		ready := sc.ready
		sc.mu.Unlock()
		select {
		case <-ready:
		case <-sc.ctx.Done():
		case <-ctx.Done():
			return Message{}, ctx.Err()
		}
		sc.mu.Lock()
		if sc.ctx.Err() != nil && !sc.closing && !sc.killed {
			sc.mu.Unlock()
			return Message{}, ErrConsumerStopped // the client was closed
		}
	}
}

// Messages iterates over the messages as Consume returns them, until ctx
// ends or the consumer stops; an error other than the end of ctx is
// yielded once, then iteration ends.
func (sc *ShareConsumer) Messages(ctx context.Context) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		for {
			msg, err := sc.Consume(ctx)
			if err != nil {
				if ctx.Err() == nil {
					yield(Message{}, err)
				}
				return
			}
			if !yield(msg, nil) {
				return
			}
		}
	}
}

// Ack acknowledges a message this consumer handed out: it is sent with the
// next ShareFetch to the partition's leader, or by Commit or Close. A
// message can be acknowledged once; acknowledging it again, or a message
// this consumer did not hand out, is an error.
func (sc *ShareConsumer) Ack(msg Message, kind AckKind) error {
	if kind != AckAccept && kind != AckRelease && kind != AckReject {
		return fmt.Errorf("kafka: Ack: unknown AckKind %d", kind)
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.closing || sc.killed {
		return ErrConsumerStopped
	}
	key, ok := sc.keyOf(msg)
	s := sc.handed[key]
	if !ok || s == nil {
		return fmt.Errorf("kafka: Ack %s offset %d: not a message this share consumer handed out, or already acknowledged", TopicPartition{msg.Topic, msg.Partition}, msg.Offset)
	}
	sc.ackLocked(key, s, int8(kind))
	if i := slices.Index(sc.lastHanded, key); i >= 0 {
		sc.lastHanded = slices.Delete(sc.lastHanded, i, i+1)
	}
	return nil
}

// keyOf finds the topic ID of msg's topic.
func (sc *ShareConsumer) keyOf(msg Message) (shareKey, bool) {
	tm, ok := sc.c.meta.Load().topics[msg.Topic]
	if !ok {
		return shareKey{}, false
	}
	return shareKey{shareTP{tm.id, msg.Partition}, msg.Offset}, true
}

// ackLocked queues an acknowledgement on the session that fetched the
// record.
func (sc *ShareConsumer) ackLocked(key shareKey, s *shareSession, kind int8) {
	delete(sc.handed, key)
	s.acks.add(key.tp, key.offset, kind)
	s.signal()
}

// acceptLastLocked accepts what the previous Consume handed out (implicit
// mode).
func (sc *ShareConsumer) acceptLastLocked() {
	for _, key := range sc.lastHanded {
		if s := sc.handed[key]; s != nil {
			sc.ackLocked(key, s, protocol.ShareAckAccept)
		}
	}
	sc.lastHanded = sc.lastHanded[:0]
}

func (sc *ShareConsumer) wakeSessionsLocked() {
	for _, s := range sc.sessions {
		s.signal()
	}
}

// Commit sends every pending acknowledgement now (in implicit mode, after
// accepting what the last Consume returned) and waits for the brokers'
// answers; it reports the first acknowledgement a broker refused (for
// example one whose acquisition lock had run out: the record was already
// given to another member).
func (sc *ShareConsumer) Commit(ctx context.Context) error {
	sc.mu.Lock()
	if sc.closing || sc.killed {
		sc.mu.Unlock()
		return ErrConsumerStopped
	}
	if !sc.cfg.ExplicitAck {
		sc.acceptLastLocked()
	}
	var waits []chan error
	for _, s := range sc.sessions {
		if len(s.acks) == 0 && !s.sending {
			continue
		}
		ch := make(chan error, 1)
		s.commits = append(s.commits, ch)
		s.signal()
		waits = append(waits, ch)
	}
	sc.mu.Unlock()
	var errs []error
	for _, ch := range waits {
		select {
		case err := <-ch:
			errs = append(errs, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.Join(errs...)
}

// Close acknowledges what is pending (accepting, in implicit mode, what the
// last Consume returned; releasing unacknowledged messages in explicit
// mode, and messages fetched but never handed out), closes the share
// sessions and leaves the group. It waits at most for a fetch in flight
// and a leave heartbeat, bounded by Config.RequestTimeout. Calling it again
// returns the first call's result.
func (sc *ShareConsumer) Close() error {
	sc.closeOnce.Do(func() { sc.closeErr = sc.close() })
	return sc.closeErr
}

func (sc *ShareConsumer) close() error {
	sc.mu.Lock()
	if sc.killed {
		sc.mu.Unlock()
		return nil
	}
	if !sc.cfg.ExplicitAck {
		sc.acceptLastLocked()
	}
	for key, s := range sc.handed {
		sc.ackLocked(key, s, protocol.ShareAckRelease)
	}
	for _, d := range sc.queue {
		d.s.acks.add(d.key.tp, d.key.offset, protocol.ShareAckRelease)
	}
	sc.queue = nil
	sc.closing = true
	sc.stopMu.Do(func() { close(sc.stop) })
	sc.wakeSessionsLocked()
	close(sc.ready)
	sc.ready = make(chan struct{})
	sc.mu.Unlock()

	// The sessions send their last acknowledgements (epoch -1) and stop;
	// then the member leaves. Both are bounded: a broker that does not
	// answer does not hold Close forever.
	ctx, cancel := context.WithTimeout(context.Background(), sc.c.cfg.RequestTimeout+2*sc.cfg.fetchWaitMax()+time.Second)
	defer cancel()
	sessionsDone := make(chan struct{})
	go func() { sc.wg.Wait(); close(sessionsDone) }()
	var err error
	select {
	case <-sessionsDone:
	case <-ctx.Done():
		err = fmt.Errorf("kafka: closing share consumer: %w", ctx.Err())
	}
	sc.cancel()
	<-sessionsDone
	if lerr := sc.leave(ctx); lerr != nil && err == nil {
		err = lerr
	}
	sc.mu.Lock()
	for _, s := range sc.sessions {
		s.closeConn()
	}
	sc.mu.Unlock()
	return err
}

// kill stops the consumer as a crashed process would: nothing more is sent,
// no acknowledgement, no leave, and its connections stay open, so that the
// broker only learns of it by timeouts. For tests.
func (sc *ShareConsumer) kill() {
	sc.mu.Lock()
	sc.killed = true
	sc.stopMu.Do(func() { close(sc.stop) })
	sc.wakeSessionsLocked()
	sc.mu.Unlock()
	sc.wg.Wait()
}

// closeKilled closes a killed consumer's connections.
func (sc *ShareConsumer) closeKilled() {
	sc.cancel()
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for _, s := range sc.sessions {
		s.closeConn()
	}
}

// push queues fetched messages for Consume.
func (sc *ShareConsumer) push(ds []shareDelivery) {
	if len(ds) == 0 {
		return
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.closing || sc.killed {
		for _, d := range ds {
			d.s.acks.add(d.key.tp, d.key.offset, protocol.ShareAckRelease)
		}
		return
	}
	sc.queue = append(sc.queue, ds...)
	close(sc.ready)
	sc.ready = make(chan struct{})
}

// stopped reports whether the loops should stop, and whether that is a
// Close (true) rather than a kill.
func (sc *ShareConsumer) stopped() (stop, closing bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.closing || sc.killed || sc.ctx.Err() != nil, sc.closing && !sc.killed
}
