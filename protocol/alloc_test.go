package protocol

import (
	"bytes"
	"encoding/binary"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// allocated returns the fewest bytes f allocated over a few runs (TotalAlloc
// deltas; the fewest, so that a stray allocation elsewhere in the process
// cannot fail the test).
func allocated(f func()) uint64 {
	best := uint64(1<<63 - 1)
	for range 3 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		best = min(best, after.TotalAlloc-before.TotalAlloc)
	}
	return best
}

// hostileSaslHandshake returns a 1 MiB SaslHandshake v1 response frame (size
// prefix removed) whose mechanism array claims count elements.
func hostileSaslHandshake(count int32) []byte {
	frame := make([]byte, 1<<20)
	binary.BigEndian.PutUint32(frame[0:], 7)             // correlation ID
	binary.BigEndian.PutUint16(frame[4:], 0)             // error code
	binary.BigEndian.PutUint32(frame[6:], uint32(count)) // mechanisms
	for i := 10; i+2 <= len(frame); i += 2 {             // then strings of length 0x7F7F: each overruns
		binary.BigEndian.PutUint16(frame[i:], 0x7F7F)
	}
	return frame
}

// TestHostileFramesAllocateInProportion: a frame whose counts claim more
// than its bytes hold costs memory proportional to its size, not to the
// counts it claims.
func TestHostileFramesAllocateInProportion(t *testing.T) {
	cases := map[string]struct {
		frame []byte
		resp  func() Response
		ver   int16
	}{
		// Before: 16 MiB of string headers for a 1 MiB frame.
		"SaslHandshake strings, count = bytes":  {hostileSaslHandshake(1<<20 - 10), func() Response { return new(SaslHandshakeResponse) }, 1},
		"SaslHandshake strings, half the bytes": {hostileSaslHandshake((1<<20 - 10) / 2), func() Response { return new(SaslHandshakeResponse) }, 1},
		"Metadata brokers, count = bytes":       {hostileMetadata(), func() Response { return new(MetadataResponse) }, 1},
	}
	for name, tc := range cases {
		var err error
		alloc := allocated(func() { _, err = DecodeResponse(tc.frame, tc.resp(), tc.ver) })
		require.ErrorIs(t, err, ErrMalformed, name)
		t.Logf("%s: %d-byte frame, %d bytes allocated", name, len(tc.frame), alloc)
		require.LessOrEqual(t, alloc, uint64(4*len(tc.frame)), "%s: %v", name, err)
	}
}

// hostileMetadata returns a 1 MiB Metadata v1 response frame whose broker
// array claims one broker per byte, the brokers being truncated garbage.
func hostileMetadata() []byte {
	frame := bytes.Repeat([]byte{0x7F}, 1<<20)
	binary.BigEndian.PutUint32(frame[0:], 7)
	binary.BigEndian.PutUint32(frame[4:], uint32(len(frame)-8))
	return frame
}

// silentAfter is a stream that yields its bytes and then fails, as a peer
// that stops sending does once the read deadline passes.
type silentAfter struct{ r io.Reader }

func (s silentAfter) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF {
		err = io.ErrNoProgress
	}
	return n, err
}

// TestReadFrameGrowsAsDataArrives: a frame that announces 99 MiB and sends 10
// bytes costs ~nothing, and a whole large frame costs a small multiple of its
// size.
func TestReadFrameGrowsAsDataArrives(t *testing.T) {
	announced := []byte{0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	binary.BigEndian.PutUint32(announced, 99<<20)
	var err error
	alloc := allocated(func() { _, err = ReadFrame(silentAfter{bytes.NewReader(announced)}, nil, 100<<20) })
	var fe *FrameError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, int32(99<<20), fe.Size)
	require.Equal(t, 10, fe.Got)
	require.ErrorIs(t, err, io.ErrNoProgress)
	t.Logf("99 MiB announced, 10 bytes sent: %d bytes allocated", alloc)
	require.LessOrEqual(t, alloc, uint64(256<<10))

	const size = 5<<20 + 3
	whole := make([]byte, 4+size)
	binary.BigEndian.PutUint32(whole, size)
	whole[len(whole)-1] = 0xAB
	var body []byte
	alloc = allocated(func() { body, err = ReadFrame(bytes.NewReader(whole), nil, 100<<20) })
	require.NoError(t, err)
	require.Len(t, body, size)
	require.Equal(t, byte(0xAB), body[size-1])
	t.Logf("%d-byte frame: %d bytes allocated", size, alloc)
	require.LessOrEqual(t, alloc, uint64(4*size))
}

// TestReadFrameTrusting: a frame within what the peer proved it sends is
// allocated once, at its size; one above is read as ReadFrame reads it; a
// trusted frame cut short is a FrameError.
func TestReadFrameTrusting(t *testing.T) {
	const size = 5<<20 + 3
	whole := make([]byte, 4+size)
	binary.BigEndian.PutUint32(whole, size)
	whole[len(whole)-1] = 0xAB
	var (
		body []byte
		err  error
	)
	alloc := allocated(func() { body, err = ReadFrameTrusting(bytes.NewReader(whole), nil, 100<<20, size) })
	require.NoError(t, err)
	require.Len(t, body, size)
	require.Equal(t, byte(0xAB), body[size-1])
	require.Less(t, alloc, uint64(size+64<<10), "one allocation of the frame's size")

	body, err = ReadFrameTrusting(bytes.NewReader(whole), nil, 100<<20, size-1)
	require.NoError(t, err)
	require.Len(t, body, size)
	require.Equal(t, byte(0xAB), body[size-1])

	_, err = ReadFrameTrusting(silentAfter{bytes.NewReader(whole[:4+100])}, nil, 100<<20, size)
	var fe *FrameError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, 100, fe.Got)
}

// TestHostileRecordCountAllocatesInProportion: a record batch whose count
// claims a record per 7 bytes, the smallest record, but whose records do not
// fit costs no allocation for the 96-byte Record structs it claims.
func TestHostileRecordCountAllocatesInProportion(t *testing.T) {
	good := RecordBatch{Magic: 2, Records: []Record{{Value: []byte("v")}}}
	batch, err := good.AppendTo(nil)
	require.NoError(t, err)
	records := bytes.Repeat([]byte{0x7F}, 1<<20) // each length prefix reads -64
	batch = append(batch[:batchHeaderSize], records...)
	binary.BigEndian.PutUint32(batch[8:], uint32(len(batch)-logOverhead))
	binary.BigEndian.PutUint32(batch[57:], uint32(len(records)/minRecordSize))
	var b RecordBatch
	alloc := allocated(func() { _, err = b.Decode(batch, DecodeOptions{SkipCRC: true}) })
	require.ErrorIs(t, err, ErrMalformed)
	t.Logf("%d-byte batch claiming %d records: %d bytes allocated (%v)", len(batch), len(records)/minRecordSize, alloc, err)
	require.LessOrEqual(t, alloc, uint64(4*len(batch)))

	// A batch of many tiny records, which the walk accepts, still decodes.
	tiny := RecordBatch{Magic: 2, LastOffsetDelta: 999}
	for i := range 1000 {
		tiny.Records = append(tiny.Records, Record{OffsetDelta: int32(i)})
	}
	batch, err = tiny.AppendTo(nil)
	require.NoError(t, err)
	_, err = b.Decode(batch, DecodeOptions{})
	require.NoError(t, err)
	require.Len(t, b.Records, 1000)
	require.Equal(t, int32(999), b.Records[999].OffsetDelta)
}
