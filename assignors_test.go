package kafka

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/gokafka/kafka/protocol"
)

type assignment = map[string]map[string][]int32

// normalizeAssignment drops empty topics and members so that assignments
// from different sources compare equal.
func normalizeAssignment(a assignment) assignment {
	out := assignment{}
	for m, topics := range a {
		for t, ps := range topics {
			if len(ps) == 0 {
				continue
			}
			if out[m] == nil {
				out[m] = map[string][]int32{}
			}
			out[m][t] = slices.Clone(ps)
		}
	}
	return out
}

func member(id string, topics ...string) AssignorMember {
	return AssignorMember{MemberID: id, Topics: topics, Generation: -1}
}

func staticMember(id, instance string, topics ...string) AssignorMember {
	m := member(id, topics...)
	m.InstanceID = instance
	return m
}

type assignCase struct {
	name       string
	members    []AssignorMember
	partitions map[string]int32
	want       assignment
}

func runAssignCases(t *testing.T, a Assignor, cases []assignCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := a.Assign(c.members, c.partitions)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got  %v\nwant %v", got, c.want)
			}
		})
	}
}

func TestAssignRangeExamples(t *testing.T) {
	runAssignCases(t, RangeAssignor{}, []assignCase{{
		name:       "java doc example",
		members:    []AssignorMember{member("C1", "t0", "t1"), member("C0", "t1", "t0")},
		partitions: map[string]int32{"t0": 3, "t1": 3},
		want: assignment{
			"C0": {"t0": {0, 1}, "t1": {0, 1}},
			"C1": {"t0": {2}, "t1": {2}},
		},
	}, {
		name:       "seven over three",
		members:    []AssignorMember{member("c", "t"), member("a", "t"), member("b", "t")},
		partitions: map[string]int32{"t": 7},
		want:       assignment{"a": {"t": {0, 1, 2}}, "b": {"t": {3, 4}}, "c": {"t": {5, 6}}},
	}, {
		name:       "more members than partitions",
		members:    []AssignorMember{member("a", "t"), member("b", "t"), member("c", "t")},
		partitions: map[string]int32{"t": 2},
		want:       assignment{"a": {"t": {0}}, "b": {"t": {1}}, "c": {}},
	}, {
		name: "static members first, by instance ID",
		members: []AssignorMember{
			member("a", "t"), staticMember("z", "i2", "t"), staticMember("y", "i1", "t"),
		},
		partitions: map[string]int32{"t": 5},
		want:       assignment{"y": {"t": {0, 1}}, "z": {"t": {2, 3}}, "a": {"t": {4}}},
	}, {
		name: "different subscriptions, unknown and empty topics",
		members: []AssignorMember{
			member("a", "t0", "gone"), member("b", "t0", "t1", "t1"), member("c", "t1", "empty"),
		},
		partitions: map[string]int32{"t0": 3, "t1": 3, "empty": 0, "unsubscribed": 4},
		want: assignment{
			"a": {"t0": {0, 1}},
			"b": {"t0": {2}, "t1": {0, 1}},
			"c": {"t1": {2}},
		},
	}, {
		name:       "duplicate member ID keeps the first",
		members:    []AssignorMember{member("a", "t"), member("a", "u"), member("b", "t")},
		partitions: map[string]int32{"t": 2, "u": 2},
		want:       assignment{"a": {"t": {0}}, "b": {"t": {1}}},
	}, {
		name:       "no members",
		partitions: map[string]int32{"t": 2},
		want:       assignment{},
	}, {
		name:    "no partitions",
		members: []AssignorMember{member("a", "t")},
		want:    assignment{"a": {}},
	}})
}

func TestAssignRoundRobinExamples(t *testing.T) {
	runAssignCases(t, RoundRobinAssignor{}, []assignCase{{
		name:       "java doc example",
		members:    []AssignorMember{member("C1", "t1", "t0"), member("C0", "t0", "t1")},
		partitions: map[string]int32{"t0": 3, "t1": 3},
		want: assignment{
			"C0": {"t0": {0, 2}, "t1": {1}},
			"C1": {"t0": {1}, "t1": {0, 2}},
		},
	}, {
		name: "java doc example, different subscriptions",
		members: []AssignorMember{
			member("C2", "t0", "t1", "t2"), member("C0", "t0"), member("C1", "t0", "t1"),
		},
		partitions: map[string]int32{"t0": 1, "t1": 2, "t2": 3},
		want: assignment{
			"C0": {"t0": {0}},
			"C1": {"t1": {0}},
			"C2": {"t1": {1}, "t2": {0, 1, 2}},
		},
	}, {
		name: "static members first",
		members: []AssignorMember{
			member("a", "t"), staticMember("b", "i", "t"),
		},
		partitions: map[string]int32{"t": 3},
		want:       assignment{"b": {"t": {0, 2}}, "a": {"t": {1}}},
	}, {
		name:       "unknown topic",
		members:    []AssignorMember{member("a", "x"), member("b", "t", "x")},
		partitions: map[string]int32{"t": 2},
		want:       assignment{"a": {}, "b": {"t": {0, 1}}},
	}, {
		name:       "no members",
		partitions: map[string]int32{"t": 2},
		want:       assignment{},
	}})
}

// TestAssignStickyExamples checks the examples in the Java StickyAssignor's
// documentation, each followed by the removal of a member.
func TestAssignStickyExamples(t *testing.T) {
	s := StickyAssignor{}
	all := []string{"t0", "t1", "t2", "t3"}
	parts := map[string]int32{"t0": 2, "t1": 2, "t2": 2, "t3": 2}
	got := mustAssign(t, s, []AssignorMember{member("C0", all...), member("C1", all...), member("C2", all...)}, parts)
	want := assignment{
		"C0": {"t0": {0}, "t1": {1}, "t3": {0}},
		"C1": {"t0": {1}, "t2": {0}, "t3": {1}},
		"C2": {"t1": {0}, "t2": {1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("example 1: got %v, want %v", got, want)
	}
	got = mustAssign(t, s, []AssignorMember{
		withUserData(member("C0", all...), got["C0"], 1),
		withUserData(member("C2", all...), got["C2"], 1),
	}, parts)
	want = assignment{
		"C0": {"t0": {0}, "t1": {1}, "t2": {0}, "t3": {0}},
		"C2": {"t0": {1}, "t1": {0}, "t2": {1}, "t3": {1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("example 1 without C1: got %v, want %v", got, want)
	}

	parts = map[string]int32{"t0": 1, "t1": 2, "t2": 3}
	got = mustAssign(t, s, []AssignorMember{
		member("C0", "t0"), member("C1", "t0", "t1"), member("C2", "t0", "t1", "t2"),
	}, parts)
	want = assignment{
		"C0": {"t0": {0}},
		"C1": {"t1": {0, 1}},
		"C2": {"t2": {0, 1, 2}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("example 2: got %v, want %v", got, want)
	}
	c1 := member("C1", "t0", "t1")
	c1.Owned, c1.Generation = got["C1"], 1
	got = mustAssign(t, s, []AssignorMember{c1, withUserData(member("C2", "t0", "t1", "t2"), got["C2"], 1)}, parts)
	want = assignment{
		"C1": {"t0": {0}, "t1": {0, 1}},
		"C2": {"t2": {0, 1, 2}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("example 2 without C0: got %v, want %v", got, want)
	}
}

func TestAssignStickyGenerations(t *testing.T) {
	// b's claim is newer than a's; c's is the oldest; a and d tie.
	a := withUserData(member("a", "t"), map[string][]int32{"t": {0, 1}}, 5)
	b := withUserData(member("b", "t"), map[string][]int32{"t": {1, 2}}, 6)
	c := withUserData(member("c", "t"), map[string][]int32{"t": {0, 2, 3}}, 4)
	d := withUserData(member("d", "t"), map[string][]int32{"t": {0}}, 5)
	got := mustAssign(t, StickyAssignor{}, []AssignorMember{d, c, b, a}, map[string]int32{"t": 4})
	want := assignment{"a": {"t": {0}}, "b": {"t": {1}}, "c": {"t": {3}}, "d": {"t": {2}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func mustAssign(t *testing.T, a Assignor, members []AssignorMember, partitions map[string]int32) assignment {
	t.Helper()
	got, err := a.Assign(members, partitions)
	if err != nil {
		t.Fatal(err)
	}
	checkValidAssignment(t, members, partitions, got)
	return got
}

func withUserData(m AssignorMember, owned map[string][]int32, generation int32) AssignorMember {
	m.UserData = StickyAssignor{}.UserData(owned, generation)
	return m
}

// checkValidAssignment checks that every assignable partition went to
// exactly one member subscribed to its topic, in ascending order, and that
// every member is in the result.
func checkValidAssignment(t *testing.T, members []AssignorMember, partitions map[string]int32, got assignment) {
	t.Helper()
	subscribed := map[string]map[string]bool{}
	assignable := map[string]bool{}
	for _, m := range members {
		if subscribed[m.MemberID] != nil {
			continue
		}
		subscribed[m.MemberID] = map[string]bool{}
		for _, tp := range m.Topics {
			subscribed[m.MemberID][tp] = true
			assignable[tp] = true
		}
	}
	if len(got) != len(subscribed) {
		t.Fatalf("%d members in the result, want %d", len(got), len(subscribed))
	}
	owner := map[string]map[int32]string{}
	for m, topics := range got {
		if subscribed[m] == nil {
			t.Fatalf("unknown member %q in the result", m)
		}
		for tp, ps := range topics {
			if !subscribed[m][tp] {
				t.Fatalf("member %q got topic %q it does not subscribe to", m, tp)
			}
			if !slices.IsSorted(ps) {
				t.Fatalf("member %q topic %q: partitions %v not sorted", m, tp, ps)
			}
			for _, p := range ps {
				if p < 0 || p >= partitions[tp] {
					t.Fatalf("member %q got %s/%d, which does not exist", m, tp, p)
				}
				if owner[tp] == nil {
					owner[tp] = map[int32]string{}
				}
				if o, dup := owner[tp][p]; dup {
					t.Fatalf("%s/%d assigned to %q and %q", tp, p, o, m)
				}
				owner[tp][p] = m
			}
		}
	}
	for tp := range assignable {
		if n := len(owner[tp]); int32(n) != max(partitions[tp], 0) {
			t.Fatalf("topic %q: %d of %d partitions assigned", tp, n, partitions[tp])
		}
	}
}

// randomGroup returns members with random IDs, some static, subscribing to
// random topics (all the same ones if equal), and the topics' partition
// counts, some of them missing.
func randomGroup(r *rand.Rand, equal bool) ([]AssignorMember, map[string]int32) {
	ntopics := 1 + r.IntN(6)
	partitions := map[string]int32{}
	var topics []string
	for i := range ntopics {
		tp := fmt.Sprintf("topic-%c%d", 'a'+r.IntN(26), i)
		topics = append(topics, tp)
		if r.IntN(10) > 0 {
			partitions[tp] = int32(r.IntN(20))
		}
	}
	nmembers := 1 + r.IntN(12)
	var members []AssignorMember
	for i := range nmembers {
		m := member(fmt.Sprintf("m-%d-%x", r.IntN(100), i))
		if r.IntN(4) == 0 {
			m.InstanceID = fmt.Sprintf("inst-%d-%d", r.IntN(100), i)
		}
		for _, tp := range topics {
			if equal || r.IntN(2) == 0 {
				m.Topics = append(m.Topics, tp)
			}
		}
		members = append(members, m)
	}
	return members, partitions
}

// kgoAssign runs one of franz-go's balancers over members.
func kgoAssign(t *testing.T, b kgo.GroupBalancer, members []AssignorMember, partitions map[string]int32, owned assignment) assignment {
	t.Helper()
	var kms []kmsg.JoinGroupResponseMember
	for _, m := range members {
		km := kmsg.NewJoinGroupResponseMember()
		km.MemberID = m.MemberID
		if m.InstanceID != "" {
			km.InstanceID = &m.InstanceID
		}
		km.ProtocolMetadata = b.JoinGroupMetadata(m.Topics, owned[m.MemberID], 1)
		kms = append(kms, km)
	}
	// The client sorts members before balancing (static first); do the same.
	sort.SliceStable(kms, func(i, j int) bool {
		l, r := kms[i], kms[j]
		if l.InstanceID != nil && r.InstanceID != nil {
			return *l.InstanceID < *r.InstanceID
		}
		if l.InstanceID != nil || r.InstanceID != nil {
			return l.InstanceID != nil
		}
		return l.MemberID < r.MemberID
	})
	mb, _, err := b.MemberBalancer(kms)
	if err != nil {
		t.Fatal(err)
	}
	into, err := mb.(kgo.GroupMemberBalancerOrError).BalanceOrError(partitions)
	if err != nil {
		t.Fatal(err)
	}
	return normalizeAssignment(into.(*kgo.BalancePlan).AsMemberIDMap())
}

// TestAssignKgoOracle compares range and roundrobin with franz-go's
// Java-compatible balancers on random groups.
func TestAssignKgoOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		members, partitions := randomGroup(r, i%3 == 0)
		for _, c := range []struct {
			ours Assignor
			kgo  kgo.GroupBalancer
		}{{RangeAssignor{}, kgo.RangeBalancer()}, {RoundRobinAssignor{}, kgo.RoundRobinBalancer()}} {
			if c.ours.Name() != c.kgo.ProtocolName() {
				t.Fatalf("name %q, kgo %q", c.ours.Name(), c.kgo.ProtocolName())
			}
			got := mustAssign(t, c.ours, members, partitions)
			want := kgoAssign(t, c.kgo, members, partitions, nil)
			if !reflect.DeepEqual(normalizeAssignment(got), want) {
				t.Fatalf("%s, case %d: members %v partitions %v\ngot  %v\nkgo  %v",
					c.ours.Name(), i, members, partitions, got, want)
			}
		}
	}
}

// counts returns how many partitions each member has.
func assignmentCounts(a assignment) map[string]int {
	n := map[string]int{}
	for m, topics := range a {
		n[m] = 0
		for _, ps := range topics {
			n[m] += len(ps)
		}
	}
	return n
}

// checkBalanced checks the sticky assignor's balance rule: no member could
// take a partition from a member with two or more partitions more.
func checkBalanced(t *testing.T, members []AssignorMember, got assignment) {
	t.Helper()
	n := assignmentCounts(got)
	for _, m := range members {
		for from, topics := range got {
			for tp, ps := range topics {
				if len(ps) > 0 && slices.Contains(m.Topics, tp) && n[from]-n[m.MemberID] >= 2 {
					t.Fatalf("unbalanced: %q has %d and could take %s from %q with %d: %v",
						m.MemberID, n[m.MemberID], tp, from, n[from], got)
				}
			}
		}
	}
}

// moved counts partitions of prev whose owner is still a member but that
// now belong to another member.
func moved(prev, next assignment) int {
	var n int
	for m, topics := range prev {
		if _, ok := next[m]; !ok {
			continue
		}
		for tp, ps := range topics {
			for _, p := range ps {
				if !slices.Contains(next[m][tp], p) {
					n++
				}
			}
		}
	}
	return n
}

// TestAssignStickyRebalances runs random rebalances (members leave and join)
// and checks each assignment is valid, balanced, deterministic, and moves no
// more partitions than needed.
func TestAssignStickyRebalances(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		equal := i%2 == 0
		members, partitions := randomGroup(r, equal)
		var prev assignment
		for gen := range int32(6) {
			for j := range members {
				m := &members[j]
				m.Owned, m.UserData, m.Generation = nil, nil, -1
				if prev[m.MemberID] == nil {
					continue
				}
				if r.IntN(2) == 0 {
					m.Owned, m.Generation = prev[m.MemberID], gen
				} else {
					*m = withUserData(*m, prev[m.MemberID], gen)
				}
			}
			got := mustAssign(t, StickyAssignor{}, members, partitions)
			checkBalanced(t, members, got)

			shuffled := slices.Clone(members)
			r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			if again := mustAssign(t, StickyAssignor{}, shuffled, partitions); !reflect.DeepEqual(again, got) {
				t.Fatalf("not deterministic:\n%v\n%v", got, again)
			}

			if equal && prev != nil {
				checkMinimalMoves(t, prev, got)
			}

			// Next generation: some members leave, some join.
			prev = got
			var next []AssignorMember
			for _, m := range members {
				if r.IntN(5) > 0 {
					next = append(next, m)
				}
			}
			for k := range r.IntN(3) {
				m := member(fmt.Sprintf("new-%d-%d", gen, k), members[0].Topics...)
				if !equal {
					m.Topics = slices.Clone(members[r.IntN(len(members))].Topics)
				}
				next = append(next, m)
			}
			if len(next) == 0 {
				next = members[:1]
			}
			members = next
		}
	}
}

// checkMinimalMoves checks, for a group with equal subscriptions, that each
// remaining member kept as much of its previous assignment as its new size
// allows, and that in total no more partitions moved than the fewest any
// balanced assignment needs: the members that had the most keep the larger
// shares.
func checkMinimalMoves(t *testing.T, prev, got assignment) {
	t.Helper()
	prevN, gotN := assignmentCounts(prev), assignmentCounts(got)
	var had, shares []int
	for m := range got {
		lost := 0
		for tp, ps := range prev[m] {
			for _, p := range ps {
				if !slices.Contains(got[m][tp], p) {
					lost++
				}
			}
		}
		kept := prevN[m] - lost
		if want := min(prevN[m], gotN[m]); kept != want {
			t.Fatalf("member %q kept %d of its %d partitions with %d now, want %d\nprev %v\ngot  %v",
				m, kept, prevN[m], gotN[m], want, prev, got)
		}
		had = append(had, prevN[m])
		shares = append(shares, gotN[m])
	}
	slices.Sort(had)
	slices.Sort(shares)
	var fewest int
	for i := range had {
		fewest += max(0, had[i]-shares[i])
	}
	if n := moved(prev, got); n != fewest {
		t.Fatalf("moved %d partitions, fewest possible %d\nprev %v\ngot  %v", n, fewest, prev, got)
	}
}

// TestAssignStickyKgo compares the sticky assignor with franz-go's: both
// balanced, and ours moves no more partitions when subscriptions are equal.
// The user data franz-go writes is also what ours reads.
func TestAssignStickyKgo(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		members, partitions := randomGroup(r, true)
		first := kgoAssign(t, kgo.StickyBalancer(), members, partitions, nil)
		// Drop a member and add one; the rest report what kgo gave them.
		members = append(members[1:], member("joiner", members[0].Topics...))
		want := kgoAssign(t, kgo.StickyBalancer(), members, partitions, first)
		var ours []AssignorMember
		for _, m := range members {
			km := kmsg.NewJoinGroupResponseMember()
			km.MemberID = m.MemberID
			km.ProtocolMetadata = kgo.StickyBalancer().JoinGroupMetadata(m.Topics, first[m.MemberID], 1)
			am, err := decodeAssignorMember(toProtocolMember(km))
			if err != nil {
				t.Fatal(err)
			}
			am.InstanceID = m.InstanceID
			ours = append(ours, am)
		}
		got := mustAssign(t, StickyAssignor{}, ours, partitions)
		checkBalanced(t, ours, got)
		if g, w := moved(first, got), moved(first, want); g > w {
			t.Fatalf("moved %d partitions, kgo %d\nfirst %v\ngot   %v\nkgo   %v", g, w, first, got, want)
		}
	}
}

func toProtocolMember(km kmsg.JoinGroupResponseMember) *protocol.JoinGroupResponseMember {
	return &protocol.JoinGroupResponseMember{
		MemberID:        km.MemberID,
		GroupInstanceID: km.InstanceID,
		Metadata:        km.ProtocolMetadata,
	}
}

func TestAssignStickyUserData(t *testing.T) {
	owned := map[string][]int32{"b": {3, 1}, "a": {0}, "empty": {}}
	b := StickyAssignor{}.UserData(owned, 7)

	// franz-go reads it as Java's StickyAssignorUserData v1.
	km := kmsg.NewStickyMemberMetadata()
	if err := km.ReadFrom(b); err != nil {
		t.Fatal(err)
	}
	if km.Generation != 7 || len(km.CurrentAssignment) != 3 || km.CurrentAssignment[0].Topic != "a" ||
		!slices.Equal(km.CurrentAssignment[1].Partitions, []int32{3, 1}) {
		t.Fatalf("kmsg read %+v", km)
	}
	gotOwned, gen := decodeStickyUserData(b)
	if gen != 7 || !reflect.DeepEqual(gotOwned, owned) {
		t.Fatalf("decoded %v %d", gotOwned, gen)
	}

	// Version 0 has no generation; 1 to 3 trailing bytes read as version 0.
	v0 := b[:len(b)-4]
	for _, extra := range [][]byte{nil, {1}, {1, 2, 3}} {
		gotOwned, gen = decodeStickyUserData(append(slices.Clone(v0), extra...))
		if gen != -1 || !reflect.DeepEqual(gotOwned, owned) {
			t.Fatalf("v0+%v decoded %v %d", extra, gotOwned, gen)
		}
	}
	// Unparseable data claims nothing.
	for _, bad := range [][]byte{{0, 0, 0}, {0, 0, 0, 1}, {255, 255, 255, 255}, {0, 0, 0, 1, 0, 1, 'a', 0, 0, 0, 9}} {
		if gotOwned, gen = decodeStickyUserData(bad); gotOwned != nil || gen != -1 {
			t.Fatalf("%v decoded %v %d", bad, gotOwned, gen)
		}
	}
	if (StickyAssignor{}).UserData(nil, 3) != nil {
		t.Fatal("user data for no assignment")
	}
	var _ AssignorUserData = StickyAssignor{}
}

func TestAssignOddInput(t *testing.T) {
	weird := []AssignorMember{
		{MemberID: "", Topics: []string{"t", "t", ""}},
		{MemberID: "x", Topics: nil, UserData: []byte{1, 2, 3}},
		{MemberID: "y", Topics: []string{"t", "neg"}, Owned: map[string][]int32{"t": {-1, 99, 0, 0}, "u": {1}, "neg": {0}}},
		{MemberID: "z", Topics: []string{"t"}, UserData: StickyAssignor{}.UserData(map[string][]int32{"t": {0, 1}}, 1<<30)},
		{MemberID: "y", Topics: []string{"u"}},
	}
	parts := map[string]int32{"t": 3, "neg": -4, "": 1, "u": 2}
	for _, a := range []Assignor{RangeAssignor{}, RoundRobinAssignor{}, StickyAssignor{}, CooperativeStickyAssignor{}} {
		mustAssign(t, a, weird, parts)
		mustAssign(t, a, weird, nil)
		mustAssign(t, a, nil, nil)
		if got := mustAssign(t, a, nil, parts); len(got) != 0 {
			t.Fatalf("%s: %v for no members", a.Name(), got)
		}
	}
	got := mustAssign(t, StickyAssignor{}, weird, parts)
	if !slices.Equal(got["z"]["t"], []int32{0, 1}) {
		t.Fatalf("sticky: z lost its newer claim: %v", got)
	}
}

// TestAssignDeterministic checks range and roundrobin do not depend on the
// order of members or of their topics.
func TestAssignDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 100 {
		members, partitions := randomGroup(r, false)
		for _, a := range []Assignor{RangeAssignor{}, RoundRobinAssignor{}, StickyAssignor{}, CooperativeStickyAssignor{}} {
			want := mustAssign(t, a, members, partitions)
			shuffled := slices.Clone(members)
			r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			for i := range shuffled {
				shuffled[i].Topics = slices.Clone(shuffled[i].Topics)
				slices.Reverse(shuffled[i].Topics)
			}
			if got := mustAssign(t, a, shuffled, partitions); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: %v, then %v", a.Name(), want, got)
			}
		}
	}
}

// TestAssignJavaStringOrder checks members and topics are ordered by UTF-16
// code units as in Java, not by UTF-8 bytes as in Go.
func TestAssignJavaStringOrder(t *testing.T) {
	hi, astral := "\uffff", "\U00010000" // Go: hi < astral; Java: astral < hi
	if javaStringCompare(astral, hi) >= 0 || javaStringCompare(hi, astral) <= 0 ||
		javaStringCompare("a", "ab") >= 0 || javaStringCompare("b", "ab") <= 0 || javaStringCompare("é", "é") != 0 {
		t.Fatal("javaStringCompare")
	}
	got := mustAssign(t, RoundRobinAssignor{}, []AssignorMember{member(hi, "t"), member(astral, "t")}, map[string]int32{"t": 1})
	if len(got[astral]["t"]) != 1 {
		t.Fatalf("members: %v", got)
	}
	got = mustAssign(t, RoundRobinAssignor{}, []AssignorMember{member("a", hi, astral), member("b", hi, astral)},
		map[string]int32{hi: 1, astral: 1})
	if len(got["a"][astral]) != 1 {
		t.Fatalf("topics: %v", got)
	}
}

func TestDecodeAssignorMember(t *testing.T) {
	rack, inst := "r1", "i1"
	s := protocol.ConsumerProtocolSubscription{
		Topics:   []string{"a", "b"},
		UserData: []byte{1},
		OwnedPartitions: []protocol.ConsumerProtocolSubscriptionOwnedPartition{
			{Topic: "a", Partitions: []int32{1, 2}}, {Topic: "a", Partitions: []int32{5}},
		},
		GenerationID: 9,
		RackID:       &rack,
	}
	b, err := s.Encode(3)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeAssignorMember(&protocol.JoinGroupResponseMember{MemberID: "m", GroupInstanceID: &inst, Metadata: b})
	if err != nil {
		t.Fatal(err)
	}
	want := AssignorMember{
		MemberID: "m", InstanceID: "i1", Topics: []string{"a", "b"}, UserData: []byte{1},
		Owned: map[string][]int32{"a": {1, 2, 5}}, Generation: 9, Rack: "r1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	b, _ = s.Encode(0)
	if got, err = decodeAssignorMember(&protocol.JoinGroupResponseMember{MemberID: "m", Metadata: b}); err != nil ||
		got.Generation != -1 || got.Owned != nil || got.InstanceID != "" {
		t.Fatalf("v0: %+v %v", got, err)
	}
	if _, err = decodeAssignorMember(&protocol.JoinGroupResponseMember{Metadata: []byte{0}}); err == nil {
		t.Fatal("no error for bad metadata")
	}
}
