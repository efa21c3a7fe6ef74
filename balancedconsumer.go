package kafka

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokafka/kafka/internal/backoff"
)

// BalancedConsumerConfig configures a [BalancedConsumer]: pykafka's
// get_balanced_consumer(managed=True) keywords that still mean something,
// plus what Kafka's group protocol added since.
type BalancedConsumerConfig struct {
	// ConsumerGroup names the group. Required.
	ConsumerGroup string
	// Topics are more topics the member subscribes to, besides the one
	// the consumer was made from.
	Topics []string
	// TopicPattern subscribes the member to every topic it matches as
	// well (not anchored: write ^ and $ where meant; internal topics only
	// with Config.IncludeInternalTopics). The member looks again every
	// Config.MetadataMaxAge, and rejoins the group when matching topics
	// were created or deleted: a new topic's partitions are assigned and
	// consumed, a deleted topic's are given up, and errors about the
	// deleted topic meanwhile are logged, not returned. Every member of
	// the group should subscribe alike.
	TopicPattern *regexp.Regexp

	// The fetch and offset fields below mean what they mean for a
	// SimpleConsumer, over the partitions currently assigned.

	// FetchMessageMaxBytes caps the bytes fetched per partition per
	// request. Default 1 MiB. A larger message still comes through (Kafka
	// returns a first batch whole, whatever its size).
	FetchMessageMaxBytes int
	// NumConsumerFetchers is pykafka's num_consumer_fetchers, kept so
	// that configurations carry over.
	//
	// Deprecated: fetching belongs to the Client, which sends one fetch
	// at a time per broker for all its consumers; the field is ignored.
	NumConsumerFetchers int
	// AutoCommitEnable commits the assigned partitions' positions (with
	// TrackTaskDone, up to the oldest message not done) every
	// AutoCommitInterval, before partitions are given up in a rebalance,
	// and on Close. Default false.
	AutoCommitEnable bool
	// AutoCommitInterval is the time between automatic commits. Default 60s.
	AutoCommitInterval time.Duration
	// AutoCommitMessages, with AutoCommitEnable, commits as well after
	// every this many messages (yelp_kafka's auto_commit_interval_messages).
	// Default 0: by AutoCommitInterval alone.
	AutoCommitMessages int
	// QueuedMaxMessages caps the fetched messages held per partition
	// before fetching pauses. Default 10,000 (pykafka's default was 2000).
	//
	// A partition is fetched again while it holds fewer, so that it holds
	// at most QueuedMaxMessages-1 messages plus one fetch
	// (FetchMessageMaxBytes). Each held message costs 128 bytes beside its
	// key, value and headers, which alias the fetched response (a
	// response is kept while any message from it is). At the default that
	// is about 1.3 MB of messages plus their payloads per partition: some
	// 2.5 MB for 100-byte values, some 11 MB for 1 KiB ones, so set it
	// lower for many partitions of large messages. At 2000, a partition of
	// small messages holds less than one fetch's worth, and consuming
	// stalls waiting for the next fetch: the default keeps several
	// fetches' worth of small messages queued.
	QueuedMaxMessages int
	// FetchMinBytes is how much data a broker waits for before it answers
	// a fetch. Default 1.
	FetchMinBytes int
	// FetchWaitMax is how long a broker may wait for FetchMinBytes.
	// Default 100ms.
	FetchWaitMax time.Duration
	// OffsetsChannelBackoff is the first wait between retries of offset
	// commits and fetches. Default 1s.
	OffsetsChannelBackoff time.Duration
	// OffsetsCommitMaxRetries bounds the retries of an offset commit or
	// fetch. 0 means the default, 5; a negative value means no retries
	// (one attempt).
	OffsetsCommitMaxRetries int
	// AutoOffsetReset is where a partition starts when its group has no
	// committed offset, when ResetOffsetOnStart is set, and when the
	// position is out of range. Default OffsetEarliest.
	AutoOffsetReset OffsetType
	// ConsumerTimeout makes Consume return ErrConsumerTimeout after this
	// long without a message. Default 0: wait (pykafka's -1).
	ConsumerTimeout time.Duration
	// ResetOffsetOnStart starts every partition at AutoOffsetReset even
	// when the group has committed offsets. It applies to the consumer's
	// first assignment only: partitions it gets in later rebalances
	// continue from the group's commits, as with pykafka, whose later
	// internal consumers fetched them.
	ResetOffsetOnStart bool
	// IsolationLevel: ReadUncommitted (default) or ReadCommitted.
	IsolationLevel IsolationLevel

	// RebalanceMaxRetries bounds the attempts to join the group after
	// errors before Consume reports one. Default 5.
	RebalanceMaxRetries int
	// RebalanceBackoff is the first wait between those attempts. Default 2s.
	RebalanceBackoff time.Duration
	// HeartbeatInterval is the time between heartbeats. Default 3s.
	HeartbeatInterval time.Duration
	// SessionTimeout is how long the coordinator waits for a heartbeat
	// before it drops the member. Default 45s (pykafka hard-coded 30s).
	SessionTimeout time.Duration
	// RebalanceTimeout is how long members have to rejoin in a rebalance.
	// Default 60s.
	RebalanceTimeout time.Duration
	// GroupInstanceID makes the member static (KIP-345): it keeps its
	// partitions across restarts within SessionTimeout, and does not leave
	// the group on Close.
	GroupInstanceID string
	// MembershipProtocol is the assignor the member proposes; the members
	// of a group must share one. Default RangeAssignor (pykafka's
	// RangeProtocol; the Java client's "range"). CooperativeStickyAssignor
	// rebalances cooperatively: a rebalance takes from a member only the
	// partitions that move, and the others are consumed throughout.
	MembershipProtocol Assignor
	// FallbackMembershipProtocols are more assignors the member supports,
	// after MembershipProtocol, in order of preference (the rest of the
	// Java client's partition.assignment.strategy list): the coordinator
	// chooses the first that every member supports. It is how a group
	// moves from one assignor to another with rolling restarts (see
	// CooperativeStickyAssignor). The member rebalances cooperatively only
	// when all its assignors are cooperative.
	FallbackMembershipProtocols []Assignor

	// GroupProtocol is the group membership protocol: GroupProtocolClassic
	// (the default, every broker) or GroupProtocolConsumer (KIP-848,
	// Kafka 4.0 and newer), where the broker assigns the partitions and a
	// member joining or leaving moves only the partitions that change
	// owner. Under GroupProtocolConsumer, MembershipProtocol must be unset
	// (ServerAssignor names the broker's assignor), the broker's
	// group.consumer.heartbeat.interval.ms replaces HeartbeatInterval and
	// its group.consumer.session.timeout.ms decides when it drops a
	// member; SessionTimeout is how long the member keeps its partitions
	// without reaching the coordinator. Every member of a group speaks
	// the same protocol (Kafka lets classic members join a consumer group
	// only through its own upgrade path).
	GroupProtocol GroupProtocol
	// ServerAssignor names the broker-side assignor of a
	// GroupProtocolConsumer group: "uniform" (sticky, spreads partitions
	// evenly) or "range" (co-partitions topics), or another the broker's
	// group.consumer.assignors lists. Empty: the broker's default
	// (uniform). Only with GroupProtocolConsumer.
	ServerAssignor string

	// PreRebalanceCallback is called before partitions are given up in a
	// rebalance (or on Close), with the offsets about to be committed for
	// them (yelp_kafka's pre_rebalance_callback).
	PreRebalanceCallback func(ctx context.Context, revoked map[TopicPartition]int64)
	// PartitionsLostCallback, when set, is called instead of
	// PreRebalanceCallback for partitions lost with the membership: the
	// group dropped the member (its session expired, or it was fenced),
	// so nothing is committed for them and other members may be reading
	// them already; work in hand for them will be done again. lost holds
	// the offsets the member had reached. When nil, PreRebalanceCallback
	// hears of lost partitions too (as Java's onPartitionsLost defaults to
	// onPartitionsRevoked), though committing them cannot succeed.
	PartitionsLostCallback func(ctx context.Context, lost map[TopicPartition]int64)
	// PostRebalanceCallback is called after an assignment with the
	// partitions' offsets before the rebalance (old) and where each new
	// partition would start (new); it may return offsets to start from
	// instead, for any of the new partitions (pykafka's
	// post_rebalance_callback, in the next-offset-to-read meaning).
	PostRebalanceCallback func(ctx context.Context, old, new map[TopicPartition]int64) (map[TopicPartition]int64, error)

	// TrackTaskDone makes commits go, per partition, only up to the oldest
	// message handed out and not yet marked with TaskDone.
	TrackTaskDone bool
	// PartitionCheckInterval is how often the group's leader looks for
	// partitions added to (or topics deleted from) what it assigned; a
	// change makes it rejoin, so that the next assignment covers the new
	// partitions, as the Java client's leader does. Default 30s.
	PartitionCheckInterval time.Duration
}

// assignors returns the assignors the member proposes, in order.
func (cfg BalancedConsumerConfig) assignors() []Assignor {
	return append([]Assignor{cfg.MembershipProtocol}, cfg.FallbackMembershipProtocols...)
}

// cooperative reports whether the member rebalances cooperatively: all
// its assignors are cooperative (as the Java client decides).
func (cfg BalancedConsumerConfig) cooperative() bool {
	for _, a := range cfg.assignors() {
		if !isCooperative(a) {
			return false
		}
	}
	return true
}

func (cfg BalancedConsumerConfig) withDefaults() (BalancedConsumerConfig, SimpleConsumerConfig, error) {
	if cfg.ConsumerGroup == "" {
		return cfg, SimpleConsumerConfig{}, errors.New("kafka: BalancedConsumerConfig.ConsumerGroup is required")
	}
	seen := map[string]bool{}
	for i, a := range cfg.FallbackMembershipProtocols {
		if a == nil {
			return cfg, SimpleConsumerConfig{}, fmt.Errorf("kafka: BalancedConsumerConfig.FallbackMembershipProtocols[%d] is nil", i)
		}
		if cfg.MembershipProtocol == nil {
			return cfg, SimpleConsumerConfig{}, errors.New("kafka: BalancedConsumerConfig.FallbackMembershipProtocols needs MembershipProtocol, the preferred assignor")
		}
		if seen[a.Name()] || a.Name() == cfg.MembershipProtocol.Name() {
			return cfg, SimpleConsumerConfig{}, fmt.Errorf("kafka: BalancedConsumerConfig.FallbackMembershipProtocols names assignor %q twice", a.Name())
		}
		seen[a.Name()] = true
	}
	setDefault(&cfg.RebalanceMaxRetries, 5)
	setDefault(&cfg.RebalanceBackoff, 2*time.Second)
	setDefault(&cfg.HeartbeatInterval, 3*time.Second)
	setDefault(&cfg.SessionTimeout, 45*time.Second)
	setDefault(&cfg.RebalanceTimeout, 60*time.Second)
	setDefault(&cfg.PartitionCheckInterval, 30*time.Second)
	if err := cfg.checkGroupProtocol(); err != nil {
		return cfg, SimpleConsumerConfig{}, err
	}
	if cfg.MembershipProtocol == nil {
		cfg.MembershipProtocol = RangeAssignor{}
	}
	sc, err := SimpleConsumerConfig{
		ConsumerGroup:           cfg.ConsumerGroup,
		FetchMessageMaxBytes:    cfg.FetchMessageMaxBytes,
		NumConsumerFetchers:     cfg.NumConsumerFetchers,
		AutoCommitEnable:        cfg.AutoCommitEnable,
		AutoCommitInterval:      cfg.AutoCommitInterval,
		AutoCommitMessages:      cfg.AutoCommitMessages,
		QueuedMaxMessages:       cfg.QueuedMaxMessages,
		FetchMinBytes:           cfg.FetchMinBytes,
		FetchWaitMax:            cfg.FetchWaitMax,
		OffsetsChannelBackoff:   cfg.OffsetsChannelBackoff,
		OffsetsCommitMaxRetries: cfg.OffsetsCommitMaxRetries,
		AutoOffsetReset:         cfg.AutoOffsetReset,
		ConsumerTimeout:         cfg.ConsumerTimeout,
		ResetOffsetOnStart:      cfg.ResetOffsetOnStart,
		IsolationLevel:          cfg.IsolationLevel,
	}.withDefaults()
	return cfg, sc, err
}

// A BalancedConsumer is a member of a consumer group: the group's
// coordinator divides the subscribed topics' partitions among the members
// and moves them as members come and go. pykafka's BalancedConsumer in its
// managed mode, with yelp_kafka's task-done commits ([BalancedConsumer.TaskDone])
// and per-partition workers ([BalancedConsumer.RunWorkers]). Consume,
// Messages and the offset methods work as a SimpleConsumer's, over the
// partitions currently assigned. Its methods are safe for concurrent use.
type BalancedConsumer struct {
	client  *Client
	topic   string // the topic it was made from: HeldOffsets and the like speak of it
	cfg     BalancedConsumerConfig
	sc      SimpleConsumerConfig // the fetch and offset settings
	member  *classicMember
	kip848  *consumerMember // with GroupProtocolConsumer, in place of member
	done    doneTracker
	commits *commitCounter

	// baseTopics: the topic and cfg.Topics, sorted; with a TopicPattern
	// the subscription adds the topics it matches.
	baseTopics []string

	mu       sync.Mutex
	f        *fetcher // the current assignment's; nil while rebalancing
	assigned []TopicPartition
	revoking []TopicPartition // being given up: PreRebalanceCallback may commit them
	// The membership f came with: its commits carry it, so that the
	// coordinator refuses them once the group has moved on.
	memberID   string
	generation int32
	previous   map[TopicPartition]int64 // positions of the assignment last given up, for PostRebalanceCallback
	changed    chan struct{}            // closed (and replaced) when f changes
	err        error                    // a membership failure for Consume to return
	started    bool                     // had an assignment: ResetOffsetOnStart is spent
	workers    *workerPool              // when RunWorkers runs
	paused     map[TopicPartition]bool  // by Pause, across rebalances
	// txnBase: the positions a transaction holds (SendOffsetsToTransaction),
	// or the assignment's start; txnLost: a rebalance took back partitions
	// with messages handed out past txnBase.
	txnBase map[TopicPartition]int64
	txnLost bool
	// assignVersion counts assignments; assignedAt is the one each
	// partition came with, so that a transaction's point taken before a
	// partition was given up (and maybe assigned again) does not count
	// for it.
	assignVersion uint64
	assignedAt    map[TopicPartition]uint64

	// ready is f while err is nil, else nil: Consume takes from it without
	// mu, and takes mu only when it is nil (rebalancing, an error to
	// return) or its fetcher stopped. notifyLocked keeps it.
	ready atomic.Pointer[fetcher]

	// commitMu orders commits: a commit computes its offsets and sends
	// them holding it, so that an automatic commit computed before a
	// rebalance cannot land after the rebalance's own, newer one.
	commitMu sync.Mutex
	// autoCancel (under mu) cancels the automatic commit under way, if
	// any: a revocation, which commits newer positions, need not wait
	// for its retries and backoffs under commitMu.
	autoCancel context.CancelCauseFunc
	ctx        context.Context // ends at Close
	cancel     context.CancelFunc
	bg         sync.WaitGroup
	once       sync.Once
}

// BalancedConsumer makes a group member consuming the topic (and
// cfg.Topics) and starts joining the group; Consume waits for the first
// assignment.
func (t *Topic) BalancedConsumer(ctx context.Context, cfg BalancedConsumerConfig) (*BalancedConsumer, error) {
	cfg, sc, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	topics := []string{t.name}
	for _, name := range cfg.Topics {
		if _, err := t.client.Topic(ctx, name); err != nil {
			return nil, err
		}
		if !slices.Contains(topics, name) {
			topics = append(topics, name)
		}
	}
	slices.Sort(topics)
	c := &BalancedConsumer{client: t.client, topic: t.name, baseTopics: topics, cfg: cfg, sc: sc, changed: make(chan struct{}), commits: newCommitCounter(sc.AutoCommitMessages)}
	if cfg.TopicPattern != nil {
		var err error
		if topics, err = c.subscription(ctx); err != nil {
			return nil, err
		}
	}
	c.member = &classicMember{
		client: t.client, group: cfg.ConsumerGroup, topics: topics, assignors: cfg.assignors(), cooperative: cfg.cooperative(),
		session: cfg.SessionTimeout, rebalance: cfg.RebalanceTimeout,
		retries: cfg.RebalanceMaxRetries, backoff: cfg.RebalanceBackoff, generation: -1,
	}
	if cfg.GroupInstanceID != "" {
		id := cfg.GroupInstanceID
		c.member.instance = &id
	}
	if c.member.cooperative {
		// A member dropped from the group gives up what it holds before
		// it joins again: the group may have given it to others.
		c.member.onLost = func() {
			c.revokeAll(context.WithoutCancel(c.ctx), true)
			c.member.setOwned(nil)
		}
	}
	c.ctx, c.cancel = context.WithCancel(t.client.ctx)
	c.bg.Add(1)
	if cfg.GroupProtocol == GroupProtocolConsumer {
		go c.runConsumerProtocol(topics)
	} else {
		go c.run()
	}
	if cfg.AutoCommitEnable {
		c.bg.Add(1)
		go c.autoCommit()
	}
	return c, nil
}

// run is the member's life: join, hold the assignment while heartbeating,
// give it up when the group rebalances, and again.
func (c *BalancedConsumer) run() {
	defer c.bg.Done()
	bo := backoff.Backoff{Min: c.cfg.RebalanceBackoff, Max: 10 * c.cfg.RebalanceBackoff}
	for attempt := 0; c.ctx.Err() == nil; {
		if c.member.cooperative {
			// It keeps consuming while it joins, and says what it holds.
			c.member.setOwned(c.Assignment())
		}
		assignment, err := c.member.join(c.ctx)
		if err != nil {
			if c.ctx.Err() != nil {
				return
			}
			c.setErr(err)
			backoff.Sleep(c.ctx, bo.Delay(attempt))
			attempt++
			continue
		}
		// Heartbeats start with the membership, so that a slow start
		// (offset lookups, PostRebalanceCallback) cannot outlast the
		// session.
		hbCtx, stopHeartbeats := context.WithCancel(c.ctx)
		ended := make(chan struct{})
		go func() {
			defer close(ended)
			c.heartbeat(hbCtx)
		}()
		// An assignment the group replaces while its start offsets are
		// still being looked up (one of its topics deleted meanwhile,
		// say) is given up at once: the group waits for this member to
		// rejoin, up to RebalanceTimeout, and the lookups would go on
		// retrying for as long.
		actx, stopAssign := context.WithCancel(c.ctx)
		go func() {
			select {
			case <-ended:
			case <-actx.Done():
			}
			stopAssign()
		}()
		rejoin := false
		if c.member.cooperative {
			rejoin, err = c.cooperativeAssign(actx, assignment)
		} else {
			err = c.assignPartitions(actx, flattenAssignment(assignment))
		}
		stale := actx.Err() != nil
		stopAssign()
		if err != nil {
			stopHeartbeats()
			<-ended
			if c.ctx.Err() != nil {
				return
			}
			if stale {
				c.client.log.Debug("kafka: the group rebalanced while the member took its assignment; joining again", "group", c.cfg.ConsumerGroup, "err", err)
				continue
			}
			// Holding partitions it cannot read would stall them for the
			// whole group: report it, then join again after a pause. A
			// topic of the pattern deleted after the assignment was made
			// is no error of the user's: the rejoin leaves it out.
			if c.topicGone(err) {
				// The pattern is matched again now: the periodic look
				// runs only while the member holds an assignment, and
				// joining with the old subscription would ask for the
				// deleted topic again and again.
				c.subscriptionChanged()
				c.client.log.Debug("kafka: assigned a deleted topic; joining again", "group", c.cfg.ConsumerGroup, "err", err)
			} else {
				c.setErr(err)
			}
			backoff.Sleep(c.ctx, bo.Delay(attempt))
			attempt++
			continue
		}
		attempt = 0
		if rejoin {
			// It gave partitions up for others: the group rebalances
			// again at once to give them out.
			stopHeartbeats()
			<-ended
			continue
		}
		<-ended // the group rebalances, or the consumer closes
		stopHeartbeats()
		if c.ctx.Err() != nil {
			return // Close gives the partitions up
		}
		if !c.member.cooperative {
			// A Close from now on waits for the revocation's commit
			// rather than cancelling it: the partitions' new owners
			// start from it. A member the group dropped has lost them:
			// no commit would be taken.
			c.revokeAll(context.WithoutCancel(c.ctx), c.member.isLost())
		}
	}
}

// cooperativeAssign applies an assignment under cooperative rebalancing:
// partitions the member held and no longer has are given up (committed
// with the new generation), new ones taken; the others were consumed
// throughout. It reports whether the member gave partitions up, and so
// must rejoin for the group to give them to their new owners.
func (c *BalancedConsumer) cooperativeAssign(ctx context.Context, assignment map[string][]int32) (bool, error) {
	tps := flattenAssignment(assignment)
	c.setMembership(c.member.membership())
	c.mu.Lock()
	revoked := slices.DeleteFunc(slices.Clone(c.assigned), func(tp TopicPartition) bool { return slices.Contains(tps, tp) })
	c.mu.Unlock()
	if len(revoked) > 0 {
		c.revokePartitions(context.WithoutCancel(c.ctx), false, revoked)
	}
	return len(revoked) > 0, c.assignPartitions(ctx, tps)
}

// flattenAssignment lists an assignment's partitions, sorted.
func flattenAssignment(assignment map[string][]int32) []TopicPartition {
	var tps []TopicPartition
	for _, t := range slices.Sorted(maps.Keys(assignment)) {
		for _, p := range assignment[t] {
			tps = append(tps, TopicPartition{t, p})
		}
	}
	return tps
}

// heartbeat keeps the membership alive until the group rebalances, the
// session is lost, or the consumer closes.
func (c *BalancedConsumer) heartbeat(ctx context.Context) {
	t := time.NewTicker(c.cfg.HeartbeatInterval)
	defer t.Stop()
	check := time.NewTicker(c.cfg.PartitionCheckInterval)
	defer check.Stop()
	var pattern <-chan time.Time // looking again for topics the pattern matches
	if c.cfg.TopicPattern != nil {
		tp := time.NewTicker(c.client.cfg.MetadataMaxAge)
		defer tp.Stop()
		pattern = tp.C
	}
	lastOK := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-check.C:
			if c.partitionsChanged() {
				return
			}
			continue
		case <-pattern:
			if c.subscriptionChanged() {
				return
			}
			continue
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(ctx, c.cfg.HeartbeatInterval+c.client.cfg.RequestTimeout)
		err := c.member.heartbeat(rctx)
		cancel()
		switch {
		case err == nil:
			lastOK = time.Now()
		case errors.Is(err, errRebalance):
			return
		case time.Since(lastOK) > c.cfg.SessionTimeout:
			// The coordinator has dropped us by now: rejoin.
			c.member.markLost()
			c.client.log.Warn("kafka: heartbeats failing past the session timeout; rejoining", "group", c.cfg.ConsumerGroup, "err", err)
			return
		default:
			c.client.log.Debug("kafka: heartbeat failed", "group", c.cfg.ConsumerGroup, "err", err)
		}
	}
}

// partitionsChanged reports whether the member, as the group's leader,
// must rejoin because a topic it assigned changed its partition count.
func (c *BalancedConsumer) partitionsChanged() bool {
	ctx, cancel := context.WithTimeout(c.ctx, c.client.cfg.RequestTimeout)
	defer cancel()
	changed, err := c.member.partitionsChanged(ctx)
	if err != nil {
		c.client.log.Debug("kafka: checking the group's partitions failed", "group", c.cfg.ConsumerGroup, "err", err)
		return false
	}
	if changed {
		c.client.log.Info("kafka: the group's topics changed partitions; rebalancing", "group", c.cfg.ConsumerGroup)
	}
	return changed
}

// startOffsets applies the offset-reset engine to the group's commits.
func (c *BalancedConsumer) startOffsets(ctx context.Context, f *fetcher, tps []TopicPartition, resetOnStart bool) (map[TopicPartition]int64, error) {
	var committed map[TopicPartition]int64
	bounds, err := f.startBounds(ctx, tps, func() (err error) {
		committed, err = c.committed(ctx, tps, resetOnStart)
		return err
	})
	if err != nil {
		return nil, err
	}
	start := make(map[TopicPartition]int64, len(tps))
	for _, tp := range tps {
		var cp *int64
		if o, ok := committed[tp]; ok {
			cp = &o
		}
		start[tp] = startOffset(cp, c.sc.AutoOffsetReset, resetOnStart, bounds[tp])
	}
	return start, nil
}

// committed returns the group's commits for tps (none with
// resetOnStart, which ignores them).
func (c *BalancedConsumer) committed(ctx context.Context, tps []TopicPartition, resetOnStart bool) (map[TopicPartition]int64, error) {
	committed := map[TopicPartition]int64{}
	if resetOnStart {
		return committed, nil
	}
	byTopic := map[string][]int32{}
	for _, tp := range tps {
		byTopic[tp.Topic] = append(byTopic[tp.Topic], tp.Partition)
	}
	for topic, parts := range byTopic {
		got, err := c.client.fetchCommitted(ctx, c.cfg.ConsumerGroup, topic, parts, c.sc.OffsetsCommitMaxRetries, c.sc.OffsetsChannelBackoff)
		if err != nil {
			return nil, err
		}
		for p, o := range got {
			committed[TopicPartition{topic, p}] = o
		}
	}
	return committed, nil
}

// lastHeld returns the positions of the assignment being given up.
func (c *BalancedConsumer) lastHeld() map[TopicPartition]int64 {
	c.mu.Lock()
	f := c.f
	c.mu.Unlock()
	if f == nil {
		return map[TopicPartition]int64{}
	}
	return f.held()
}

// giveUp is what happens before partitions are given up: the callback
// hears of them, and with AutoCommitEnable or TrackTaskDone the progress is
// committed (otherwise committing is the application's, in the callback),
// unless the partitions were lost with the membership.
func (c *BalancedConsumer) giveUp(ctx context.Context, lost bool, offsets map[TopicPartition]int64, memberID string, generation int32) error {
	cb := c.cfg.PreRebalanceCallback
	if lost {
		c.client.log.Warn("kafka: partitions lost with the group membership; work in hand for them will be done again",
			"group", c.cfg.ConsumerGroup, "partitions", len(offsets))
		if c.cfg.PartitionsLostCallback != nil {
			cb = c.cfg.PartitionsLostCallback
		}
	}
	if cb != nil {
		cb(ctx, maps.Clone(offsets))
	}
	if lost || (!c.cfg.AutoCommitEnable && !c.cfg.TrackTaskDone) {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.client.cfg.RequestTimeout)
	defer cancel()
	c.supersedeAutoCommit()
	c.commitMu.Lock()
	defer c.commitMu.Unlock()
	return c.commitLocked(ctx, memberID, generation, offsets)
}

// mayCatchUp reports whether Close's commit, refused with err, may be made
// again with the group's current generation: the member rebalances
// cooperatively with the classic protocol (KIP-848's members commit with
// their epoch, which Close does not cancel) and was refused only because
// the group went on to a generation the member did not learn of (Close
// cancelled its join or sync).
func (c *BalancedConsumer) mayCatchUp(err error) bool {
	return c.cfg.GroupProtocol != GroupProtocolConsumer && c.member.cooperative &&
		(errors.Is(err, ErrIllegalGeneration) || errors.Is(err, ErrRebalanceInProgress))
}

// commitCaughtUp is Close's commit of offsets made again after the member
// caught up with the group's generation (see classicMember.catchUp). That
// waits for the rebalance under way to complete: as long as the group
// waits for its members to rejoin (RebalanceTimeout; a member that died
// is dropped sooner, after its session timeout), then as long again for
// the leader's assignment (the coordinator waits RebalanceTimeout for
// SyncGroups too); one RebalanceTimeout for both cuts a slow rebalance
// short on a loaded machine, and the member's progress is then read again
// by whoever takes its partitions. The commit has a RequestTimeout of its
// own.
func (c *BalancedConsumer) commitCaughtUp(offsets map[TopicPartition]int64) error {
	jctx, cancel := context.WithTimeout(context.Background(), 2*c.cfg.RebalanceTimeout)
	memberID, generation, err := c.member.catchUp(jctx)
	cancel()
	if err != nil {
		return fmt.Errorf("kafka: committing at Close: the group rebalanced and the member could not rejoin it: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.client.cfg.RequestTimeout)
	defer cancel()
	c.commitMu.Lock()
	defer c.commitMu.Unlock()
	return c.commitLocked(ctx, memberID, generation, offsets)
}

// groupMovedOn reports whether a commit failed because the member's
// generation is over.
func groupMovedOn(err error) bool {
	return errors.Is(err, ErrRebalanceInProgress) || errors.Is(err, ErrIllegalGeneration) || errors.Is(err, ErrUnknownMemberID) ||
		errors.Is(err, ErrStaleMemberEpoch) || errors.Is(err, ErrFencedMemberEpoch) // KIP-848's
}

func (c *BalancedConsumer) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
	c.readyLocked()
}

// readyLocked sets ready from f and err; c.mu is held.
func (c *BalancedConsumer) readyLocked() {
	if c.err != nil {
		c.ready.Store(nil)
	} else {
		c.ready.Store(c.f)
	}
}

func (c *BalancedConsumer) setErr(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.err = err
	c.notifyLocked()
}

// Consume returns the next message of the assigned partitions, waiting
// through rebalances. Like SimpleConsumer.Consume it honours
// ConsumerTimeout, and returns a membership failure (after
// RebalanceMaxRetries attempts) once.
func (c *BalancedConsumer) Consume(ctx context.Context) (msg Message, err error) {
	ct := newConsumerTimer(c.sc.ConsumerTimeout)
	defer ct.stop()
	for {
		if c.ctx.Err() != nil {
			return Message{}, ErrConsumerStopped
		}
		// The common case, an assignment and no error to return, takes no
		// lock of the consumer's: only the fetcher's, in next.
		f := c.ready.Load()
		if f == nil {
			c.mu.Lock()
			var changed chan struct{}
			f, changed, err = c.f, c.changed, c.err
			c.err = nil
			c.readyLocked()
			c.mu.Unlock()
			if err != nil {
				return Message{}, err
			}
			if f == nil {
				select {
				case <-changed:
					continue
				case <-c.ctx.Done():
					return Message{}, ErrConsumerStopped
				case <-ctx.Done():
					return Message{}, ctx.Err()
				case <-ct.C():
					return Message{}, ErrConsumerTimeout
				}
			}
		}
		err = f.next(ctx, &ct, &msg) // into the result: see takeLocked
		if errors.Is(err, ErrConsumerStopped) {
			// A rebalance replaced the fetcher (or Close is under way):
			// look again under mu, not at a stale ready.
			c.ready.CompareAndSwap(f, nil)
			continue
		}
		if err != nil {
			return msg, err
		}
		if c.cfg.TrackTaskDone {
			c.done.consumed(&msg)
		}
		c.commits.consumed()
		return msg, nil
	}
}

// Messages iterates over messages as Consume returns them, ending after
// yielding an error.
func (c *BalancedConsumer) Messages(ctx context.Context) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		for {
			msg, err := c.Consume(ctx)
			if !yield(msg, err) || err != nil {
				return
			}
		}
	}
}

// TaskDone marks msg as processed. With TrackTaskDone, commits go only up
// to the oldest message not yet marked, per partition (yelp_kafka's
// task_done). It reports false for a message that was not handed out by
// Consume, was already marked, or whose partition was given up since,
// and after Close (the partitions are given up).
func (c *BalancedConsumer) TaskDone(msg Message) bool {
	if c.ctx.Err() != nil {
		return false // closed: nothing more is committed
	}
	return c.done.markDone(&msg)
}

// commitPoints returns what to commit for the fetcher's partitions.
func (c *BalancedConsumer) commitPoints(f *fetcher) map[TopicPartition]int64 {
	return c.commitPointsOf(f.held())
}

// Membership returns the member ID the coordinator gave this consumer and
// the group's generation (pykafka's consumer_id and generation_id); "" and
// -1 before the first join.
func (c *BalancedConsumer) Membership() (memberID string, generation int32) {
	return c.membership()
}

// autoCommit commits every AutoCommitInterval, and after every
// AutoCommitMessages messages, until Close.
func (c *BalancedConsumer) autoCommit() {
	defer c.bg.Done()
	t := time.NewTicker(c.sc.AutoCommitInterval)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
		case <-c.commits.due:
		}
		tctx, cancel := context.WithTimeout(c.ctx, c.client.cfg.RequestTimeout)
		ctx, supersede := context.WithCancelCause(tctx)
		c.mu.Lock()
		c.autoCancel = supersede
		c.mu.Unlock()
		err := c.CommitOffsets(ctx)
		c.mu.Lock()
		c.autoCancel = nil
		c.mu.Unlock()
		switch {
		case err == nil || c.ctx.Err() != nil:
		case context.Cause(ctx) == errCommitSuperseded:
			c.client.log.Debug("kafka: automatic commit given up for the revocation's", "group", c.cfg.ConsumerGroup, "err", err)
		case groupMovedOn(err):
			// The group is rebalancing: the revocation commits this
			// assignment's progress, with nothing for the user to do.
			c.client.log.Debug("kafka: automatic commit refused during a rebalance", "group", c.cfg.ConsumerGroup, "err", err)
		case c.topicGone(err):
			// A topic of the pattern was deleted: the next rejoin gives
			// its partitions up.
			c.client.log.Debug("kafka: automatic commit for a deleted topic", "group", c.cfg.ConsumerGroup, "err", err)
		default:
			c.setErr(err)
		}
		supersede(nil)
		cancel()
	}
}

// errCommitSuperseded is why an automatic commit was cancelled: partitions
// are being given up, and their revocation commits newer positions.
var errCommitSuperseded = errors.New("kafka: superseded by the revocation's commit")

// supersedeAutoCommit cancels the automatic commit under way, if any, for
// a revocation's commit, which takes commitMu after it.
func (c *BalancedConsumer) supersedeAutoCommit() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.autoCancel != nil {
		c.autoCancel(errCommitSuperseded)
	}
}

// Close stops the partition workers, gives up the partitions (committing
// their progress when AutoCommitEnable or TrackTaskDone is set, and
// calling PreRebalanceCallback), and leaves the group, even in the middle
// of a rebalance: the group rebalances at once, and the other members take
// the partitions over when their next heartbeat (within their
// HeartbeatInterval) tells them, rather than after SessionTimeout. A
// cooperative member closed in the middle of a rebalance that went on
// without it hearing (its commit refused with ILLEGAL_GENERATION or
// REBALANCE_IN_PROGRESS) first rejoins that rebalance, waiting for it to
// complete (at most twice RebalanceTimeout: the group's wait for
// joins, then for the leader's assignment), so that its progress is committed
// with the new generation rather than redelivered. A static member
// (GroupInstanceID) stays in the group. Later calls return
// ErrConsumerStopped.
func (c *BalancedConsumer) Close() error {
	err := ErrConsumerStopped
	c.once.Do(func() {
		c.cancel()
		c.bg.Wait()
		c.mu.Lock()
		workers := c.workers
		c.mu.Unlock()
		if workers != nil {
			workers.stop()
		}
		ctx, cancel := context.WithTimeout(context.Background(), c.client.cfg.RequestTimeout)
		defer cancel()
		leaveCtx := ctx
		err = nil
		c.mu.Lock()
		f, memberID, generation := c.f, c.memberID, c.generation
		c.f, c.assigned, c.revoking = nil, nil, c.assigned
		c.mu.Unlock()
		if f != nil {
			f.close()
			offsets := c.commitPoints(f)
			err = c.giveUp(ctx, false, offsets, memberID, generation)
			if err != nil && c.mayCatchUp(err) {
				err = c.commitCaughtUp(offsets)
				// Catching up may outlast ctx: the leave has a
				// deadline of its own.
				var cancelLeave context.CancelFunc
				leaveCtx, cancelLeave = context.WithTimeout(context.Background(), c.client.cfg.RequestTimeout)
				defer cancelLeave()
			}
		}
		c.mu.Lock()
		c.revoking = nil
		c.mu.Unlock()
		if lerr := c.leaveGroup(leaveCtx); lerr != nil && err == nil {
			err = lerr
		}
		c.member.closeConn()
	})
	return err
}
