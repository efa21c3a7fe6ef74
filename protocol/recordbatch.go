package protocol

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"
	"unsafe"

	"github.com/gokafka/kafka/protocol/compress"
)

// Bits of a record batch's Attributes. Legacy messages (magic 0 and 1) use
// the same positions for the codec and the timestamp type.
const (
	BatchCodecMask     = 0x07 // bits 0-2: the compression codec
	BatchLogAppendTime = 0x08 // bit 3: timestamps are the broker's log append time
	BatchTransactional = 0x10 // bit 4: the batch belongs to a transaction
	BatchControl       = 0x20 // bit 5: the batch holds a control record
	BatchDeleteHorizon = 0x40 // bit 6: BaseTimestamp is the delete horizon set by compaction
)

// DefaultMaxDecompressedSize is the decompressed size limit for one batch
// when [DecodeOptions.MaxDecompressedSize] is zero.
const DefaultMaxDecompressedSize = 64 << 20

// Layout of a record batch (magic 2) header. The 12 bytes of offset and
// length are common to every format ("log overhead"); the magic byte sits at
// the same place in all of them.
const (
	logOverhead        = 12
	magicOffset        = 16
	batchCRCOffset     = 17
	batchAttrOffset    = 21
	batchHeaderSize    = 61 // up to and including the record count
	batchLengthMinimum = batchHeaderSize - logOverhead
	minRecordSize      = 7 // length, attributes, timestamp, offset, key, value, header count
)

var crc32c = crc32.MakeTable(crc32.Castagnoli)

// DecodeOptions controls [RecordBatch.Decode] and [RecordSetReader].
type DecodeOptions struct {
	// MaxDecompressedSize caps the decompressed size of one batch's records
	// (or of one legacy wrapper's inner message set); larger data is an
	// error. Zero means DefaultMaxDecompressedSize. Decoded records take up
	// to about 14 bytes of memory per decompressed byte.
	MaxDecompressedSize int
	// SkipCRC skips checksum verification.
	SkipCRC bool
}

func (o *DecodeOptions) maxDecompressed() int {
	if o.MaxDecompressedSize > 0 {
		return o.MaxDecompressedSize
	}
	return DefaultMaxDecompressedSize
}

// A RecordBatch is a batch of records: a record batch (magic 2) as Kafka
// 0.11 and later store and send it, or a legacy message (magic 0 or 1)
// presented in the same shape (see [RecordBatch.Decode]).
//
// A RecordBatch keeps buffers between decodes: decoding into the same value
// again allocates nothing once its buffers have grown to fit. Record keys,
// values and headers alias the decoded bytes or the batch's decompression
// buffer, so they stay valid only until the next Decode on the same
// RecordBatch (and while the decoded bytes are not reused).
type RecordBatch struct {
	BaseOffset           int64
	BatchLength          int32 // bytes after this field; set by decoding, computed when encoding
	PartitionLeaderEpoch int32
	Magic                int8
	CRC                  uint32 // CRC-32C over Attributes..end (CRC-32 IEEE for magic 0 and 1)
	Attributes           int16
	LastOffsetDelta      int32
	BaseTimestamp        int64
	MaxTimestamp         int64
	ProducerID           int64
	ProducerEpoch        int16
	BaseSequence         int32
	Records              []Record

	buf     []byte         // decompressed records, reused
	headers []RecordHeader // backing store for every record's Headers, reused
}

// A Record is one record of a [RecordBatch]. Its offset and timestamp are
// deltas from the batch's; see [Record.Offset] and [Record.Timestamp].
type Record struct {
	Attributes     int8 // unused by Kafka so far
	TimestampDelta int64
	OffsetDelta    int32
	Key            []byte // nil is null
	Value          []byte // nil is null
	Headers        []RecordHeader
}

// A RecordHeader is a record header. The key is kept as bytes so that
// decoding never allocates a string; Value nil is null.
type RecordHeader struct {
	Key   []byte
	Value []byte
}

// Codec returns the batch's compression codec.
func (b *RecordBatch) Codec() compress.Codec { return compress.Codec(b.Attributes & BatchCodecMask) }

// LogAppendTime reports whether the batch's timestamps are the broker's log
// append time (MaxTimestamp) rather than the producer's create time.
func (b *RecordBatch) LogAppendTime() bool { return b.Attributes&BatchLogAppendTime != 0 }

// Transactional reports whether the batch belongs to a transaction.
func (b *RecordBatch) Transactional() bool { return b.Attributes&BatchTransactional != 0 }

// Control reports whether the batch is a control batch (transaction markers),
// which consumers do not hand to applications.
func (b *RecordBatch) Control() bool { return b.Attributes&BatchControl != 0 }

// DeleteHorizonSet reports whether BaseTimestamp holds compaction's delete
// horizon.
func (b *RecordBatch) DeleteHorizonSet() bool { return b.Attributes&BatchDeleteHorizon != 0 }

// Detach makes the batch forget its reused decompression buffer, so that
// the records decoded into it stay valid after the batch is decoded into
// again; the next compressed batch then gets a buffer of its own.
func (b *RecordBatch) Detach() { b.buf = nil }

// LastOffset returns the offset of the batch's last record as written by the
// producer; compaction may have removed that record, but the batch still
// covers its offset.
func (b *RecordBatch) LastOffset() int64 { return b.BaseOffset + int64(b.LastOffsetDelta) }

// NextOffset returns the offset following the batch: where to fetch next.
func (b *RecordBatch) NextOffset() int64 { return b.LastOffset() + 1 }

// Offset returns the record's absolute offset within batch b.
func (r *Record) Offset(b *RecordBatch) int64 { return b.BaseOffset + int64(r.OffsetDelta) }

// Timestamp returns the record's timestamp in milliseconds within batch b:
// the batch's MaxTimestamp for a LogAppendTime batch, otherwise the create
// time. Magic 0 messages have no timestamp (-1).
func (r *Record) Timestamp(b *RecordBatch) int64 {
	if b.LogAppendTime() {
		return b.MaxTimestamp
	}
	return b.BaseTimestamp + r.TimestampDelta
}

// Control record types (the key of a control record).
const (
	ControlAbort  int16 = 0
	ControlCommit int16 = 1
)

// ParseControlKey decodes the key of a control record: a version and a type
// ([ControlAbort], [ControlCommit], or a newer type).
func ParseControlKey(key []byte) (version, typ int16, err error) {
	if len(key) < 4 {
		return 0, 0, &DecodeError{Offset: 0, What: fmt.Sprintf("control record key of %d bytes, need 4", len(key))}
	}
	return int16(binary.BigEndian.Uint16(key)), int16(binary.BigEndian.Uint16(key[2:])), nil
}

func malformed(off int, format string, args ...any) error {
	return &DecodeError{Offset: off, What: fmt.Sprintf(format, args...)}
}

// Decode decodes one batch from the start of data and returns how many bytes
// it took. The magic byte chooses the format: 2 is a record batch; 0 and 1
// are a legacy message, whose inner messages (when it is a compressed
// wrapper) become the batch's records, with PartitionLeaderEpoch,
// ProducerID, ProducerEpoch and BaseSequence -1 and CRC the message's CRC-32.
//
// The checksum is verified unless opts.SkipCRC; compressed records are
// decompressed into a buffer the batch keeps. Errors wrap [ErrMalformed]
// (and the compress package's error when decompression fails). Data shorter
// than the size the batch declares is an error: [RecordSetReader] tells a
// partial trailing batch from corruption. After an error the batch's fields
// and records are unspecified.
func (b *RecordBatch) Decode(data []byte, opts DecodeOptions) (int, error) {
	if len(data) <= magicOffset {
		return 0, malformed(0, "batch needs at least %d bytes, have %d", magicOffset+1, len(data))
	}
	switch magic := int8(data[magicOffset]); magic {
	case 2:
		return b.decodeV2(data, &opts)
	case 0, 1:
		return b.decodeLegacy(data, &opts)
	default:
		return 0, malformed(magicOffset, "unknown magic %d", magic)
	}
}

func (b *RecordBatch) decodeV2(data []byte, opts *DecodeOptions) (int, error) {
	if len(data) < batchHeaderSize {
		return 0, malformed(0, "record batch header needs %d bytes, have %d", batchHeaderSize, len(data))
	}
	length := int32(binary.BigEndian.Uint32(data[8:]))
	if length < batchLengthMinimum {
		return 0, malformed(8, "record batch length %d is below the minimum %d", length, batchLengthMinimum)
	}
	if int64(length) > int64(len(data)-logOverhead) {
		return 0, malformed(8, "record batch length %d exceeds the %d bytes that remain", length, len(data)-logOverhead)
	}
	data = data[:logOverhead+int(length)]
	crc := binary.BigEndian.Uint32(data[batchCRCOffset:])
	// Uncompressed records are checksummed chunk by chunk just ahead of the
	// parser, which then finds them in cache; compressed ones before they
	// are decompressed.
	var verify *crcVerifier
	if !opts.SkipCRC {
		if data[batchAttrOffset+1]&BatchCodecMask == 0 {
			verify = &crcVerifier{region: data[batchAttrOffset:], lead: batchHeaderSize - batchAttrOffset, want: crc}
		} else if got := crc32.Checksum(data[batchAttrOffset:], crc32c); got != crc {
			return 0, crcMismatch(crc, got)
		}
	}
	b.BaseOffset = int64(binary.BigEndian.Uint64(data))
	b.BatchLength = length
	b.PartitionLeaderEpoch = int32(binary.BigEndian.Uint32(data[12:]))
	b.Magic = 2
	b.CRC = crc
	b.Attributes = int16(binary.BigEndian.Uint16(data[21:]))
	b.LastOffsetDelta = int32(binary.BigEndian.Uint32(data[23:]))
	b.BaseTimestamp = int64(binary.BigEndian.Uint64(data[27:]))
	b.MaxTimestamp = int64(binary.BigEndian.Uint64(data[35:]))
	b.ProducerID = int64(binary.BigEndian.Uint64(data[43:]))
	b.ProducerEpoch = int16(binary.BigEndian.Uint16(data[51:]))
	b.BaseSequence = int32(binary.BigEndian.Uint32(data[53:]))
	count := int32(binary.BigEndian.Uint32(data[57:]))
	b.Records = b.Records[:0]

	records, where := data[batchHeaderSize:], batchHeaderSize
	if codec := compress.Codec(b.Attributes & BatchCodecMask); codec != compress.None {
		if codec > compress.Zstd {
			return 0, malformed(batchAttrOffset, "unknown compression codec %d", codec)
		}
		out, err := compress.Decompress(b.buf[:0], records, codec, opts.maxDecompressed())
		if err != nil {
			return 0, fmt.Errorf("%w: record batch at byte %d: decompressing %v: %w", ErrMalformed, batchHeaderSize, codec, err)
		}
		b.buf = out
		records, where = out, 0
	}
	if count < 0 || int64(count) > int64(len(records)/minRecordSize) {
		if verify != nil && !verify.ok() {
			return 0, verify.err()
		}
		return 0, malformed(57, "record count %d impossible in %d bytes of records", count, len(records))
	}
	err := b.decodeRecords(records, int(count), verify)
	if verify != nil && !verify.ok() {
		return 0, verify.err() // a bad checksum explains any other error
	}
	if err != nil {
		if de, ok := err.(*DecodeError); ok && where != 0 {
			de.Offset += where
		} else if ok {
			de.What += " (in the decompressed records)"
		}
		return 0, err
	}
	return len(data), nil
}

// decodeRecords decodes count records (count already checked against the
// size of p) filling b.Records. It is the decoding hot path: varints of one
// or two bytes, which is nearly all of them, decode inline. When verify is
// set it checksums p as it goes; the caller checks the result.
func (b *RecordBatch) decodeRecords(p []byte, count int, verify *crcVerifier) error {
	recs := b.Records
	if cap(recs) < count {
		// A count is checked against the smallest record (7 bytes), but a
		// Record takes 96 bytes of memory: when the count is large for the
		// bytes, walk the length prefixes first so that a count that lies
		// costs no allocation.
		if count*int(unsafe.Sizeof(Record{})) > preallocRatio*len(p) {
			if at, n, ok := recordsFit(p, count); !ok {
				return recordError(p, at, n, "record length")
			}
		}
		recs = make([]Record, count)
	}
	recs = recs[:count]
	hdrs := b.headers[:0]
	hdrCap := cap(hdrs)
	i := 0
	for n := range recs {
		r := &recs[n]
		u, j := uvarint2(p, i)
		length := zigzag(u)
		if j < 0 {
			length, j = readVarintSlow(p, i)
		}
		if j < 0 || length < minRecordSize-1 || length > int64(len(p)-j) {
			return recordError(p, i, n, "record length")
		}
		end := j + int(length)
		if verify != nil && verify.done < verify.lead+end {
			verify.upTo(end)
		}
		q := p[j:end] // the record's fields may not run past its declared length
		r.Attributes = int8(q[0])
		u, k := uvarint2(q, 1)
		v := zigzag(u)
		if k < 0 {
			if v, k = readVarintSlow(q, 1); k < 0 {
				return recordError(p, end, n, "timestamp delta")
			}
		}
		r.TimestampDelta = v
		k0 := k
		u, k = uvarint2(q, k0)
		v = zigzag(u)
		if k < 0 {
			v, k = readVarintSlow(q, k0)
		}
		if k < 0 || v != int64(int32(v)) {
			return recordError(p, end, n, "offset delta")
		}
		r.OffsetDelta = int32(v)
		// Key and value: readVarBytes, inlined by hand.
		if u, k2 := uvarint2(q, k); k2 >= 0 {
			r.Key, k = takeBytes(q, k2, zigzag(u))
		} else {
			r.Key, k = readVarBytesSlow(q, k)
		}
		if k < 0 {
			return recordError(p, end, n, "key")
		}
		if u, k2 := uvarint2(q, k); k2 >= 0 {
			r.Value, k = takeBytes(q, k2, zigzag(u))
		} else {
			r.Value, k = readVarBytesSlow(q, k)
		}
		if k < 0 {
			return recordError(p, end, n, "value")
		}
		if k == len(q)-1 && q[k] == 0 { // no headers, the usual case
			r.Headers = nil
			i = end
			continue
		}
		u, k2 := uvarint2(q, k)
		hc := zigzag(u)
		if k2 < 0 {
			hc, k2 = readVarintSlow(q, k)
		}
		if k2 < 0 || hc < 0 || hc > int64((len(q)-k2)/2) {
			return recordError(p, j+k, n, "header count")
		}
		k = k2
		r.Headers = nil
		if hc > 0 {
			start := len(hdrs)
			for range hc {
				var h RecordHeader
				if h.Key, k = readVarBytes(q, k); k < 0 || h.Key == nil {
					return recordError(p, end, n, "header key")
				}
				if h.Value, k = readVarBytes(q, k); k < 0 {
					return recordError(p, end, n, "header value")
				}
				hdrs = append(hdrs, h)
			}
			r.Headers = hdrs[start:len(hdrs):len(hdrs)]
		}
		if k != len(q) {
			return malformed(i, "record %d declares %d bytes but its fields take %d", n, length, k)
		}
		i = end
	}
	if i != len(p) {
		return malformed(i, "%d bytes follow the last of %d records", len(p)-i, count)
	}
	if cap(hdrs) != hdrCap {
		// The header store grew while decoding: point every record at the
		// final array so the batch keeps one backing slice.
		k := 0
		for n := range recs {
			if h := len(recs[n].Headers); h > 0 {
				recs[n].Headers = hdrs[k : k+h : k+h]
				k += h
			}
		}
	}
	b.Records, b.headers = recs, hdrs
	return nil
}

// recordsFit reports whether p splits into exactly count records by their
// length prefixes, and if not, at which byte and record it stops fitting.
func recordsFit(p []byte, count int) (at, n int, ok bool) {
	i := 0
	for ; n < count; n++ {
		length, j := readVarintSlow(p, i)
		if j < 0 || length < minRecordSize-1 || length > int64(len(p)-j) {
			return i, n, false
		}
		i = j + int(length)
	}
	return i, n, i == len(p)
}

// A crcVerifier computes a batch's CRC-32C piecewise, a chunk ahead of the
// record parser.
type crcVerifier struct {
	region []byte // the bytes the CRC covers: attributes to the end
	lead   int    // bytes of region before the records
	done   int    // bytes of region checksummed so far
	crc    uint32
	want   uint32
}

// crcChunk is how many bytes are checksummed at a time when the CRC is
// computed alongside parsing or copying: small enough to stay in L1 cache.
const crcChunk = 16 << 10

// upTo checksums the region up to at least the first n bytes of records.
func (v *crcVerifier) upTo(n int) {
	for v.done < v.lead+n && v.done < len(v.region) {
		next := min(v.done+crcChunk, len(v.region))
		v.crc = crc32.Update(v.crc, crc32c, v.region[v.done:next])
		v.done = next
	}
}

// ok finishes the checksum and reports whether it matches.
func (v *crcVerifier) ok() bool {
	v.upTo(len(v.region))
	return v.crc == v.want
}

func (v *crcVerifier) err() error { return crcMismatch(v.want, v.crc) }

func crcMismatch(want, got uint32) error {
	return malformed(batchCRCOffset, "record batch CRC-32C mismatch: batch says %08x, data gives %08x", want, got)
}

func recordError(p []byte, at, n int, what string) error {
	if at < 0 || at > len(p) {
		at = len(p)
	}
	return malformed(at, "record %d: bad or truncated %s", n, what)
}

// uvarint2 decodes a varint of one or two bytes at p[i:]. It returns index
// -1 for anything else (longer, truncated, i out of range), for the caller to
// try readVarintSlow; it is small enough to inline.
func uvarint2(p []byte, i int) (uint64, int) {
	if uint(i) < uint(len(p)) {
		u := uint64(p[i])
		if u < 0x80 {
			return u, i + 1
		}
		if uint(i+1) < uint(len(p)) && p[i+1] < 0x80 {
			return u&0x7f | uint64(p[i+1])<<7, i + 2
		}
	}
	return 0, -1
}

// zigzag decodes a zigzag-encoded value.
func zigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// readVarintSlow reads a zigzag varint at p[i:], returning the value and the
// index after it, or -1 when it is truncated or longer than 10 bytes.
func readVarintSlow(p []byte, i int) (int64, int) {
	if i < 0 || i > len(p) {
		return 0, -1
	}
	u, n := binary.Uvarint(p[i:])
	if n <= 0 {
		return 0, -1
	}
	return zigzag(u), i + n
}

// readVarBytes reads a varint length and that many bytes (aliasing p), -1
// being null. It returns index -1 for a bad length.
func readVarBytes(p []byte, i int) ([]byte, int) {
	u, j := uvarint2(p, i)
	if j < 0 {
		return readVarBytesSlow(p, i)
	}
	return takeBytes(p, j, zigzag(u))
}

func readVarBytesSlow(p []byte, i int) ([]byte, int) {
	n, j := readVarintSlow(p, i)
	if j < 0 {
		return nil, -1
	}
	return takeBytes(p, j, n)
}

// takeBytes returns the n bytes at p[j:] (0 <= j <= len(p)), nil for n = -1,
// and index -1 for any other n that does not fit.
func takeBytes(p []byte, j int, n int64) ([]byte, int) {
	if uint64(n) <= uint64(len(p)-j) {
		e := j + int(n)
		return p[j:e:e], e
	}
	if n == -1 {
		return nil, j
	}
	return nil, -1
}

// finishBatch fills the length and CRC of the batch that starts at
// dst[start:] and runs to the end of dst.
func finishBatch(dst []byte, start int) ([]byte, error) {
	batch := dst[start:]
	if len(batch)-logOverhead > math.MaxInt32 {
		return dst[:start], fmt.Errorf("protocol: encode: record batch of %d bytes is too large", len(batch))
	}
	binary.BigEndian.PutUint32(batch[8:], uint32(len(batch)-logOverhead))
	binary.BigEndian.PutUint32(batch[batchCRCOffset:], crc32.Checksum(batch[batchAttrOffset:], crc32c))
	return dst, nil
}

// varintLen returns the size of v zigzag-encoded.
func varintLen(v int64) int {
	u := uint64(v<<1) ^ uint64(v>>63)
	return int(9*uint32(bits.Len64(u))+64) / 64
}

// varBytesLen returns the size of b with its varint length (nil = -1).
func varBytesLen(b []byte) int {
	if b == nil {
		return 1
	}
	return varintLen(int64(len(b))) + len(b)
}
