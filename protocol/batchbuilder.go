package protocol

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"slices"

	"github.com/gokafka/kafka/protocol/compress"
)

// BatchOptions configures a [BatchBuilder].
type BatchOptions struct {
	// BaseOffset is the batch's first offset; producers send 0 and the
	// broker assigns offsets.
	BaseOffset int64
	// ProducerID, ProducerEpoch and BaseSequence identify an idempotent or
	// transactional producer's batch. They are written only when Idempotent,
	// Transactional or Control is set; otherwise the batch carries -1 for
	// each, as a plain producer's batch does.
	ProducerID    int64
	ProducerEpoch int16
	BaseSequence  int32
	Idempotent    bool
	Transactional bool
	Control       bool
	// Codec compresses the records section; Level is the codec's level (0
	// for its default).
	Codec compress.Codec
	Level int
	// BaseTimestamp is the batch's base timestamp in milliseconds; records
	// store deltas from it. Zero means the first appended record's
	// timestamp.
	BaseTimestamp int64
}

// A BatchBuilder encodes a record batch (magic 2) on the producer's hot path:
// Append writes each record straight into a buffer the builder keeps, so once
// that buffer has grown, appending and building allocate nothing (beyond
// what a codec allocates). The zero value is ready for Reset.
//
//	b.Reset(protocol.BatchOptions{Codec: compress.Zstd})
//	for _, m := range msgs {
//		b.Append(m.TimestampMs, m.Key, m.Value, nil)
//	}
//	batch, err := b.Build(buf[:0]) // appends the finished batch to buf[:0]
type BatchBuilder struct {
	opts   BatchOptions
	buf    []byte // room for the batch header, then the uncompressed records
	out    []byte // Finish's compressed batch
	count  int
	baseTs int64
	maxTs  int64
}

// records returns the records section of buf.
func (bb *BatchBuilder) records() []byte {
	if len(bb.buf) < batchHeaderSize {
		return nil
	}
	return bb.buf[batchHeaderSize:]
}

// Reset empties the builder and sets the options of the next batch, keeping
// its buffer.
func (bb *BatchBuilder) Reset(opts BatchOptions) {
	bb.opts = opts
	bb.buf = bb.buf[:0]
	bb.count = 0
	bb.baseTs = opts.BaseTimestamp
	bb.maxTs = opts.BaseTimestamp
}

// SetProducer sets the idempotent producer fields of the batch being
// built, which a producer may learn only after the records are appended
// (and may change between retries, when its epoch is bumped).
func (bb *BatchBuilder) SetProducer(producerID int64, epoch int16, baseSequence int32) {
	bb.opts.Idempotent = true
	bb.opts.ProducerID, bb.opts.ProducerEpoch, bb.opts.BaseSequence = producerID, epoch, baseSequence
}

// Len returns how many records have been appended.
func (bb *BatchBuilder) Len() int { return bb.count }

// EstimatedSize returns the size of the batch if built now without
// compression, an upper bound for a compressed batch in practice.
func (bb *BatchBuilder) EstimatedSize() int { return batchHeaderSize + len(bb.records()) }

// RecordSize returns how many bytes Append would add for a record (before
// compression), so a producer can check a size limit before appending.
func (bb *BatchBuilder) RecordSize(timestampMs int64, key, value []byte, headers []RecordHeader) int {
	base := bb.baseTs
	if bb.count == 0 && bb.opts.BaseTimestamp == 0 {
		base = timestampMs
	}
	size := bodySize(timestampMs-base, int64(bb.count), key, value, headers)
	return varintLen(int64(size)) + size
}

func bodySize(tsDelta, offDelta int64, key, value []byte, headers []RecordHeader) int {
	return 1 + varintLen(tsDelta) + varintLen(offDelta) + varBytesLen(key) + varBytesLen(value) + headersSize(headers)
}

// headersSize returns the encoded size of headers with their count.
func headersSize(headers []RecordHeader) int {
	size := varintLen(int64(len(headers)))
	for i := range headers {
		k := len(headers[i].Key)
		size += varintLen(int64(k)) + k + varBytesLen(headers[i].Value)
	}
	return size
}

// Grow makes room for n bytes of batch (header and records) without a
// later reallocation, so that a producer that knows its batch size can
// size the buffer once instead of growing it by doubling.
func (bb *BatchBuilder) Grow(n int) {
	if n > cap(bb.buf) {
		bb.buf = slices.Grow(bb.buf, n-len(bb.buf))
	}
}

// Cap returns how many bytes of batch the buffer holds without growing.
func (bb *BatchBuilder) Cap() int { return cap(bb.buf) }

// Append adds a record with the given create time in milliseconds, key,
// value and headers, and returns how many bytes it added (what RecordSize
// would have said). A nil key or value is written as null; a header key is
// never null (nil is written as empty). The arguments are copied.
func (bb *BatchBuilder) Append(timestampMs int64, key, value []byte, headers []RecordHeader) int {
	if bb.count == 0 {
		if bb.opts.BaseTimestamp == 0 {
			bb.baseTs = timestampMs
		}
		bb.maxTs = timestampMs
	} else if timestampMs > bb.maxTs {
		bb.maxTs = timestampMs
	}
	tsDelta := timestampMs - bb.baseTs
	offDelta := int64(bb.count)
	keyLen, valueLen := int64(-1), int64(-1) // null
	if key != nil {
		keyLen = int64(len(key))
	}
	if value != nil {
		valueLen = int64(len(value))
	}
	// Attributes, deltas, key, value and, without headers, a zero count.
	size := 2 + varintLen(tsDelta) + varintLen(offDelta) + varintLen(keyLen) + len(key) + varintLen(valueLen) + len(value)
	if len(headers) > 0 {
		size += headersSize(headers) - 1
	}

	// Grow once, then write with plain indexing. The buffer starts with
	// room for the header, which Finish fills in place.
	if len(bb.buf) == 0 {
		bb.buf = append(bb.buf, make([]byte, batchHeaderSize)...)
	}
	n := len(bb.buf)
	bb.buf = slices.Grow(bb.buf, 5+size)
	p := bb.buf[:n+5+size]
	i := putVarint(p, n, int64(size))
	p[i] = 0 // attributes
	i = putVarint(p, i+1, tsDelta)
	i = putVarint(p, i, offDelta)
	i = putVarint(p, i, keyLen)
	i += copy(p[i:], key)
	i = putVarint(p, i, valueLen)
	i += copy(p[i:], value)
	if len(headers) == 0 {
		p[i] = 0
		i++
	} else {
		i = putHeaders(p, i, headers)
	}
	bb.buf = p[:i]
	bb.count++
	return i - n
}

// putVarint writes v zigzag-encoded at p[i:], which must have room, and
// returns the index after it.
func putVarint(p []byte, i int, v int64) int {
	u := uint64(v<<1) ^ uint64(v>>63)
	if u < 0x80 {
		p[i] = byte(u)
		return i + 1
	}
	return putUvarintSlow(p, i, u)
}

func putUvarintSlow(p []byte, i int, u uint64) int {
	for u >= 0x80 {
		p[i] = byte(u) | 0x80
		u >>= 7
		i++
	}
	p[i] = byte(u)
	return i + 1
}

// putHeaders writes headers with their count at p[i:].
func putHeaders(p []byte, i int, headers []RecordHeader) int {
	i = putVarint(p, i, int64(len(headers)))
	for h := range headers {
		k := headers[h].Key
		i = putVarint(p, i, int64(len(k)))
		i += copy(p[i:], k)
		i = putVarBytes(p, i, headers[h].Value)
	}
	return i
}

// putVarBytes writes b with its varint length (nil as -1) at p[i:].
func putVarBytes(p []byte, i int, b []byte) int {
	if b == nil {
		p[i] = 1
		return i + 1
	}
	i = putVarint(p, i, int64(len(b)))
	return i + copy(p[i:], b)
}

// Build appends the finished batch to dst: header (LastOffsetDelta, max
// timestamp, record count, length, CRC-32C) and the records, compressed
// when a codec is set. The builder is left as it is; Reset starts the next
// batch. A batch needs at least one record.
func (bb *BatchBuilder) Build(dst []byte) ([]byte, error) {
	if err := bb.check(); err != nil {
		return dst, err
	}
	start := len(dst)
	recs := bb.records()
	if bb.opts.Codec == compress.None {
		dst = slices.Grow(dst, batchHeaderSize+len(recs))
	}
	dst = bb.appendHeader(dst)
	if bb.opts.Codec != compress.None {
		var err error
		if dst, err = compress.Compress(dst, recs, bb.opts.Codec, bb.opts.Level); err != nil {
			return dst[:start], fmt.Errorf("protocol: encode: compressing record batch: %w", err)
		}
		return finishBatch(dst, start)
	}
	// Copy the records and checksum them chunk by chunk while each chunk is
	// still in cache: the CRC covers the header from the attributes on, then
	// the records.
	crc := crc32.Update(0, crc32c, dst[start+batchAttrOffset:])
	for rest := recs; len(rest) > 0; {
		chunk := rest[:min(len(rest), crcChunk)]
		dst = append(dst, chunk...)
		crc = crc32.Update(crc, crc32c, dst[len(dst)-len(chunk):])
		rest = rest[len(chunk):]
	}
	batch := dst[start:]
	binary.BigEndian.PutUint32(batch[8:], uint32(len(batch)-logOverhead))
	binary.BigEndian.PutUint32(batch[batchCRCOffset:], crc)
	return dst, nil
}

// Finish is Build into the builder's own memory: without a codec it writes
// the header in front of the records, where Append left room, so the
// records are not copied again. The batch returned stays valid until the
// next Reset or Append; Finish may be called again (after SetProducer, say)
// and rebuilds it.
func (bb *BatchBuilder) Finish() ([]byte, error) {
	if bb.opts.Codec != compress.None {
		out, err := bb.Build(bb.out[:0])
		bb.out = out
		return out, err
	}
	if err := bb.check(); err != nil {
		return nil, err
	}
	bb.appendHeader(bb.buf[:0]) // overwrites the room left for it
	binary.BigEndian.PutUint32(bb.buf[8:], uint32(len(bb.buf)-logOverhead))
	binary.BigEndian.PutUint32(bb.buf[batchCRCOffset:], crc32.Checksum(bb.buf[batchAttrOffset:], crc32c))
	return bb.buf, nil
}

// check refuses batches Kafka cannot take.
func (bb *BatchBuilder) check() error {
	if bb.count == 0 {
		return fmt.Errorf("protocol: encode: empty record batch")
	}
	if bb.count-1 > math.MaxInt32 {
		return fmt.Errorf("protocol: encode: %d records in one batch", bb.count)
	}
	if len(bb.records()) > math.MaxInt32-batchLengthMinimum {
		return fmt.Errorf("protocol: encode: record batch of %d bytes is too large", len(bb.records()))
	}
	return nil
}

// appendHeader appends the batch header, with zero length and CRC.
func (bb *BatchBuilder) appendHeader(dst []byte) []byte {
	o := &bb.opts
	attrs := int16(o.Codec) & BatchCodecMask
	pid, epoch, seq := int64(-1), int16(-1), int32(-1)
	if o.Transactional {
		attrs |= BatchTransactional
	}
	if o.Control {
		attrs |= BatchControl
	}
	if o.Idempotent || o.Transactional || o.Control {
		pid, epoch, seq = o.ProducerID, o.ProducerEpoch, o.BaseSequence
	}
	dst = binary.BigEndian.AppendUint64(dst, uint64(o.BaseOffset))
	dst = binary.BigEndian.AppendUint32(dst, 0)          // length, filled later
	dst = binary.BigEndian.AppendUint32(dst, 0xffffffff) // partition leader epoch: -1
	dst = append(dst, 2, 0, 0, 0, 0)                     // magic and CRC
	dst = binary.BigEndian.AppendUint16(dst, uint16(attrs))
	dst = binary.BigEndian.AppendUint32(dst, uint32(bb.count-1))
	dst = binary.BigEndian.AppendUint64(dst, uint64(bb.baseTs))
	dst = binary.BigEndian.AppendUint64(dst, uint64(bb.maxTs))
	dst = binary.BigEndian.AppendUint64(dst, uint64(pid))
	dst = binary.BigEndian.AppendUint16(dst, uint16(epoch))
	dst = binary.BigEndian.AppendUint32(dst, uint32(seq))
	return binary.BigEndian.AppendUint32(dst, uint32(bb.count))
}
