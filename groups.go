package kafka

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gokafka/kafka/protocol"
)

// GroupListing is one group as ListGroups reports it.
type GroupListing struct {
	GroupID      string
	ProtocolType string // "consumer" for consumer groups, "" for groups that only commit offsets
	State        string // e.g. "Stable" or "Empty"; "" from brokers before Kafka 2.6 (ListGroups v4)
	// Type is the group's kind: "classic" (JoinGroup/SyncGroup members,
	// or offsets only), "consumer" (KIP-848 members) or "share"; "" from
	// brokers before Kafka 4.0 (ListGroups v5), whose groups are classic.
	Type string
}

// GroupDescription describes a group as its coordinator sees it.
type GroupDescription struct {
	GroupID      string
	State        string // "Empty", "PreparingRebalance", "CompletingRebalance", "Stable" or "Dead"
	ProtocolType string // "consumer" for consumer groups
	Protocol     string // the assignor chosen, e.g. "range"; "" unless State is "Stable"
	Members      []GroupMember
	// Type is "classic", or "consumer" for a group of the KIP-848
	// protocol (Kafka 4.0+), described by ConsumerGroupDescribe: its State
	// is then "Empty", "Assigning", "Reconciling", "Stable" or "Dead",
	// Protocol the server-side assignor ("uniform", "range"), and each
	// member's Assignment its current one.
	Type string
}

// GroupMember is one member of a described group.
type GroupMember struct {
	MemberID   string
	InstanceID string // the static member ID (group.instance.id), "" for dynamic members
	ClientID   string
	ClientHost string
	// Assignment holds the partitions assigned to the member, by topic,
	// decoded from its member assignment when the group's ProtocolType is
	// "consumer". It is nil for other groups, while the group rebalances,
	// and when the assignment cannot be decoded.
	Assignment map[string][]int32
}

// ListGroups returns the cluster's groups, sorted by group ID. Each broker
// knows only the groups it coordinates, so every live broker is asked; one
// that cannot answer within ctx (after retries) fails the call, since the
// list would be incomplete, and the error names it. pykafka has no direct
// equivalent (its Broker.list_groups asks one broker).
func (c *Client) ListGroups(ctx context.Context) ([]GroupListing, error) {
	var (
		mu     sync.Mutex
		groups = make(map[string]GroupListing)
		done   = make(map[int32]bool)
	)
	err := c.retry(ctx, []string{}, func() error {
		var (
			errs []error
			wg   sync.WaitGroup
		)
		c.mu.Lock()
		var todo []*broker
		for id, b := range c.brokers {
			if !done[id] {
				todo = append(todo, b)
			}
		}
		c.mu.Unlock()
		for _, b := range todo {
			wg.Go(func() {
				got, err := c.listGroupsAt(ctx, b)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				done[b.id] = true
				for _, g := range got {
					if _, seen := groups[g.GroupID]; !seen {
						groups[g.GroupID] = g
					}
				}
			})
		}
		wg.Wait()
		return firstFinal(errs)
	})
	if err != nil {
		return nil, err
	}
	out := make([]GroupListing, 0, len(groups))
	for _, g := range groups {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b GroupListing) int { return cmp.Compare(a.GroupID, b.GroupID) })
	return out, nil
}

// listGroupsAt asks broker b for the groups it coordinates.
func (c *Client) listGroupsAt(ctx context.Context, b *broker) ([]GroupListing, error) {
	var resp protocol.ListGroupsResponse
	if _, err := b.call(ctx, &protocol.ListGroupsRequest{}, &resp); err != nil {
		return nil, b.opError("list groups", "", -1, err)
	}
	if err := codeError(resp.ErrorCode); err != nil {
		return nil, b.opError("list groups", "", -1, err)
	}
	out := make([]GroupListing, len(resp.Groups))
	for i, g := range resp.Groups {
		out[i] = GroupListing{GroupID: g.GroupID, ProtocolType: g.ProtocolType, State: g.GroupState, Type: strings.ToLower(g.GroupType)}
	}
	return out, nil
}

// DescribeGroups describes groups, asking each group's coordinator: their
// state, protocol and members, with each consumer's assigned partitions.
// This is pykafka's Cluster.get_managed_group_descriptions, for the groups
// named rather than for one broker's.
//
// The descriptions come back in the order asked (a group named twice is
// described once). A group that does not exist is an error wrapping
// [ErrGroupIDNotFound], whatever the broker's version (before Kafka 4.0,
// brokers answer such a group with the state "Dead" and no members).
// Retriable errors (a coordinator loading or moving) are retried within
// ctx. A group that still fails gets an [*OpError] naming it; the error
// returned joins those of every failed group, and the descriptions of the
// groups that did not fail are returned with it.
func (c *Client) DescribeGroups(ctx context.Context, groups ...string) ([]GroupDescription, error) {
	var order []string
	for _, g := range groups {
		if !slices.Contains(order, g) {
			order = append(order, g)
		}
	}
	if len(order) == 0 {
		return nil, nil
	}
	var (
		mu      sync.Mutex
		descs   = make(map[string]GroupDescription, len(order))
		failed  = make(map[string]error) // final errors, and the last retriable ones
		pending = slices.Clone(order)
	)
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	rerr := c.retry(ctx, []string{}, func() error {
		byBroker := make(map[*broker][]string)
		for _, g := range pending {
			b, err := c.findCoordinator(ctx, coordinatorKey{typ: coordinatorGroup, key: g})
			if err != nil {
				failed[g] = err
				continue
			}
			byBroker[b] = append(byBroker[b], g)
		}
		var wg sync.WaitGroup
		for b, gs := range byBroker {
			wg.Go(func() {
				got, errs := c.describeGroupsAt(ctx, b, gs)
				mu.Lock()
				defer mu.Unlock()
				for g, d := range got {
					descs[g] = d
					delete(failed, g)
				}
				for g, err := range errs {
					if prev, ok := failed[g]; ok && ctx.Err() != nil {
						err = cutShort(prev, err) // as in retry
					}
					failed[g] = err
					if coordinatorGone(err) {
						c.coords.forget(coordinatorKey{typ: coordinatorGroup, key: g}, b.id)
					}
				}
			})
		}
		wg.Wait()
		// Keep the groups that failed in a way a retry may cure.
		pending = slices.DeleteFunc(pending, func(g string) bool {
			err, ok := failed[g]
			return !ok || !IsRetriable(err) || errors.As(err, new(final))
		})
		var errs []error
		for _, g := range pending {
			errs = append(errs, failed[g])
		}
		return errors.Join(errs...)
	})
	out := make([]GroupDescription, 0, len(order))
	var errs []error
	for _, g := range order {
		if d, ok := descs[g]; ok {
			out = append(out, d)
		} else if err, ok := failed[g]; ok {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 && rerr != nil && len(out) < len(order) {
		errs = append(errs, rerr) // e.g. the client was closed
	}
	return out, errors.Join(errs...)
}

// describeGroupsAt asks coordinator b to describe groups. It returns the
// descriptions found, and an error for each group that failed.
func (c *Client) describeGroupsAt(ctx context.Context, b *broker, groups []string) (map[string]GroupDescription, map[string]error) {
	// KIP-848 groups first, where the broker has them (4.0+): brokers
	// answer DescribeGroups for them with GROUP_ID_NOT_FOUND ("not a
	// classic group") or, like kfake, with an empty description, and
	// ConsumerGroupDescribe for a classic group with GROUP_ID_NOT_FOUND.
	// Whatever it does not describe is asked of DescribeGroups.
	var consumer map[string]GroupDescription
	if _, err := b.version(ctx, protocol.KeyConsumerGroupDescribe); err == nil {
		consumer, _ = c.consumerGroupDescribeAt(ctx, b, groups)
		groups = slices.DeleteFunc(slices.Clone(groups), func(g string) bool { _, ok := consumer[g]; return ok })
		if len(groups) == 0 {
			return consumer, map[string]error{}
		}
	}
	descs, errs := c.classicDescribeGroupsAt(ctx, b, groups)
	if descs == nil {
		descs = make(map[string]GroupDescription)
	}
	maps.Copy(descs, consumer)
	return descs, errs
}

// classicDescribeGroupsAt asks coordinator b to describe classic groups
// with DescribeGroups.
func (c *Client) classicDescribeGroupsAt(ctx context.Context, b *broker, groups []string) (map[string]GroupDescription, map[string]error) {
	errs := make(map[string]error)
	var resp protocol.DescribeGroupsResponse
	version, err := b.call(ctx, &protocol.DescribeGroupsRequest{Groups: groups}, &resp)
	if err != nil {
		for _, g := range groups {
			errs[g] = b.opError(describeGroupOp(g), "", -1, err)
		}
		return nil, errs
	}
	descs := make(map[string]GroupDescription, len(groups))
	for _, rg := range resp.Groups {
		if !slices.Contains(groups, rg.GroupID) {
			continue // not asked for: ignore rather than trust
		}
		err := messageError(rg.ErrorCode, rg.ErrorMessage)
		if err == nil && version < 6 && rg.GroupState == "Dead" && rg.ProtocolType == "" && len(rg.Members) == 0 {
			err = ErrGroupIDNotFound // what brokers before 4.0 say of a group that does not exist
		}
		if err != nil {
			errs[rg.GroupID] = b.opError(describeGroupOp(rg.GroupID), "", -1, err)
			continue
		}
		descs[rg.GroupID] = describedGroup(&rg)
	}
	for _, g := range groups {
		_, ok := descs[g]
		if _, bad := errs[g]; !ok && !bad {
			errs[g] = b.opError(describeGroupOp(g), "", -1, ErrUnknownServerError)
		}
	}
	return descs, errs
}

// describedGroup converts a described group, decoding the members'
// assignments of a consumer group.
func describedGroup(rg *protocol.DescribeGroupsResponseGroup) GroupDescription {
	d := GroupDescription{
		GroupID:      rg.GroupID,
		State:        rg.GroupState,
		ProtocolType: rg.ProtocolType,
		Protocol:     rg.ProtocolData,
		Members:      make([]GroupMember, len(rg.Members)),
		Type:         "classic",
	}
	for i, m := range rg.Members {
		gm := GroupMember{MemberID: m.MemberID, ClientID: m.ClientID, ClientHost: m.ClientHost}
		if m.GroupInstanceID != nil {
			gm.InstanceID = *m.GroupInstanceID
		}
		if rg.ProtocolType == "consumer" {
			gm.Assignment = decodeAssignment(m.MemberAssignment)
		}
		d.Members[i] = gm
	}
	return d
}

// decodeAssignment decodes a consumer's member assignment into partitions
// by topic, sorted; nil when b is empty or not a valid assignment.
func decodeAssignment(b []byte) map[string][]int32 {
	if len(b) == 0 {
		return nil
	}
	var a protocol.ConsumerProtocolAssignment
	if a.Decode(b) != nil {
		return nil
	}
	out := make(map[string][]int32, len(a.AssignedPartitions))
	for _, tp := range a.AssignedPartitions {
		out[tp.Topic] = append(out[tp.Topic], tp.Partitions...)
	}
	for _, ps := range out {
		slices.Sort(ps)
	}
	return out
}

// describeGroupOp names the description of group in errors.
func describeGroupOp(group string) string { return "describe group " + strconv.Quote(group) }

// consumerGroupDescribeAt asks coordinator b to describe KIP-848 groups.
func (c *Client) consumerGroupDescribeAt(ctx context.Context, b *broker, groups []string) (map[string]GroupDescription, map[string]error) {
	errs := make(map[string]error)
	var resp protocol.ConsumerGroupDescribeResponse
	if _, err := b.call(ctx, &protocol.ConsumerGroupDescribeRequest{GroupIDs: groups}, &resp); err != nil {
		for _, g := range groups {
			errs[g] = b.opError(describeGroupOp(g), "", -1, err)
		}
		return nil, errs
	}
	descs := make(map[string]GroupDescription, len(groups))
	for _, rg := range resp.Groups {
		if !slices.Contains(groups, rg.GroupID) {
			continue
		}
		if err := messageError(rg.ErrorCode, rg.ErrorMessage); err != nil {
			errs[rg.GroupID] = b.opError(describeGroupOp(rg.GroupID), "", -1, err)
			continue
		}
		d := GroupDescription{GroupID: rg.GroupID, State: rg.GroupState, ProtocolType: "consumer", Protocol: rg.AssignorName, Type: "consumer"}
		for _, m := range rg.Members {
			gm := GroupMember{MemberID: m.MemberID, ClientID: m.ClientID, ClientHost: m.ClientHost}
			if m.InstanceID != nil {
				gm.InstanceID = *m.InstanceID
			}
			for _, tp := range m.Assignment.TopicPartitions {
				name := tp.TopicName
				if name == "" { // some brokers (kfake) give only the ID
					name = c.topicNameByID(ctx, tp.TopicID)
				}
				if gm.Assignment == nil {
					gm.Assignment = make(map[string][]int32)
				}
				gm.Assignment[name] = append(gm.Assignment[name], tp.Partitions...)
			}
			for _, ps := range gm.Assignment {
				slices.Sort(ps)
			}
			d.Members = append(d.Members, gm)
		}
		descs[rg.GroupID] = d
	}
	for _, g := range groups {
		_, ok := descs[g]
		if _, bad := errs[g]; !ok && !bad {
			errs[g] = b.opError(describeGroupOp(g), "", -1, ErrGroupIDNotFound)
		}
	}
	return descs, errs
}

// topicNameByID returns the name of the topic with id from the metadata,
// refreshed once if it does not know the ID; "" if no topic has it.
func (c *Client) topicNameByID(ctx context.Context, id protocol.UUID) string {
	find := func() string {
		for name, t := range c.meta.Load().topics {
			if t.id == id {
				return name
			}
		}
		return ""
	}
	if name := find(); name != "" {
		return name
	}
	if c.refresh(ctx, nil, false) != nil {
		return ""
	}
	return find()
}
