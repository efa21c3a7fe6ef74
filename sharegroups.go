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
	err := c.retry(ctx, []string{}, func() error {
		b, err := c.coordinator(ctx, group)
		if err != nil {
			return err
		}
		if _, err := b.call(ctx, &protocol.ShareGroupDescribeRequest{GroupIDs: []string{group}}, &resp); err != nil {
			if coordinatorGone(err) {
				c.forgetCoordinator(group)
			}
			return err
		}
		if len(resp.Groups) != 1 {
			return fmt.Errorf("%w: ShareGroupDescribe answered %d groups for 1", ErrMalformedResponse, len(resp.Groups))
		}
		err = messageError(resp.Groups[0].ErrorCode, resp.Groups[0].ErrorMessage)
		if coordinatorGone(err) {
			c.forgetCoordinator(group)
		}
		return err
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
