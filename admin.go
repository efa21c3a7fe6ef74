package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/gokafka/kafka/internal/backoff"
	"github.com/gokafka/kafka/protocol"
)

// TopicConfig describes a topic to create.
type TopicConfig struct {
	// Partitions is the number of partitions; 0 takes the brokers'
	// num.partitions (on brokers before 2.4, which need a number, 1).
	Partitions int32
	// ReplicationFactor is the number of copies of each partition; 0
	// takes the brokers' default.replication.factor (before 2.4, 1).
	ReplicationFactor int16
	// Assignment, when set, places each partition's replicas on the
	// given brokers (partition ID to broker IDs, the first being the
	// preferred leader) and replaces Partitions and ReplicationFactor.
	Assignment map[int32][]int32
	// Configs are topic-level settings such as "cleanup.policy" or
	// "retention.ms".
	Configs map[string]string
	// ValidateOnly asks the brokers to check the request without creating
	// anything.
	ValidateOnly bool
}

// CreateTopic creates a topic and waits until every partition has a leader,
// so that the topic is ready to use when CreateTopic returns. A topic that
// exists already is an error wrapping [ErrTopicAlreadyExists].
func (c *Client) CreateTopic(ctx context.Context, name string, tc TopicConfig) error {
	if err := validTopicName(name); err != nil {
		return &OpError{Op: "create topic", Topic: name, Partition: -1, Broker: -1, Err: err}
	}
	err := c.controllerCall(ctx, "create topic", protocol.KeyCreateTopics, name, func(b *broker, version int16) error {
		t := protocol.CreateTopicsRequestTopic{Name: name, NumPartitions: tc.Partitions, ReplicationFactor: tc.ReplicationFactor}
		if t.NumPartitions == 0 {
			t.NumPartitions = -1
		}
		if t.ReplicationFactor == 0 {
			t.ReplicationFactor = -1
		}
		if version < 4 { // brokers before 2.4 have no "use the default"
			t.NumPartitions, t.ReplicationFactor = max(t.NumPartitions, 1), max(t.ReplicationFactor, 1)
		}
		if len(tc.Assignment) > 0 {
			t.NumPartitions, t.ReplicationFactor = -1, -1
			for _, p := range slices.Sorted(maps.Keys(tc.Assignment)) {
				t.Assignments = append(t.Assignments, protocol.CreateTopicsRequestTopicAssignment{PartitionIndex: p, BrokerIDs: tc.Assignment[p]})
			}
		}
		for _, k := range slices.Sorted(maps.Keys(tc.Configs)) {
			v := tc.Configs[k]
			t.Configs = append(t.Configs, protocol.CreateTopicsRequestTopicConfig{Name: k, Value: &v})
		}
		req := &protocol.CreateTopicsRequest{Topics: []protocol.CreateTopicsRequestTopic{t}, TimeoutMs: c.adminTimeout(ctx), ValidateOnly: tc.ValidateOnly}
		var resp protocol.CreateTopicsResponse
		if err := b.request(ctx, connAdmin, req, &resp, version, c.cfg.RequestTimeout); err != nil {
			return err
		}
		for _, r := range resp.Topics {
			if r.Name == name {
				return adminError(r.ErrorCode, r.ErrorMessage)
			}
		}
		return fmt.Errorf("%w: no result for the topic in the answer", ErrUnknownServerError)
	})
	if err != nil || tc.ValidateOnly {
		return err
	}
	return c.awaitTopic(ctx, name, func(t *topicMeta) bool {
		if t == nil || len(t.partitions) == 0 {
			return false
		}
		for _, p := range t.partitions {
			if p.Leader < 0 {
				return false
			}
		}
		return true
	})
}

// DeleteTopic deletes a topic and waits until the metadata no longer lists
// it. A topic that does not exist is an error wrapping
// [ErrUnknownTopicOrPartition].
func (c *Client) DeleteTopic(ctx context.Context, name string) error {
	err := c.controllerCall(ctx, "delete topic", protocol.KeyDeleteTopics, name, func(b *broker, version int16) error {
		req := &protocol.DeleteTopicsRequest{TimeoutMs: c.adminTimeout(ctx)}
		if version >= 6 {
			req.Topics = []protocol.DeleteTopicsRequestTopic{{Name: &name}}
		} else {
			req.TopicNames = []string{name}
		}
		var resp protocol.DeleteTopicsResponse
		if err := b.request(ctx, connAdmin, req, &resp, version, c.cfg.RequestTimeout); err != nil {
			return err
		}
		for _, r := range resp.Responses {
			if r.Name != nil && *r.Name == name {
				return adminError(r.ErrorCode, r.ErrorMessage)
			}
		}
		return fmt.Errorf("%w: no result for the topic in the answer", ErrUnknownServerError)
	})
	if err != nil {
		return err
	}
	return c.awaitTopic(ctx, name, func(t *topicMeta) bool { return t == nil })
}

// CreatePartitions grows a topic to total partitions (Kafka cannot shrink
// one) and waits until the new partitions have leaders.
func (c *Client) CreatePartitions(ctx context.Context, name string, total int32) error {
	err := c.controllerCall(ctx, "create partitions", protocol.KeyCreatePartitions, name, func(b *broker, version int16) error {
		req := &protocol.CreatePartitionsRequest{
			Topics:    []protocol.CreatePartitionsRequestTopic{{Name: name, Count: total}},
			TimeoutMs: c.adminTimeout(ctx),
		}
		var resp protocol.CreatePartitionsResponse
		if err := b.request(ctx, connAdmin, req, &resp, version, c.cfg.RequestTimeout); err != nil {
			return err
		}
		for _, r := range resp.Results {
			if r.Name == name {
				return adminError(r.ErrorCode, r.ErrorMessage)
			}
		}
		return fmt.Errorf("%w: no result for the topic in the answer", ErrUnknownServerError)
	})
	if err != nil {
		return err
	}
	return c.awaitTopic(ctx, name, func(t *topicMeta) bool {
		if t == nil || int32(len(t.partitions)) < total {
			return false
		}
		return !slices.ContainsFunc(t.partitions, func(p Partition) bool { return p.Leader < 0 })
	})
}

// controllerCall runs an admin request against the controller (any broker
// when the metadata names none: KRaft brokers forward admin requests),
// retrying NOT_CONTROLLER and other retriable errors.
func (c *Client) controllerCall(ctx context.Context, op string, api int16, topic string, fn func(b *broker, version int16) error) error {
	return c.retry(ctx, []string{}, func() error {
		m := c.meta.Load()
		var b *broker
		if m.controller >= 0 {
			b, _ = c.broker(m.controller)
		}
		if b == nil {
			return c.anyBroker(ctx, op, func(b *broker) error { return c.adminOn(ctx, b, op, api, topic, fn) })
		}
		return c.adminOn(ctx, b, op, api, topic, fn)
	})
}

// adminOn runs fn on b with the newest version of api b speaks.
func (c *Client) adminOn(ctx context.Context, b *broker, op string, api int16, topic string, fn func(*broker, int16) error) error {
	version, err := b.version(ctx, api)
	if err != nil {
		return b.opError(op, topic, -1, final{err})
	}
	if err := fn(b, version); err != nil {
		return b.opError(op, topic, -1, err)
	}
	return nil
}

// adminError turns an admin result's code and message into an error. The
// controller's word is final, except when it says it is not the controller.
func adminError(code int16, msg *string) error {
	err := codeError(code)
	if err == nil {
		return nil
	}
	if msg != nil && *msg != "" {
		err = fmt.Errorf("%w (%s)", err, *msg)
	}
	if Error(code) != ErrNotController {
		err = final{err}
	}
	return err
}

// adminTimeout is how long the brokers may take over an admin request: what
// is left of ctx, or Config.RequestTimeout.
func (c *Client) adminTimeout(ctx context.Context) int32 {
	d := c.cfg.RequestTimeout
	if dl, ok := ctx.Deadline(); ok {
		d = time.Until(dl)
	}
	return int32(max(d, time.Millisecond) / time.Millisecond)
}

// awaitTopic refreshes the metadata of name until done says it shows what
// an admin call did: brokers learn of changes shortly after the controller.
func (c *Client) awaitTopic(ctx context.Context, name string, done func(*topicMeta) bool) error {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	for attempt := 0; ; attempt++ {
		if err := c.refresh(ctx, []string{name}, false); err != nil {
			return err
		}
		if done(c.meta.Load().topics[name]) {
			return nil
		}
		if err := backoff.Sleep(ctx, c.backoff.Delay(attempt)); err != nil {
			return &OpError{Op: "await topic change", Topic: name, Partition: -1, Broker: -1, Err: err}
		}
	}
}

// adminAny runs fn on any broker, with the newest version of api it speaks,
// retrying retriable errors within ctx. KRaft brokers forward admin
// requests to the controller themselves.
func (c *Client) adminAny(ctx context.Context, op string, api int16, fn func(b *broker, version int16) error) error {
	return c.retry(ctx, []string{}, func() error {
		return c.anyBroker(ctx, op, func(b *broker) error { return c.adminOn(ctx, b, op, api, "", fn) })
	})
}

// adminAt runs fn on broker id, as adminAny does on any broker (which it
// is for id -1): for requests about one broker, such as its configs.
func (c *Client) adminAt(ctx context.Context, id int32, op string, api int16, fn func(b *broker, version int16) error) error {
	if id < 0 {
		return c.adminAny(ctx, op, api, fn)
	}
	return c.retry(ctx, []string{}, func() error {
		b, err := c.broker(id)
		if err != nil {
			return err
		}
		return c.adminOn(ctx, b, op, api, "", fn)
	})
}

// joinErrs joins the non-nil errors of a per-item result map, in key order,
// so that the error of a partial failure reads the same every time.
func joinErrs[K comparable](m map[K]error, less func(a, b K) int) error {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, less)
	var errs []error
	for _, k := range keys {
		if m[k] != nil {
			errs = append(errs, m[k])
		}
	}
	return errors.Join(errs...)
}
