package kafkatest

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// A Request describes a request a broker received, as [Cluster.Observe]
// reports it.
type Request struct {
	API     int16 // the API key, like 0 for Produce
	Version int16 // the version the client sent
	Broker  int32 // the ID of the broker that received it

	// Topics holds the topics the request names, each with the
	// partitions it names (nil for a Metadata request, which names whole
	// topics). Topics a request names by ID (Produce and Fetch from
	// version 13, for example) are given by name; an ID the cluster does
	// not know, as of a deleted topic, is given as "". Topics is set for
	// Produce, Fetch, ListOffsets, Metadata, OffsetCommit and OffsetFetch
	// requests, and nil for the others.
	Topics map[string][]int32

	// SessionID and SessionEpoch are a Fetch request's fetch session
	// (KIP-227, Fetch version 7 and later): epoch 0 with ID 0 asks for a
	// new session in a full fetch, an epoch above 0 is an incremental
	// fetch in session SessionID, and epoch -1 (with ID 0) is a full fetch
	// outside any session. Both are 0 for other requests, and ID 0 with
	// epoch -1 for a Fetch of a version before 7, which has no sessions.
	SessionID    int32
	SessionEpoch int32
}

type observer struct {
	api int16
	fn  func(Request)
}

// Observe calls fn with every request with API key api (or of any API,
// with [AnyAPI]) that a broker receives from now on, before the broker
// handles it and whatever then happens to it: answered, faulted, delayed
// or dropped, as [Cluster.Requests] counts them. It returns a function
// that stops the calls; a call under way may still end after it returns.
//
// Use it to assert what a client sends, such as that a producer puts
// the batches of several topics in one Produce request:
//
//	var shared atomic.Int32
//	c.Observe(0, func(r kafkatest.Request) {
//		if len(r.Topics) > 1 {
//			shared.Add(1)
//		}
//	})
//
// fn runs in the cluster's request path, one request at a time, and holds
// up every broker while it runs: it must be quick, must not block and must
// not call the Cluster's methods.
func (c *Cluster) Observe(api int16, fn func(Request)) (stop func()) {
	o := &observer{api: api, fn: fn}
	c.mu.Lock()
	c.observers = append(c.observers, o)
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.observers = slices.DeleteFunc(c.observers, func(x *observer) bool { return x == o })
	}
}

// observe calls the observers of req's API; it runs in the cluster's
// control function, before the request is handled.
func (c *Cluster) observe(req kmsg.Request) {
	key := req.Key()
	c.mu.Lock()
	var fns []func(Request)
	for _, o := range c.observers {
		if o.api == AnyAPI || o.api == key {
			fns = append(fns, o.fn)
		}
	}
	c.mu.Unlock()
	if len(fns) == 0 {
		return
	}
	r := Request{API: key, Version: req.GetVersion(), Broker: c.kc.CurrentNode(), Topics: c.requestTopics(req)}
	if f, ok := req.(*kmsg.FetchRequest); ok {
		r.SessionID, r.SessionEpoch = f.SessionID, f.SessionEpoch
		if f.Version < 7 {
			r.SessionID, r.SessionEpoch = 0, -1
		}
	}
	for _, fn := range fns {
		fn(r)
	}
}

// requestTopics returns the topics and partitions req names, for the
// requests Request.Topics documents.
func (c *Cluster) requestTopics(req kmsg.Request) map[string][]int32 {
	topics := make(map[string][]int32)
	add := func(name string, id [16]byte, partitions ...int32) {
		if name == "" && id != [16]byte{} {
			name = c.topicName(id)
		}
		topics[name] = append(topics[name], partitions...)
	}
	switch r := req.(type) {
	case *kmsg.ProduceRequest:
		for _, t := range r.Topics {
			var ps []int32
			for _, p := range t.Partitions {
				ps = append(ps, p.Partition)
			}
			add(t.Topic, t.TopicID, ps...)
		}
	case *kmsg.FetchRequest:
		for _, t := range r.Topics {
			var ps []int32
			for _, p := range t.Partitions {
				ps = append(ps, p.Partition)
			}
			add(t.Topic, t.TopicID, ps...)
		}
	case *kmsg.ListOffsetsRequest:
		for _, t := range r.Topics {
			var ps []int32
			for _, p := range t.Partitions {
				ps = append(ps, p.Partition)
			}
			add(t.Topic, [16]byte{}, ps...)
		}
	case *kmsg.MetadataRequest:
		for _, t := range r.Topics {
			var name string
			if t.Topic != nil {
				name = *t.Topic
			}
			add(name, t.TopicID)
		}
	case *kmsg.OffsetCommitRequest:
		for _, t := range r.Topics {
			var ps []int32
			for _, p := range t.Partitions {
				ps = append(ps, p.Partition)
			}
			add(t.Topic, t.TopicID, ps...)
		}
	case *kmsg.OffsetFetchRequest:
		for _, t := range r.Topics {
			add(t.Topic, [16]byte{}, t.Partitions...)
		}
		for _, g := range r.Groups {
			for _, t := range g.Topics {
				add(t.Topic, t.TopicID, t.Partitions...)
			}
		}
	default:
		return nil
	}
	return topics
}

// topicName returns the name of the topic with ID id, or "" if the cluster
// does not know it. It runs in the control function, while kfake's run
// loop waits for it and serves admin calls such as TopicIDInfo.
func (c *Cluster) topicName(id [16]byte) string {
	c.mu.Lock()
	name, ok := c.topicIDs[id]
	c.mu.Unlock()
	if ok {
		return name
	}
	info := c.kc.TopicIDInfo(id)
	if info == nil {
		return "" // not cached: the ID may yet be created
	}
	c.mu.Lock()
	if c.topicIDs == nil {
		c.topicIDs = make(map[[16]byte]string)
	}
	c.topicIDs[id] = info.Topic // an ID is never given to another topic
	c.mu.Unlock()
	return info.Topic
}
