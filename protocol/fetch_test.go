package protocol

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// fetchResponseV4Golden is a FetchResponse v4 written out by hand from
// FetchResponse.json (non-flexible: int16 string lengths, int32 array counts
// and byte lengths, -1 for null).
var fetchResponseV4Golden = []byte{
	0x00, 0x00, 0x00, 0x64, // ThrottleTimeMs = 100 (v1+)
	// v4 has no ErrorCode or SessionID (v7+).
	0x00, 0x00, 0x00, 0x01, // Responses: 1 topic
	0x00, 0x03, 'f', 'o', 'o', // Topic = "foo" (v0-v12)
	0x00, 0x00, 0x00, 0x02, // Partitions: 2

	// partition 0
	0x00, 0x00, 0x00, 0x00, // PartitionIndex = 0
	0x00, 0x00, // ErrorCode = 0
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A, // HighWatermark = 42
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x28, // LastStableOffset = 40 (v4+)
	// no LogStartOffset (v5+)
	0x00, 0x00, 0x00, 0x01, // AbortedTransactions: 1 (v4+, nullable)
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, //   ProducerID = 7
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0A, //   FirstOffset = 10
	// no PreferredReadReplica (v11+)
	0x00, 0x00, 0x00, 0x03, 0xDE, 0xAD, 0xBE, // Records: 3 bytes

	// partition 1
	0x00, 0x00, 0x00, 0x05, // PartitionIndex = 5
	0x00, 0x01, // ErrorCode = 1 (OFFSET_OUT_OF_RANGE)
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // HighWatermark = -1
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, // LastStableOffset = 256
	0xFF, 0xFF, 0xFF, 0xFF, // AbortedTransactions: null
	0xFF, 0xFF, 0xFF, 0xFF, // Records: null
}

func TestFetchResponseV4Golden(t *testing.T) {
	var r FetchResponse
	require.NoError(t, Decode(fetchResponseV4Golden, &r, 4))

	require.Equal(t, int32(100), r.ThrottleTimeMs)
	require.Equal(t, int16(0), r.ErrorCode)
	require.Equal(t, int32(0), r.SessionID)
	require.Nil(t, r.NodeEndpoints)
	require.Nil(t, r.UnknownTags)
	require.Len(t, r.Responses, 1)

	topic := r.Responses[0]
	require.Equal(t, "foo", topic.Topic)
	require.Equal(t, UUID{}, topic.TopicID)
	require.Len(t, topic.Partitions, 2)

	p := topic.Partitions[0]
	require.Equal(t, int32(0), p.PartitionIndex)
	require.Equal(t, int16(0), p.ErrorCode)
	require.Equal(t, int64(42), p.HighWatermark)
	require.Equal(t, int64(40), p.LastStableOffset)
	require.Equal(t, int64(-1), p.LogStartOffset, "v5+ field takes its default")
	require.Equal(t, []FetchResponseAbortedTransaction{{ProducerID: 7, FirstOffset: 10}}, p.AbortedTransactions)
	require.Equal(t, int32(-1), p.PreferredReadReplica, "v11+ field takes its default")
	require.Equal(t, []byte{0xDE, 0xAD, 0xBE}, p.Records)
	require.Equal(t, FetchResponseDivergingEpoch{Epoch: -1, EndOffset: -1}, p.DivergingEpoch)
	require.Equal(t, LeaderIDAndEpoch{LeaderID: -1, LeaderEpoch: -1}, p.CurrentLeader)
	require.Equal(t, FetchResponseSnapshotID{EndOffset: -1, Epoch: -1}, p.SnapshotID)
	require.Nil(t, p.UnknownTags)

	// Records alias the input buffer rather than copying it.
	require.Same(t, &fetchResponseV4Golden[len(fetchResponseV4Golden)-30-3], &p.Records[0])

	p = topic.Partitions[1]
	require.Equal(t, int32(5), p.PartitionIndex)
	require.Equal(t, int16(1), p.ErrorCode)
	require.Equal(t, int64(-1), p.HighWatermark)
	require.Equal(t, int64(256), p.LastStableOffset)
	require.Equal(t, int64(-1), p.LogStartOffset)
	require.Nil(t, p.AbortedTransactions, "null array decodes as nil")
	require.Equal(t, int32(-1), p.PreferredReadReplica)
	require.Nil(t, p.Records, "null records decode as nil")

	// Encoding the decoded value gives the same bytes back.
	b, err := Encode(nil, &r, 4)
	require.NoError(t, err)
	require.Equal(t, fetchResponseV4Golden, b)

	// Every truncation is reported as malformed, never a panic.
	for n := range len(fetchResponseV4Golden) {
		var short FetchResponse
		require.ErrorIs(t, Decode(fetchResponseV4Golden[:n], &short, 4), ErrMalformed, "truncated to %d bytes", n)
	}
}

func TestFetchResponseFlexibleTagsGolden(t *testing.T) {
	// v12 partition with CurrentLeader (tag 1) set and the other tags left at
	// their defaults, so only tag 1 is written.
	r := FetchResponse{Responses: []FetchResponseTopic{{
		Topic: "t",
		Partitions: []FetchResponsePartition{{
			PartitionIndex:       1,
			LastStableOffset:     -1,
			LogStartOffset:       -1,
			DivergingEpoch:       FetchResponseDivergingEpoch{Epoch: -1, EndOffset: -1},
			CurrentLeader:        LeaderIDAndEpoch{LeaderID: 3, LeaderEpoch: 9},
			SnapshotID:           FetchResponseSnapshotID{EndOffset: -1, Epoch: -1},
			PreferredReadReplica: -1,
		}},
	}}}
	b, err := Encode(nil, &r, 12)
	require.NoError(t, err)
	ff8 := []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
	want := []byte{
		0, 0, 0, 0, // ThrottleTimeMs
		0, 0, // ErrorCode
		0, 0, 0, 0, // SessionID
		2,      // Responses: compact count 1
		2, 't', // Topic
		2,          // Partitions: compact count 1
		0, 0, 0, 1, // PartitionIndex
		0, 0, // ErrorCode
		0, 0, 0, 0, 0, 0, 0, 0, // HighWatermark
	}
	want = append(want, ff8...) // LastStableOffset
	want = append(want, ff8...) // LogStartOffset
	want = append(want,
		0,                      // AbortedTransactions: null
		0xFF, 0xFF, 0xFF, 0xFF, // PreferredReadReplica
		0,    // Records: null
		1,    // one tagged field
		1, 9, // tag 1, 9 bytes
		0, 0, 0, 3, 0, 0, 0, 9, 0, // LeaderID, LeaderEpoch, no tags
		0, // topic tags
		0, // response tags
	)
	require.Equal(t, want, b)

	var got FetchResponse
	require.NoError(t, Decode(b, &got, 12))
	require.Equal(t, r, got)
}

// fetchResponseDecodeAllocs returns the allocations of one decode of a
// response with one topic of n partitions.
func fetchResponseDecodeAllocs(t *testing.T, n int, version int16) float64 {
	r := FetchResponse{Responses: []FetchResponseTopic{{Topic: "topic"}}}
	for i := range n {
		r.Responses[0].Partitions = append(r.Responses[0].Partitions, FetchResponsePartition{
			PartitionIndex:       int32(i),
			LastStableOffset:     -1,
			LogStartOffset:       -1,
			DivergingEpoch:       FetchResponseDivergingEpoch{Epoch: -1, EndOffset: -1},
			CurrentLeader:        LeaderIDAndEpoch{LeaderID: -1, LeaderEpoch: -1},
			SnapshotID:           FetchResponseSnapshotID{EndOffset: -1, Epoch: -1},
			PreferredReadReplica: -1,
			Records:              []byte{1, 2, 3},
		})
	}
	b, err := Encode(nil, &r, version)
	require.NoError(t, err)
	var got FetchResponse
	return testing.AllocsPerRun(20, func() {
		d := NewDecoder(b, version >= 12)
		got.Decode(d, version)
		if d.Err() != nil {
			t.Fatal(d.Err())
		}
	})
}

func TestFetchResponseDecodeAllocs(t *testing.T) {
	// Decoding allocates the topic slice, the topic name and the partition
	// slice, and nothing per partition (with tagged fields at their defaults,
	// as in ordinary fetches).
	for _, version := range []int16{4, 11, 12, 16, 18} {
		one, many := fetchResponseDecodeAllocs(t, 1, version), fetchResponseDecodeAllocs(t, 64, version)
		require.Equal(t, one, many, "v%d: allocations grow with partitions", version)
		require.LessOrEqual(t, many, 4.0, "v%d", version)
	}
}

// produceRequestEncodeAllocs returns the allocations of one encode, into a
// large enough buffer, of a request with one topic of n partitions.
func produceRequestEncodeAllocs(n int, version int16) float64 {
	r := ProduceRequest{Acks: -1, TimeoutMs: 5000, TopicData: []ProduceRequestTopicData{{Name: "topic"}}}
	for i := range n {
		r.TopicData[0].PartitionData = append(r.TopicData[0].PartitionData, ProduceRequestTopicDataPartitionData{
			Index:   int32(i),
			Records: make([]byte, 100),
		})
	}
	buf := make([]byte, 0, 1<<16)
	return testing.AllocsPerRun(20, func() {
		e := NewEncoder(buf[:0], version >= 9)
		r.Encode(e, version)
	})
}

func TestProduceRequestEncodeAllocs(t *testing.T) {
	for _, version := range []int16{3, 8, 9, 13} {
		one, many := produceRequestEncodeAllocs(1, version), produceRequestEncodeAllocs(64, version)
		require.Equal(t, one, many, "v%d: allocations grow with partitions", version)
		require.LessOrEqual(t, many, 1.0, "v%d", version)
	}
}
