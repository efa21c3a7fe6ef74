package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newClient(t *testing.T, cfg kafka.Config) *kafka.Client {
	t.Helper()
	c, err := kafka.NewClient(testCtx(t), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// deadAddr returns a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestBootstrapSkipsDeadSeed(t *testing.T) {
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("payments", 3)
	dead := deadAddr(t)
	c := newClient(t, kafka.Config{Hosts: []string{dead + "," + b.Addrs()[0]}})
	require.Len(t, c.Brokers(), 3, "the other brokers are learnt from the live seed")
	for _, br := range c.Brokers() {
		require.Contains(t, b.Addrs(), br.Addr())
	}
	topic, err := c.Topic(testCtx(t), name)
	require.NoError(t, err)
	require.Len(t, topic.Partitions(), 3)
}

func TestBootstrapWithNoLiveSeedListsEachAnswer(t *testing.T) {
	a, b := deadAddr(t), deadAddr(t)
	_, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: []string{a, b}, DialTimeout: time.Second})
	require.ErrorIs(t, err, kafka.ErrNoBrokersAvailable)
	require.ErrorIs(t, err, kafka.ErrSocketDisconnected)
	require.True(t, kafka.IsRetriable(err))
	require.ErrorContains(t, err, a)
	require.ErrorContains(t, err, b)
}

func TestBadHostsAreRejected(t *testing.T) {
	for _, hosts := range [][]string{nil, {""}, {" , "}, {"host:notaport"}, {"host:70000"}} {
		_, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: hosts})
		require.Error(t, err, "%q", hosts)
		require.ErrorContains(t, err, "Config.Hosts", "%q", hosts)
	}
}

// TestBadConfigIsAConfigError: a malformed field fails NewClient before any
// broker is contacted, with a typed error naming the field and the value,
// not as a connection failure of every seed.
func TestBadConfigIsAConfigError(t *testing.T) {
	silent := silentAddr(t) // dialing it would hang until the context ended
	for _, tc := range []struct {
		cfg          kafka.Config
		field, value string
	}{
		{kafka.Config{Hosts: []string{silent}, BrokerVersion: "abc"}, "BrokerVersion", "abc"},
		{kafka.Config{Hosts: []string{silent}, BrokerVersion: "0.9.x"}, "BrokerVersion", "0.9.x"},
		{kafka.Config{Hosts: []string{silent}, BrokerVersion: "3"}, "BrokerVersion", "3"},
		{kafka.Config{Hosts: []string{"host:notaport"}}, "Hosts", "host:notaport"},
		{kafka.Config{Hosts: []string{silent}, SASL: &kafka.SASL{Mechanism: "GSSAPI"}}, "SASL.Mechanism", "GSSAPI"},
		{kafka.Config{Hosts: []string{silent}, SourceAddress: "not an address"}, "SourceAddress", "not an address"},
	} {
		_, err := kafka.NewClient(testCtx(t), tc.cfg)
		var ce *kafka.ConfigError
		require.ErrorAs(t, err, &ce, "%+v", tc.cfg)
		require.Equal(t, tc.field, ce.Field)
		require.Equal(t, tc.value, ce.Value)
		require.ErrorContains(t, err, fmt.Sprintf("Config.%s %q", tc.field, tc.value))
		require.NotErrorIs(t, err, kafka.ErrNoBrokersAvailable, "no broker was tried")
	}
	for _, ok := range []string{"0.8.2", "0.9.0.1", "3.9", "4.1.0"} {
		_, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: []string{deadAddr(t)}, BrokerVersion: ok})
		require.NotErrorAs(t, err, new(*kafka.ConfigError), ok)
	}
}

func TestUnknownTopic(t *testing.T) {
	c := newClient(t, kafka.Config{Hosts: kafkatest.Brokers(t)})
	kafkatest.SkipOnMock(t, "Metadata v0-2 only, where asking about an unknown topic creates it")
	start := time.Now()
	_, err := c.Topic(testCtx(t), "does-not-exist")
	require.ErrorIs(t, err, kafka.ErrUnknownTopicOrPartition)
	require.Less(t, time.Since(start), 15*time.Second, "an unknown topic is not retried until the deadline (30 s)")
	var op *kafka.OpError
	require.ErrorAs(t, err, &op)
	require.Equal(t, "does-not-exist", op.Topic)

	_, err = c.Topic(testCtx(t), "bad name!")
	require.ErrorIs(t, err, kafka.ErrInvalidTopic)
	_, err = c.Topic(testCtx(t), "__consumer_offsets")
	require.ErrorIs(t, err, kafka.ErrUnknownTopicOrPartition)
	require.ErrorContains(t, err, "IncludeInternalTopics")
}

func TestTopicAutoCreated(t *testing.T) {
	c := newClient(t, kafka.Config{Hosts: kafkatest.NeedsKfake(t, "turns topic auto-creation on, which a real cluster may have off", kafkatest.AutoCreateTopics()).Addrs()})
	topic, err := c.Topic(testCtx(t), "created-on-first-use")
	require.NoError(t, err)
	require.NotEmpty(t, topic.Partitions())
}

func TestTopicsMatching(t *testing.T) {
	// A real cluster holds other topics: these start with a prefix unique
	// to the test, and only those are compared.
	b := kafkatest.NewBackend(t)
	run := b.Name("tm")
	web, db, metrics := b.NewTopic(run+".logs.web", 1), b.NewTopic(run+".logs.db", 1), b.NewTopic(run+".metrics", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	names, err := c.TopicsMatching(testCtx(t), regexp.MustCompile(`^`+regexp.QuoteMeta(run)+`\.logs\.`))
	require.NoError(t, err)
	require.Equal(t, []string{db, web}, names)
	all, err := c.Topics(testCtx(t))
	require.NoError(t, err)
	all = slices.DeleteFunc(all, func(n string) bool { return !strings.HasPrefix(n, run+".") })
	require.Equal(t, []string{db, web, metrics}, all)
}

func TestMetadataRefreshAfterLeaderMove(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "moves a leader", kafkatest.Topic("moving", 2))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	topic, err := c.Topic(testCtx(t), "moving")
	require.NoError(t, err)
	old := topic.Partitions()[0].Leader
	next := (old + 1) % 3
	require.NoError(t, cl.MoveLeader("moving", 0, next))

	// The stale leader answers NOT_LEADER_OR_FOLLOWER; the client refreshes
	// and asks the new one, without the caller seeing it.
	offsets, err := topic.LatestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 0, 1: 0}, offsets)
	require.Equal(t, next, topic.Partitions()[0].Leader)
}

func TestOffsetQueries(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("offsets", 2)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	topic, err := c.Topic(testCtx(t), name)
	require.NoError(t, err)

	base := time.UnixMilli(time.Now().Add(-time.Hour).UnixMilli())
	// Partition 0 gets 10 messages one second apart; partition 1 none.
	for i := range 10 {
		produceAt(t, b, name, 0, base.Add(time.Duration(i)*time.Second), fmt.Sprint(i))
	}
	earliest, err := topic.EarliestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 0, 1: 0}, earliest)
	latest, err := topic.LatestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 10, 1: 0}, latest)

	kafkatest.SkipOnMock(t, "no time index: ListOffsets by timestamp answers -1")
	at, err := topic.OffsetsForTime(testCtx(t), base.Add(4*time.Second))
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 4, 1: 0}, at)
	at, err = topic.OffsetsForTime(testCtx(t), base.Add(4500*time.Millisecond))
	require.NoError(t, err)
	require.Equal(t, int64(5), at[0], "between two messages: the later one")
	at, err = topic.OffsetsForTime(testCtx(t), base.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 10, 1: 0}, at, "after the last message: the latest offset")

	require.NoError(t, b.DeleteRecords(name, 0, 3))
	earliest, err = topic.EarliestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, int64(3), earliest[0])
}

func TestClientClose(t *testing.T) {
	c, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: kafkatest.Brokers(t)})
	require.NoError(t, err)
	require.NoError(t, c.Close())
	require.NoError(t, c.Close())
	_, err = c.Topics(testCtx(t))
	require.True(t, errors.Is(err, kafka.ErrClientClosed), "%v", err)
}

func TestMetadataComesFromLiveBrokersNotOnlySeeds(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "removes a broker")
	seed := cl.Addrs()[0]
	c := newClient(t, kafka.Config{Hosts: []string{seed}})
	ids := cl.BrokerIDs()
	require.NoError(t, cl.RemoveBroker(ids[0])) // the only seed is gone
	require.NoError(t, c.UpdateCluster(testCtx(t)))
	require.Len(t, c.Brokers(), 2)
	require.NoError(t, c.CreateTopic(testCtx(t), "after-seed-loss", kafka.TopicConfig{Partitions: 2}))
}

func TestMetadataRefreshesOnItsOwn(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "adds a broker")
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), MetadataMaxAge: 50 * time.Millisecond})
	_, err := cl.AddBroker()
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(c.Brokers()) == 4 }, 10*time.Second, 10*time.Millisecond)
}

// TestPre010BrokerNamesTheSetting: a broker that hangs up on APIVersions but
// answers Metadata v0, as brokers before 0.10 do, gets an error that says
// what to set.
func TestPre010BrokerNamesTheSetting(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			frame, err := protocol.ReadFrame(nc, nil, 1<<20)
			if h, _, derr := protocol.DecodeRequest(frame); err == nil && derr == nil && h.APIKey == protocol.KeyMetadata {
				out, _ := protocol.AppendResponse(nil, h.CorrelationID, &protocol.MetadataResponse{}, 0)
				nc.Write(out)
			}
			nc.Close() // on APIVersions at once
		}
	}()
	_, err = kafka.NewClient(testCtx(t), kafka.Config{Hosts: []string{l.Addr().String()}})
	require.ErrorIs(t, err, kafka.ErrNoAPIVersions)
	require.ErrorContains(t, err, "BrokerVersion")
}

// silentAddr returns the address of a listener that accepts connections and
// reads what is sent, but never answers, until the test ends.
func silentAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
			go io.Copy(io.Discard, c)
		}
	}()
	return l.Addr().String()
}

// TestBootstrapContextEndNamesEachSeed checks that when the caller's
// context ends before any seed answers, the error says what each seed did,
// and still matches both the context's error and ErrNoBrokersAvailable.
func TestBootstrapContextEndNamesEachSeed(t *testing.T) {
	dead, silent, untried := deadAddr(t), silentAddr(t), silentAddr(t)
	// The dead seed refuses at once, well within the deadline even on a
	// loaded machine; the silent one holds the rest of it.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := kafka.NewClient(ctx, kafka.Config{Hosts: []string{dead, silent, untried}, DialTimeout: time.Minute, RetryBackoff: time.Millisecond})
	require.Error(t, err)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, err, kafka.ErrNoBrokersAvailable)
	require.False(t, kafka.IsRetriable(err), "the caller's deadline ended it")
	msg := err.Error()
	require.Regexp(t, `seed `+regexp.QuoteMeta(dead)+`: [^;]*(?i:refused)`, msg)
	require.Contains(t, msg, "seed "+silent+": no answer before the context ended")
	require.Contains(t, msg, "seed "+untried+": not tried before the context ended")
}

// TestRefreshContextEndNamesTheBroker: a metadata refresh cut off by the
// caller's deadline says which broker did not answer, not just "context
// deadline exceeded".
func TestRefreshContextEndNamesTheBroker(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "delays metadata requests", kafkatest.NumBrokers(1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	cl.Delay(protocol.KeyMetadata, time.Hour, kafkatest.Always)
	ctx, cancel := context.WithTimeout(testCtx(t), time.Second)
	defer cancel()
	err := c.UpdateCluster(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, err, kafka.ErrNoBrokersAvailable)
	require.ErrorContains(t, err, cl.Addrs()[0]+": no answer before the context ended")
	require.ErrorContains(t, err, "more not tried", "the seed connection was left")
}

// dialCounter counts a client's connections by broker ID.
type dialCounter struct {
	mu    sync.Mutex
	dials map[int32]int
}

func (d *dialCounter) OnBrokerConnect(e kafka.BrokerConnectEvent) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dials == nil {
		d.dials = map[int32]int{}
	}
	d.dials[e.Broker]++
}

func (d *dialCounter) total() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, c := range d.dials {
		n += c
	}
	return n
}

// TestMetadataReusesTheSeedConnection: the broker a seed turns out to be
// takes over the seed's connection, and metadata goes to a broker the
// client is connected to, so bootstrapping and refreshing the metadata
// cost one connection, not one per broker asked. (Each new connection is
// a dial, an ApiVersions round trip and any TLS or SASL handshake.)
func TestMetadataReusesTheSeedConnection(t *testing.T) {
	t.Parallel()
	be := kafkatest.NewBackend(t)
	seed := be.Addrs()[0]
	dials := &dialCounter{}
	c := newClient(t, kafka.Config{Hosts: []string{seed}, Hooks: []kafka.Hook{dials}})
	advertised := false
	for _, b := range c.Brokers() {
		advertised = advertised || b.Addr() == seed
	}
	if !advertised {
		t.Skipf("no broker advertises the seed's address %s", seed)
	}
	for range 10 {
		require.NoError(t, c.UpdateCluster(testCtx(t)))
	}
	require.Equal(t, 1, dials.total(), "one connection, the seed's: %v", dials.dials)
}
