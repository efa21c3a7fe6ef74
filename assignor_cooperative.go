package kafka

import (
	"encoding/binary"
	"slices"
)

// CooperativeStickyAssignor is the "cooperative-sticky" assignor (the Java
// client's CooperativeStickyAssignor, franz-go's CooperativeStickyBalancer),
// and with it incremental cooperative rebalancing (KIP-429): a rebalance
// takes from a member only the partitions that move, and the others are
// consumed throughout.
//
// Its assignment is [StickyAssignor]'s (balanced, moving as few partitions
// as possible), over the partitions each member says it owns (its
// subscription's Owned partitions at its Generation; for a member whose
// subscription predates generations, the generation in its UserData, which
// [CooperativeStickyAssignor.UserData] writes as Java does), with one
// rule more: a partition that moves from one member to another is left
// unassigned in this rebalance. Its owner sees the partition gone from its
// assignment, gives it up (PreRebalanceCallback hears of it, its progress
// is committed) and rejoins at once; the next rebalance, a moment later,
// gives it to its new owner. No partition is ever owned by two members at
// once, and no member stops the others' partitions.
//
// A member rebalances cooperatively when every assignor it proposes is
// cooperative: with MembershipProtocol alone, or with
// FallbackMembershipProtocols holding only cooperative assignors. To move
// a group from an eager assignor (say range) to this one, restart its
// members one by one with MembershipProtocol CooperativeStickyAssignor and
// FallbackMembershipProtocols [RangeAssignor] (the group keeps range, the
// only assignor all members share, and members still rebalance eagerly),
// then restart them once more without the fallback: the group switches to
// cooperative-sticky once every member supports it, and each member
// rebalances cooperatively once it proposes no eager assignor. This is the
// Java client's documented upgrade path.
type CooperativeStickyAssignor struct{}

// Name returns "cooperative-sticky".
func (CooperativeStickyAssignor) Name() string { return "cooperative-sticky" }

// cooperative marks the assignor as following the cooperative protocol.
func (CooperativeStickyAssignor) cooperative() {}

// A cooperativeAssignor's assignments never move a partition directly
// from one member to another, so that members may keep consuming what
// they keep while the group rebalances.
type cooperativeAssignor interface {
	Assignor
	cooperative()
}

// isCooperative reports whether a is a cooperative assignor.
func isCooperative(a Assignor) bool {
	_, ok := a.(cooperativeAssignor)
	return ok
}

// UserData returns the generation in the Java CooperativeStickyAssignor's
// user data format (an int32), which members whose subscriptions carry no
// generation (before version 2) use to order claims.
func (CooperativeStickyAssignor) UserData(_ map[string][]int32, generation int32) []byte {
	return binary.BigEndian.AppendUint32(nil, uint32(generation))
}

// cooperativeClaim is a member's owned partitions and their generation:
// the subscription's, or the one in its user data as Java writes it
// (bytes after it are ignored, as Java does; shorter data gives none).
func cooperativeClaim(m *AssignorMember) (map[string][]int32, int32) {
	gen := m.Generation
	if gen == -1 && len(m.UserData) >= 4 {
		gen = int32(binary.BigEndian.Uint32(m.UserData))
	}
	return m.Owned, gen
}

// Assign implements [Assignor].
func (CooperativeStickyAssignor) Assign(members []AssignorMember, partitions map[string]int32) (map[string]map[string][]int32, error) {
	plan := stickyAssign(members, partitions, cooperativeClaim)
	// Every member's claims, with the newest generation claiming each
	// partition: an older claim is stale (its member missed rebalances)
	// and does not make the partition that member's, but the member may
	// still be consuming it, so a move to anyone else must wait for it.
	type claimant struct {
		member string
		gen    int32
	}
	claims := map[TopicPartition][]claimant{}
	newest := map[TopicPartition]int32{}
	for i := range members {
		m := &members[i]
		owned, gen := cooperativeClaim(m)
		for t, ps := range owned {
			for _, p := range ps {
				tp := TopicPartition{t, p}
				claims[tp] = append(claims[tp], claimant{m.MemberID, gen})
				if g, ok := newest[tp]; !ok || gen > g {
					newest[tp] = gen
				}
			}
		}
	}
	for member, topics := range plan {
		for t, ps := range topics {
			kept := ps[:0:0]
			for _, p := range ps {
				tp := TopicPartition{t, p}
				mine, others := false, false
				for _, c := range claims[tp] {
					if c.member == member {
						mine = mine || c.gen >= newest[tp]
					} else {
						others = true
					}
				}
				// Planned for a member that does not hold it while
				// another may: left out until that one has given it up.
				if others && !mine {
					continue
				}
				kept = append(kept, p)
			}
			if len(kept) == 0 {
				delete(topics, t)
				continue
			}
			topics[t] = slices.Clip(kept)
		}
	}
	return plan, nil
}
