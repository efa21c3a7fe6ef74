package kafka

import (
	"context"
	"errors"
	"slices"
)

// A member with a TopicPattern subscribes to every topic the pattern
// matches, besides the topic it was made from and Topics. It looks again
// every Config.MetadataMaxAge (as the Java client does on its metadata
// refresh): when topics matching appeared or went, it joins the group
// again with the new subscription, and the group's assignment follows.
// Under cooperative rebalancing only the partitions of the topics gone
// are given up.

// subscription returns the topics the member subscribes to now: its
// fixed ones and those the pattern matches, sorted.
func (c *BalancedConsumer) subscription(ctx context.Context) ([]string, error) {
	topics := slices.Clone(c.baseTopics)
	if c.cfg.TopicPattern != nil {
		matching, err := c.client.TopicsMatching(ctx, c.cfg.TopicPattern)
		if err != nil {
			return nil, err
		}
		for _, t := range matching {
			if !slices.Contains(topics, t) {
				topics = append(topics, t)
			}
		}
	}
	slices.Sort(topics)
	return topics, nil
}

// subscriptionChanged reports whether the topics the pattern matches
// changed; if so the member's subscription is updated, and it must join
// the group again.
func (c *BalancedConsumer) subscriptionChanged() bool {
	ctx, cancel := context.WithTimeout(c.ctx, c.client.cfg.RequestTimeout)
	defer cancel()
	topics, err := c.subscription(ctx)
	if err != nil {
		c.client.log.Debug("kafka: looking for topics matching the group's pattern failed", "group", c.cfg.ConsumerGroup, "err", err)
		return false
	}
	if !c.member.setTopics(topics) {
		return false
	}
	c.client.log.Info("kafka: topics matching the pattern changed; rejoining", "group", c.cfg.ConsumerGroup, "topics", topics)
	return true
}

// setTopics sets the member's subscription and reports whether it
// changed.
func (g *classicMember) setTopics(topics []string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if slices.Equal(g.topics, topics) {
		return false
	}
	g.topics = topics
	return true
}

// topicGone reports whether err says a topic (or partition) does not
// exist: with a TopicPattern, what a deleted topic's partitions meet until
// the member's next rejoin gives them up; it is logged, not returned.
func (c *BalancedConsumer) topicGone(err error) bool {
	return c.cfg.TopicPattern != nil && (errors.Is(err, ErrUnknownTopicOrPartition) || errors.Is(err, ErrUnknownTopicID))
}
