package kafkatest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"

	"github.com/gokafka/kafka/kafkatest"
)

// kversionFetch12 is franz-go's versions with Fetch at 12, the first with
// the last fetched epoch, before topic IDs.
func kversionFetch12() *kversion.Versions {
	v := kversion.Stable()
	v.SetMaxKeyVersion(1, 12)
	return v
}

// rawFetch sends one Fetch v12 (topics by name, with the KIP-320 epochs)
// for partition 0 of topic to broker, and returns the partition's answer
// (nil if the answer leaves it out).
func rawFetch(t *testing.T, cl *kgo.Client, broker int32, topic string, offset int64, current, last int32) *kmsg.FetchResponseTopicPartition {
	t.Helper()
	req := kmsg.NewPtrFetchRequest()
	req.Version = 12
	req.ReplicaID = -1
	req.MaxWaitMillis = 10
	req.MaxBytes = 1 << 20
	req.SessionEpoch = -1
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic = topic
	p := kmsg.NewFetchRequestTopicPartition()
	p.Partition, p.FetchOffset, p.CurrentLeaderEpoch, p.LastFetchedEpoch = 0, offset, current, last
	p.PartitionMaxBytes = 1 << 20
	rt.Partitions = append(rt.Partitions, p)
	req.Topics = append(req.Topics, rt)
	kresp, err := cl.Broker(int(broker)).Request(ctxFor(t, 10*time.Second), req)
	require.NoError(t, err)
	resp := kresp.(*kmsg.FetchResponse)
	require.Zero(t, resp.ErrorCode)
	for _, rt := range resp.Topics {
		for i := range rt.Partitions {
			if rt.Topic == topic && rt.Partitions[i].Partition == 0 {
				return &rt.Partitions[i]
			}
		}
	}
	return nil
}

// TestAnswerFetch: the made-up answer carries what was asked (diverging
// epoch, preferred read replica, no records, the real high watermark), at
// the brokers named only, as many times as asked; ObserveFetches sees the
// epochs every fetch sends, made-up answer or not.
func TestAnswerFetch(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.NumBrokers(3), kafkatest.Topic("fa", 1))
	cl := newClient(t, c.Addrs(), kgo.MaxVersions(kversionFetch12()))
	produce(t, cl, "fa", "a", "b")
	leader, err := c.Leader("fa", 0)
	require.NoError(t, err)
	other := (leader + 1) % 3

	var mu sync.Mutex
	var seen []kafkatest.FetchedPartition
	stop := c.ObserveFetches(func(p kafkatest.FetchedPartition) {
		if p.Topic == "fa" {
			mu.Lock()
			seen = append(seen, p)
			mu.Unlock()
		}
	})
	defer stop()

	_, err = c.AnswerFetch(kafkatest.FetchAnswer{Topic: "nope"})
	require.Error(t, err, "an unknown topic")

	inj, err := c.AnswerFetch(kafkatest.FetchAnswer{
		Topic: "fa", Partition: 0, Brokers: []int32{leader},
		DivergingEpoch:       &kafkatest.EpochEndOffset{Epoch: 0, EndOffset: 1},
		PreferredReadReplica: &other,
	})
	require.NoError(t, err)

	// Another broker answers as the broker does: it does not lead.
	p := rawFetch(t, cl, other, "fa", 0, 0, -1)
	require.NotNil(t, p)
	assert.Equal(t, int16(6), p.ErrorCode, "NOT_LEADER_OR_FOLLOWER")
	assert.Zero(t, inj.Hits())

	p = rawFetch(t, cl, leader, "fa", 2, 0, 0)
	require.NotNil(t, p)
	assert.Zero(t, p.ErrorCode)
	assert.Equal(t, int32(0), p.DivergingEpoch.Epoch)
	assert.Equal(t, int64(1), p.DivergingEpoch.EndOffset)
	assert.Equal(t, other, p.PreferredReadReplica)
	assert.Empty(t, p.RecordBatches)
	assert.Equal(t, int64(2), p.HighWatermark)
	assert.Equal(t, 1, inj.Hits())

	// Spent: the broker answers, with the records.
	p = rawFetch(t, cl, leader, "fa", 0, 0, -1)
	require.NotNil(t, p)
	assert.Equal(t, int32(-1), p.DivergingEpoch.Epoch)
	assert.Equal(t, int32(-1), p.PreferredReadReplica)
	assert.NotEmpty(t, p.RecordBatches)
	assert.Equal(t, 1, inj.Hits())

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 3)
	assert.Equal(t, kafkatest.FetchedPartition{Broker: other, Version: 12, Topic: "fa", FetchOffset: 0, CurrentLeaderEpoch: 0, LastFetchedEpoch: -1}, seen[0])
	assert.Equal(t, kafkatest.FetchedPartition{Broker: leader, Version: 12, Topic: "fa", FetchOffset: 2, CurrentLeaderEpoch: 0, LastFetchedEpoch: 0}, seen[1])
	assert.Equal(t, kafkatest.FetchedPartition{Broker: leader, Version: 12, Topic: "fa", FetchOffset: 0, CurrentLeaderEpoch: 0, LastFetchedEpoch: -1}, seen[2])
}

// TestAnswerFetchAlways: Always answers until Remove, at every broker
// when none is named; the error code is the one asked for.
func TestAnswerFetchAlways(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.NumBrokers(1), kafkatest.Topic("fb", 1))
	cl := newClient(t, c.Addrs(), kgo.MaxVersions(kversionFetch12()))
	produce(t, cl, "fb", "a")
	inj, err := c.AnswerFetch(kafkatest.FetchAnswer{Topic: "fb", Code: 74, Times: kafkatest.Always})
	require.NoError(t, err)
	for range 2 {
		p := rawFetch(t, cl, 0, "fb", 0, 0, -1)
		require.NotNil(t, p)
		assert.Equal(t, int16(74), p.ErrorCode)
		assert.Equal(t, int32(-1), p.PreferredReadReplica, "none asked for")
		assert.Equal(t, int32(-1), p.DivergingEpoch.Epoch, "none asked for")
	}
	assert.Equal(t, 2, inj.Hits())
	inj.Remove()
	p := rawFetch(t, cl, 0, "fb", 0, 0, -1)
	require.NotNil(t, p)
	assert.Zero(t, p.ErrorCode)
	assert.NotEmpty(t, p.RecordBatches)
}

// TestSetFollowers: a follower serves fetches of the partition once set,
// and refuses them again once unset.
func TestSetFollowers(t *testing.T) {
	t.Parallel()
	c := kafkatest.MustCluster(t, kafkatest.NumBrokers(3), kafkatest.Topic("fc", 1))
	cl := newClient(t, c.Addrs(), kgo.MaxVersions(kversionFetch12()))
	produce(t, cl, "fc", "a")
	leader, err := c.Leader("fc", 0)
	require.NoError(t, err)
	other := (leader + 1) % 3

	require.Error(t, c.SetFollowers("nope", 0, other))
	require.NoError(t, c.SetFollowers("fc", 0, other))
	p := rawFetch(t, cl, other, "fc", 0, 0, -1)
	require.NotNil(t, p)
	assert.Zero(t, p.ErrorCode)
	assert.NotEmpty(t, p.RecordBatches, "the leader's log")

	require.NoError(t, c.SetFollowers("fc", 0))
	p = rawFetch(t, cl, other, "fc", 0, 0, -1)
	require.NotNil(t, p)
	assert.Equal(t, int16(6), p.ErrorCode, "NOT_LEADER_OR_FOLLOWER")
}
