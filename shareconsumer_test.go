package kafka_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// shareCluster starts kfake for a share-group test. The librdkafka mock
// has no share groups and the docker-compose Kafka does not enable them, so
// these tests need the embedded cluster.
func shareCluster(t *testing.T, opts ...kafkatest.Option) *kafkatest.Cluster {
	t.Helper()
	return kafkatest.NeedsKfake(t, "share groups (KIP-932)", opts...)
}

// shareFromEarliest sets the group's share.auto.offset.reset to earliest
// (a group config, set with IncrementalAlterConfigs on resource type GROUP)
// so that records produced before the group exists are delivered.
func shareFromEarliest(t *testing.T, cl addrser, group string) {
	t.Helper()
	k, err := kgo.NewClient(kgoOpts(cl.Addrs())...)
	require.NoError(t, err)
	defer k.Close()
	req := kmsg.NewPtrIncrementalAlterConfigsRequest()
	res := kmsg.NewIncrementalAlterConfigsRequestResource()
	res.ResourceType = kmsg.ConfigResourceType(32) // GROUP
	res.ResourceName = group
	cfg := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
	cfg.Name = "share.auto.offset.reset"
	v := "earliest"
	cfg.Value = &v
	res.Configs = append(res.Configs, cfg)
	req.Resources = append(req.Resources, res)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := req.RequestWith(ctx, k)
	require.NoError(t, err)
	require.Len(t, resp.Resources, 1)
	require.Zero(t, resp.Resources[0].ErrorCode, "setting share.auto.offset.reset")
}

// shareProduce writes n records valued "0".."n-1" with franz-go, spread over the
// topic's partitions.
func shareProduce(t *testing.T, cl addrser, topic string, n int) {
	t.Helper()
	k, err := kgo.NewClient(kgoOpts(cl.Addrs(), kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))...)
	require.NoError(t, err)
	defer k.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := range n {
		wg.Add(1)
		k.Produce(ctx, &kgo.Record{Value: []byte(strconv.Itoa(i))}, func(_ *kgo.Record, err error) {
			defer wg.Done()
			if err != nil {
				mu.Lock()
				firstErr = errors.Join(firstErr, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.NoError(t, firstErr)
}

func newShareClient(t *testing.T, cl addrser) *kafka.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := kafka.NewClient(ctx, kafka.Config{Hosts: cl.Addrs()})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func newShare(t *testing.T, c *kafka.Client, cfg kafka.ShareConsumerConfig) *kafka.ShareConsumer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sc, err := c.ShareConsumer(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { sc.Close() })
	return sc
}

// expectNothing checks that sc gets no message within d.
func expectNothing(t *testing.T, sc *kafka.ShareConsumer, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	msg, err := sc.Consume(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded, "got offset %d value %q delivery %d", msg.Offset, msg.Value, msg.DeliveryCount)
}

func TestShareConsumerBasics(t *testing.T) {
	t.Parallel() // its own cluster; mostly waiting on it
	cl := shareCluster(t, kafkatest.Topic("share-basic", 1))
	shareFromEarliest(t, cl, "g-basic")
	shareProduce(t, cl, "share-basic", 20)
	c := newShareClient(t, cl)
	sc := newShare(t, c, kafka.ShareConsumerConfig{Group: "g-basic", Topics: []string{"share-basic"}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	seen := map[int64]bool{}
	for len(seen) < 20 {
		msg, err := sc.Consume(ctx)
		require.NoError(t, err)
		require.Equal(t, "share-basic", msg.Topic)
		require.Equal(t, 1, msg.DeliveryCount)
		require.Equal(t, strconv.FormatInt(msg.Offset, 10), string(msg.Value))
		require.False(t, seen[msg.Offset], "offset %d twice", msg.Offset)
		seen[msg.Offset] = true
	}
	require.NoError(t, sc.Commit(ctx))
	require.NoError(t, sc.Close())
	require.NoError(t, sc.Close(), "Close twice")
	_, err := sc.Consume(ctx)
	require.ErrorIs(t, err, kafka.ErrConsumerStopped)

	// Everything was accepted (the last one by Close): a new member gets
	// nothing.
	sc2 := newShare(t, c, kafka.ShareConsumerConfig{Group: "g-basic", Topics: []string{"share-basic"}})
	expectNothing(t, sc2, time.Second)
}

func TestShareGroupsDescribe(t *testing.T) {
	t.Parallel() // its own cluster; mostly waiting on it
	cl := shareCluster(t, kafkatest.Topic("share-desc", 2))
	c := newShareClient(t, cl)
	a := newShare(t, c, kafka.ShareConsumerConfig{Group: "g-desc", Topics: []string{"share-desc"}})
	b := newShare(t, c, kafka.ShareConsumerConfig{Group: "g-desc", Topics: []string{"share-desc"}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var groups []kafka.ShareGroupDescription
	require.Eventually(t, func() bool {
		var err error
		groups, err = c.ShareGroups(ctx)
		return err == nil && len(groups) == 1 && len(groups[0].Members) == 2 &&
			len(groups[0].Members[0].Assignment["share-desc"]) > 0 && len(groups[0].Members[1].Assignment["share-desc"]) > 0
	}, 15*time.Second, 100*time.Millisecond, "groups: %+v", groups)
	require.Equal(t, "g-desc", groups[0].GroupID)
	ids := []string{groups[0].Members[0].MemberID, groups[0].Members[1].MemberID}
	require.ElementsMatch(t, []string{a.MemberID(), b.MemberID()}, ids)

	require.NoError(t, a.Close())
	require.NoError(t, b.Close())
	require.Eventually(t, func() bool {
		groups, err := c.DescribeShareGroups(ctx, "g-desc")
		return err == nil && len(groups) == 1 && len(groups[0].Members) == 0
	}, 15*time.Second, 100*time.Millisecond, "members left")
}

// TestAlterShareGroupOffsets: a share group set to start at offset 0 reads
// what was produced before it existed (the default is the latest offset),
// and a group with members cannot be altered.
func TestAlterShareGroupOffsets(t *testing.T) {
	t.Parallel() // its own cluster; mostly waiting on it
	cl := shareCluster(t, kafkatest.Topic("share-alter", 1))
	shareProduce(t, cl, "share-alter", 5)
	c := newShareClient(t, cl)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, c.AlterShareGroupOffsets(ctx, "g-alter", map[string]map[int32]int64{"share-alter": {0: 2}}))
	sc := newShare(t, c, kafka.ShareConsumerConfig{Group: "g-alter", Topics: []string{"share-alter"}})
	for want := int64(2); want < 5; want++ {
		msg, err := sc.Consume(ctx)
		require.NoError(t, err)
		require.Equal(t, want, msg.Offset)
	}
	err := c.AlterShareGroupOffsets(ctx, "g-alter", map[string]map[int32]int64{"share-alter": {0: 0}})
	require.ErrorIs(t, err, kafka.ErrNonEmptyGroup)
}

// TestShareConsumerGapsAcknowledged: offsets that hold no record
// (transaction markers) are acknowledged as gaps, so that the group's
// start offset moves past them once every record is accepted.
func TestShareConsumerGapsAcknowledged(t *testing.T) {
	t.Parallel() // its own cluster; mostly waiting on it
	cl := shareCluster(t, kafkatest.Topic("share-gaps", 1))
	shareFromEarliest(t, cl, "g-gaps")
	k, err := kgo.NewClient(kgoOpts(cl.Addrs(), kgo.DefaultProduceTopic("share-gaps"), kgo.TransactionalID("share-gaps-txn"))...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for txn := range 2 { // two transactions of 3 records: offsets 0-2, marker 3, 4-6, marker 7
		require.NoError(t, k.BeginTransaction())
		for i := range 3 {
			require.NoError(t, k.ProduceSync(ctx, &kgo.Record{Value: []byte(strconv.Itoa(txn*3 + i))}).FirstErr())
		}
		require.NoError(t, k.EndTransaction(ctx, kgo.TryCommit))
	}
	k.Close()

	c := newShareClient(t, cl)
	sc := newShare(t, c, kafka.ShareConsumerConfig{Group: "g-gaps", Topics: []string{"share-gaps"}})
	var offsets []int64
	for range 6 {
		msg, err := sc.Consume(ctx)
		require.NoError(t, err)
		offsets = append(offsets, msg.Offset)
	}
	require.Equal(t, []int64{0, 1, 2, 4, 5, 6}, offsets)
	require.NoError(t, sc.Commit(ctx)) // accepts the last one, sends the gaps
	require.Eventually(t, func() bool {
		start, err := c.ShareGroupStartOffsets(ctx, "g-gaps")
		return err == nil && start["share-gaps"][0] == 8
	}, 10*time.Second, 50*time.Millisecond, "the start offset passes the markers")
}
