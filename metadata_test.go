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
