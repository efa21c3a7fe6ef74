package kafka

import (
	"context"
	"errors"
	"fmt"
)

// How a BalancedConsumer runs KIP-848's consumer group protocol: the
// consumerMember's heartbeat loop drives the consumer's revokePartitions
// and assignPartitions, one change at a time, while the partitions that do
// not move are fetched and handed out throughout. Commits carry the member
// epoch, kept current in c.memberID and c.generation as heartbeats move it.

// checkGroupProtocol validates GroupProtocol and the fields that go with it.
func (cfg BalancedConsumerConfig) checkGroupProtocol() error {
	switch cfg.GroupProtocol {
	case GroupProtocolClassic:
		if cfg.ServerAssignor != "" {
			return fmt.Errorf("kafka: BalancedConsumerConfig.ServerAssignor %q needs GroupProtocol GroupProtocolConsumer (the classic protocol assigns with MembershipProtocol)", cfg.ServerAssignor)
		}
	case GroupProtocolConsumer:
		if cfg.MembershipProtocol != nil {
			return fmt.Errorf("kafka: BalancedConsumerConfig.MembershipProtocol (%s) is for GroupProtocolClassic: under GroupProtocolConsumer the broker assigns partitions, with ServerAssignor (\"uniform\" or \"range\")", cfg.MembershipProtocol.Name())
		}
	default:
		return fmt.Errorf("kafka: BalancedConsumerConfig.GroupProtocol %v is neither GroupProtocolClassic nor GroupProtocolConsumer", cfg.GroupProtocol)
	}
	return nil
}

// runConsumerProtocol is run's counterpart under GroupProtocolConsumer.
// It returns at Close with the partitions still held: Close gives them up
// (committing with the member epoch) and then leaves.
func (c *BalancedConsumer) runConsumerProtocol(topics []string) {
	defer c.bg.Done()
	m := &consumerMember{
		client: c.client, group: c.cfg.ConsumerGroup, topics: topics,
		rebalance: c.cfg.RebalanceTimeout, session: c.cfg.SessionTimeout, backoff: c.cfg.RebalanceBackoff,
		h: consumerHandler{c}, onError: c.setErr, instance: c.member.instance,
	}
	if re := c.cfg.TopicPattern; re != nil {
		// The broker matches the whole name (Kafka's RE2/J matches());
		// TopicPattern, as Go's regexp, matches anywhere in it.
		pattern := ".*(?:" + re.String() + ").*"
		m.regex, m.topics = &pattern, c.baseTopics
	}
	if c.cfg.ServerAssignor != "" {
		name := c.cfg.ServerAssignor
		m.assignor = &name
	}
	m.onEpoch = c.setMembership
	c.mu.Lock()
	c.kip848 = m
	c.mu.Unlock()
	m.run(c.ctx)
}

// consumerHandler is the BalancedConsumer as the consumerMember's
// partitionHandler.
type consumerHandler struct{ c *BalancedConsumer }

func (h consumerHandler) revokePartitions(ctx context.Context, lost bool, tps []TopicPartition) {
	// A Close during the revocation waits for its commit rather than
	// cancelling it: the partitions' new owners start from it.
	h.c.revokePartitions(context.WithoutCancel(ctx), lost, tps)
}

func (h consumerHandler) assignPartitions(ctx context.Context, tps []TopicPartition) error {
	return h.c.assignPartitions(ctx, tps)
}

// member848 returns the KIP-848 member, nil under the classic protocol
// (or before it starts).
func (c *BalancedConsumer) member848() *consumerMember {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kip848
}

// membership returns the member ID and generation (KIP-848: member epoch)
// that commits carry now.
func (c *BalancedConsumer) membership() (string, int32) {
	if m := c.member848(); m != nil {
		return m.membership()
	}
	if c.cfg.GroupProtocol == GroupProtocolConsumer {
		return "", -1
	}
	return c.member.membership()
}

// leaveGroup leaves the group with the protocol in use.
func (c *BalancedConsumer) leaveGroup(ctx context.Context) error {
	if c.cfg.GroupProtocol != GroupProtocolConsumer {
		return c.member.leave(ctx)
	}
	m := c.member848()
	if m == nil {
		return nil
	}
	err := m.leave(ctx)
	if errors.Is(err, ErrUnsupportedVersion) {
		return nil // it never joined: nothing to leave
	}
	return err
}
