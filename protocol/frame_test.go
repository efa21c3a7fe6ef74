package protocol

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRequestHeaderVersions(t *testing.T) {
	id := "cli"
	h := RequestHeader{APIKey: 3, APIVersion: 9, CorrelationID: 7, ClientID: &id, UnknownTags: []TaggedField{{Tag: 1, Data: []byte{0xAA}}}}
	golden := map[int16][]byte{
		0: {0, 3, 0, 9, 0, 0, 0, 7},
		1: {0, 3, 0, 9, 0, 0, 0, 7, 0, 3, 'c', 'l', 'i'},
		// The client ID stays a classic int16-length string in header v2.
		2: {0, 3, 0, 9, 0, 0, 0, 7, 0, 3, 'c', 'l', 'i', 1, 1, 1, 0xAA},
	}
	for hv, want := range golden {
		// The encoder's own flexibility must not leak into the header.
		for _, flexible := range []bool{false, true} {
			e := NewEncoder(nil, flexible)
			h.Encode(e, hv)
			require.NoError(t, e.Err())
			require.Equal(t, want, e.Buffer(), "header v%d", hv)

			var got RequestHeader
			d := NewDecoder(want, flexible)
			got.Decode(d, hv)
			require.NoError(t, d.Err())
			require.Zero(t, d.Remaining())
			require.Equal(t, h.CorrelationID, got.CorrelationID)
			if hv >= 1 {
				require.Equal(t, id, *got.ClientID)
			}
			if hv == 2 {
				require.Equal(t, h.UnknownTags, got.UnknownTags)
			}
		}
	}

	e := NewEncoder(nil, false)
	(&RequestHeader{APIKey: 18}).Encode(e, 1)
	require.Equal(t, []byte{0, 18, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, e.Buffer(), "a nil client ID is a null string")
}

func TestHeaderVersionChoice(t *testing.T) {
	meta, av := LookupAPI(KeyMetadata), LookupAPI(KeyAPIVersions)
	require.Equal(t, int16(1), meta.RequestHeaderVersion(8))
	require.Equal(t, int16(2), meta.RequestHeaderVersion(9))
	require.Equal(t, int16(0), meta.ResponseHeaderVersion(8))
	require.Equal(t, int16(1), meta.ResponseHeaderVersion(9))
	require.Equal(t, int16(2), av.RequestHeaderVersion(3))
	require.Equal(t, int16(0), av.ResponseHeaderVersion(3), "ApiVersions responses always use header v0")
	require.Equal(t, int16(1), LookupAPI(KeySaslHandshake).RequestHeaderVersion(1))
	require.Nil(t, LookupAPI(99))
}

func TestAPITableIsSortedAndComplete(t *testing.T) {
	for i, api := range APIs {
		if i > 0 {
			require.Less(t, APIs[i-1].Key, api.Key)
		}
		require.Equal(t, api.Key, api.NewRequest().APIKey(), api.Name)
		require.Equal(t, api.Key, api.NewResponse().APIKey(), api.Name)
		require.IsType(t, api.NewResponse(), api.NewRequest().NewResponse(), api.Name)
		require.Same(t, &APIs[i], LookupAPI(api.Key))
	}
	require.Len(t, APIs, 45)
}

func TestRequestFrameRoundTrip(t *testing.T) {
	id := "gokafka"
	req := &APIVersionsRequest{ClientSoftwareName: "gokafka", ClientSoftwareVersion: "1.0"}
	frame, err := AppendRequest([]byte("prefix"), 42, &id, req, 3)
	require.NoError(t, err)
	require.Equal(t, "prefix", string(frame[:6]))
	frame = frame[6:]
	require.Equal(t, uint32(len(frame)-4), binary.BigEndian.Uint32(frame))

	body, err := ReadFrame(bytes.NewReader(frame), nil, 1<<20)
	require.NoError(t, err)
	h, got, err := DecodeRequest(body)
	require.NoError(t, err)
	require.Equal(t, int32(42), h.CorrelationID)
	require.Equal(t, int16(3), h.APIVersion)
	require.Equal(t, req, got)

	_, err = AppendRequest(nil, 1, nil, req, 5)
	require.ErrorIs(t, err, ErrUnsupportedVersion)
}

func TestResponseFrameRoundTrip(t *testing.T) {
	resp := &APIVersionsResponse{APIKeys: []APIVersionsResponseAPIKey{{APIKey: 0, MinVersion: 3, MaxVersion: 13}}, FinalizedFeaturesEpoch: -1}
	frame, err := AppendResponse(nil, 9, resp, 3)
	require.NoError(t, err)
	// Header v0: the correlation ID is followed directly by the body.
	require.Equal(t, []byte{0, 0, 0, 9, 0, 0, 2}, frame[4:11])

	id, err := ResponseCorrelationID(frame[4:])
	require.NoError(t, err)
	require.Equal(t, int32(9), id)

	var got APIVersionsResponse
	id, err = DecodeResponse(frame[4:], &got, 3)
	require.NoError(t, err)
	require.Equal(t, int32(9), id)
	require.Equal(t, resp.APIKeys[0].MaxVersion, got.APIKeys[0].MaxVersion)

	_, err = DecodeResponse(append(frame[4:], 0), &got, 3)
	require.NoError(t, err, "trailing bytes are ignored")
	_, err = DecodeResponse(frame[4:len(frame)-1], &got, 3)
	require.ErrorIs(t, err, ErrMalformed, "a truncated body is not")
	_, err = ResponseCorrelationID([]byte{1, 2})
	require.ErrorIs(t, err, ErrMalformed)
}

func TestReadFrameLimits(t *testing.T) {
	huge := []byte{0x7F, 0xFF, 0xFF, 0xFF}
	_, err := ReadFrame(bytes.NewReader(append(huge, make([]byte, 96)...)), nil, 100<<20)
	require.ErrorIs(t, err, ErrFrameTooLarge, "a 2 GiB size prefix is refused before allocating")

	_, err = ReadFrame(bytes.NewReader([]byte{0xFF, 0xFF, 0xFF, 0xFE}), nil, 1<<20)
	require.ErrorIs(t, err, ErrMalformed)

	_, err = ReadFrame(bytes.NewReader([]byte{0, 0, 0, 10, 1, 2, 3}), nil, 1<<20)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "truncated frame")

	_, err = ReadFrame(bytes.NewReader([]byte{0, 0}), nil, 1<<20)
	require.True(t, errors.Is(err, io.ErrUnexpectedEOF))

	buf := make([]byte, 0, 16)
	body, err := ReadFrame(bytes.NewReader([]byte{0, 0, 0, 3, 1, 2, 3}), buf, 1<<20)
	require.NoError(t, err)
	require.Equal(t, []byte{1, 2, 3}, body)
	require.Same(t, &buf[:1][0], &body[0], "the caller's buffer is reused")
}

func TestDecodeRequestRejectsUnknown(t *testing.T) {
	_, _, err := DecodeRequest([]byte{0, 99, 0, 0, 0, 0, 0, 1})
	require.ErrorIs(t, err, ErrUnsupportedVersion)
	_, _, err = DecodeRequest([]byte{0, 18, 0, 9, 0, 0, 0, 1})
	require.ErrorIs(t, err, ErrUnsupportedVersion)
	_, _, err = DecodeRequest([]byte{0, 18})
	require.ErrorIs(t, err, ErrMalformed)
}

// TestAppendRequestVectored: the segments of a vectored request, joined,
// are the frame AppendRequest makes, and large record batches are written
// from their own memory, not copied.
func TestAppendRequestVectored(t *testing.T) {
	big := bytes.Repeat([]byte{7}, 10<<10)
	small := []byte("small records")
	req := &ProduceRequest{Acks: -1, TimeoutMs: 1000, TopicData: []ProduceRequestTopicData{
		{Name: "a", PartitionData: []ProduceRequestTopicDataPartitionData{{Index: 0, Records: big}, {Index: 1, Records: small}}},
		{Name: "b", PartitionData: []ProduceRequestTopicDataPartitionData{{Index: 2, Records: big}}},
	}}
	id := "client"
	for _, version := range []int16{3, 8, 9, 12} {
		want, err := AppendRequest(nil, 42, &id, req, version)
		if err != nil {
			t.Fatal(err)
		}
		buf, segs, err := AppendRequestVectored([]byte("prefix"), nil, 42, &id, req, version)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf, []byte("prefix")) {
			t.Fatalf("v%d: dst's bytes were not kept", version)
		}
		if got := bytes.Join(segs, nil); !bytes.Equal(got, want) {
			t.Fatalf("v%d: joined segments differ from AppendRequest's frame", version)
		}
		shared := 0
		for _, s := range segs {
			if len(s) > 0 && &s[0] == &big[0] {
				shared++
			}
		}
		if shared != 2 {
			t.Fatalf("v%d: %d segments share the large batches' memory, want 2", version, shared)
		}
	}
}

// TestProduceResponseDecodeReuse: decoding answers one after another into
// one ProduceResponse gives what decoding each into a fresh one gives,
// whatever the earlier answer held.
func TestProduceResponseDecodeReuse(t *testing.T) {
	msg := "busy"
	answers := []*ProduceResponse{
		{Responses: []ProduceResponseTopic{
			{Name: "a", PartitionResponses: []ProduceResponsePartition{{Index: 0, BaseOffset: 7, LogAppendTimeMs: -1, LogStartOffset: -1, CurrentLeader: LeaderIDAndEpoch{LeaderID: -1, LeaderEpoch: -1}}, {Index: 1, ErrorCode: 6, ErrorMessage: &msg, LogAppendTimeMs: -1, LogStartOffset: -1, CurrentLeader: LeaderIDAndEpoch{LeaderID: -1, LeaderEpoch: -1}}}},
			{Name: "b", PartitionResponses: []ProduceResponsePartition{{Index: 2, BaseOffset: 9, LogAppendTimeMs: 5, LogStartOffset: 0, CurrentLeader: LeaderIDAndEpoch{LeaderID: -1, LeaderEpoch: -1}}}},
		}},
		{Responses: []ProduceResponseTopic{
			{Name: "c", PartitionResponses: []ProduceResponsePartition{{Index: 3, BaseOffset: 1, LogAppendTimeMs: -1, LogStartOffset: -1, CurrentLeader: LeaderIDAndEpoch{LeaderID: -1, LeaderEpoch: -1}}}},
		}},
		{Responses: []ProduceResponseTopic{
			{Name: "c", PartitionResponses: []ProduceResponsePartition{}},
			{Name: "a", PartitionResponses: []ProduceResponsePartition{{Index: 0, BaseOffset: 8, LogAppendTimeMs: -1, LogStartOffset: -1, CurrentLeader: LeaderIDAndEpoch{LeaderID: -1, LeaderEpoch: -1}}}},
		}},
	}
	var reused ProduceResponse
	for _, version := range []int16{3, 8, 9} {
		for i, a := range answers {
			frame, err := AppendResponse(nil, int32(i), a, version)
			require.NoError(t, err)
			var fresh ProduceResponse
			_, _, err = DecodeResponseFrame(frame[4:], &fresh, version)
			require.NoError(t, err)
			_, _, err = DecodeResponseFrame(frame[4:], &reused, version)
			require.NoError(t, err)
			require.Equal(t, fresh, reused, "v%d answer %d", version, i)
		}
	}
}
