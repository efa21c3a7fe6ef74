package kafka

import (
	"cmp"
	"slices"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gokafka/kafka/protocol"
)

// An Assignor divides a consumer group's partitions among its members. Every
// member names the assignors it supports when it joins the group, the
// coordinator picks one that all members support, and the group leader runs
// it over every member's subscription. It is pykafka's MembershipProtocol.
//
// The built-in assignors are [RangeAssignor] (pykafka's RangeProtocol),
// [RoundRobinAssignor] (pykafka's RoundRobinProtocol), [StickyAssignor] and
// [CooperativeStickyAssignor], the only one that rebalances cooperatively.
// Range and round robin give the same assignment as the Java client's
// assignors of the same name, not pykafka's: pykafka orders partitions by a
// string that includes the partition leader's ID.
type Assignor interface {
	// Name is the protocol name the member sends in JoinGroup. Members
	// agree on an assignor by name, so the built-in assignors use the Java
	// client's names, and a group can mix gokafka and other clients.
	Name() string

	// Assign maps each member ID to its partitions: topic -> partition IDs
	// in ascending order. Every member is in the result, with an empty map
	// if it gets nothing. partitions holds the partition count of every
	// topic that some member subscribes to; a topic missing from it (or
	// with no partitions) is skipped. Members with the same MemberID after
	// the first are ignored. An assignor must not modify its arguments.
	Assign(members []AssignorMember, partitions map[string]int32) (map[string]map[string][]int32, error)
}

// AssignorUserData is implemented by an [Assignor] whose members put data
// of its own in their subscription's UserData field, such as
// [StickyAssignor].
type AssignorUserData interface {
	// UserData returns what a member puts in its subscription's UserData
	// when it joins: owned is the assignment it got in the last generation
	// it was in (nil if it has never had one) and generation is that
	// generation (-1 if none). A nil result means no user data.
	UserData(owned map[string][]int32, generation int32) []byte
}

// An AssignorMember is one member of a consumer group, as the group leader
// sees it when it runs an [Assignor]: its IDs from JoinGroup and its decoded
// subscription. To test an Assignor of your own, build AssignorMembers
// with the fields the test needs (see the Assignor example).
type AssignorMember struct {
	MemberID string
	// InstanceID is the member's group.instance.id ("" for a dynamic
	// member). Static members sort before dynamic ones, by instance ID.
	InstanceID string
	// Topics are the topics the member subscribes to.
	Topics []string
	// UserData is the assignor's own data from the subscription.
	UserData []byte
	// Owned is the partitions the member says it owns (subscription v1+):
	// topic -> partition IDs.
	Owned map[string][]int32
	// Generation is the generation in which the member got Owned
	// (subscription v2+), or -1 if unknown.
	Generation int32
	// Rack is the member's rack ("" if none; subscription v3+). The
	// built-in assignors do not use it.
	Rack string
}

// decodeAssignorMember returns the AssignorMember for a member of a
// JoinGroup response, decoding its metadata as a
// ConsumerProtocolSubscription (the "consumer" protocol type).
func decodeAssignorMember(m *protocol.JoinGroupResponseMember) (AssignorMember, error) {
	var s protocol.ConsumerProtocolSubscription
	if err := s.Decode(m.Metadata); err != nil {
		return AssignorMember{}, err
	}
	am := AssignorMember{
		MemberID:   m.MemberID,
		Topics:     s.Topics,
		UserData:   s.UserData,
		Generation: s.GenerationID,
	}
	if m.GroupInstanceID != nil {
		am.InstanceID = *m.GroupInstanceID
	}
	if s.RackID != nil {
		am.Rack = *s.RackID
	}
	for _, o := range s.OwnedPartitions {
		if am.Owned == nil {
			am.Owned = make(map[string][]int32, len(s.OwnedPartitions))
		}
		am.Owned[o.Topic] = append(am.Owned[o.Topic], o.Partitions...)
	}
	return am, nil
}

// Built-in assignors under pykafka's names for them.
var (
	// RangeProtocol is pykafka's name for [RangeAssignor].
	RangeProtocol Assignor = RangeAssignor{}
	// RoundRobinProtocol is pykafka's name for [RoundRobinAssignor].
	RoundRobinProtocol Assignor = RoundRobinAssignor{}
)

// RangeAssignor is the "range" assignor: each topic's partitions are split
// into contiguous ranges, one per member subscribed to the topic, in member
// order (static members by group.instance.id, then dynamic members by member
// ID); the first count%members members get one partition more. Topics are
// assigned independently, so with many topics the first members get more.
// Same result as the Java client's RangeAssignor without rack information.
type RangeAssignor struct{}

// Name returns "range".
func (RangeAssignor) Name() string { return "range" }

// Assign implements [Assignor].
func (RangeAssignor) Assign(members []AssignorMember, partitions map[string]int32) (map[string]map[string][]int32, error) {
	g := newAssignGroup(members, partitions)
	for _, t := range g.topics {
		subs := g.subscribers[t]
		n := int(partitions[t])
		per, extra := n/len(subs), n%len(subs)
		start := 0
		for i, mi := range subs {
			size := per
			if i < extra {
				size++
			}
			if size > 0 {
				g.result[mi][t] = partitionRange(int32(start), int32(start+size))
			}
			start += size
		}
	}
	return g.output(), nil
}

// RoundRobinAssignor is the "roundrobin" assignor: all partitions, ordered by
// topic and then partition, are dealt in turn to the members in member order
// (static members by group.instance.id, then dynamic members by member ID),
// skipping members not subscribed to the partition's topic. With equal
// subscriptions the members' counts differ by at most one. Same result as the
// Java client's RoundRobinAssignor.
type RoundRobinAssignor struct{}

// Name returns "roundrobin".
func (RoundRobinAssignor) Name() string { return "roundrobin" }

// Assign implements [Assignor].
func (RoundRobinAssignor) Assign(members []AssignorMember, partitions map[string]int32) (map[string]map[string][]int32, error) {
	g := newAssignGroup(members, partitions)
	next := 0 // the circular iterator's position in g.members
	for _, t := range g.topics {
		for p := range partitions[t] {
			// Every topic in g.topics has a subscriber, so this stops.
			for !g.subscribed[next][t] {
				next = (next + 1) % len(g.members)
			}
			g.result[next][t] = append(g.result[next][t], p)
			next = (next + 1) % len(g.members)
		}
	}
	return g.output(), nil
}

// StickyAssignor is the "sticky" assignor (the Java client's eager
// StickyAssignor protocol). Its assignment is as balanced as possible: with
// equal subscriptions the members' counts differ by at most one, and
// otherwise no member can take a partition from a member that has two or more
// partitions more. Within that, it moves as few partitions as possible from
// their previous owners. The result depends only on the set of members and
// their subscriptions, not on their order.
//
// A member's previous partitions are its subscription's Owned partitions at
// its Generation or, if it has none, those in its UserData in the Java
// StickyAssignor's format ("previous_assignment" and, in its version 1, the
// generation), which [StickyAssignor.UserData] writes. When members claim the
// same partition, the claim of the newest generation wins (KIP-341), and then
// the first member in member order. Partitions are not assigned by the
// Java client's algorithm, so a group's assignment may differ from what a
// Java leader would pick, but each satisfies the same rules.
type StickyAssignor struct{}

// Name returns "sticky".
func (StickyAssignor) Name() string { return "sticky" }

// UserData returns owned and generation in the Java StickyAssignor's user
// data format, version 1, or nil if owned is nil.
func (StickyAssignor) UserData(owned map[string][]int32, generation int32) []byte {
	if owned == nil {
		return nil
	}
	topics := make([]string, 0, len(owned))
	for t := range owned {
		topics = append(topics, t)
	}
	slices.SortFunc(topics, javaStringCompare)
	e := protocol.NewEncoder(nil, false)
	e.ArrayLen(len(topics))
	for _, t := range topics {
		e.String(t)
		e.Int32s(owned[t])
	}
	e.Int32(generation)
	if e.Err() != nil {
		return nil // a topic name too long for Kafka; claim nothing
	}
	return e.Buffer()
}

// decodeStickyUserData reads the Java StickyAssignor's user data, version 1
// (previous_assignment, generation) or 0 (previous_assignment), as Java
// does: version 1 if four bytes follow the assignment, else version 0 with
// generation -1. Data that does not parse claims nothing.
func decodeStickyUserData(b []byte) (owned map[string][]int32, generation int32) {
	d := protocol.NewDecoder(b, false)
	n := d.ArrayLen()
	owned = make(map[string][]int32)
	for range n {
		t := d.String()
		ps := d.Int32s()
		if d.Err() != nil {
			return nil, -1
		}
		if prev, dup := owned[t]; dup {
			ps = append(prev, ps...)
		}
		owned[t] = ps
	}
	if d.Err() != nil {
		return nil, -1
	}
	if d.Remaining() >= 4 {
		return owned, d.Int32()
	}
	return owned, -1
}

// stickyClaim is a member's previous partitions and their generation.
func stickyClaim(m *AssignorMember) (map[string][]int32, int32) {
	for _, ps := range m.Owned {
		if len(ps) > 0 {
			return m.Owned, m.Generation
		}
	}
	if len(m.UserData) == 0 {
		return nil, -1
	}
	owned, gen := decodeStickyUserData(m.UserData)
	if gen == -1 {
		gen = m.Generation
	}
	return owned, gen
}

// Assign implements [Assignor].
func (StickyAssignor) Assign(members []AssignorMember, partitions map[string]int32) (map[string]map[string][]int32, error) {
	return stickyAssign(members, partitions, stickyClaim), nil
}

// stickyAssign is the sticky assignment both sticky assignors make: claim
// gives a member's previous partitions and their generation.
func stickyAssign(members []AssignorMember, partitions map[string]int32, claimOf func(*AssignorMember) (map[string][]int32, int32)) map[string]map[string][]int32 {
	g := newAssignGroup(members, partitions)
	if len(g.topics) == 0 {
		return g.output()
	}
	tidx := make(map[string]int, len(g.topics))
	for i, t := range g.topics {
		tidx[t] = i
	}
	// owner[t][p] is the member index owning partition p of topic g.topics[t].
	owner := make([][]int, len(g.topics))
	ownerGen := make([][]int32, len(g.topics))
	for i, t := range g.topics {
		owner[i] = make([]int, partitions[t])
		ownerGen[i] = make([]int32, partitions[t])
		for p := range owner[i] {
			owner[i][p] = -1
		}
	}

	// Previous owners: newest generation, then member order, wins.
	for mi := range g.members {
		claim, gen := claimOf(&g.members[mi])
		for t, ps := range claim {
			ti, ok := tidx[t]
			if !ok || !g.subscribed[mi][t] {
				continue
			}
			for _, p := range ps {
				if p < 0 || int(p) >= len(owner[ti]) {
					continue
				}
				if o := owner[ti][p]; o == -1 || gen > ownerGen[ti][p] {
					owner[ti][p], ownerGen[ti][p] = mi, gen
				}
			}
		}
	}

	// held[mi][ti] is what member mi holds of topic ti: kept partitions
	// (previously owned) and given ones (new to it); moves take given ones
	// first.
	type holding struct{ kept, given []int32 }
	held := make([][]holding, len(g.members))
	counts := make([]int, len(g.members))
	for mi := range held {
		held[mi] = make([]holding, len(g.topics))
	}
	type tp struct {
		t int
		p int32
	}
	var unowned []tp
	for ti := range owner {
		for p, o := range owner[ti] {
			if o == -1 {
				unowned = append(unowned, tp{ti, int32(p)})
				continue
			}
			held[o][ti].kept = append(held[o][ti].kept, int32(p))
			counts[o]++
		}
	}
	subsOf := func(ti int) []int { return g.subscribers[g.topics[ti]] }
	leastLoaded := func(ti, except int) int {
		best := -1
		for _, mi := range subsOf(ti) {
			if mi != except && (best == -1 || counts[mi] < counts[best]) {
				best = mi
			}
		}
		return best
	}

	// New partitions go, those with the fewest possible members first, to
	// the least loaded member that can take them.
	slices.SortStableFunc(unowned, func(a, b tp) int {
		return cmp.Compare(len(subsOf(a.t)), len(subsOf(b.t)))
	})
	for _, x := range unowned {
		mi := leastLoaded(x.t, -1)
		held[mi][x.t].given = append(held[mi][x.t].given, x.p)
		counts[mi]++
	}

	// Balance: move one partition at a time from the most loaded member
	// that can give one to the least loaded member that can take it, while
	// they differ by two or more. Each move lowers the sum of the squared
	// counts, so this ends.
	order := make([]int, len(g.members))
	for i := range order {
		order[i] = i
	}
	for {
		slices.SortStableFunc(order, func(a, b int) int {
			if c := cmp.Compare(counts[b], counts[a]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		moved := false
		for _, from := range order {
			to, toTopic := -1, -1
			for ti := range held[from] {
				h := &held[from][ti]
				if len(h.kept)+len(h.given) == 0 {
					continue
				}
				if mi := leastLoaded(ti, from); mi != -1 && (to == -1 || counts[mi] < counts[to]) {
					to, toTopic = mi, ti
				}
			}
			if to == -1 || counts[from]-counts[to] < 2 {
				continue
			}
			h := &held[from][toTopic]
			var p int32
			if n := len(h.given); n > 0 {
				p, h.given = h.given[n-1], h.given[:n-1]
			} else {
				n := len(h.kept)
				p, h.kept = h.kept[n-1], h.kept[:n-1]
			}
			held[to][toTopic].given = append(held[to][toTopic].given, p)
			counts[from]--
			counts[to]++
			moved = true
			break
		}
		if !moved {
			break
		}
	}

	for mi := range held {
		for ti, h := range held[mi] {
			if len(h.kept)+len(h.given) == 0 {
				continue
			}
			ps := append(append(make([]int32, 0, len(h.kept)+len(h.given)), h.kept...), h.given...)
			slices.Sort(ps)
			g.result[mi][g.topics[ti]] = ps
		}
	}
	return g.output()
}

// assignGroup is the input to an assignment, normalized: members deduplicated
// and in member order, subscriptions as sets of assignable topics.
type assignGroup struct {
	members     []AssignorMember     // member order, unique IDs
	subscribed  []map[string]bool    // per member: its assignable topics
	topics      []string             // assignable topics, in Java order
	subscribers map[string][]int     // topic -> member indexes, in member order
	result      []map[string][]int32 // per member: its assignment
}

// newAssignGroup normalizes an assignment's input. A topic is assignable if
// some member subscribes to it and it has partitions.
func newAssignGroup(members []AssignorMember, partitions map[string]int32) *assignGroup {
	g := &assignGroup{subscribers: make(map[string][]int)}
	seen := make(map[string]bool, len(members))
	for _, m := range members {
		if !seen[m.MemberID] {
			seen[m.MemberID] = true
			g.members = append(g.members, m)
		}
	}
	slices.SortFunc(g.members, compareAssignorMembers)
	g.subscribed = make([]map[string]bool, len(g.members))
	g.result = make([]map[string][]int32, len(g.members))
	for mi, m := range g.members {
		g.subscribed[mi] = make(map[string]bool, len(m.Topics))
		g.result[mi] = make(map[string][]int32)
		for _, t := range m.Topics {
			if partitions[t] <= 0 || g.subscribed[mi][t] {
				continue
			}
			g.subscribed[mi][t] = true
			if g.subscribers[t] == nil {
				g.topics = append(g.topics, t)
			}
			g.subscribers[t] = append(g.subscribers[t], mi)
		}
	}
	slices.SortFunc(g.topics, javaStringCompare)
	return g
}

// output returns the assignment keyed by member ID.
func (g *assignGroup) output() map[string]map[string][]int32 {
	out := make(map[string]map[string][]int32, len(g.members))
	for mi, m := range g.members {
		out[m.MemberID] = g.result[mi]
	}
	return out
}

// partitionRange returns the partition IDs from start up to end.
func partitionRange(start, end int32) []int32 {
	ps := make([]int32, 0, end-start)
	for p := start; p < end; p++ {
		ps = append(ps, p)
	}
	return ps
}

// compareAssignorMembers orders members as the Java client's MemberInfo
// does: static members (with an instance ID) first, by instance ID, then
// dynamic members by member ID. Ties, which Java leaves to hash order, are
// broken by member ID.
func compareAssignorMembers(a, b AssignorMember) int {
	switch {
	case a.InstanceID != "" && b.InstanceID != "":
		if c := javaStringCompare(a.InstanceID, b.InstanceID); c != 0 {
			return c
		}
	case a.InstanceID != "":
		return -1
	case b.InstanceID != "":
		return 1
	}
	return javaStringCompare(a.MemberID, b.MemberID)
}

// javaStringCompare compares strings as Java's String.compareTo does, by
// UTF-16 code units, which differs from Go's byte order when a string holds
// characters above U+FFFF. Strings that Java would see as equal (invalid
// UTF-8) are ordered by their bytes.
func javaStringCompare(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ra, na := utf8.DecodeRuneInString(a[i:])
		rb, nb := utf8.DecodeRuneInString(b[j:])
		i += na
		j += nb
		if ra == rb {
			continue
		}
		ua, ub := utf16Units(ra), utf16Units(rb)
		if c := cmp.Compare(ua[0], ub[0]); c != 0 {
			return c
		}
		return cmp.Compare(ua[1], ub[1])
	}
	switch {
	case i < len(a):
		return 1
	case j < len(b):
		return -1
	}
	return cmp.Compare(a, b)
}

// utf16Units returns r's UTF-16 code units; the second is 0 unless r needs a
// surrogate pair.
func utf16Units(r rune) [2]rune {
	if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError || r2 != utf8.RuneError {
		return [2]rune{r1, r2}
	}
	return [2]rune{r, 0}
}
