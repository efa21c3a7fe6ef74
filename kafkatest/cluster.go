package kafkatest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ErrClosed is returned by the methods of a [Cluster] that has been closed.
var ErrClosed = errors.New("kafkatest: cluster closed")

// A KafkaError is a Kafka error code that a cluster operation failed with,
// such as TOPIC_ALREADY_EXISTS (36) from [Cluster.CreateTopic].
type KafkaError struct {
	Code int16  // the Kafka error code
	Name string // its name in the Kafka protocol, like UNKNOWN_TOPIC_OR_PARTITION
}

// Error returns the error's name and code, like
// "TOPIC_ALREADY_EXISTS (error code 36)".
func (e *KafkaError) Error() string {
	return fmt.Sprintf("%s (error code %d)", e.Name, e.Code)
}

// Error codes kafkatest itself answers with.
const (
	codeUnknownTopicOrPartition int16 = 3
	codeGroupIDNotFound         int16 = 69
)

// kafkaError converts an error from kfake, hiding franz-go's kerr type.
func kafkaError(err error) error {
	if err == nil {
		return nil
	}
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return &KafkaError{Code: ke.Code, Name: ke.Message}
	}
	return err
}

func codeError(code int16) *KafkaError {
	name := fmt.Sprintf("ERROR_CODE_%d", code)
	if ke, ok := kerr.ErrorForCode(code).(*kerr.Error); ok && ke.Code == code {
		name = ke.Message
	}
	return &KafkaError{Code: code, Name: name}
}

// A Cluster is an in-process Kafka cluster: a set of brokers listening on
// 127.0.0.1 that share one in-memory state. Its methods are safe for
// concurrent use. After Close they return [ErrClosed].
type Cluster struct {
	kc     *kfake.Cluster
	ctx    context.Context // done when the cluster is closed
	cancel context.CancelFunc

	// life is read-locked by every call into kfake's run loop, and
	// write-locked by Close: a kfake call after kfake's Close would block
	// forever.
	life   sync.RWMutex
	closed bool
	// asleep counts requests Delay holds in a kfake sleep. Close lets
	// them wake and finish before it closes kfake: a sleep that wakes
	// while kfake shuts down can leave kfake's run loop blocked for
	// good on its own control lock (seen once in CI as a goroutine that
	// outlived Close).
	asleep atomic.Int32

	mu        sync.Mutex
	counts    map[int16]int
	actions   []*action                    // DropConnection, Delay, DropResponse and TruncateResponse, in the order added
	observers []*observer                  // Observe's, in the order added
	fetchObs  []*fetchObserver             // ObserveFetches's, in the order added
	topicIDs  map[[16]byte]string          // topic names Observe has looked up
	tls       bool                         // client connections are encrypted: their bytes cannot be read
	nodes     map[int32]string             // broker ID to address
	stopped   map[int32]string             // removed broker ID to its address, for RestartBroker
	lns       map[string]*trackingListener // address to listener
	latency   time.Duration                // Latency, for each listener
}

// NewCluster starts a cluster: [DefaultBrokers] brokers (see [NumBrokers]),
// each on 127.0.0.1 at a random free port, with the topics of the [Topic]
// options. Close it when done.
func NewCluster(opts ...Option) (*Cluster, error) {
	cfg := newConfig(opts)
	kopts, err := cfg.kfakeOpts()
	if err != nil {
		return nil, err
	}
	c := &Cluster{
		counts:  make(map[int16]int),
		nodes:   make(map[int32]string),
		stopped: make(map[int32]string),
		lns:     make(map[string]*trackingListener),
		latency: cfg.latency,
		tls:     cfg.tls != nil,
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	kopts = append(kopts, kfake.ListenFn(c.listen))
	kc, err := kfake.NewCluster(kopts...)
	if err != nil {
		c.cancel()
		return nil, fmt.Errorf("kafkatest: %w", err)
	}
	c.kc = kc
	// Brokers 0 to n-1, in that order (kfake numbers them so).
	for i, addr := range kc.ListenAddrs() {
		c.nodes[int32(i)] = addr
	}
	// One observing control sees every request: it counts them, shows
	// them to Observe's functions and applies DropConnection and Delay.
	// A key-specific control would run before it and hide requests from
	// it, so there is only this one. (DropResponse and TruncateResponse
	// act on the connections, in trackedConn.)
	kc.Control(c.control)
	return c, nil
}

// MustCluster is [NewCluster] for tests: it fails t at once if the cluster
// cannot start, and closes the cluster when t and its subtests finish. It
// starts the embedded cluster even when KAFKA_BROKERS is set; integration
// tests of a client say which backend they need with [NewBackend] or
// [NeedsKfake] instead.
func MustCluster(t testing.TB, opts ...Option) *Cluster {
	t.Helper()
	count(t, &tally.unclassified)
	return mustCluster(t, opts...)
}

func mustCluster(t testing.TB, opts ...Option) *Cluster {
	t.Helper()
	c, err := NewCluster(opts...)
	if err != nil {
		t.Fatalf("kafkatest: starting cluster: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// Close stops every broker, closes their listeners and client connections
// and frees their ports. Delayed requests are dropped. Close is safe to call
// more than once and from several goroutines.
func (c *Cluster) Close() {
	c.life.Lock()
	defer c.life.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	c.cancel() // every Delay wakes
	for deadline := time.Now().Add(5 * time.Second); c.asleep.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	c.kc.Close()
	c.mu.Lock()
	lns := make([]*trackingListener, 0, len(c.lns))
	for _, l := range c.lns {
		lns = append(lns, l)
	}
	c.mu.Unlock()
	for _, l := range lns {
		l.closeConns()
	}
}

// do runs fn unless the cluster is closed.
func (c *Cluster) do(fn func() error) error {
	c.life.RLock()
	defer c.life.RUnlock()
	if c.closed {
		return ErrClosed
	}
	return fn()
}

// Addrs returns the "127.0.0.1:port" address of each broker, ordered by
// broker ID (see [Cluster.BrokerIDs]). After Close it still returns the
// addresses the cluster had.
func (c *Cluster) Addrs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	addrs := make([]string, 0, len(c.nodes))
	for _, id := range c.brokerIDsLocked() {
		addrs = append(addrs, c.nodes[id])
	}
	return addrs
}

// BrokerIDs returns the IDs of the brokers in ascending order, the order of
// [Cluster.Addrs].
func (c *Cluster) BrokerIDs() []int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.brokerIDsLocked()
}

func (c *Cluster) brokerIDsLocked() []int32 {
	ids := make([]int32, 0, len(c.nodes))
	for id := range c.nodes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Leader returns the ID of the broker leading a partition. It fails with
// UNKNOWN_TOPIC_OR_PARTITION if there is no such partition.
func (c *Cluster) Leader(topic string, partition int32) (int32, error) {
	leader := int32(-1)
	err := c.do(func() error {
		leader = c.kc.LeaderFor(topic, partition)
		if leader < 0 {
			return fmt.Errorf("kafkatest: leader of %s/%d: %w", topic, partition, codeError(codeUnknownTopicOrPartition))
		}
		return nil
	})
	return leader, err
}

// MoveLeader makes broker the leader of a partition and bumps the
// partition's leader epoch, as a leader election would. Clients still
// sending to the old leader get NOT_LEADER_OR_FOLLOWER (or a fenced epoch
// error) until they refresh their metadata.
func (c *Cluster) MoveLeader(topic string, partition int32, broker int32) error {
	return c.do(func() error {
		if err := c.kc.MoveTopicPartition(topic, partition, broker); err != nil {
			return fmt.Errorf("kafkatest: move %s/%d to broker %d: %w", topic, partition, broker, err)
		}
		return nil
	})
}

// ShuffleLeaders gives every partition of every topic a leader chosen at
// random (possibly the same one) and bumps every leader epoch.
func (c *Cluster) ShuffleLeaders() error {
	return c.do(func() error {
		c.kc.ShufflePartitionLeaders()
		return nil
	})
}

// Coordinator returns the ID of the broker coordinating a consumer group
// (the broker a FindCoordinator request for group names).
func (c *Cluster) Coordinator(group string) (int32, error) {
	id := int32(-1)
	err := c.do(func() error {
		id = c.kc.CoordinatorFor(group)
		return nil
	})
	return id, err
}

// MoveCoordinators reassigns every group and transaction coordinator by
// hashing the keys anew, as a coordinator failover would; a group may land
// on the broker it had. Requests to a broker that is no longer the
// coordinator are answered NOT_COORDINATOR.
func (c *Cluster) MoveCoordinators() error {
	return c.do(func() error {
		c.kc.RehashCoordinators()
		return nil
	})
}

// AddBroker starts one more broker, on a random port, with the next free
// broker ID (one more than the highest running one), which it returns.
// Partition leaders are then shuffled over all brokers.
func (c *Cluster) AddBroker() (int32, error) {
	id := int32(-1)
	err := c.do(func() error {
		n, port, err := c.kc.AddNode(-1, 0)
		if err != nil {
			return fmt.Errorf("kafkatest: add broker: %w", err)
		}
		id = n
		c.mu.Lock()
		c.nodes[n] = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		delete(c.stopped, n) // a new broker, not the removed one
		c.mu.Unlock()
		return nil
	})
	return id, err
}

// RemoveBroker stops a broker, as a crash or shutdown would: it closes its
// listener and every client connection to it, and its partitions get new
// leaders among the other brokers. The last broker cannot be removed.
// [Cluster.RestartBroker] brings it back.
func (c *Cluster) RemoveBroker(id int32) error {
	return c.do(func() error {
		if err := c.kc.RemoveNode(id); err != nil {
			return fmt.Errorf("kafkatest: remove broker %d: %w", id, err)
		}
		c.mu.Lock()
		addr := c.nodes[id]
		l := c.lns[addr]
		delete(c.nodes, id)
		delete(c.lns, addr)
		c.stopped[id] = addr
		c.mu.Unlock()
		if l != nil {
			l.closeConns()
		}
		return nil
	})
}

// ErrBrokerNotStopped is returned by [Cluster.RestartBroker] for a broker
// that [Cluster.RemoveBroker] did not stop.
var ErrBrokerNotStopped = errors.New("kafkatest: broker was not stopped by RemoveBroker")

// RestartBroker starts again a broker that [Cluster.RemoveBroker] stopped,
// with the same ID and on the same address, as a broker coming back from
// a restart: clients that knew it reconnect to the address they had.
// Partition leaders are then shuffled over all brokers, the restarted one
// included. It fails if the port has been taken meanwhile, or if
// [Cluster.AddBroker] has given the ID to a new broker.
func (c *Cluster) RestartBroker(id int32) error {
	return c.do(func() error {
		c.mu.Lock()
		addr, ok := c.stopped[id]
		c.mu.Unlock()
		if !ok {
			return fmt.Errorf("kafkatest: restart broker %d: %w", id, ErrBrokerNotStopped)
		}
		_, p, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("kafkatest: restart broker %d: address %q: %w", id, addr, err)
		}
		port, err := strconv.Atoi(p)
		if err != nil {
			return fmt.Errorf("kafkatest: restart broker %d: address %q: %w", id, addr, err)
		}
		if _, _, err := c.kc.AddNode(id, port); err != nil {
			return fmt.Errorf("kafkatest: restart broker %d on %s: %w", id, addr, err)
		}
		c.mu.Lock()
		delete(c.stopped, id)
		c.nodes[id] = addr
		c.mu.Unlock()
		return nil
	})
}

// DropBrokerConnections closes every client connection to one broker,
// which stays up and accepts new connections: clients see a disconnect
// (their requests in flight fail) and reconnect to the same address. Use
// [Cluster.DropConnection] to drop connections by request type instead,
// and [Cluster.RemoveBroker] for a broker that goes away.
func (c *Cluster) DropBrokerConnections(id int32) error {
	return c.do(func() error {
		c.mu.Lock()
		addr, ok := c.nodes[id]
		l := c.lns[addr]
		c.mu.Unlock()
		if !ok || l == nil {
			return fmt.Errorf("kafkatest: drop connections of broker %d: no such broker running", id)
		}
		l.dropConns()
		return nil
	})
}

// CreateTopic creates a topic; partitions of 0 or less means the default
// (see [DefaultPartitions]). It fails with TOPIC_ALREADY_EXISTS if the topic
// exists. Requests a client sends are not involved: faults and counts do
// not see it.
func (c *Cluster) CreateTopic(name string, partitions int) error {
	return c.CreateTopicWithConfigs(name, partitions, nil)
}

// CreateTopicWithConfigs is [Cluster.CreateTopic] with topic configuration
// entries, such as "cleanup.policy": "compact" or "retention.ms".
func (c *Cluster) CreateTopicWithConfigs(name string, partitions int, configs map[string]string) error {
	return c.do(func() error {
		if err := c.kc.CreateTopic(name, int32(max(partitions, 0)), configs); err != nil {
			return fmt.Errorf("kafkatest: create topic %q: %w", name, kafkaError(err))
		}
		return nil
	})
}

// DeleteTopic deletes a topic, with its records and the offsets groups
// committed for it. It fails with UNKNOWN_TOPIC_OR_PARTITION if there is no
// such topic.
func (c *Cluster) DeleteTopic(name string) error {
	return c.do(func() error {
		if err := c.kc.DeleteTopic(name); err != nil {
			return fmt.Errorf("kafkatest: delete topic %q: %w", name, kafkaError(err))
		}
		return nil
	})
}

// DeleteRecords deletes the records of a partition before offset before,
// which becomes the partition's log start offset (the earliest available
// offset); -1 means the high watermark, deleting everything. It fails with
// OFFSET_OUT_OF_RANGE outside the current log start offset and high
// watermark.
func (c *Cluster) DeleteRecords(topic string, partition int32, before int64) error {
	return c.do(func() error {
		if err := c.kc.DeleteRecords(topic, partition, before); err != nil {
			return fmt.Errorf("kafkatest: delete records of %s/%d before %d: %w", topic, partition, before, kafkaError(err))
		}
		return nil
	})
}

// Compact runs log compaction now on every topic whose cleanup.policy is
// compact: of the records sharing a key, only the latest stays, which
// leaves gaps in the offsets a consumer reads.
func (c *Cluster) Compact() error {
	return c.do(func() error {
		c.kc.Compact()
		return nil
	})
}

// GroupInfo describes a consumer group as its coordinator sees it.
type GroupInfo struct {
	Name       string        // the group ID
	State      string        // Empty, PreparingRebalance, CompletingRebalance, Stable or Dead
	Generation int32         // the generation (the group epoch for KIP-848 groups)
	Members    []GroupMember // sorted by MemberID

	// Committed holds the committed offsets by topic and partition: the
	// next offset to read, as Kafka stores it.
	Committed map[string]map[int32]int64
}

// GroupMember is one member of a consumer group.
type GroupMember struct {
	MemberID   string
	ClientID   string
	Assignment map[string][]int32 // partitions assigned, by topic
}

// Group returns what the coordinator knows of a consumer group. It fails
// with GROUP_ID_NOT_FOUND if the group does not exist (no member ever
// joined and nothing was committed).
func (c *Cluster) Group(name string) (GroupInfo, error) {
	var gi GroupInfo
	err := c.do(func() error {
		g := c.kc.GroupInfo(name)
		if g == nil {
			return fmt.Errorf("kafkatest: group %q: %w", name, codeError(codeGroupIDNotFound))
		}
		gi = GroupInfo{Name: g.Group, State: g.State, Generation: g.Epoch}
		for _, m := range g.Members {
			gm := GroupMember{MemberID: m.MemberID, ClientID: m.ClientID, Assignment: make(map[string][]int32)}
			for t, ps := range m.Assignment {
				gm.Assignment[t] = slices.Sorted(slices.Values(ps))
			}
			gi.Members = append(gi.Members, gm)
		}
		slices.SortFunc(gi.Members, func(a, b GroupMember) int { return cmp.Compare(a.MemberID, b.MemberID) })
		if len(g.Commits) > 0 {
			gi.Committed = make(map[string]map[int32]int64, len(g.Commits))
			for t, ps := range g.Commits {
				m := make(map[int32]int64, len(ps))
				for p, commit := range ps {
					m[p] = commit.Offset
				}
				gi.Committed[t] = m
			}
		}
		return nil
	})
	return gi, err
}

// WaitGroupStable waits until a group is Stable with members members (any
// number if members is negative), and returns it. It returns ctx's error if
// ctx is done first, and [ErrClosed] if the cluster is closed.
func (c *Cluster) WaitGroupStable(ctx context.Context, group string, members int) (GroupInfo, error) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		g, err := c.Group(group)
		if errors.Is(err, ErrClosed) {
			return g, err
		}
		if err == nil && g.State == "Stable" && (members < 0 || len(g.Members) == members) {
			return g, nil
		}
		select {
		case <-ctx.Done():
			return g, ctx.Err()
		case <-c.ctx.Done():
			return g, ErrClosed
		case <-tick.C:
		}
	}
}

// Requests returns how many requests with API key api the brokers have
// received since the cluster started, whether they were answered, faulted,
// delayed or dropped. [AnyAPI] counts every request. Compare counts before
// and after an operation to assert, for example, that a producer batched
// its records into few Produce requests.
func (c *Cluster) Requests(api int16) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if api == AnyAPI {
		var n int
		for _, v := range c.counts {
			n += v
		}
		return n
	}
	return c.counts[api]
}

// Connections returns how many client connections each running broker
// has open now, by broker ID (brokers without any are given as 0).
// Connections a client closes drop out as soon as the broker sees them
// end, so a test that counts after a client closes some should poll.
// Use it to assert how many connections a client keeps, such as one per
// broker however many consumers share it.
func (c *Cluster) Connections() map[int32]int {
	c.mu.Lock()
	lns := make(map[int32]*trackingListener, len(c.nodes))
	for id, addr := range c.nodes {
		if l := c.lns[addr]; l != nil {
			lns[id] = l
		}
	}
	c.mu.Unlock()
	out := make(map[int32]int, len(lns))
	for id, l := range lns {
		l.mu.Lock()
		out[id] = len(l.conns)
		l.mu.Unlock()
	}
	return out
}

// listen is kfake's ListenFn: it tracks each broker's connections so that
// RemoveBroker can cut them, and delays what the brokers write under
// Latency.
func (c *Cluster) listen(network, address string) (net.Listener, error) {
	ln, err := net.Listen(network, address)
	if err != nil {
		return nil, err
	}
	l := &trackingListener{Listener: ln, c: c, frames: !c.tls, conns: make(map[*trackedConn]struct{}), latency: c.latency}
	c.mu.Lock()
	c.lns[ln.Addr().String()] = l
	c.mu.Unlock()
	return l, nil
}

// trackingListener remembers the connections it accepted and not yet closed.
type trackingListener struct {
	net.Listener
	c      *Cluster
	frames bool // read the Kafka framing of connections, for DropResponse and TruncateResponse

	latency time.Duration // delays what is written to each connection (Latency)

	mu     sync.Mutex
	conns  map[*trackedConn]struct{}
	closed bool // connections accepted from now on are closed at once
}

func (l *trackingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.latency > 0 {
		conn = newDelayedConn(conn, l.latency, LatencyBufferBytes)
	}
	tc := &trackedConn{Conn: conn, l: l}
	l.mu.Lock()
	closed := l.closed
	if !closed {
		l.conns[tc] = struct{}{}
	}
	l.mu.Unlock()
	if closed {
		conn.Close()
	}
	return tc, nil
}

// closeConns closes the listener and every connection it accepted.
func (l *trackingListener) closeConns() {
	l.Listener.Close()
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.dropConns()
}

// dropConns closes every connection accepted so far; the listener stays.
func (l *trackingListener) dropConns() {
	l.mu.Lock()
	conns := make([]*trackedConn, 0, len(l.conns))
	for tc := range l.conns {
		conns = append(conns, tc)
	}
	l.mu.Unlock()
	for _, tc := range conns {
		tc.Close()
	}
}

type trackedConn struct {
	net.Conn
	l    *trackingListener
	once sync.Once

	// For DropResponse and TruncateResponse, when l.frames is set.
	fmu     sync.Mutex
	frame   frameScanner // the requests read so far
	pending []pendingReq // requests read and not yet answered, oldest first
}

func (tc *trackedConn) Close() error {
	tc.once.Do(func() {
		tc.l.mu.Lock()
		delete(tc.l.conns, tc)
		tc.l.mu.Unlock()
	})
	return tc.Conn.Close()
}

// control is the cluster's one kfake control function; see NewCluster.
func (c *Cluster) control(req kmsg.Request) (kmsg.Response, error, bool) {
	c.kc.KeepControl() // a handled request must not drop this control
	key := req.Key()
	c.observe(req)
	c.observeFetch(req)
	c.mu.Lock()
	c.counts[key]++
	var act *action
	for _, a := range c.actions {
		if a.on == onRequest && (a.api == AnyAPI || a.api == key) {
			act = a
			break
		}
	}
	if act != nil {
		act.hitLocked(c)
	}
	c.mu.Unlock()

	switch {
	case act == nil:
		if resp := c.madeUpFetch(req); resp != nil { // AnswerFetch
			return resp, nil, true
		}
		return nil, nil, false
	case act.drop:
		return nil, errDropConnection, true // closes the connection
	default:
		// The request waits, then is handled as usual. Requests
		// behind it on the same connection wait too, as on a real
		// broker.
		c.asleep.Add(1)
		defer c.asleep.Add(-1)
		c.kc.SleepControl(func() {
			t := time.NewTimer(act.delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-c.ctx.Done():
			}
		})
		return nil, nil, false
	}
}

var errDropConnection = errors.New("kafkatest: connection dropped by DropConnection")
