package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"

	"github.com/gokafka/kafka/protocol"
)

// Coordinator key types of FindCoordinator.
const (
	coordinatorGroup int8 = 0 // a consumer group
	coordinatorTxn   int8 = 1 // a transactional ID
)

// coordinatorKey names what a coordinator is looked up for.
type coordinatorKey struct {
	typ int8
	key string
}

// coordinatorCache remembers which broker coordinates each group (or
// transactional ID), so FindCoordinator is asked once per key and again only
// after the coordinator is forgotten. Its zero value is ready to use.
type coordinatorCache struct {
	mu sync.Mutex
	m  map[coordinatorKey]int32 // broker ID
}

func (cc *coordinatorCache) get(k coordinatorKey) (int32, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	id, ok := cc.m[k]
	return id, ok
}

func (cc *coordinatorCache) set(k coordinatorKey, id int32) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.m == nil {
		cc.m = make(map[coordinatorKey]int32)
	}
	cc.m[k] = id
}

// forget drops k's coordinator if it is still id (any, when id is -1), so
// that a caller that saw an old coordinator fail does not throw away a newer
// answer another caller found meanwhile.
func (cc *coordinatorCache) forget(k coordinatorKey, id int32) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cur, ok := cc.m[k]; ok && (id < 0 || cur == id) {
		delete(cc.m, k)
	}
}

// coordinator returns the broker coordinating group: the cached one, or
// the one FindCoordinator names, retried within ctx while the coordinator
// is not available or loading, or the broker asked cannot be reached.
func (c *Client) coordinator(ctx context.Context, group string) (*broker, error) {
	return c.findCoordinator(ctx, coordinatorKey{typ: coordinatorGroup, key: group})
}

// forgetCoordinator drops group's cached coordinator, for callers answered
// NOT_COORDINATOR (or that lost the connection to it): the next
// coordinator call asks the cluster again.
func (c *Client) forgetCoordinator(group string) {
	c.coords.forget(coordinatorKey{typ: coordinatorGroup, key: group}, -1)
}

// coordinatorGone reports whether err means the coordinator asked is no
// longer the one to ask.
func coordinatorGone(err error) bool {
	return err != nil && (errors.Is(err, ErrNotCoordinator) || errors.Is(err, ErrCoordinatorNotAvailable) ||
		errors.Is(err, ErrSocketDisconnected))
}

// findCoordinator returns k's coordinator, from the cache or the cluster.
func (c *Client) findCoordinator(ctx context.Context, k coordinatorKey) (*broker, error) {
	if id, ok := c.coords.get(k); ok {
		if b, err := c.broker(id); err == nil {
			return b, nil
		}
		c.coords.forget(k, id) // the broker left the cluster
	}
	var b *broker
	err := c.retry(ctx, []string{}, func() (err error) {
		b, err = c.lookupCoordinator(ctx, k)
		return err
	})
	if err != nil {
		return nil, err
	}
	c.coords.set(k, b.id)
	return b, nil
}

// lookupCoordinator asks any broker once for k's coordinator, and returns
// it from the pool, refreshing the metadata once if the pool lacks it.
func (c *Client) lookupCoordinator(ctx context.Context, k coordinatorKey) (*broker, error) {
	op := coordinatorOp(k)
	id, addr := int32(-1), ""
	err := c.anyBroker(ctx, op, func(b *broker) error {
		version, err := b.version(ctx, protocol.KeyFindCoordinator)
		if err != nil {
			return err
		}
		if k.typ != coordinatorGroup && version < 1 {
			return final{errBrokerTooOld("transactions", "0.11")}
		}
		req := &protocol.FindCoordinatorRequest{KeyType: k.typ}
		if version >= 4 {
			req.CoordinatorKeys = []string{k.key}
		} else {
			req.Key = k.key
		}
		var resp protocol.FindCoordinatorResponse
		if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
			return err
		}
		code, msg, node, host, port := resp.ErrorCode, resp.ErrorMessage, resp.NodeID, resp.Host, resp.Port
		if version >= 4 {
			found := false
			for _, rc := range resp.Coordinators {
				if rc.Key == k.key {
					code, msg, node, host, port = rc.ErrorCode, rc.ErrorMessage, rc.NodeID, rc.Host, rc.Port
					found = true
					break
				}
			}
			if !found {
				return fmt.Errorf("%w: the answer names no coordinator for the key asked", ErrUnknownServerError)
			}
		}
		if err := messageError(code, msg); err != nil {
			return err
		}
		if node < 0 {
			return fmt.Errorf("%w: the answer names broker %d", ErrCoordinatorNotAvailable, node)
		}
		id, addr = node, net.JoinHostPort(host, strconv.Itoa(int(port)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if b, err := c.broker(id); err == nil {
		return b, nil
	}
	// A broker that joined since the last metadata: learn about it.
	if err := c.refresh(ctx, []string{}, false); err != nil {
		return nil, err
	}
	if b, err := c.broker(id); err == nil {
		return b, nil
	}
	return nil, &OpError{Op: op, Partition: -1, Broker: id, Addr: addr,
		Err: fmt.Errorf("%w: the coordinator is not in the cluster's metadata", ErrCoordinatorNotAvailable)}
}

// coordinatorOp names the lookup of k's coordinator in errors.
func coordinatorOp(k coordinatorKey) string {
	if k.typ == coordinatorTxn {
		return "find coordinator for transactional ID " + strconv.Quote(k.key)
	}
	return "find coordinator for group " + strconv.Quote(k.key)
}

// messageError returns code as an error carrying the broker's message, or
// nil when code is zero.
func messageError(code int16, msg *string) error {
	err := codeError(code)
	if err != nil && msg != nil && *msg != "" {
		err = fmt.Errorf("%w (%s)", err, *msg)
	}
	return err
}
