package kafka

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/gokafka/kafka/internal/backoff"
	"github.com/gokafka/kafka/internal/conn"
	"github.com/gokafka/kafka/protocol"
)

// Broker describes one broker of the cluster, as its metadata names it.
type Broker struct {
	ID   int32
	Host string
	Port int32
	Rack string // "" when the broker has none
}

// Addr returns the broker's "host:port".
func (b Broker) Addr() string { return net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port))) }

// connKind separates traffic that must not queue behind other traffic: a
// broker handles one request per connection at a time, so a request it
// holds would hold up anything pipelined behind it. (Fetch sources and
// group members dial connections of their own: a fetch waits at the broker
// for data, per its consumers' FetchWaitMax, and a JoinGroup waits for the
// other members, who may be in the same process.)
type connKind int

const (
	connGeneral connKind = iota // metadata, offsets queries, coordinators, quick admin calls
	connProduce
	// connAdmin carries admin requests the broker may hold for up to their
	// TimeoutMs (CreateTopics, DeleteTopics, CreatePartitions), so that a
	// slow one does not delay metadata on connGeneral.
	connAdmin
	numConnKinds
)

// broker is the client's handle on one broker: its connections, opened on
// demand and reopened with backoff after failures.
type broker struct {
	id     int32 // -1 for a seed
	addr   string
	client *Client

	// dialing holds one token per kind of connection: one dial (and its
	// backoff) per kind at a time, while requests on the other kinds'
	// healthy connections go on.
	dialing [numConnKinds]chan struct{}

	mu       sync.Mutex
	conns    [numConnKinds]*conn.Conn
	versions *conn.Versions // learnt on the first successful dial
	// capped holds, per API, a version below the negotiated one that the
	// broker showed it cannot read newer than (see
	// group_versionfallback.go); it lasts as long as this broker handle.
	capped   map[int16]int16
	failures int       // consecutive failed dials
	retryAt  time.Time // no dial before this
	closed   bool
}

func newBroker(c *Client, id int32, addr string) *broker {
	b := &broker{id: id, addr: addr, client: c}
	for i := range b.dialing {
		b.dialing[i] = make(chan struct{}, 1)
	}
	return b
}

// conn returns an open connection of kind, dialing (after any backoff a
// recent failure calls for) when there is none.
func (b *broker) conn(ctx context.Context, kind connKind) (*conn.Conn, error) {
	if cn, err := b.open(kind); cn != nil || err != nil {
		return cn, err
	}
	// Callers that find no connection wait for the same dial instead of
	// piling up their own.
	select {
	case b.dialing[kind] <- struct{}{}:
		defer func() { <-b.dialing[kind] }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if cn, err := b.open(kind); cn != nil || err != nil {
		return cn, err
	}
	b.mu.Lock()
	wait := time.Until(b.retryAt)
	b.mu.Unlock()
	if wait > 0 {
		if err := backoff.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
	cn, err := b.dial(ctx)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil {
			b.retryAt = time.Now().Add(b.client.backoff.Delay(b.failures))
			b.failures++
		}
		return nil, err
	}
	if b.closed {
		cn.Close()
		return nil, b.closedErr()
	}
	b.failures = 0
	v := cn.Versions()
	b.versions = &v
	b.conns[kind] = cn
	return cn, nil
}

// open returns the healthy connection of kind, if there is one, or why
// there can be none; a broken connection is dropped.
func (b *broker) open(kind connKind) (*conn.Conn, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, b.closedErr()
	}
	cn := b.conns[kind]
	if cn == nil {
		return nil, nil
	}
	if cn.Err() == nil {
		return cn, nil
	}
	cn.Close()
	b.conns[kind] = nil
	return nil, nil
}

// adopt takes over the seed's healthy general connection, and the versions
// it learnt, when the seed turns out to be this broker (the address it
// advertises is the one the seed was given): its first requests then need
// no dial and no ApiVersions round trip.
func (b *broker) adopt(seed *broker) {
	seed.mu.Lock()
	cn, v := seed.conns[connGeneral], seed.versions
	seed.conns[connGeneral] = nil
	seed.mu.Unlock()
	if cn == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || b.conns[connGeneral] != nil || cn.Err() != nil {
		cn.Close()
		return
	}
	b.conns[connGeneral], b.versions = cn, v
}

// connected reports whether the broker has a healthy general connection,
// over which a request goes without dialing first.
func (b *broker) connected() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	cn := b.conns[connGeneral]
	return !b.closed && cn != nil && cn.Err() == nil
}

// closedErr says why a closed broker takes no requests.
func (b *broker) closedErr() error {
	if b.client.isClosed() {
		return ErrClientClosed
	}
	// Dropped from the metadata while a request was on its way: retriable,
	// the caller will find the partition's new home.
	return fmt.Errorf("%w: broker %d (%s) left the cluster", ErrSocketDisconnected, b.id, b.addr)
}

// dial opens a new connection to the broker, outside the pool.
func (b *broker) dial(ctx context.Context) (*conn.Conn, error) {
	start := time.Now()
	dctx, cancel := context.WithTimeout(ctx, b.client.dialTimeout())
	cn, err := conn.Dial(dctx, b.addr, b.client.connCfg)
	cancel()
	e := BrokerConnectEvent{Broker: b.id, Addr: b.addr, Duration: time.Since(start), Err: err}
	emit(b.client.hooks, func(h BrokerConnectHook) { h.OnBrokerConnect(e) })
	if err != nil {
		b.client.log.Debug("kafka: connecting failed", "broker", b.id, "addr", b.addr, "err", err)
	}
	return cn, err
}

// dialTimeout bounds a dial with its TLS and SASL handshakes.
func (c *Client) dialTimeout() time.Duration {
	if c.cfg.DialTimeout > 0 {
		return c.cfg.DialTimeout
	}
	return defaultDialTimeout
}

// version returns the newest version of api both sides speak (or the
// lower cap this broker earned for it), connecting first if the broker's
// versions are not known yet.
func (b *broker) version(ctx context.Context, api int16) (int16, error) {
	v, err := b.knownVersions(ctx)
	if err != nil {
		return 0, err
	}
	ver, ok := v.For(api)
	if !ok {
		return 0, errAPIMissing(api, b.addr)
	}
	b.mu.Lock()
	if c, ok := b.capped[api]; ok && c < ver {
		ver = c
	}
	b.mu.Unlock()
	return ver, nil
}

// knownVersions returns the versions the broker advertised, connecting
// first if they are not known yet.
func (b *broker) knownVersions(ctx context.Context) (*conn.Versions, error) {
	b.mu.Lock()
	v := b.versions
	b.mu.Unlock()
	if v == nil {
		if _, err := b.conn(ctx, connGeneral); err != nil {
			return nil, err
		}
		b.mu.Lock()
		v = b.versions
		b.mu.Unlock()
	}
	return v, nil
}

// apiSince is the Kafka release that first served each API this client
// speaks, for errors that say which broker is needed. (Kafka 0.8.2's
// protocol listed JoinGroup and Heartbeat, but groups first worked in
// 0.9.0; KIP-848's APIs were an early-access preview before 4.0.)
// TestAPISince checks it against franz-go's kversion tables.
var apiSince = map[int16]string{
	protocol.KeyProduce: "0.8.0", protocol.KeyFetch: "0.8.0", protocol.KeyListOffsets: "0.8.0",
	protocol.KeyMetadata: "0.8.0", protocol.KeyOffsetCommit: "0.8.1", protocol.KeyOffsetFetch: "0.8.1",
	protocol.KeyFindCoordinator: "0.8.2", protocol.KeyJoinGroup: "0.9.0", protocol.KeyHeartbeat: "0.9.0",
	protocol.KeyLeaveGroup: "0.9.0", protocol.KeySyncGroup: "0.9.0", protocol.KeyDescribeGroups: "0.9.0",
	protocol.KeyListGroups: "0.9.0", protocol.KeySaslHandshake: "0.10.0", protocol.KeyAPIVersions: "0.10.0",
	protocol.KeyCreateTopics: "0.10.1", protocol.KeyDeleteTopics: "0.10.1", protocol.KeyDeleteRecords: "0.11",
	protocol.KeyInitProducerID: "0.11", protocol.KeyOffsetForLeaderEpoch: "0.11",
	protocol.KeyAddPartitionsToTxn: "0.11", protocol.KeyAddOffsetsToTxn: "0.11", protocol.KeyEndTxn: "0.11",
	protocol.KeyTxnOffsetCommit: "0.11",
	protocol.KeyDescribeConfigs: "0.11", protocol.KeySaslAuthenticate: "1.0", protocol.KeyCreatePartitions: "1.0",
	protocol.KeyDescribeACLs: "0.11", protocol.KeyCreateACLs: "0.11", protocol.KeyDeleteACLs: "0.11",
	protocol.KeyDeleteGroups: "1.1", protocol.KeyElectLeaders: "2.2", protocol.KeyIncrementalAlterConfigs: "2.3",
	protocol.KeyListPartitionReassignments: "2.4", protocol.KeyOffsetDelete: "2.4", protocol.KeyDescribeCluster: "2.8",
	protocol.KeyConsumerGroupHeartbeat: "4.0", protocol.KeyConsumerGroupDescribe: "4.0",
	protocol.KeyShareGroupHeartbeat: "4.1", protocol.KeyShareGroupDescribe: "4.1", protocol.KeyShareFetch: "4.1", protocol.KeyShareAcknowledge: "4.1", protocol.KeyDescribeShareGroupOffsets: "4.1", protocol.KeyAlterShareGroupOffsets: "4.1", protocol.KeyDeleteShareGroupOffsets: "4.1",
}

// errAPIMissing says that the broker at addr lacks api, and which Kafka
// release brought it.
func errAPIMissing(api int16, addr string) error {
	if since, ok := apiSince[api]; ok {
		return fmt.Errorf("%w: %s needs Kafka %s or newer (the broker at %s does not serve it)", ErrUnsupportedVersion, protocol.APIName(api), since, addr)
	}
	return fmt.Errorf("%w: broker %s does not support %s (a newer broker is needed)", ErrUnsupportedVersion, addr, protocol.APIName(api))
}

// request sends req at version on a connection of kind and decodes resp.
// Besides the caller's ctx, the request is bounded by Config.RequestTimeout
// plus wait, the time the broker may legitimately hold it; when that runs
// out the connection is assumed dead and closed.
func (b *broker) request(ctx context.Context, kind connKind, req protocol.Request, resp protocol.Response, version int16, wait time.Duration) error {
	cn, err := b.conn(ctx, kind)
	if err != nil {
		return err
	}
	return b.requestOn(ctx, cn, req, resp, version, wait)
}

// requestOn is request on a given connection.
func (b *broker) requestOn(ctx context.Context, cn *conn.Conn, req protocol.Request, resp protocol.Response, version int16, wait time.Duration) error {
	start := time.Now()
	err := cn.RoundTripWithin(ctx, req, resp, version, b.client.cfg.RequestTimeout+wait)
	b.requestEvent(req.APIKey(), version, start, err)
	return err
}

// sent is a request written to a broker and not yet answered.
type sent struct {
	b       *broker
	p       conn.Pending
	api     int16
	version int16
	start   time.Time
}

// send writes req at version on a connection of kind without waiting for
// the answer, so that the caller decides the order in which requests
// reach the broker. When wantResponse is false there is nothing to wait
// for (waits reports false).
func (b *broker) send(ctx context.Context, kind connKind, req protocol.Request, version int16, wantResponse bool) (sent, error) {
	cn, err := b.conn(ctx, kind)
	if err != nil {
		return sent{}, err
	}
	start := time.Now()
	p, err := cn.Send(ctx, req, version, wantResponse)
	if err != nil || !p.Waits() {
		b.requestEvent(req.APIKey(), version, start, err)
		return sent{}, err
	}
	return sent{b: b, p: p, api: req.APIKey(), version: version, start: start}, nil
}

// waits reports whether an answer is to be waited for.
func (s *sent) waits() bool { return s.b != nil }

// wait waits for the answer to a request sent, within
// Config.RequestTimeout plus wait, as request does.
func (s *sent) wait(ctx context.Context, resp protocol.Response, wait time.Duration) error {
	err := s.p.Wait(ctx, resp, s.b.client.cfg.RequestTimeout+wait)
	s.b.requestEvent(s.api, s.version, s.start, err)
	return err
}

// requestEvent tells the BrokerRequestHooks about one request.
func (b *broker) requestEvent(api, version int16, start time.Time, err error) {
	if len(b.client.hooks) == 0 {
		return
	}
	e := BrokerRequestEvent{Broker: b.id, Addr: b.addr, API: protocol.APIName(api), Version: version, Latency: time.Since(start), Err: err}
	emit(b.client.hooks, func(h BrokerRequestHook) { h.OnBrokerRequest(e) })
}

// call picks the newest common version of req's API and sends it on the
// general connection.
func (b *broker) call(ctx context.Context, req protocol.Request, resp protocol.Response) (int16, error) {
	v, err := b.version(ctx, req.APIKey())
	if err != nil {
		return 0, err
	}
	return v, b.request(ctx, connGeneral, req, resp, v, 0)
}

// close closes the broker's connections; later calls fail.
func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for i, cn := range b.conns {
		if cn != nil {
			cn.Close()
			b.conns[i] = nil
		}
	}
}

// opError wraps err with where it happened.
func (b *broker) opError(op, topic string, partition int32, err error) error {
	return &OpError{Op: op, Topic: topic, Partition: partition, Broker: b.id, Addr: b.addr, Err: err}
}
