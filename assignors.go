package kafka

// TEMP shim until the assignors land.

import "slices"

type Assignor interface {
	Name() string
	Assign(members []AssignorMember, partitions map[string]int32) (map[string]map[string][]int32, error)
}

type AssignorMember struct {
	MemberID   string
	InstanceID string
	Topics     []string
	UserData   []byte
	Owned      map[string][]int32
	Generation int32
	Rack       string
}

type RangeAssignor struct{}

func (RangeAssignor) Name() string { return "range" }

func (RangeAssignor) Assign(members []AssignorMember, partitions map[string]int32) (map[string]map[string][]int32, error) {
	out := map[string]map[string][]int32{}
	for _, m := range members {
		out[m.MemberID] = map[string][]int32{}
	}
	for topic, n := range partitions {
		var subs []string
		for _, m := range members {
			if slices.Contains(m.Topics, topic) {
				subs = append(subs, m.MemberID)
			}
		}
		slices.Sort(subs)
		if len(subs) == 0 {
			continue
		}
		per, extra := int(n)/len(subs), int(n)%len(subs)
		p := int32(0)
		for i, id := range subs {
			k := per
			if i < extra {
				k++
			}
			for range k {
				out[id][topic] = append(out[id][topic], p)
				p++
			}
		}
	}
	return out, nil
}

type AssignorUserData interface {
	UserData(owned map[string][]int32, generation int32) []byte
}
