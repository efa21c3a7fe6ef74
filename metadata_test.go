package kafka

import (
	"testing"
	"time"

	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// TestPartialRefreshIsNotAFullOne: a refresh of some topics keeps the time
// of the last full refresh, so that UpdateCluster, waiting behind it,
// still asks for everything.
func TestPartialRefreshIsNotAFullOne(t *testing.T) {
	name := "t"
	full := merge(nil, &protocol.MetadataResponse{Topics: []protocol.MetadataResponseTopic{{Name: &name}}}, true)
	require.WithinDuration(t, time.Now(), full.fetched, time.Second)
	full.fetched = full.fetched.Add(-time.Hour)
	partial := merge(full, &protocol.MetadataResponse{Topics: []protocol.MetadataResponseTopic{{Name: &name}}}, false)
	require.Equal(t, full.fetched, partial.fetched)
	require.Contains(t, partial.topics, "t")
}

// TestMergeKeepsNewerLeaders: a metadata answer naming a partition's
// leader under an older leader epoch than the client knows (a broker whose
// metadata lags) leaves the newer leader in place; a topic made again
// under the same name (a new ID) is taken as answered.
func TestMergeKeepsNewerLeaders(t *testing.T) {
	name := "t"
	answer := func(id byte, leader, epoch int32) *protocol.MetadataResponse {
		return &protocol.MetadataResponse{Topics: []protocol.MetadataResponseTopic{{
			Name: &name, TopicID: protocol.UUID{id},
			Partitions: []protocol.MetadataResponseTopicPartition{{PartitionIndex: 0, LeaderID: leader, LeaderEpoch: epoch}},
		}}}
	}
	leaderOf := func(m *clusterMeta) (int32, int32) {
		p, ok := m.topics[name].partition(0)
		require.True(t, ok)
		return p.Leader, p.LeaderEpoch
	}
	m := merge(nil, answer(1, 2, 5), true)
	m = merge(m, answer(1, 1, 4), false)
	leader, epoch := leaderOf(m)
	require.Equal(t, []int32{2, 5}, []int32{leader, epoch}, "an older epoch does not move the leader back")
	m = merge(m, answer(1, 0, 6), true)
	leader, epoch = leaderOf(m)
	require.Equal(t, []int32{0, 6}, []int32{leader, epoch}, "a newer one does")
	m = merge(m, answer(2, 1, 0), true)
	leader, epoch = leaderOf(m)
	require.Equal(t, []int32{1, 0}, []int32{leader, epoch}, "a new topic ID starts afresh")
}
