package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
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
	cl := kafkatest.MustCluster(t, kafkatest.Topic("payments", 3))
	dead := deadAddr(t)
	c := newClient(t, kafka.Config{Hosts: []string{dead + "," + cl.Addrs()[0]}})
	require.Len(t, c.Brokers(), 3, "the other brokers are learnt from the live seed")
	for _, b := range c.Brokers() {
		require.Contains(t, cl.Addrs(), b.Addr())
	}
	topic, err := c.Topic(testCtx(t), "payments")
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

func TestUnknownTopic(t *testing.T) {
	c := newClient(t, kafka.Config{Hosts: kafkatest.Brokers(t)})
	start := time.Now()
	_, err := c.Topic(testCtx(t), "does-not-exist")
	require.ErrorIs(t, err, kafka.ErrUnknownTopicOrPartition)
	require.Less(t, time.Since(start), 5*time.Second, "an unknown topic is not retried until the deadline")
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
	if kafkatest.External() {
		t.Skip("depends on the broker's auto.create.topics.enable") // only against real clusters
	}
	c := newClient(t, kafka.Config{Hosts: kafkatest.MustCluster(t, kafkatest.AutoCreateTopics()).Addrs()})
	topic, err := c.Topic(testCtx(t), "created-on-first-use")
	require.NoError(t, err)
	require.NotEmpty(t, topic.Partitions())
}

func TestTopicsMatching(t *testing.T) {
	cl := kafkatest.MustCluster(t, kafkatest.Topic("logs.web", 1), kafkatest.Topic("logs.db", 1), kafkatest.Topic("metrics", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	names, err := c.TopicsMatching(testCtx(t), regexp.MustCompile(`^logs\.`))
	require.NoError(t, err)
	require.Equal(t, []string{"logs.db", "logs.web"}, names)
	all, err := c.Topics(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, []string{"logs.db", "logs.web", "metrics"}, all)
}

func TestMetadataRefreshAfterLeaderMove(t *testing.T) {
	cl := kafkatest.MustCluster(t, kafkatest.Topic("moving", 2))
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
	cl := kafkatest.MustCluster(t, kafkatest.Topic("offsets", 2))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	topic, err := c.Topic(testCtx(t), "offsets")
	require.NoError(t, err)

	base := time.UnixMilli(time.Now().Add(-time.Hour).UnixMilli())
	// Partition 0 gets 10 messages one second apart; partition 1 none.
	for i := range 10 {
		produceAt(t, cl, "offsets", 0, base.Add(time.Duration(i)*time.Second), fmt.Sprint(i))
	}
	earliest, err := topic.EarliestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 0, 1: 0}, earliest)
	latest, err := topic.LatestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 10, 1: 0}, latest)

	at, err := topic.OffsetsForTime(testCtx(t), base.Add(4*time.Second))
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 4, 1: 0}, at)
	at, err = topic.OffsetsForTime(testCtx(t), base.Add(4500*time.Millisecond))
	require.NoError(t, err)
	require.Equal(t, int64(5), at[0], "between two messages: the later one")
	at, err = topic.OffsetsForTime(testCtx(t), base.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 10, 1: 0}, at, "after the last message: the latest offset")

	require.NoError(t, cl.DeleteRecords("offsets", 0, 3))
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
	cl := kafkatest.MustCluster(t)
	seed := cl.Addrs()[0]
	c := newClient(t, kafka.Config{Hosts: []string{seed}})
	ids := cl.BrokerIDs()
	require.NoError(t, cl.RemoveBroker(ids[0])) // the only seed is gone
	require.NoError(t, c.UpdateCluster(testCtx(t)))
	require.Len(t, c.Brokers(), 2)
	require.NoError(t, c.CreateTopic(testCtx(t), "after-seed-loss", kafka.TopicConfig{Partitions: 2}))
}

func TestMetadataRefreshesOnItsOwn(t *testing.T) {
	cl := kafkatest.MustCluster(t)
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
