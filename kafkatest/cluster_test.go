package kafkatest_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/gokafka/kafka/kafkatest"
)

// API keys and error codes used below.
const (
	keyProduce         int16 = 0
	keyFetch           int16 = 1
	keyMetadata        int16 = 3
	keyFindCoordinator int16 = 10
	keyAPIVersions     int16 = 18

	codeUnknownTopicOrPartition int16 = 3
	codeNotLeaderOrFollower     int16 = 6
	codeTopicAlreadyExists      int16 = 36
	codeInvalidRecord           int16 = 87
)

func ctxFor(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

func newClient(t *testing.T, addrs []string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addrs...)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(cl.Close)
	return cl
}

func metadata(t *testing.T, cl *kgo.Client, topics ...string) *kmsg.MetadataResponse {
	t.Helper()
	req := kmsg.NewPtrMetadataRequest()
	for _, topic := range topics {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(topic)
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctxFor(t, 10*time.Second), cl)
	require.NoError(t, err)
	return resp
}

// partitionMeta returns a partition's metadata, failing t if it is absent.
func partitionMeta(t *testing.T, resp *kmsg.MetadataResponse, topic string, partition int32) kmsg.MetadataResponseTopicPartition {
	t.Helper()
	for _, rt := range resp.Topics {
		if rt.Topic == nil || *rt.Topic != topic {
			continue
		}
		require.Zero(t, rt.ErrorCode, "topic %s error", topic)
		for _, p := range rt.Partitions {
			if p.Partition == partition {
				return p
			}
		}
	}
	t.Fatalf("no metadata for %s/%d", topic, partition)
	return kmsg.MetadataResponseTopicPartition{}
}

func metaBrokerIDs(resp *kmsg.MetadataResponse) []int32 {
	var ids []int32
	for _, b := range resp.Brokers {
		ids = append(ids, b.NodeID)
	}
	slices.Sort(ids)
	return ids
}

func produce(t *testing.T, cl *kgo.Client, topic string, values ...string) {
	t.Helper()
	var rs []*kgo.Record
	for _, v := range values {
		rs = append(rs, &kgo.Record{Topic: topic, Key: []byte(v), Value: []byte(v)})
	}
	require.NoError(t, cl.ProduceSync(ctxFor(t, 10*time.Second), rs...).FirstErr())
}

// consume polls until it has n records.
func consume(t *testing.T, cl *kgo.Client, n int) []*kgo.Record {
	t.Helper()
	ctx := ctxFor(t, 10*time.Second)
	var got []*kgo.Record
	for len(got) < n {
		fs := cl.PollFetches(ctx)
		require.NoError(t, ctx.Err(), "timed out with %d of %d records", len(got), n)
		fs.EachError(func(topic string, p int32, err error) {
			t.Fatalf("fetch %s/%d: %v", topic, p, err)
		})
		got = append(got, fs.Records()...)
	}
	return got
}

func values(rs []*kgo.Record) []string {
	var vs []string
	for _, r := range rs {
		vs = append(vs, string(r.Value))
	}
	slices.Sort(vs)
	return vs
}

// assertCut asserts that the other end closed conn: a read fails with EOF
// or a reset (a connection still in the listener's backlog is reset), not by
// timing out.
func assertCut(t *testing.T, conn net.Conn) {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err := conn.Read(make([]byte, 1))
	require.Error(t, err)
	if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read: %v, want EOF or connection reset", err)
	}
}

func TestProduceConsumeSeededTopic(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Topic("events", 3), kafkatest.Topic("other", 2))
	require.Len(t, c.Addrs(), 3)
	assert.Equal(t, []int32{0, 1, 2}, c.BrokerIDs())
	for _, addr := range c.Addrs() {
		assert.True(t, strings.HasPrefix(addr, "127.0.0.1:"), addr)
	}

	cl := newClient(t, c.Addrs(),
		kgo.ConsumeTopics("events"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(200*time.Millisecond),
	)
	md := metadata(t, cl)
	assert.Equal(t, []int32{0, 1, 2}, metaBrokerIDs(md))
	parts := map[string]int{}
	for _, rt := range md.Topics {
		parts[*rt.Topic] = len(rt.Partitions)
	}
	assert.Equal(t, map[string]int{"events": 3, "other": 2}, parts)

	var want []string
	for i := range 30 {
		want = append(want, fmt.Sprintf("v%02d", i))
	}
	produce(t, cl, "events", want...)
	got := consume(t, cl, 30)
	assert.Equal(t, want, values(got))
	perPartition := map[int32]int{}
	for _, r := range got {
		perPartition[r.Partition]++
	}
	assert.Greater(t, len(perPartition), 1, "keys should spread over partitions: %v", perPartition)
}

func TestConsumerGroupCommits(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Topic("orders", 2))
	producer := newClient(t, c.Addrs())
	produce(t, producer, "orders", "a", "b", "c", "d", "e", "f")

	cl := newClient(t, c.Addrs(),
		kgo.ConsumerGroup("billing"),
		kgo.ConsumeTopics("orders"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.FetchMaxWait(200*time.Millisecond),
	)
	got := consume(t, cl, 6)
	require.Len(t, got, 6)
	require.NoError(t, cl.CommitUncommittedOffsets(ctxFor(t, 10*time.Second)))

	g, err := c.WaitGroupStable(ctxFor(t, 10*time.Second), "billing", 1)
	require.NoError(t, err)
	assert.Equal(t, "billing", g.Name)
	require.Len(t, g.Members, 1)
	assert.Equal(t, []int32{0, 1}, g.Members[0].Assignment["orders"])

	// The committed offsets are the next offsets to read: the end of
	// each partition.
	end := map[int32]int64{}
	for _, r := range got {
		end[r.Partition] = max(end[r.Partition], r.Offset+1)
	}
	assert.Equal(t, end, g.Committed["orders"])

	coord, err := c.Coordinator("billing")
	require.NoError(t, err)
	assert.Contains(t, c.BrokerIDs(), coord)

	_, err = c.Group("nobody")
	var ke *kafkatest.KafkaError
	require.ErrorAs(t, err, &ke)
	assert.Equal(t, int16(69), ke.Code)
}

func TestCloseIdempotentAndFreesPorts(t *testing.T) {
	c, err := kafkatest.NewCluster()
	require.NoError(t, err)
	addrs := c.Addrs()
	require.Len(t, addrs, 3)

	// A connection open at Close is cut.
	conn, err := net.Dial("tcp", addrs[0])
	require.NoError(t, err)
	defer conn.Close()

	c.Close()
	c.Close()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(c.Close)
	}
	wg.Wait()

	assertCut(t, conn)

	for _, addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		require.NoError(t, err, "port of %s not freed", addr)
		ln.Close()
	}

	// Everything fails fast after Close instead of hanging.
	assert.Equal(t, addrs, c.Addrs())
	_, err = c.Leader("t", 0)
	assert.ErrorIs(t, err, kafkatest.ErrClosed)
	assert.ErrorIs(t, c.CreateTopic("t", 1), kafkatest.ErrClosed)
	assert.ErrorIs(t, c.MoveLeader("t", 0, 1), kafkatest.ErrClosed)
	assert.ErrorIs(t, c.ShuffleLeaders(), kafkatest.ErrClosed)
	_, err = c.AddBroker()
	assert.ErrorIs(t, err, kafkatest.ErrClosed)
	_, err = c.WaitGroupStable(t.Context(), "g", 1)
	assert.ErrorIs(t, err, kafkatest.ErrClosed)
	inj := c.InjectError(keyProduce, codeNotLeaderOrFollower, 1)
	assert.ErrorIs(t, inj.Wait(t.Context(), 1), kafkatest.ErrClosed)
	inj = c.Delay(keyProduce, time.Second, 1)
	assert.ErrorIs(t, inj.Wait(t.Context(), 1), kafkatest.ErrClosed)
}

func TestSASL(t *testing.T) {
	t.Parallel()
	mechs := map[string]func(user, pass string) kgo.Opt{
		kafkatest.SASLPlain: func(u, p string) kgo.Opt {
			return kgo.SASL(plain.Auth{User: u, Pass: p}.AsMechanism())
		},
		kafkatest.SASLScramSHA256: func(u, p string) kgo.Opt {
			return kgo.SASL(scram.Auth{User: u, Pass: p}.AsSha256Mechanism())
		},
		kafkatest.SASLScramSHA512: func(u, p string) kgo.Opt {
			return kgo.SASL(scram.Auth{User: u, Pass: p}.AsSha512Mechanism())
		},
	}
	for mech, auth := range mechs {
		t.Run(mech, func(t *testing.T) {
			t.Parallel()
			c := kafkatest.MustCluster(t,
				kafkatest.NumBrokers(1),
				kafkatest.Topic("secure", 1),
				kafkatest.SASLUser(mech, "alice", "s3cret"),
			)

			good := newClient(t, c.Addrs(), auth("alice", "s3cret"))
			require.NoError(t, good.Ping(ctxFor(t, 10*time.Second)))
			produce(t, good, "secure", "hello")

			bad := newClient(t, c.Addrs(), auth("alice", "wrong"), kgo.RequestRetries(0))
			err := bad.Ping(ctxFor(t, 5*time.Second))
			require.Error(t, err)

			nobody := newClient(t, c.Addrs(), auth("mallory", "s3cret"), kgo.RequestRetries(0))
			require.Error(t, nobody.Ping(ctxFor(t, 5*time.Second)))

			// Without SASL the broker refuses to serve.
			anon := newClient(t, c.Addrs())
			require.Error(t, anon.Ping(ctxFor(t, time.Second)))
		})
	}
}

func TestSASLUserRejectsUnknownMechanism(t *testing.T) {
	_, err := kafkatest.NewCluster(kafkatest.SASLUser("GSSAPI", "alice", "x"))
	require.ErrorContains(t, err, "GSSAPI")
}

func TestTLS(t *testing.T) {
	t.Parallel()
	server, client, err := kafkatest.NewTLSConfigs()
	require.NoError(t, err)
	c := kafkatest.MustCluster(t, kafkatest.TLS(server), kafkatest.Topic("tls", 1))

	cl := newClient(t, c.Addrs(),
		kgo.DialTLSConfig(client),
		kgo.ConsumeTopics("tls"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(200*time.Millisecond),
	)
	produce(t, cl, "tls", "over tls")
	assert.Equal(t, []string{"over tls"}, values(consume(t, cl, 1)))

	// The client config verifies the certificate, for both names.
	for _, name := range []string{"", "localhost"} {
		cfg := client.Clone()
		cfg.ServerName = name
		conn, err := tls.Dial("tcp", c.Addrs()[0], cfg)
		require.NoError(t, err, "server name %q", name)
		assert.True(t, conn.ConnectionState().HandshakeComplete)
		conn.Close()
	}
	// A client that does not trust the throwaway CA is refused.
	_, err = tls.Dial("tcp", c.Addrs()[0], &tls.Config{MinVersion: tls.VersionTLS12})
	var unknownCA x509.UnknownAuthorityError
	require.ErrorAs(t, err, &unknownCA)
}

func apiVersions(t *testing.T, addrs []string) map[int16]int16 {
	t.Helper()
	cl := newClient(t, addrs)
	resp, err := kmsg.NewPtrApiVersionsRequest().RequestWith(ctxFor(t, 10*time.Second), cl)
	require.NoError(t, err)
	require.Zero(t, resp.ErrorCode)
	maxes := map[int16]int16{}
	for _, k := range resp.ApiKeys {
		maxes[k.ApiKey] = k.MaxVersion
	}
	return maxes
}

func TestVersion(t *testing.T) {
	t.Parallel()
	newest := apiVersions(t, kafkatest.MustCluster(t, kafkatest.NumBrokers(1)).Addrs())
	require.NotEmpty(t, newest)

	releases := map[string]*kversion.Versions{
		"0.11": kversion.V0_11_0(),
		"1.1":  kversion.V1_1_0(),
		"2.8":  kversion.V2_8_0(),
		"3.9":  kversion.V3_9_0(),
		"4.1":  kversion.V4_1_0(),
	}
	for name, release := range releases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := kafkatest.MustCluster(t, kafkatest.NumBrokers(1), kafkatest.Version(name), kafkatest.Topic("old", 1))
			got := apiVersions(t, c.Addrs())
			for key, v := range got {
				releaseMax, ok := release.LookupMaxKeyVersion(key)
				require.True(t, ok, "key %d advertised but %s did not have it", key, name)
				assert.Equal(t, min(releaseMax, newest[key]), v, "max version of key %d", key)
			}
			// And a client negotiating down still works end to end.
			cl := newClient(t, c.Addrs(),
				kgo.ConsumeTopics("old"),
				kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
				kgo.FetchMaxWait(200*time.Millisecond),
			)
			produce(t, cl, "old", "x")
			assert.Equal(t, []string{"x"}, values(consume(t, cl, 1)))
		})
	}

	t.Run("0.11 exactly", func(t *testing.T) {
		t.Parallel()
		c := kafkatest.MustCluster(t, kafkatest.NumBrokers(1), kafkatest.Version("0.11"))
		got := apiVersions(t, c.Addrs())
		assert.Equal(t, int16(3), got[keyProduce])
		assert.Equal(t, int16(5), got[keyFetch])
		assert.Equal(t, int16(4), got[keyMetadata])
		assert.Equal(t, int16(1), got[keyAPIVersions])
		assert.NotContains(t, got, int16(60), "DescribeCluster came in 2.8")
	})

	for _, bad := range []string{"0.10", "0.8.2", "banana", "9.9", ""} {
		_, err := kafkatest.NewCluster(kafkatest.Version(bad))
		assert.Error(t, err, "Version(%q)", bad)
	}
}

func TestAddRemoveBroker(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.Topic("t", 6))

	id, err := c.AddBroker()
	require.NoError(t, err)
	assert.Equal(t, int32(3), id)
	require.Len(t, c.Addrs(), 4)
	assert.Equal(t, []int32{0, 1, 2, 3}, c.BrokerIDs())

	// The new broker serves requests and is in everyone's metadata.
	newAddr := c.Addrs()[3]
	cl := newClient(t, []string{newAddr})
	assert.Equal(t, []int32{0, 1, 2, 3}, metaBrokerIDs(metadata(t, cl)))

	// Removing broker 0 cuts its connections and closes its port.
	addr0 := c.Addrs()[0]
	conn, err := net.Dial("tcp", addr0)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, c.RemoveBroker(0))
	assert.Equal(t, []int32{1, 2, 3}, c.BrokerIDs())
	assert.NotContains(t, c.Addrs(), addr0)
	assertCut(t, conn)
	_, err = net.DialTimeout("tcp", addr0, time.Second)
	assert.Error(t, err)

	md := metadata(t, cl, "t")
	assert.Equal(t, []int32{1, 2, 3}, metaBrokerIDs(md))
	for p := range int32(6) {
		leader, err := c.Leader("t", p)
		require.NoError(t, err)
		assert.NotEqual(t, int32(0), leader)
		assert.Equal(t, leader, partitionMeta(t, md, "t", p).Leader)
	}
	produce(t, cl, "t", "still works")

	assert.Error(t, c.RemoveBroker(0), "already removed")
	require.NoError(t, c.RemoveBroker(1))
	require.NoError(t, c.RemoveBroker(2))
	assert.Error(t, c.RemoveBroker(3), "the last broker stays")
}

func TestCoordinator(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t)
	cl := newClient(t, c.Addrs())
	find := func(group string) int32 {
		req := kmsg.NewPtrFindCoordinatorRequest()
		req.CoordinatorKey = group
		req.CoordinatorKeys = []string{group}
		resp, err := req.RequestWith(ctxFor(t, 5*time.Second), cl)
		require.NoError(t, err)
		if len(resp.Coordinators) > 0 {
			require.Zero(t, resp.Coordinators[0].ErrorCode)
			return resp.Coordinators[0].NodeID
		}
		require.Zero(t, resp.ErrorCode)
		return resp.NodeID
	}
	for _, g := range []string{"g1", "g2", "g3", "g4"} {
		id, err := c.Coordinator(g)
		require.NoError(t, err)
		assert.Equal(t, find(g), id, "group %s", g)
	}

	// Rehashing moves some group within a few tries.
	before := map[string]int32{}
	for _, g := range []string{"g1", "g2", "g3", "g4"} {
		before[g], _ = c.Coordinator(g)
	}
	moved := false
	for range 20 {
		require.NoError(t, c.MoveCoordinators())
		for g, id := range before {
			now, err := c.Coordinator(g)
			require.NoError(t, err)
			moved = moved || now != id
		}
		if moved {
			break
		}
	}
	assert.True(t, moved)
}

func TestTopicAdmin(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.DefaultPartitions(2))
	cl := newClient(t, c.Addrs(), kgo.RecordPartitioner(kgo.ManualPartitioner()))

	require.NoError(t, c.CreateTopic("made", 4))
	require.NoError(t, c.CreateTopic("defaulted", 0))
	md := metadata(t, cl, "made", "defaulted")
	parts := map[string]int{}
	for _, rt := range md.Topics {
		parts[*rt.Topic] = len(rt.Partitions)
	}
	assert.Equal(t, map[string]int{"made": 4, "defaulted": 2}, parts)

	err := c.CreateTopic("made", 4)
	var ke *kafkatest.KafkaError
	require.ErrorAs(t, err, &ke)
	assert.Equal(t, codeTopicAlreadyExists, ke.Code)
	assert.Equal(t, "TOPIC_ALREADY_EXISTS", ke.Name)

	// DeleteRecords moves the log start offset.
	var rs []*kgo.Record
	for i := range 10 {
		rs = append(rs, &kgo.Record{Topic: "made", Partition: 0, Value: []byte{byte(i)}})
	}
	require.NoError(t, cl.ProduceSync(ctxFor(t, 10*time.Second), rs...).FirstErr())
	require.NoError(t, c.DeleteRecords("made", 0, 5))
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = "made"
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Partition = 0
	rp.Timestamp = -2 // earliest
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctxFor(t, 5*time.Second), cl)
	require.NoError(t, err)
	require.Len(t, resp.Topics, 1)
	require.Len(t, resp.Topics[0].Partitions, 1)
	assert.Equal(t, int64(5), resp.Topics[0].Partitions[0].Offset)
	require.ErrorAs(t, c.DeleteRecords("made", 0, 99), &ke)
	assert.Equal(t, int16(1), ke.Code, "OFFSET_OUT_OF_RANGE")

	require.NoError(t, c.DeleteTopic("made"))
	for _, rt := range metadata(t, cl, "made").Topics {
		assert.Equal(t, codeUnknownTopicOrPartition, rt.ErrorCode)
	}
	require.ErrorAs(t, c.DeleteTopic("made"), &ke)
	assert.Equal(t, codeUnknownTopicOrPartition, ke.Code)
}

func TestCompact(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t)
	require.NoError(t, c.CreateTopicWithConfigs("compacted", 1, map[string]string{"cleanup.policy": "compact"}))
	producer := newClient(t, c.Addrs())
	ctx := ctxFor(t, 10*time.Second)
	// One batch each. The last batch is the active segment, which
	// compaction leaves alone.
	for _, kv := range [][2]string{{"k", "1"}, {"k", "2"}, {"other", "x"}, {"k", "3"}, {"last", "y"}} {
		require.NoError(t, producer.ProduceSync(ctx, &kgo.Record{Topic: "compacted", Key: []byte(kv[0]), Value: []byte(kv[1])}).FirstErr())
	}
	require.NoError(t, c.Compact())

	cl := newClient(t, c.Addrs(),
		kgo.ConsumeTopics("compacted"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(200*time.Millisecond),
	)
	got := consume(t, cl, 3)
	require.Len(t, got, 3)
	assert.Equal(t, []string{"3", "x", "y"}, values(got))
	assert.Equal(t, int64(2), got[0].Offset, "offsets 0 and 1 were compacted away")
}

func TestAutoCreateTopics(t *testing.T) {
	t.Parallel()
	on := kafkatest.MustCluster(t, kafkatest.AutoCreateTopics(), kafkatest.DefaultPartitions(3))
	cl := newClient(t, on.Addrs(), kgo.AllowAutoTopicCreation())
	produce(t, cl, "fresh", "a")
	leader, err := on.Leader("fresh", 2)
	require.NoError(t, err)
	assert.Contains(t, on.BrokerIDs(), leader)

	off := kafkatest.MustCluster(t)
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr("fresh")
	req.Topics = append(req.Topics, rt)
	req.AllowAutoTopicCreation = true
	resp, err := req.RequestWith(ctxFor(t, 5*time.Second), newClient(t, off.Addrs()))
	require.NoError(t, err)
	require.Len(t, resp.Topics, 1)
	assert.Equal(t, codeUnknownTopicOrPartition, resp.Topics[0].ErrorCode)
}

func TestBrokerConfigAndLogger(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := kafkatest.MustCluster(t,
		kafkatest.NumBrokers(1),
		kafkatest.Topic("small", 1),
		kafkatest.BrokerConfig("message.max.bytes", "1000"),
		kafkatest.Logger(logger),
	)
	cl := newClient(t, c.Addrs(), kgo.ProducerBatchCompression(kgo.NoCompression()), kgo.DisableIdempotentWrite())
	err := cl.ProduceSync(ctxFor(t, 10*time.Second), &kgo.Record{Topic: "small", Value: bytes.Repeat([]byte("x"), 5000)}).FirstErr()
	require.ErrorIs(t, err, kerr.MessageTooLarge)
	produce(t, cl, "small", "fits")

	c.DropConnection(kafkatest.AnyAPI, 1)
	_ = cl.Ping(ctxFor(t, 5*time.Second))
	assert.Eventually(t, func() bool { return strings.Contains(buf.String(), "component=kafkatest") },
		5*time.Second, 10*time.Millisecond, "the broker logs through the slog.Logger")
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestOptionErrors(t *testing.T) {
	for name, opt := range map[string]kafkatest.Option{
		"no brokers":      kafkatest.NumBrokers(0),
		"no partitions":   kafkatest.DefaultPartitions(0),
		"empty topic":     kafkatest.Topic("", 1),
		"nil TLS":         kafkatest.TLS(nil),
		"empty SASL user": kafkatest.SASLUser(kafkatest.SASLPlain, "", "x"),
	} {
		c, err := kafkatest.NewCluster(opt)
		assert.Error(t, err, name)
		assert.Nil(t, c, name)
	}
}

func TestBrokers(t *testing.T) {
	t.Setenv(kafkatest.BrokersEnv, "")
	assert.False(t, kafkatest.External())
	addrs := kafkatest.Brokers(t, kafkatest.NumBrokers(2), kafkatest.Topic("it", 1))
	require.Len(t, addrs, 2)
	cl := newClient(t, addrs)
	produce(t, cl, "it", "embedded")

	t.Setenv(kafkatest.BrokersEnv, " 10.0.0.1:9092, ,10.0.0.2:9092 ")
	assert.True(t, kafkatest.External())
	assert.Equal(t, []string{"10.0.0.1:9092", "10.0.0.2:9092"}, kafkatest.Brokers(t))
}

// TestNoGoroutineLeaks runs a cluster through produce, consume, a group, a
// delayed request and a dropped connection, and two under Latency, and
// checks that closing the clients and the clusters leaves no goroutine
// behind. It is not parallel:
// it counts the whole process's goroutines.
func TestNoGoroutineLeaks(t *testing.T) {
	settle := func(limit int) int {
		deadline := time.Now().Add(10 * time.Second)
		n := runtime.NumGoroutine()
		for n > limit && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			n = runtime.NumGoroutine()
		}
		return n
	}
	// Earlier tests' clusters and clients may still be winding down:
	// start from a stable count.
	before := runtime.NumGoroutine()
	for range 40 {
		time.Sleep(50 * time.Millisecond)
		n := runtime.NumGoroutine()
		if n == before {
			break
		}
		before = n
	}
	asleep := make(chan struct{})

	func() {
		c, err := kafkatest.NewCluster(kafkatest.Topic("leak", 3))
		require.NoError(t, err)
		defer c.Close()
		cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...),
			kgo.ConsumerGroup("leakers"),
			kgo.ConsumeTopics("leak"),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
			kgo.FetchMaxWait(100*time.Millisecond),
			kgo.MetadataMinAge(10*time.Millisecond),
		)
		require.NoError(t, err)
		defer cl.Close()
		produce(t, cl, "leak", "a", "b", "c")
		consume(t, cl, 3)
		inj := c.DropConnection(keyMetadata, 1)
		cl.ForceMetadataRefresh()
		require.NoError(t, inj.Wait(ctxFor(t, 5*time.Second), 1))
		inj = c.Delay(keyMetadata, time.Hour, kafkatest.Always)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go func() {
			defer close(asleep)
			_, _ = cl.SeedBrokers()[0].Request(ctx, kmsg.NewPtrMetadataRequest())
		}()
		require.NoError(t, inj.Wait(ctxFor(t, 5*time.Second), 1))
		// The client goes away with its request asleep in the
		// cluster; closing the cluster must end that sleep.
		cl.Close()
		c.Close()
	}()
	select {
	case <-asleep:
	case <-time.After(10 * time.Second):
		t.Fatal("the delayed request did not end")
	}

	// Under Latency: a client's traffic, then a cluster closed with an
	// answer still in flight.
	func() {
		c, err := kafkatest.NewCluster(kafkatest.Latency(time.Millisecond), kafkatest.Topic("slow", 3))
		require.NoError(t, err)
		defer c.Close()
		cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...))
		require.NoError(t, err)
		defer cl.Close()
		produce(t, cl, "slow", "a", "b", "c")
	}()
	func() {
		c, err := kafkatest.NewCluster(kafkatest.Latency(time.Hour), kafkatest.NumBrokers(1))
		require.NoError(t, err)
		defer c.Close()
		conn, err := net.DialTimeout("tcp", c.Addrs()[0], 5*time.Second)
		require.NoError(t, err)
		defer conn.Close()
		_, err = conn.Write(apiVersionsRequest(t))
		require.NoError(t, err)
		for deadline := time.Now().Add(10 * time.Second); c.Requests(keyAPIVersions) == 0; {
			require.True(t, time.Now().Before(deadline), "the request never reached the broker")
			time.Sleep(time.Millisecond)
		}
	}()

	after := settle(before)
	if after > before {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("goroutines: %d before, %d after close\n%s", before, after, buf)
	}
}
