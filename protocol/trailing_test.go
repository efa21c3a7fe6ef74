package protocol

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

// withTrailing returns a response frame (size prefix removed) for resp at
// version with extra bytes after its last field, as librdkafka's mock cluster
// sends.
func withTrailing(t *testing.T, resp Response, version int16, extra int) []byte {
	t.Helper()
	frame, err := AppendResponse(nil, 42, resp, version)
	require.NoError(t, err)
	return append(frame[4:], make([]byte, extra)...)
}

func sampleMetadata() *MetadataResponse {
	cluster, rack := "cluster-1", "rack-a"
	return &MetadataResponse{
		Brokers:      []MetadataResponseBroker{{NodeID: 1, Host: "127.0.0.1", Port: 9092, Rack: &rack}},
		ClusterID:    &cluster,
		ControllerID: 1,
		Topics: []MetadataResponseTopic{{
			Name:       ptr("payments"),
			Partitions: []MetadataResponseTopicPartition{{PartitionIndex: 0, LeaderID: 1, ReplicaNodes: []int32{1}, IsrNodes: []int32{1}}},
		}},
	}
}

// TestResponsesWithTrailingBytesDecode: librdkafka's mock cluster adds a byte
// to Metadata v12 and 4 bytes (2.0.2) to ListOffsets v5. The Java client and
// franz-go ignore such bytes; so do we, and say how many there were.
func TestResponsesWithTrailingBytesDecode(t *testing.T) {
	var md MetadataResponse
	id, trailing, err := DecodeResponseFrame(withTrailing(t, sampleMetadata(), 12, 1), &md, 12)
	require.NoError(t, err)
	require.Equal(t, int32(42), id)
	require.Equal(t, 1, trailing)
	require.Equal(t, "payments", *md.Topics[0].Name)
	require.Equal(t, int32(9092), md.Brokers[0].Port)

	lo := &ListOffsetsResponse{Topics: []ListOffsetsResponseTopic{{
		Name:       "payments",
		Partitions: []ListOffsetsResponseTopicPartition{{PartitionIndex: 3, Timestamp: -1, Offset: 1234, LeaderEpoch: 7}},
	}}}
	var got ListOffsetsResponse
	_, trailing, err = DecodeResponseFrame(withTrailing(t, lo, 5, 4), &got, 5)
	require.NoError(t, err)
	require.Equal(t, 4, trailing)
	require.Equal(t, int64(1234), got.Topics[0].Partitions[0].Offset)
	require.Equal(t, int32(7), got.Topics[0].Partitions[0].LeaderEpoch)

	_, err = DecodeResponse(withTrailing(t, lo, 5, 4), &got, 5)
	require.NoError(t, err, "DecodeResponse ignores them too")

	_, trailing, err = DecodeResponseFrame(withTrailing(t, lo, 5, 0), &got, 5)
	require.NoError(t, err)
	require.Zero(t, trailing)

	// Requests and our own encodings stay exact.
	body, err := Encode(nil, lo, 5)
	require.NoError(t, err)
	require.ErrorIs(t, Decode(append(body, 0), &got, 5), ErrMalformed)
}

// TestTrailingToleranceKeepsLengthsStrict: ignoring bytes after the last
// field does not loosen any length or count inside the message.
func TestTrailingToleranceKeepsLengthsStrict(t *testing.T) {
	frame := withTrailing(t, sampleMetadata(), 12, 8)
	// Header v1: correlation ID (4), empty tags (1); then throttle (4) and
	// the compact broker array count.
	countAt := 4 + 1 + 4
	require.Equal(t, byte(2), frame[countAt], "one broker, as a compact count")
	frame[countAt] = 100 // 99 brokers cannot fit in what follows
	var md MetadataResponse
	_, _, err := DecodeResponseFrame(frame, &md, 12)
	require.ErrorIs(t, err, ErrMalformed)

	frame = withTrailing(t, sampleMetadata(), 1, 0)
	binary.BigEndian.PutUint32(frame[4:], 1<<20) // the broker array count overruns the frame
	_, _, err = DecodeResponseFrame(frame, &md, 1)
	require.ErrorIs(t, err, ErrMalformed)
}
