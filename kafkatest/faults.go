package kafkatest

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// AnyAPI, given where an API key is expected, stands for every API.
const AnyAPI int16 = -1

// Always, given as a times argument (or [Fault.Times]), applies an
// injection to every matching request until [Injection.Remove].
const Always = -1

// A Fault describes requests that the cluster answers with a Kafka error
// code instead of acting on them. Each field that is set narrows what
// matches; the zero value of a field matches everything. A request that does
// not carry what a field selects never matches: a Fault with a Topic does
// not fail a Heartbeat.
//
// Within a matching request, every matching entity (each partition of a
// Produce or Fetch, each topic of a CreateTopics, the group of a JoinGroup,
// and so on) is answered with Code; the others are handled normally. The
// request counts once against Times however many of its entities match.
//
// The broker does not apply a faulted entity, with two exceptions that a
// real broker also has: REQUEST_TIMED_OUT (7) on requests that change state
// (Produce, OffsetCommit, CreateTopics, DeleteRecords and the like) and
// NOT_ENOUGH_REPLICAS_AFTER_APPEND (20) on Produce are answered after the
// change is made.
type Fault struct {
	APIs       []int16 // API keys to fail; nil means every API
	Brokers    []int32 // brokers that fail them; nil means all
	Topic      string  // only this topic; "" means any
	Partitions []int32 // only these partitions; nil means any
	Group      string  // only this consumer group (FindCoordinator for it too); "" means any

	// TopLevel answers with Code in the response's top-level error code,
	// for requests that have one (JoinGroup, SyncGroup, Heartbeat, ...),
	// rather than per entity. Requests that carry nothing to select on
	// (APIVersions, SASLHandshake, SASLAuthenticate, DescribeCluster,
	// ListGroups) are answered at the top level by any Fault without
	// Topic, Partitions or Group.
	TopLevel bool

	Code  int16 // the Kafka error code to answer; 0 means UNKNOWN_SERVER_ERROR (-1)
	Times int   // requests to fail: 0 means one, [Always] means until Remove
}

// InjectFault makes the cluster answer the requests f describes with an
// error code. Faults are checked in the order added; the first that matches
// answers. Requests dropped by [Cluster.DropConnection] never reach them.
func (c *Cluster) InjectFault(f Fault) *Injection {
	kf := kfake.Fault{
		Nodes:      slices.Clone(f.Brokers),
		Topic:      f.Topic,
		Partitions: slices.Clone(f.Partitions),
		Group:      f.Group,
		TopLevel:   f.TopLevel,
		Err:        kerrFor(f.Code),
		Count:      f.Times,
	}
	if f.Times < 0 {
		kf.Count = -1
	}
	if !slices.Contains(f.APIs, AnyAPI) {
		for _, api := range f.APIs {
			kf.Keys = append(kf.Keys, kmsg.Key(api))
		}
	}
	return &Injection{c: c, fault: c.kc.Fault(kf)}
}

// InjectError answers the next times requests with API key api (or any
// key, with [AnyAPI]) with the Kafka error code, in every partition, topic
// or group they name; [Always] fails them until Remove. For example,
// InjectError(0, 6, 2) answers the next two Produce requests
// NOT_LEADER_OR_FOLLOWER. See [Fault] for the details.
func (c *Cluster) InjectError(api, code int16, times int) *Injection {
	return c.InjectFault(Fault{APIs: []int16{api}, Code: code, Times: times})
}

// InjectPartitionError is [Cluster.InjectError] limited to one partition of
// one topic: other partitions in the same requests are handled normally.
func (c *Cluster) InjectPartitionError(api int16, topic string, partition int32, code int16, times int) *Injection {
	return c.InjectFault(Fault{
		APIs:       []int16{api},
		Topic:      topic,
		Partitions: []int32{partition},
		Code:       code,
		Times:      times,
	})
}

// DropConnection closes the client's connection, instead of answering, on
// the next times requests with API key api (or any key, with [AnyAPI]);
// [Always] drops them until Remove. The dropped requests are not acted on:
// [Cluster.DropResponse] drops the connection after the broker has acted.
func (c *Cluster) DropConnection(api int16, times int) *Injection {
	return c.addAction(&action{api: api, drop: true}, times)
}

// Delay makes the next times requests with API key api (or any key, with
// [AnyAPI]) wait d before the broker handles them; [Always] delays them
// until Remove. Requests sent after a delayed one on the same connection
// wait for it, as Kafka answers a connection's requests in order; other
// connections are not slowed. Closing the cluster ends every delay.
func (c *Cluster) Delay(api int16, d time.Duration, times int) *Injection {
	return c.addAction(&action{api: api, delay: d}, times)
}

// DropConnection and Delay are applied by the cluster's control function.
type action struct {
	api    int16
	on     actionOn // what it acts on: the request, or its answer
	drop   bool
	delay  time.Duration
	left   int          // -1: until removed
	answer *fetchAnswer // AnswerFetch's

	// Guarded by Cluster.mu.
	hits   int
	notify chan struct{} // closed and replaced on every hit
}

func (c *Cluster) addAction(a *action, times int) *Injection {
	switch {
	case times < 0:
		a.left = -1
	case times == 0:
		a.left = 1
	default:
		a.left = times
	}
	a.notify = make(chan struct{})
	c.mu.Lock()
	c.actions = append(c.actions, a)
	c.mu.Unlock()
	return &Injection{c: c, act: a}
}

// hitLocked records that a took a request; Cluster.mu is held.
func (a *action) hitLocked(c *Cluster) {
	a.hits++
	close(a.notify)
	a.notify = make(chan struct{})
	if a.left > 0 {
		a.left--
		if a.left == 0 {
			c.removeActionLocked(a)
		}
	}
}

func (c *Cluster) removeActionLocked(a *action) {
	c.actions = slices.DeleteFunc(c.actions, func(o *action) bool { return o == a })
}

// An Injection is a fault, dropped connection, delay, lost or made-up
// answer installed by [Cluster.InjectFault], [Cluster.InjectError],
// [Cluster.InjectPartitionError], [Cluster.DropConnection], [Cluster.Delay],
// [Cluster.DropResponse], [Cluster.TruncateResponse] or
// [Cluster.AnswerFetch]. It removes itself
// once it has been applied as many times as asked.
type Injection struct {
	c     *Cluster
	fault *kfake.FaultHandle
	act   *action
}

// Hits returns how many requests the injection has been applied to.
func (i *Injection) Hits() int {
	if i.fault != nil {
		return i.fault.Hits()
	}
	i.c.mu.Lock()
	defer i.c.mu.Unlock()
	return i.act.hits
}

// Wait blocks until the injection has been applied to at least n requests.
// It returns ctx's error if ctx is done first, and [ErrClosed] if the
// cluster is closed first.
func (i *Injection) Wait(ctx context.Context, n int) error {
	if i.fault != nil {
		wctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stop := context.AfterFunc(i.c.ctx, cancel)
		defer stop()
		err := i.fault.Wait(wctx, n)
		if err != nil && ctx.Err() == nil {
			return ErrClosed
		}
		return err
	}
	for {
		i.c.mu.Lock()
		hits, notify := i.act.hits, i.act.notify
		i.c.mu.Unlock()
		if hits >= n {
			return nil
		}
		select {
		case <-notify:
		case <-ctx.Done():
			return ctx.Err()
		case <-i.c.ctx.Done():
			return ErrClosed
		}
	}
}

// Remove uninstalls the injection; requests it has not yet taken are handled
// normally. Remove may be called more than once.
func (i *Injection) Remove() {
	if i.fault != nil {
		i.fault.Remove()
		return
	}
	i.c.mu.Lock()
	defer i.c.mu.Unlock()
	i.c.removeActionLocked(i.act)
}

// kerrFor returns the kerr error for a code; faults compare some of them by
// identity, so known codes must use kerr's own values.
func kerrFor(code int16) *kerr.Error {
	if code == 0 {
		return kerr.UnknownServerError
	}
	if ke, ok := kerr.ErrorForCode(code).(*kerr.Error); ok && ke.Code == code {
		return ke
	}
	return &kerr.Error{Message: fmt.Sprintf("ERROR_CODE_%d", code), Code: code}
}
