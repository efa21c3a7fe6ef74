package kafka

import (
	"context"
	"errors"
	"fmt"

	"github.com/gokafka/kafka/protocol"
)

// ShareGroupDescription describes a share group (KIP-932) as its
// coordinator sees it.
type ShareGroupDescription struct {
	GroupID    string
	State      string // "Empty", "Stable" or "Dead"
	GroupEpoch int32
	Members    []ShareGroupMember
}

// ShareGroupMember is one member of a share group. Several members may be
// assigned the same partition: they share its records.
type ShareGroupMember struct {
	MemberID   string
	ClientID   string
	ClientHost string
	Assignment map[string][]int32 // partitions by topic
}

// ShareGroups lists the cluster's share groups and describes each, sorted
// by group ID.
func (c *Client) ShareGroups(ctx context.Context) ([]ShareGroupDescription, error) {
	listed, err := c.ListGroups(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, g := range listed {
		if g.ProtocolType == "share" {
			names = append(names, g.GroupID)
		}
	}
	return c.DescribeShareGroups(ctx, names...)
}

// DescribeShareGroups describes share groups, asking each group's
// coordinator (ShareGroupDescribe, Kafka 4.1+), in the order asked. A group
// that fails is left out, and the error returned joins the failures.
func (c *Client) DescribeShareGroups(ctx context.Context, groups ...string) ([]ShareGroupDescription, error) {
	var (
		out  []ShareGroupDescription
		errs []error
	)
	for _, g := range groups {
		d, err := c.describeShareGroup(ctx, g)
		if err != nil {
			errs = append(errs, fmt.Errorf("kafka: describing share group %q: %w", g, err))
			continue
		}
		out = append(out, d)
	}
	return out, errors.Join(errs...)
}

func (c *Client) describeShareGroup(ctx context.Context, group string) (ShareGroupDescription, error) {
	var resp protocol.ShareGroupDescribeResponse
	err := c.shareCoordinatorCall(ctx, group, &protocol.ShareGroupDescribeRequest{GroupIDs: []string{group}}, &resp, func() error {
		if len(resp.Groups) != 1 {
			return fmt.Errorf("%w: ShareGroupDescribe answered %d groups for 1", ErrMalformedResponse, len(resp.Groups))
		}
		return messageError(resp.Groups[0].ErrorCode, resp.Groups[0].ErrorMessage)
	})
	if err != nil {
		return ShareGroupDescription{}, err
	}
	g := resp.Groups[0]
	d := ShareGroupDescription{GroupID: g.GroupID, State: g.GroupState, GroupEpoch: g.GroupEpoch}
	for _, m := range g.Members {
		sm := ShareGroupMember{MemberID: m.MemberID, ClientID: m.ClientID, ClientHost: m.ClientHost, Assignment: map[string][]int32{}}
		for _, tp := range m.Assignment.TopicPartitions {
			sm.Assignment[tp.TopicName] = append(sm.Assignment[tp.TopicName], tp.Partitions...)
		}
		d.Members = append(d.Members, sm)
	}
	return d, nil
}

// AlterShareGroupOffsets sets where an empty share group starts reading
// (its start offsets, KIP-932), by topic and partition: 0 replays a
// partition from its beginning; the group then delivers from there, with
// fresh delivery counts. A group with members is refused with
// [ErrNonEmptyGroup]; a partition's refusal is an error naming it.
func (c *Client) AlterShareGroupOffsets(ctx context.Context, group string, offsets map[string]map[int32]int64) error {
	req := &protocol.AlterShareGroupOffsetsRequest{GroupID: group}
	for topic, ps := range offsets {
		t := protocol.AlterShareGroupOffsetsTopic{Topic: topic}
		for p, off := range ps {
			t.Partitions = append(t.Partitions, protocol.AlterShareGroupOffsetsPartition{Partition: p, StartOffset: off})
		}
		req.Topics = append(req.Topics, t)
	}
	var resp protocol.AlterShareGroupOffsetsResponse
	err := c.shareCoordinatorCall(ctx, group, req, &resp, func() error {
		return messageError(resp.ErrorCode, resp.ErrorMessage)
	})
	if err != nil {
		return fmt.Errorf("kafka: altering share group %q offsets: %w", group, err)
	}
	var errs []error
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := messageError(p.ErrorCode, p.ErrorMessage); err != nil {
				errs = append(errs, fmt.Errorf("kafka: altering share group %q offset of %s[%d]: %w", group, t.Topic, p.Partition, err))
			}
		}
	}
	return errors.Join(errs...)
}

// ShareGroupStartOffsets returns a share group's start offsets by topic and
// partition (DescribeShareGroupOffsets): the first offset not yet
// acknowledged for good; every record before it was accepted, rejected or
// archived. A partition the group has no state for is left out.
func (c *Client) ShareGroupStartOffsets(ctx context.Context, group string) (map[string]map[int32]int64, error) {
	req := &protocol.DescribeShareGroupOffsetsRequest{Groups: []protocol.DescribeShareGroupOffsetsGroup{{GroupID: group}}}
	var resp protocol.DescribeShareGroupOffsetsResponse
	err := c.shareCoordinatorCall(ctx, group, req, &resp, func() error {
		if len(resp.Groups) != 1 {
			return fmt.Errorf("%w: DescribeShareGroupOffsets answered %d groups for 1", ErrMalformedResponse, len(resp.Groups))
		}
		return messageError(resp.Groups[0].ErrorCode, resp.Groups[0].ErrorMessage)
	})
	if err != nil {
		return nil, fmt.Errorf("kafka: describing share group %q offsets: %w", group, err)
	}
	out := map[string]map[int32]int64{}
	var errs []error
	for _, t := range resp.Groups[0].Topics {
		for _, p := range t.Partitions {
			if err := messageError(p.ErrorCode, p.ErrorMessage); err != nil {
				errs = append(errs, fmt.Errorf("kafka: share group %q offset of %s[%d]: %w", group, t.Topic, p.Partition, err))
				continue
			}
			if p.StartOffset < 0 {
				continue
			}
			if out[t.Topic] == nil {
				out[t.Topic] = map[int32]int64{}
			}
			out[t.Topic][p.Partition] = p.StartOffset
		}
	}
	return out, errors.Join(errs...)
}

// shareCoordinatorCall sends req to group's coordinator and checks the
// answer with check (the response's own error codes), retrying retriable
// errors within ctx; an error saying the coordinator moved (from the call
// or from check) forgets it, so the next attempt looks it up again.
func (c *Client) shareCoordinatorCall(ctx context.Context, group string, req protocol.Request, resp protocol.Response, check func() error) error {
	return c.retry(ctx, []string{}, func() error {
		b, err := c.coordinator(ctx, group)
		if err != nil {
			return err
		}
		if _, err = b.call(ctx, req, resp); err == nil {
			err = check()
		}
		if coordinatorGone(err) {
			c.forgetCoordinator(group)
		}
		return err
	})
}
