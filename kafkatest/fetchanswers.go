package kafkatest

import (
	"fmt"
	"slices"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// keyFetch is the Fetch API's key.
const keyFetch int16 = 1

// A FetchAnswer describes a partition's answer that [Cluster.AnswerFetch]
// makes up for Fetch requests, for what the in-process brokers never do
// by themselves: a log truncated under a consumer after an unclean leader
// election (KIP-320), or a leader sending consumers to a follower to read
// from (KIP-392).
type FetchAnswer struct {
	Topic     string
	Partition int32
	Brokers   []int32 // brokers whose Fetch requests are answered so; nil means every broker

	Code int16 // the partition's error code; 0 means none

	// DivergingEpoch, if set, says that the consumer's log diverged from
	// the leader's (Fetch v12+): the leader's log holds Epoch up to
	// EndOffset only.
	DivergingEpoch *EpochEndOffset

	// PreferredReadReplica, if set, names the broker the consumer should
	// fetch the partition from (Fetch v11+).
	PreferredReadReplica *int32

	Times int // requests to answer: 0 means one, [Always] means until Remove
}

// EpochEndOffset is a leader epoch and the offset where it ends in a log.
type EpochEndOffset struct {
	Epoch     int32
	EndOffset int64
}

// AnswerFetch answers the next Fetch requests a broker of a.Brokers
// receives with a made-up answer, instead of the broker's: one partition,
// a.Partition of a.Topic, with a.Code, a.DivergingEpoch and
// a.PreferredReadReplica, no records, and the partition's high watermark,
// last stable and log start offsets. Every Fetch such a broker receives
// gets it, whether it names the partition or, incremental in a fetch
// session, not (a client ignores the answer for a partition it did not
// fetch); the other partitions it fetches are left out, as an incremental
// answer leaves out partitions with nothing new. Requests taken by
// [Cluster.DropConnection] or [Cluster.Delay] are not answered so.
//
// The broker does not see the request, so a fetch session does not move
// on: a client's next incremental fetch in that session is refused with
// INVALID_FETCH_SESSION_EPOCH (71), and the client starts a new one, as
// after a lost answer. A request without a session is answered without
// one.
//
// It fails if the topic does not exist.
func (c *Cluster) AnswerFetch(a FetchAnswer) (*Injection, error) {
	var id [16]byte
	err := c.do(func() error {
		info := c.kc.TopicInfo(a.Topic)
		if info == nil {
			return fmt.Errorf("kafkatest: answer fetches of %s/%d: %w", a.Topic, a.Partition, codeError(codeUnknownTopicOrPartition))
		}
		id = info.TopicID
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.Brokers = slices.Clone(a.Brokers)
	// api -2 matches no request: the control function looks for this
	// action by its answer, and answerAction never takes it.
	return c.addAction(&action{api: -2, answer: &fetchAnswer{FetchAnswer: a, topicID: id}}, a.Times), nil
}

// fetchAnswer is an AnswerFetch action's answer.
type fetchAnswer struct {
	FetchAnswer
	topicID [16]byte
}

// SetFollowers makes brokers serve Fetch requests for a partition as well
// as its leader, as followers do for consumers that a leader sends to them
// (see [FetchAnswer.PreferredReadReplica]); other brokers answer
// NOT_LEADER_OR_FOLLOWER. No brokers reverts to the leader alone. The
// followers serve the leader's log: they are never behind.
func (c *Cluster) SetFollowers(topic string, partition int32, brokers ...int32) error {
	return c.do(func() error {
		if c.kc.LeaderFor(topic, partition) < 0 {
			return fmt.Errorf("kafkatest: set followers of %s/%d: %w", topic, partition, codeError(codeUnknownTopicOrPartition))
		}
		c.kc.SetFollowers(topic, partition, brokers)
		return nil
	})
}

// madeUpFetch returns the made-up answer to req, or nil to let the broker
// answer; it runs in the control function.
func (c *Cluster) madeUpFetch(req kmsg.Request) kmsg.Response {
	fr, ok := req.(*kmsg.FetchRequest)
	if !ok {
		return nil
	}
	node := c.kc.CurrentNode()
	c.mu.Lock()
	var a *fetchAnswer
	for _, act := range c.actions {
		if act.answer != nil && (act.answer.Brokers == nil || slices.Contains(act.answer.Brokers, node)) {
			a = act.answer
			act.hitLocked(c)
			break
		}
	}
	c.mu.Unlock()
	if a == nil {
		return nil
	}
	resp := fr.ResponseKind().(*kmsg.FetchResponse)
	resp.Version = fr.Version
	if fr.SessionEpoch > 0 {
		resp.SessionID = fr.SessionID // an incremental fetch in a session
	}
	p := kmsg.NewFetchResponseTopicPartition()
	p.Partition = a.Partition
	p.ErrorCode = a.Code
	if info := c.kc.PartitionInfo(a.Topic, a.Partition); info != nil {
		p.HighWatermark = info.HighWatermark
		p.LastStableOffset = info.LastStableOffset
		p.LogStartOffset = info.LogStartOffset
	}
	if d := a.DivergingEpoch; d != nil {
		p.DivergingEpoch.Epoch, p.DivergingEpoch.EndOffset = d.Epoch, d.EndOffset
	}
	if r := a.PreferredReadReplica; r != nil {
		p.PreferredReadReplica = *r
	}
	p.RecordBatches = []byte{}
	t := kmsg.NewFetchResponseTopic()
	t.Topic, t.TopicID = a.Topic, a.topicID
	t.Partitions = append(t.Partitions, p)
	resp.Topics = append(resp.Topics, t)
	return resp
}

// A FetchedPartition is one partition a Fetch request names, as
// [Cluster.ObserveFetches] reports it: where it is fetched from and the
// leader epochs sent with it (KIP-320).
type FetchedPartition struct {
	Broker             int32 // the broker that received the request
	Version            int16 // the request's version
	Topic              string
	Partition          int32
	FetchOffset        int64
	CurrentLeaderEpoch int32 // -1 when not sent (before v9)
	LastFetchedEpoch   int32 // -1 when not sent (before v12), or no batch was fetched yet
}

// ObserveFetches calls fn with every partition a Fetch request names, as
// [Cluster.Observe] does with requests (and with the same rules: fn must
// be quick and must not call the Cluster's methods). An incremental fetch
// in a fetch session names only the partitions whose position or epochs
// changed. It returns a function that stops the calls.
func (c *Cluster) ObserveFetches(fn func(FetchedPartition)) (stop func()) {
	o := &fetchObserver{fn: fn}
	c.mu.Lock()
	c.fetchObs = append(c.fetchObs, o)
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.fetchObs = slices.DeleteFunc(c.fetchObs, func(x *fetchObserver) bool { return x == o })
	}
}

type fetchObserver struct{ fn func(FetchedPartition) }

// observeFetch calls the ObserveFetches functions with req's partitions;
// it runs in the control function, before the request is handled.
func (c *Cluster) observeFetch(req kmsg.Request) {
	fr, ok := req.(*kmsg.FetchRequest)
	if !ok {
		return
	}
	c.mu.Lock()
	obs := slices.Clone(c.fetchObs)
	c.mu.Unlock()
	if len(obs) == 0 {
		return
	}
	node := c.kc.CurrentNode()
	for _, t := range fr.Topics {
		topic := t.Topic
		if topic == "" && t.TopicID != [16]byte{} {
			topic = c.topicName(t.TopicID)
		}
		for _, p := range t.Partitions {
			fp := FetchedPartition{
				Broker: node, Version: fr.Version, Topic: topic, Partition: p.Partition, FetchOffset: p.FetchOffset,
				CurrentLeaderEpoch: p.CurrentLeaderEpoch, LastFetchedEpoch: p.LastFetchedEpoch,
			}
			if fr.Version < 9 {
				fp.CurrentLeaderEpoch = -1
			}
			if fr.Version < 12 {
				fp.LastFetchedEpoch = -1
			}
			for _, o := range obs {
				o.fn(fp)
			}
		}
	}
}
