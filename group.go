package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/gokafka/kafka/internal/backoff"
	"github.com/gokafka/kafka/internal/conn"
	"github.com/gokafka/kafka/protocol"
)

// classicMember is one member's side of Kafka's classic group protocol
// (the consumer's own machinery; GroupMember describes a member of a group
// for admin calls):
// JoinGroup and SyncGroup to get an assignment, Heartbeat to keep it,
// LeaveGroup to give it up. It knows nothing of fetching.
type classicMember struct {
	client    *Client
	group     string
	topics    []string   // subscribed, sorted
	instance  *string    // static membership (KIP-345), nil if none
	assignors []Assignor // proposed, in order of preference
	// cooperative: every assignor proposed is cooperative, so the member
	// rebalances cooperatively (KIP-429): it keeps its partitions while
	// it rejoins, and says which it owns.
	cooperative bool
	// onLost, when set, is called (from join's goroutine) before the
	// member joins again after losing its membership: under cooperative
	// rebalancing the partitions it holds must be given up first, since
	// the group may already have given them to others.
	onLost    func()
	session   time.Duration
	rebalance time.Duration
	retries   int
	backoff   time.Duration

	connMu sync.Mutex
	conn   *conn.Conn // this member's own connection to its coordinator
	connTo int32      // the coordinator it goes to

	mu         sync.Mutex
	memberID   string
	generation int32
	owned      map[string][]int32 // the last assignment, for sticky assignors
	lost       bool               // the membership was lost (unknown member, illegal generation) since the last join
	assignor   Assignor           // the one the group chose in the last join
	watched    map[string]int32   // as leader: the partition counts it assigned, 0 for a missing topic
}

// call sends a group request on the member's own connection to its
// coordinator b, opening one when needed. When b shows it cannot read the
// request at version (see groupCallFallback), it is sent again at an
// older one; the request must hold the fields of every version.
func (g *classicMember) call(ctx context.Context, b *broker, req protocol.Request, resp protocol.Response, version int16, wait time.Duration) error {
	closes := 0
	for {
		sent, err := g.callOnce(ctx, b, req, resp, version, wait)
		if !sent {
			return err // no connection: nothing to learn about versions
		}
		to, again := b.groupCallFallback(ctx, req.APIKey(), version, err, &closes)
		if !again {
			return err
		}
		version = to
	}
}

// callOnce is one attempt of call; sent is false when no connection could
// be opened to send the request on.
func (g *classicMember) callOnce(ctx context.Context, b *broker, req protocol.Request, resp protocol.Response, version int16, wait time.Duration) (sent bool, err error) {
	g.connMu.Lock()
	defer g.connMu.Unlock()
	if g.conn != nil && (g.conn.Err() != nil || g.connTo != b.id) {
		g.conn.Close()
		g.conn = nil
	}
	if g.conn == nil {
		cn, err := b.dial(ctx)
		if err != nil {
			return false, err
		}
		g.conn, g.connTo = cn, b.id
	}
	err = b.requestOn(ctx, g.conn, req, resp, version, wait)
	if err != nil && ctx.Err() != nil {
		// An abandoned request may still be held by the coordinator (a
		// JoinGroup waits for the other members), and the broker answers
		// a connection's requests in order: anything sent after it, such
		// as Close's LeaveGroup, would wait as long. The next call dials
		// afresh.
		g.conn.Close()
		g.conn = nil
	}
	return true, err
}

// closeConn closes the member's connection.
func (g *classicMember) closeConn() {
	g.connMu.Lock()
	defer g.connMu.Unlock()
	if g.conn != nil {
		g.conn.Close()
		g.conn = nil
	}
}

// errRebalance means the group is rebalancing (or this member fell out of
// it): the member must give up its partitions and join again.
var errRebalance = errors.New("kafka: group rebalancing")

// membership returns the member's current ID and generation.
func (g *classicMember) membership() (string, int32) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.memberID, g.generation
}

// join runs JoinGroup and SyncGroup until this member has an assignment,
// handling the protocol's retriable answers: MEMBER_ID_REQUIRED (join again
// with the ID given), UNKNOWN_MEMBER_ID (join afresh), coordinator moves
// and loads, and rebalances that restart while joining. Errors that need
// the user (a fenced static member, a group using another assignor) are
// returned, as are transient ones after retries attempts.
func (g *classicMember) join(ctx context.Context) (map[string][]int32, error) {
	bo := backoff.Backoff{Min: g.backoff, Max: 10 * g.backoff}
	failures := 0
	for {
		g.mu.Lock()
		lost := g.lost
		g.lost = false
		g.mu.Unlock()
		if lost && g.onLost != nil {
			g.onLost()
		}
		assignment, err := g.joinOnce(ctx)
		if err == nil {
			return assignment, nil
		}
		if errors.Is(err, errRebalance) {
			continue // the protocol's own loop: join again at once
		}
		if ctx.Err() != nil || !IsRetriable(err) || errors.As(err, new(final)) {
			return nil, err
		}
		if failures++; failures > g.retries {
			return nil, err
		}
		g.client.log.Debug("kafka: joining group failed; retrying", "group", g.group, "err", err)
		if backoff.Sleep(ctx, bo.Delay(failures-1)) != nil {
			return nil, err
		}
	}
}

// catchUp brings a cooperative member that lost track of its group's
// generation back to it, for a last commit: Close cancels the member's
// loop, and a JoinGroup or SyncGroup cancelled after the coordinator took
// it leaves the member in a generation it never heard of (commits are then
// refused with ILLEGAL_GENERATION, or with REBALANCE_IN_PROGRESS until the
// leader's SyncGroup). It joins again saying it owns what it owned (the
// coordinator answers a known member's unchanged JoinGroup at once while
// the rebalance completes), syncs, and returns the membership to commit
// with. Under cooperative rebalancing nobody else can hold the member's
// partitions in that generation: they stay with it or are held back until
// it gives them up. It fails, rather than joining as a newcomer, once the
// membership is lost (unknown member, or a generation the group has left
// behind): the group may have given the partitions to others by then.
func (g *classicMember) catchUp(ctx context.Context) (memberID string, generation int32, err error) {
	for {
		g.mu.Lock()
		lost, id := g.lost, g.memberID
		g.mu.Unlock()
		if lost || id == "" {
			return "", -1, fmt.Errorf("kafka: group %s: the membership was lost", g.group)
		}
		_, err := g.joinOnce(ctx)
		switch {
		case err == nil:
			memberID, generation = g.membership()
			return memberID, generation, nil
		case errors.Is(err, errRebalance) && ctx.Err() == nil:
			continue // a rebalance restarted: join it too
		default:
			return "", -1, err
		}
	}
}

// joinOnce makes one JoinGroup + SyncGroup round.
func (g *classicMember) joinOnce(ctx context.Context) (map[string][]int32, error) {
	b, err := g.client.coordinator(ctx, g.group)
	if err != nil {
		return nil, err
	}
	version, err := b.version(ctx, protocol.KeyJoinGroup)
	if err != nil {
		return nil, final{err}
	}
	g.mu.Lock()
	req := &protocol.JoinGroupRequest{
		GroupID:            g.group,
		SessionTimeoutMs:   millis(g.session),
		RebalanceTimeoutMs: millis(g.rebalance),
		MemberID:           g.memberID,
		GroupInstanceID:    g.instance,
		ProtocolType:       "consumer",
	}
	for _, a := range g.assignors {
		meta, err := g.subscription(a)
		if err != nil {
			g.mu.Unlock()
			return nil, final{err}
		}
		req.Protocols = append(req.Protocols, protocol.JoinGroupRequestProtocol{Name: a.Name(), Metadata: meta})
	}
	g.mu.Unlock()
	var resp protocol.JoinGroupResponse
	if err := g.call(ctx, b, req, &resp, version, g.rebalance); err != nil {
		g.client.forgetCoordinator(g.group)
		return nil, b.opError("join group "+g.group, "", -1, err)
	}
	switch code := Error(resp.ErrorCode); code {
	case 0:
	case ErrMemberIDRequired: // KIP-394: join again with the ID we were given
		g.setMember(resp.MemberID, -1)
		return nil, errRebalance
	case ErrUnknownMemberID:
		g.setMember("", -1)
		return nil, errRebalance
	default:
		return nil, g.codeError(b, "join group", code)
	}
	chosen, err := g.chosen(resp.ProtocolName)
	if err != nil {
		return nil, err
	}
	g.setMember(resp.MemberID, resp.GenerationID)
	g.mu.Lock()
	g.watched = nil // set again by assign if this member leads
	g.assignor = chosen
	g.mu.Unlock()

	var assignments []protocol.SyncGroupRequestAssignment
	if resp.Leader == resp.MemberID && !resp.SkipAssignment {
		if assignments, err = g.assign(ctx, resp.Members); err != nil {
			return nil, err
		}
	}
	return g.sync(ctx, b, resp.GenerationID, resp.MemberID, assignments)
}

// chosen returns the assignor the coordinator chose among those the
// member proposed (the first, from a coordinator too old to say).
func (g *classicMember) chosen(name *string) (Assignor, error) {
	if name == nil || *name == "" {
		return g.assignors[0], nil
	}
	for _, a := range g.assignors {
		if a.Name() == *name {
			return a, nil
		}
	}
	return nil, final{fmt.Errorf("kafka: group %s chose assignor %q, which this member did not propose", g.group, *name)}
}

// subscription encodes this member's JoinGroup metadata for assignor a.
// Only a cooperative member says which partitions it owns: an eager one
// has given them all up before it joins (as the Java client's), so that a
// cooperative assignor chosen for a group in the middle of an upgrade
// does not hold back partitions for it to give up. g.mu is held.
func (g *classicMember) subscription(a Assignor) ([]byte, error) {
	s := protocol.ConsumerProtocolSubscription{Topics: g.topics, GenerationID: g.generation}
	if g.cooperative {
		for _, t := range slices.Sorted(maps.Keys(g.owned)) {
			s.OwnedPartitions = append(s.OwnedPartitions, protocol.ConsumerProtocolSubscriptionOwnedPartition{Topic: t, Partitions: g.owned[t]})
		}
	}
	if ud, ok := a.(AssignorUserData); ok {
		s.UserData = ud.UserData(g.owned, g.generation)
	}
	return s.Encode(subscriptionVersion)
}

// setOwned records the partitions the member holds, which it says it owns
// when it joins again.
func (g *classicMember) setOwned(tps []TopicPartition) {
	owned := map[string][]int32{}
	for _, tp := range tps {
		owned[tp.Topic] = append(owned[tp.Topic], tp.Partition)
	}
	for t := range owned {
		slices.Sort(owned[t])
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.owned = owned
}

// markLost records that the member's membership is lost: under
// cooperative rebalancing its partitions are given up before it joins
// again.
func (g *classicMember) markLost() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.lost = true
}

// isLost reports whether the member lost its membership, and with it the
// partitions it held, since it last joined.
func (g *classicMember) isLost() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.lost
}

// subscriptionVersion is the ConsumerProtocolSubscription version we send:
// v1 adds owned partitions and v2 the generation, which sticky assignors
// use; every client since Kafka 2.4 reads it.
const subscriptionVersion = 2

// assign runs the assignor as the group's leader.
func (g *classicMember) assign(ctx context.Context, members []protocol.JoinGroupResponseMember) ([]protocol.SyncGroupRequestAssignment, error) {
	in := make([]AssignorMember, 0, len(members))
	var topics []string
	for i := range members {
		am, err := decodeAssignorMember(&members[i])
		if err != nil {
			return nil, final{fmt.Errorf("kafka: group %s: member %s sent metadata we cannot read: %w", g.group, members[i].MemberID, err)}
		}
		in = append(in, am)
		for _, t := range am.Topics {
			if !slices.Contains(topics, t) {
				topics = append(topics, t)
			}
		}
	}
	if err := g.client.refresh(ctx, topics, false); err != nil {
		return nil, err
	}
	counts := make(map[string]int32, len(topics))
	watched := g.partitionCounts(topics)
	for t, n := range watched {
		if n > 0 {
			counts[t] = n
		}
	}
	g.mu.Lock()
	assignor := g.assignor
	g.mu.Unlock()
	plan, err := assignor.Assign(in, counts)
	if err != nil {
		return nil, final{fmt.Errorf("kafka: group %s: assignor %s: %w", g.group, assignor.Name(), err)}
	}
	g.mu.Lock()
	g.watched = watched
	g.mu.Unlock()
	out := make([]protocol.SyncGroupRequestAssignment, 0, len(in))
	for _, am := range in {
		var a protocol.ConsumerProtocolAssignment
		for _, t := range slices.Sorted(maps.Keys(plan[am.MemberID])) {
			a.AssignedPartitions = append(a.AssignedPartitions, protocol.ConsumerProtocolAssignmentAssignedPartition{Topic: t, Partitions: plan[am.MemberID][t]})
		}
		b, err := a.Encode(0)
		if err != nil {
			return nil, final{err}
		}
		out = append(out, protocol.SyncGroupRequestAssignment{MemberID: am.MemberID, Assignment: b})
	}
	return out, nil
}

// partitionCounts returns each topic's partition count in the client's
// metadata, 0 for a topic it does not have.
func (g *classicMember) partitionCounts(topics []string) map[string]int32 {
	m := g.client.meta.Load()
	counts := make(map[string]int32, len(topics))
	for _, t := range topics {
		counts[t] = 0
		if tm, ok := m.topics[t]; ok {
			counts[t] = int32(len(tm.partitions))
		}
	}
	return counts
}

// partitionsChanged reports whether, since this member assigned the group
// as its leader, a topic of the group gained or lost partitions or
// appeared or disappeared: the group must then rebalance. A member that is
// not the leader has nothing to watch (the leader's rejoin moves everyone).
func (g *classicMember) partitionsChanged(ctx context.Context) (bool, error) {
	g.mu.Lock()
	watched := g.watched
	g.mu.Unlock()
	if len(watched) == 0 {
		return false, nil
	}
	topics := slices.Sorted(maps.Keys(watched))
	if err := g.client.refresh(ctx, topics, false); err != nil {
		return false, err
	}
	return !maps.Equal(watched, g.partitionCounts(topics)), nil
}

// sync sends SyncGroup and decodes this member's assignment.
func (g *classicMember) sync(ctx context.Context, b *broker, generation int32, member string, assignments []protocol.SyncGroupRequestAssignment) (map[string][]int32, error) {
	version, err := b.version(ctx, protocol.KeySyncGroup)
	if err != nil {
		return nil, final{err}
	}
	g.mu.Lock()
	name, typ := g.assignor.Name(), "consumer"
	g.mu.Unlock()
	req := &protocol.SyncGroupRequest{
		GroupID: g.group, GenerationID: generation, MemberID: member, GroupInstanceID: g.instance,
		ProtocolType: &typ, ProtocolName: &name, Assignments: assignments,
	}
	var resp protocol.SyncGroupResponse
	if err := g.call(ctx, b, req, &resp, version, g.rebalance); err != nil {
		g.client.forgetCoordinator(g.group)
		return nil, b.opError("sync group "+g.group, "", -1, err)
	}
	switch code := Error(resp.ErrorCode); code {
	case 0:
	case ErrRebalanceInProgress:
		return nil, errRebalance
	case ErrIllegalGeneration:
		g.markLost()
		return nil, errRebalance
	case ErrUnknownMemberID:
		g.setMember("", -1)
		return nil, errRebalance
	default:
		return nil, g.codeError(b, "sync group", code)
	}
	out := map[string][]int32{}
	if len(resp.Assignment) > 0 {
		var a protocol.ConsumerProtocolAssignment
		if err := a.Decode(resp.Assignment); err != nil {
			return nil, final{fmt.Errorf("kafka: group %s: the leader's assignment cannot be read: %w", g.group, err)}
		}
		for _, p := range a.AssignedPartitions {
			out[p.Topic] = append(out[p.Topic], p.Partitions...)
		}
	}
	for t := range out {
		slices.Sort(out[t])
	}
	g.mu.Lock()
	g.owned = out
	g.mu.Unlock()
	g.client.log.Info("kafka: joined group", "group", g.group, "member", member, "generation", generation, "assignment", out)
	return out, nil
}

// heartbeat tells the coordinator this member is alive. errRebalance means
// the member must rejoin.
func (g *classicMember) heartbeat(ctx context.Context) error {
	b, err := g.client.coordinator(ctx, g.group)
	if err != nil {
		return err
	}
	version, err := b.version(ctx, protocol.KeyHeartbeat)
	if err != nil {
		return final{err}
	}
	member, generation := g.membership()
	req := &protocol.HeartbeatRequest{GroupID: g.group, GenerationID: generation, MemberID: member, GroupInstanceID: g.instance}
	var resp protocol.HeartbeatResponse
	if err := g.call(ctx, b, req, &resp, version, 0); err != nil {
		g.client.forgetCoordinator(g.group)
		return b.opError("heartbeat "+g.group, "", -1, err)
	}
	switch code := Error(resp.ErrorCode); code {
	case 0:
		return nil
	case ErrRebalanceInProgress:
		return errRebalance
	case ErrIllegalGeneration:
		g.markLost()
		return errRebalance
	case ErrUnknownMemberID:
		g.setMember("", -1)
		return errRebalance
	default:
		return g.codeError(b, "heartbeat", code)
	}
}

// leave tells the coordinator this member is going, so that the group
// rebalances now rather than after the session timeout. Static members do
// not leave: they keep their partitions across restarts.
func (g *classicMember) leave(ctx context.Context) error {
	member, _ := g.membership()
	if g.instance != nil || member == "" {
		return nil
	}
	b, err := g.client.coordinator(ctx, g.group)
	if err != nil {
		return err
	}
	version, err := b.version(ctx, protocol.KeyLeaveGroup)
	if err != nil {
		return err
	}
	// Both shapes (v0-2, v3+), in case the broker needs the older one.
	req := &protocol.LeaveGroupRequest{GroupID: g.group, MemberID: member,
		Members: []protocol.LeaveGroupRequestMember{{MemberID: member}}}
	var resp protocol.LeaveGroupResponse
	if err := g.call(ctx, b, req, &resp, version, 0); err != nil {
		return b.opError("leave group "+g.group, "", -1, err)
	}
	g.setMember("", -1)
	if code := Error(resp.ErrorCode); code != 0 && code != ErrUnknownMemberID {
		return b.opError("leave group "+g.group, "", -1, code)
	}
	return nil
}

func (g *classicMember) setMember(id string, generation int32) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.memberID, g.generation = id, generation
	if id == "" {
		g.lost = g.lost || len(g.owned) > 0
		g.owned = nil
	}
}

// codeError turns a group error code into an error, forgetting the
// coordinator when it moved.
func (g *classicMember) codeError(b *broker, op string, code Error) error {
	if code == ErrNotCoordinator || code == ErrCoordinatorNotAvailable {
		g.client.forgetCoordinator(g.group)
	}
	return b.opError(op+" "+g.group, "", -1, code)
}

func millis(d time.Duration) int32 { return int32(d / time.Millisecond) }
