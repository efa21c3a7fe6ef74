package kafka

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/gokafka/kafka/protocol"
)

// checkNoDirectMoves checks the cooperative rule: no partition one member
// holds is assigned to another, and none is assigned twice.
func checkNoDirectMoves(t *testing.T, held, got assignment) {
	t.Helper()
	holder := map[TopicPartition]string{}
	for m, topics := range held {
		for tp, ps := range topics {
			for _, p := range ps {
				holder[TopicPartition{tp, p}] = m
			}
		}
	}
	seen := map[TopicPartition]string{}
	for m, topics := range got {
		for tp, ps := range topics {
			for _, p := range ps {
				k := TopicPartition{tp, p}
				if o, ok := seen[k]; ok {
					t.Fatalf("%v assigned to %q and %q", k, o, m)
				}
				seen[k] = m
				if h, ok := holder[k]; ok && h != m {
					t.Fatalf("%v moves directly from %q to %q\nheld %v\ngot  %v", k, h, m, held, got)
				}
			}
		}
	}
}

// cooperativeRound runs one cooperative rebalance to its end with assign:
// members say what they hold, give up what the assignment leaves out, and
// rejoin while any gave something up. It returns the final assignment and
// the number of join rounds.
func cooperativeRound(t *testing.T, assign func([]AssignorMember, assignment, int32) assignment, members []AssignorMember, held assignment, gen int32) (assignment, int) {
	t.Helper()
	// Members that left gave their partitions up: they are free.
	current := assignment{}
	for _, m := range members {
		if held[m.MemberID] != nil {
			current[m.MemberID] = held[m.MemberID]
		}
	}
	held = current
	for round := 1; ; round++ {
		got := assign(members, held, gen)
		checkNoDirectMoves(t, held, got)
		revoked := false
		next := assignment{}
		for _, m := range members {
			for tp, ps := range held[m.MemberID] {
				for _, p := range ps {
					if !slices.Contains(got[m.MemberID][tp], p) {
						revoked = true
					}
				}
			}
			next[m.MemberID] = got[m.MemberID]
		}
		held = next
		gen++
		if !revoked {
			return got, round
		}
		if round > 2 {
			t.Fatalf("still revoking after %d rounds: %v", round, got)
		}
	}
}

// ours runs CooperativeStickyAssignor on members that hold held, encoded
// and decoded as our member's subscription would be.
func oursCooperative(t *testing.T) func([]AssignorMember, assignment, int32) assignment {
	return func(members []AssignorMember, held assignment, gen int32) assignment {
		in := make([]AssignorMember, len(members))
		for i, m := range members {
			m.Owned, m.Generation = held[m.MemberID], -1
			if m.Owned != nil {
				m.Generation = gen
			}
			in[i] = m
		}
		partitions := testPartitions(members)
		got, err := CooperativeStickyAssignor{}.Assign(in, partitions)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
}

var testPartitionCounts map[string]int32

func testPartitions([]AssignorMember) map[string]int32 { return testPartitionCounts }

// TestAssignCooperativeSticky runs random groups through rebalances
// (members leave and join) as cooperative members would: no partition
// ever moves directly from one member to another, every rebalance ends
// within two rounds with a valid, balanced assignment, and it moves no
// more partitions than franz-go's CooperativeStickyBalancer over the same
// group.
func TestAssignCooperativeSticky(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	kgoCoop := func(members []AssignorMember, held assignment, _ int32) assignment {
		return kgoAssign(t, kgo.CooperativeStickyBalancer(), members, testPartitionCounts, held)
	}
	var oursMoves, kgoMoves int
	for i := range 150 {
		members, partitions := randomGroup(r, true)
		testPartitionCounts = partitions
		var held assignment
		for gen := int32(1); gen <= 4; gen++ {
			// Both from the same group and holdings.
			got, _ := cooperativeRound(t, oursCooperative(t), members, held, gen*10)
			checkValidAssignment(t, members, partitions, got)
			checkBalanced(t, members, got)
			want, _ := cooperativeRound(t, kgoCoop, members, held, gen*10)
			if held != nil {
				g, w := moved(held, got), moved(held, want)
				oursMoves += g
				kgoMoves += w
				if g > w {
					t.Fatalf("case %d: moved %d partitions, kgo %d\nheld %v\ngot  %v\nkgo  %v", i, g, w, held, got, want)
				}
			}
			held = got
			var next []AssignorMember
			for _, m := range members {
				if r.IntN(4) > 0 {
					next = append(next, m)
				}
			}
			for k := range 1 + r.IntN(2) {
				next = append(next, member(fmt.Sprintf("new-%d-%d", gen, k), members[0].Topics...))
			}
			members = next
		}
	}
	t.Logf("partitions moved over all rebalances: ours %d, kgo %d", oursMoves, kgoMoves)
}

// TestAssignCooperativeStickyFromKgo: the subscriptions franz-go's
// cooperative members send are read as ours are, and a leader of ours
// keeps their partitions where it can without moving any directly.
func TestAssignCooperativeStickyFromKgo(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for range 100 {
		members, partitions := randomGroup(r, true)
		testPartitionCounts = partitions
		first := kgoAssign(t, kgo.CooperativeStickyBalancer(), members, partitions, nil)
		members = append(members[1:], member("joiner", members[0].Topics...))
		var ours []AssignorMember
		for _, m := range members {
			km := kmsg.NewJoinGroupResponseMember()
			km.MemberID = m.MemberID
			km.ProtocolMetadata = kgo.CooperativeStickyBalancer().JoinGroupMetadata(m.Topics, first[m.MemberID], 5)
			am, err := decodeAssignorMember(toProtocolMember(km))
			if err != nil {
				t.Fatal(err)
			}
			if first[m.MemberID] != nil && am.Generation != 5 {
				t.Fatalf("generation %d, want 5", am.Generation)
			}
			am.InstanceID = m.InstanceID
			ours = append(ours, am)
		}
		got, err := CooperativeStickyAssignor{}.Assign(ours, partitions)
		if err != nil {
			t.Fatal(err)
		}
		held := assignment{}
		for _, m := range members {
			held[m.MemberID] = first[m.MemberID]
		}
		checkNoDirectMoves(t, held, normalizeAssignment(got))
		checkBalancedOrPending(t, ours, held, got)
	}
}

// TestCooperativeStickyUserData: the user data is the Java
// CooperativeStickyAssignor's (the generation, an int32), read back for a
// subscription without a generation (version 1); the subscription's own
// generation wins when present.
func TestCooperativeStickyUserData(t *testing.T) {
	a := CooperativeStickyAssignor{}
	if a.Name() != kgo.CooperativeStickyBalancer().ProtocolName() {
		t.Fatalf("name %q", a.Name())
	}
	ud := a.UserData(map[string][]int32{"t": {0}}, 9)
	if !slices.Equal(ud, []byte{0, 0, 0, 9}) {
		t.Fatalf("user data %v", ud)
	}
	s := protocol.ConsumerProtocolSubscription{Topics: []string{"t"}, UserData: ud,
		OwnedPartitions: []protocol.ConsumerProtocolSubscriptionOwnedPartition{{Topic: "t", Partitions: []int32{0}}}}
	b, err := s.Encode(1)
	if err != nil {
		t.Fatal(err)
	}
	am, err := decodeAssignorMember(&protocol.JoinGroupResponseMember{MemberID: "a", Metadata: b})
	if err != nil {
		t.Fatal(err)
	}
	owned, gen := cooperativeClaim(&am)
	if gen != 9 || !reflect.DeepEqual(owned, map[string][]int32{"t": {0}}) {
		t.Fatalf("claim %v at %d", owned, gen)
	}
	am.UserData = append(am.UserData, 1, 2) // trailing bytes are ignored
	if _, gen := cooperativeClaim(&am); gen != 9 {
		t.Fatalf("generation %d with trailing bytes, want 9", gen)
	}
	am.UserData = am.UserData[:3]
	if _, gen := cooperativeClaim(&am); gen != -1 {
		t.Fatalf("generation %d from 3 bytes, want -1", gen)
	}
	am.Generation = 11
	if _, gen := cooperativeClaim(&am); gen != 11 {
		t.Fatalf("generation %d, want the subscription's 11", gen)
	}
	if !isCooperative(a) || isCooperative(StickyAssignor{}) || isCooperative(RangeAssignor{}) {
		t.Fatal("isCooperative")
	}
}

// TestAssignCooperativeStaleClaim: a member claiming a partition at an
// older generation than its current owner does not get it directly, and
// the current owner keeps it.
func TestAssignCooperativeStaleClaim(t *testing.T) {
	a := member("a", "t")
	a.Owned, a.Generation = map[string][]int32{"t": {0, 1}}, 3
	b := member("b", "t")
	b.Owned, b.Generation = map[string][]int32{"t": {1, 2, 3}}, 5
	got, err := CooperativeStickyAssignor{}.Assign([]AssignorMember{a, b}, map[string]int32{"t": 4})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(got["a"]["t"], 1) {
		t.Fatalf("stale claimant got partition 1: %v", got)
	}
	for m, ps := range got {
		for _, p := range ps["t"] {
			if p == 1 && m != "b" {
				t.Fatalf("partition 1 went to %s: %v", m, got)
			}
		}
	}
}

// checkBalancedOrPending checks a first cooperative round: every
// partition no member holds is assigned (only held ones may wait).
func checkBalancedOrPending(t *testing.T, members []AssignorMember, held, got assignment) {
	t.Helper()
	heldBy := map[TopicPartition]bool{}
	for _, topics := range held {
		for tp, ps := range topics {
			for _, p := range ps {
				heldBy[TopicPartition{tp, p}] = true
			}
		}
	}
	assigned := map[TopicPartition]bool{}
	for _, topics := range got {
		for tp, ps := range topics {
			for _, p := range ps {
				assigned[TopicPartition{tp, p}] = true
			}
		}
	}
	for _, m := range members[:1] {
		for _, tp := range m.Topics {
			for p := range testPartitionCounts[tp] {
				k := TopicPartition{tp, p}
				if !assigned[k] && !heldBy[k] {
					t.Fatalf("%v held by no one and not assigned: %v", k, got)
				}
			}
		}
	}
}
