package kafka

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/gokafka/kafka/internal/backoff"
	"github.com/gokafka/kafka/protocol"
)

// GroupProtocol is the group membership protocol a [BalancedConsumer]
// speaks with its group's coordinator.
type GroupProtocol int8

const (
	// GroupProtocolClassic is Kafka's original protocol (JoinGroup,
	// SyncGroup, Heartbeat): the group's leader assigns partitions with
	// the MembershipProtocol assignor, and every change goes through a
	// rebalance. It is the zero value and works with every broker.
	GroupProtocolClassic GroupProtocol = iota
	// GroupProtocolConsumer is the consumer group protocol of KIP-848
	// (Kafka 4.0 and newer): members only heartbeat
	// (ConsumerGroupHeartbeat), the broker assigns partitions with its
	// ServerAssignor, and a membership change moves only the partitions
	// that change owner, each once its previous owner has released it;
	// the others are consumed throughout.
	GroupProtocolConsumer
)

// String returns the protocol's name as Kafka's group.protocol setting
// spells it: "classic" or "consumer".
func (p GroupProtocol) String() string {
	switch p {
	case GroupProtocolClassic:
		return "classic"
	case GroupProtocolConsumer:
		return "consumer"
	}
	return fmt.Sprintf("GroupProtocol(%d)", int8(p))
}

// partitionHandler is what a group member drives: it gives partitions up
// (committing first unless lost) and takes new ones. The BalancedConsumer
// is one; tests use their own.
type partitionHandler interface {
	// revokePartitions stops consuming tps. With lost, the member no
	// longer owns them (it was fenced): nothing may be committed.
	revokePartitions(ctx context.Context, lost bool, tps []TopicPartition)
	// assignPartitions starts consuming tps, from the group's commits.
	assignPartitions(ctx context.Context, tps []TopicPartition) error
}

// consumerMember is one member's side of KIP-848's consumer group
// protocol: a heartbeat loop that joins (epoch 0), learns its target
// assignment from the coordinator, reconciles it through the
// partitionHandler (revoking before assigning, and acknowledging what it
// owns in the next heartbeat), follows its member epoch, and rejoins when
// fenced. It knows nothing of fetching.
type consumerMember struct {
	client    *Client
	group     string
	topics    []string // subscribed names, sorted
	regex     *string  // SubscribedTopicRegex (the broker matches it whole), nil if none
	instance  *string  // static membership, nil if none
	assignor  *string  // ServerAssignor, nil for the broker's default
	rebalance time.Duration
	session   time.Duration // without a heartbeat answer this long, the partitions are lost
	backoff   time.Duration
	h         partitionHandler
	onError   func(error)                        // a failure the user should hear of; may be nil
	onEpoch   func(memberID string, epoch int32) // the epoch commits carry changed; may be nil

	mu       sync.Mutex
	memberID string
	named    bool  // the coordinator has answered with memberID
	epoch    int32 // 0 while joining, -1 after leaving
	interval time.Duration
	owned    map[TopicPartition]protocol.UUID // what the handler holds
	target   map[protocol.UUID][]int32        // the latest assignment; nil: none yet
	seq      int                              // counts assignments received
	pending  bool                             // target not reconciled yet (or some of it could not be)
	report   bool                             // the next heartbeat carries owned partitions and the subscription
	fenced   error                            // set by a heartbeat during reconciliation
	lastOK   time.Time
}

// defaultConsumerHeartbeat is the heartbeat interval before the coordinator
// names one (Kafka's group.consumer.heartbeat.interval.ms default).
const defaultConsumerHeartbeat = 5 * time.Second

// errGroupIsClassic explains GROUP_ID_NOT_FOUND from a heartbeat.
var errGroupIsClassic = errors.New("the group exists with the classic protocol and has members (use GroupProtocolClassic, or wait until they leave)")

// newMemberID returns a member ID as KIP-1082 asks consumer-group members
// to make one, and as share-group members (KIP-932) always do: a random
// UUID, URL-safe base64 without padding, as Java's Uuid prints it.
func newMemberID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// membership returns the member ID and current member epoch, which offset
// commits carry.
func (m *consumerMember) membership() (string, int32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.memberID, m.epoch
}

// run is the member's life until ctx ends: heartbeat, reconcile, rejoin.
// It returns with the partitions still held: the caller gives them up and
// calls leave.
func (m *consumerMember) run(ctx context.Context) {
	m.mu.Lock()
	if m.memberID == "" {
		m.memberID = newMemberID()
	}
	m.interval = defaultConsumerHeartbeat
	m.lastOK = time.Now()
	m.mu.Unlock()
	bo := backoff.Backoff{Min: m.backoff, Max: 10 * m.backoff}
	failures := 0
	var wait time.Duration
	for {
		if backoff.Sleep(ctx, wait) != nil {
			return
		}
		err := m.heartbeat(ctx, true)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			wait = bo.Delay(failures - 1)
			switch {
			case memberLost(err):
				m.client.log.Info("kafka: fenced from the group; giving up its partitions and rejoining", "group", m.group, "err", err)
				m.lose(ctx)
				wait = 0 // a fenced member rejoins at once
			case IsRetriable(err):
				m.client.log.Debug("kafka: group heartbeat failed", "group", m.group, "err", err)
				m.loseIfExpired(ctx, err)
			default:
				m.client.log.Warn("kafka: group heartbeat failed", "group", m.group, "err", err)
				if m.onError != nil {
					m.onError(err)
				}
				m.loseIfExpired(ctx, err)
			}
			continue
		}
		failures = 0
		if m.reconcile(ctx) {
			wait = 0 // acknowledge what it owns now
			continue
		}
		m.mu.Lock()
		wait = m.interval
		if m.pending {
			wait = min(wait, m.backoff) // some of the target could not be taken: again soon
		}
		m.mu.Unlock()
	}
}

// memberLost reports whether err means the coordinator no longer counts
// this member (or this epoch) in the group.
func memberLost(err error) bool {
	return errors.Is(err, ErrFencedMemberEpoch) || errors.Is(err, ErrUnknownMemberID)
}

// heartbeat sends one ConsumerGroupHeartbeat. With full (the main loop),
// it carries the subscription and owned partitions when due; otherwise
// (while the handler reconciles) it only keeps the membership alive.
func (m *consumerMember) heartbeat(ctx context.Context, full bool) error {
	b, err := m.client.coordinator(ctx, m.group)
	if err != nil {
		return err
	}
	version, err := b.version(ctx, protocol.KeyConsumerGroupHeartbeat)
	if err != nil {
		return final{fmt.Errorf("kafka: group %s: GroupProtocolConsumer: %w", m.group, err)}
	}
	m.mu.Lock()
	req := &protocol.ConsumerGroupHeartbeatRequest{
		GroupID: m.group, MemberID: m.memberID, MemberEpoch: m.epoch, InstanceID: m.instance, RebalanceTimeoutMs: -1,
	}
	joining := m.epoch == 0
	if joining && version == 0 && !m.named {
		req.MemberID = "" // v0 brokers name the member themselves
	}
	sendOwned := full && (joining || m.report)
	var sent map[TopicPartition]protocol.UUID
	if sendOwned {
		req.RebalanceTimeoutMs = millis(m.rebalance)
		// The broker subscribes the member to the named topics and to
		// those the regex matches.
		req.SubscribedTopicNames = m.topics
		if req.SubscribedTopicNames == nil {
			req.SubscribedTopicNames = []string{}
		}
		if version >= 1 {
			req.SubscribedTopicRegex = m.regex
		}
		req.ServerAssignor = m.assignor
		req.TopicPartitions = ownedByTopic(m.owned) // empty (not null) when joining
		sent = maps.Clone(m.owned)
	}
	m.mu.Unlock()
	if m.regex != nil && version < 1 {
		return final{fmt.Errorf("kafka: group %s: %w: TopicPattern with GroupProtocolConsumer needs ConsumerGroupHeartbeat v1 (Kafka 4.0)", m.group, ErrUnsupportedVersion)}
	}
	var resp protocol.ConsumerGroupHeartbeatResponse
	if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
		m.client.forgetCoordinator(m.group)
		m.mu.Lock()
		m.report = true // the answer is lost: say everything again
		m.mu.Unlock()
		return b.opError("consumer group heartbeat "+m.group, "", -1, err)
	}
	if code := Error(resp.ErrorCode); code != 0 {
		m.mu.Lock()
		m.report = true
		m.mu.Unlock()
		return m.codeError(b, code, resp.ErrorMessage)
	}
	m.mu.Lock()
	before := m.epoch
	m.accept(&resp, sent, sendOwned)
	id, epoch := m.memberID, m.epoch
	m.mu.Unlock()
	if epoch != before && m.onEpoch != nil {
		m.onEpoch(id, epoch)
	}
	return nil
}

// accept takes in a heartbeat's answer. m.mu is held.
func (m *consumerMember) accept(resp *protocol.ConsumerGroupHeartbeatResponse, sent map[TopicPartition]protocol.UUID, sendOwned bool) {
	m.lastOK = time.Now()
	if resp.MemberID != nil && *resp.MemberID != "" {
		m.memberID, m.named = *resp.MemberID, true
	}
	if resp.HeartbeatIntervalMs > 0 {
		m.interval = time.Duration(resp.HeartbeatIntervalMs) * time.Millisecond
	}
	if resp.MemberEpoch < 0 {
		// Only a leave is answered with a negative epoch, and this is no
		// leave: taking it would make the next heartbeat one.
		m.client.log.Warn("kafka: ignoring a heartbeat answer with a negative member epoch", "group", m.group, "epoch", resp.MemberEpoch)
		return
	}
	if resp.MemberEpoch != m.epoch {
		m.client.log.Debug("kafka: member epoch", "group", m.group, "member", m.memberID, "epoch", resp.MemberEpoch)
	}
	m.epoch = resp.MemberEpoch
	if sendOwned && maps.Equal(sent, m.owned) {
		m.report = false
	}
	if resp.Assignment != nil {
		m.target = make(map[protocol.UUID][]int32, len(resp.Assignment.TopicPartitions))
		for _, t := range resp.Assignment.TopicPartitions {
			m.target[t.TopicID] = append(m.target[t.TopicID], t.Partitions...)
		}
		m.pending = true
		m.seq++
	}
}

// codeError turns a heartbeat's error code into an error naming the cause.
func (m *consumerMember) codeError(b *broker, code Error, msg *string) error {
	var err error = code
	switch code {
	case ErrNotCoordinator, ErrCoordinatorNotAvailable:
		m.client.forgetCoordinator(m.group)
	case ErrGroupIDNotFound:
		err = fmt.Errorf("%w: %w", code, errGroupIsClassic)
	case ErrUnsupportedAssignor:
		name := "<default>"
		if m.assignor != nil {
			name = *m.assignor
		}
		err = fmt.Errorf("%w: the broker has no server assignor %q (Kafka's are \"uniform\" and \"range\")", code, name)
	case ErrUnreleasedInstanceID:
		err = fmt.Errorf("%w: another member holds GroupInstanceID %q (it has not left yet)", code, deref(m.instance))
	case ErrFencedInstanceID:
		err = fmt.Errorf("%w: a newer member took GroupInstanceID %q", code, deref(m.instance))
	}
	if msg != nil && *msg != "" {
		err = fmt.Errorf("%w (%s)", err, *msg)
	}
	return b.opError("consumer group heartbeat "+m.group, "", -1, err)
}

// lose gives up every partition as lost (no commit: another member may own
// them already) and makes the next heartbeat a join, under the same member
// ID (KIP-1082: a consumer keeps its ID for life, as Java's does): a
// coordinator that still knows the member takes it back in place, one
// that forgot it adds it anew.
func (m *consumerMember) lose(ctx context.Context) {
	m.mu.Lock()
	lost := slices.SortedFunc(maps.Keys(m.owned), TopicPartition.compare)
	m.owned = nil
	m.target, m.pending, m.fenced = nil, false, nil
	m.epoch = 0
	id := m.memberID
	m.mu.Unlock()
	if m.onEpoch != nil {
		m.onEpoch(id, 0)
	}
	if len(lost) > 0 {
		m.h.revokePartitions(ctx, true, lost)
	}
}

// loseIfExpired gives the partitions up as lost when no heartbeat has been
// answered for the session timeout: the coordinator has given them to
// others by now.
func (m *consumerMember) loseIfExpired(ctx context.Context, err error) {
	m.mu.Lock()
	expired := time.Since(m.lastOK) > m.session && m.epoch > 0
	m.mu.Unlock()
	if expired {
		m.client.log.Warn("kafka: group heartbeats failing past the session timeout; rejoining", "group", m.group, "err", err)
		m.lose(ctx)
	}
}

// reconcile makes what the handler holds match the latest assignment:
// first it revokes what left it, then it assigns what came, heartbeating
// meanwhile. It reports whether what the member owns changed, so that the
// next heartbeat, sent at once, acknowledges it.
func (m *consumerMember) reconcile(ctx context.Context) bool {
	m.mu.Lock()
	if !m.pending {
		m.mu.Unlock()
		return false
	}
	target, seq := m.target, m.seq
	m.mu.Unlock()
	want, unresolved := m.resolve(ctx, target)
	m.mu.Lock()
	var revoke, assign []TopicPartition
	for tp := range m.owned {
		if _, ok := want[tp]; !ok {
			revoke = append(revoke, tp)
		}
	}
	for tp := range want {
		if _, ok := m.owned[tp]; !ok {
			assign = append(assign, tp)
		}
	}
	m.mu.Unlock()
	slices.SortFunc(revoke, TopicPartition.compare)
	slices.SortFunc(assign, TopicPartition.compare)
	changed := false
	if len(revoke) > 0 || len(assign) > 0 {
		m.client.log.Info("kafka: reconciling the group's assignment", "group", m.group, "revoke", revoke, "assign", assign)
		stop := m.keepAlive(ctx)
		if len(revoke) > 0 {
			m.h.revokePartitions(ctx, false, revoke)
			m.mu.Lock()
			for _, tp := range revoke {
				delete(m.owned, tp)
			}
			m.report, changed = true, true
			m.mu.Unlock()
		}
		if len(assign) > 0 && m.stillMember() {
			if err := m.h.assignPartitions(ctx, assign); err != nil {
				unresolved = true // taken again at the next heartbeat
				if ctx.Err() == nil {
					m.client.log.Warn("kafka: taking assigned partitions failed", "group", m.group, "err", err)
					if m.onError != nil {
						m.onError(err)
					}
				}
			} else {
				m.mu.Lock()
				if m.owned == nil {
					m.owned = map[TopicPartition]protocol.UUID{}
				}
				for _, tp := range assign {
					m.owned[tp] = want[tp]
				}
				m.report, changed = true, true
				m.mu.Unlock()
			}
		}
		stop()
	}
	m.mu.Lock()
	fenced := m.fenced
	if !unresolved && seq == m.seq {
		m.pending = false
	}
	m.mu.Unlock()
	if fenced != nil {
		m.client.log.Info("kafka: fenced from the group while reconciling; rejoining", "group", m.group, "err", fenced)
		m.lose(ctx)
		return true
	}
	return changed
}

// stillMember reports whether no heartbeat since reconciliation began
// found the member fenced.
func (m *consumerMember) stillMember() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fenced == nil
}

// keepAlive heartbeats (without owned partitions, which are changing)
// while the handler reconciles, until stop is called. A fencing answer is
// kept for reconcile; an assignment that changed again is reconciled next.
func (m *consumerMember) keepAlive(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			m.mu.Lock()
			wait := m.interval
			m.mu.Unlock()
			if backoff.Sleep(ctx, wait) != nil {
				return
			}
			err := m.heartbeat(ctx, false)
			if ctx.Err() != nil {
				return
			}
			if memberLost(err) {
				m.mu.Lock()
				m.fenced = err
				m.mu.Unlock()
				return
			}
			if err != nil {
				m.client.log.Debug("kafka: group heartbeat failed while reconciling", "group", m.group, "err", err)
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// resolve turns an assignment's topic IDs into names, refreshing the
// metadata when one is unknown. unresolved reports IDs it could not name
// yet (a topic just created, or deleted): they are tried again later.
func (m *consumerMember) resolve(ctx context.Context, target map[protocol.UUID][]int32) (want map[TopicPartition]protocol.UUID, unresolved bool) {
	names := m.topicNames()
	for id := range target {
		if _, ok := names[id]; !ok {
			rctx, cancel := context.WithTimeout(ctx, m.client.cfg.RequestTimeout)
			topics := m.topics
			if m.regex != nil {
				topics = nil // every topic: the broker matched the regex against them
			}
			if err := m.client.refresh(rctx, topics, false); err != nil {
				m.client.log.Debug("kafka: metadata refresh for the group's assignment failed", "group", m.group, "err", err)
			}
			cancel()
			names = m.topicNames()
			break
		}
	}
	want = map[TopicPartition]protocol.UUID{}
	for id, parts := range target {
		name, ok := names[id]
		if !ok {
			unresolved = true
			continue
		}
		for _, p := range parts {
			want[TopicPartition{name, p}] = id
		}
	}
	return want, unresolved
}

// topicNames maps the topic IDs in the client's metadata to names.
func (m *consumerMember) topicNames() map[protocol.UUID]string {
	meta := m.client.meta.Load()
	out := make(map[protocol.UUID]string, len(meta.topics))
	for name, t := range meta.topics {
		if t.id != (protocol.UUID{}) {
			out[t.id] = name
		}
	}
	return out
}

// leave tells the coordinator the member is going: epoch -1, or -2 for a
// static member, whose partitions the coordinator keeps for it until it
// comes back (within the session timeout) with the same GroupInstanceID.
// The partitions must have been given up first.
func (m *consumerMember) leave(ctx context.Context) error {
	m.mu.Lock()
	memberID, epoch := m.memberID, m.epoch
	m.mu.Unlock()
	if memberID == "" || epoch < 0 {
		return nil
	}
	b, err := m.client.coordinator(ctx, m.group)
	if err != nil {
		return err
	}
	version, err := b.version(ctx, protocol.KeyConsumerGroupHeartbeat)
	if err != nil {
		return err
	}
	req := &protocol.ConsumerGroupHeartbeatRequest{GroupID: m.group, MemberID: memberID, MemberEpoch: -1, InstanceID: m.instance, RebalanceTimeoutMs: -1}
	if m.instance != nil {
		req.MemberEpoch = -2
	}
	var resp protocol.ConsumerGroupHeartbeatResponse
	if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
		return b.opError("leave group "+m.group, "", -1, err)
	}
	m.mu.Lock()
	m.epoch = -1
	m.owned = nil
	m.mu.Unlock()
	if code := Error(resp.ErrorCode); code != 0 && code != ErrUnknownMemberID && code != ErrFencedMemberEpoch {
		return b.opError("leave group "+m.group, "", -1, code)
	}
	return nil
}

// ownedByTopic lists owned partitions by topic ID, for a heartbeat;
// empty, not nil, when none.
func ownedByTopic(owned map[TopicPartition]protocol.UUID) []protocol.ConsumerGroupHeartbeatTopicPartitions {
	byID := map[protocol.UUID][]int32{}
	for tp, id := range owned {
		byID[id] = append(byID[id], tp.Partition)
	}
	out := make([]protocol.ConsumerGroupHeartbeatTopicPartitions, 0, len(byID))
	for _, id := range slices.SortedFunc(maps.Keys(byID), compareUUID) {
		ps := byID[id]
		slices.Sort(ps)
		out = append(out, protocol.ConsumerGroupHeartbeatTopicPartitions{TopicID: id, Partitions: ps})
	}
	return out
}

func compareUUID(a, b protocol.UUID) int { return bytes.Compare(a[:], b[:]) }
