package protocol

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/gokafka/kafka/protocol/compress"
)

// Encoders of record batches and legacy message sets that only tests need:
// the producer writes batches with BatchBuilder, and gokafka produces to no
// broker older than 0.11, so these build the inputs of decoding tests and
// re-encode what the fuzz tests decode.

// AppendTo appends the batch in its wire format to dst. Magic 2 writes a
// record batch from the header fields as they are (BaseOffset,
// LastOffsetDelta, timestamps, producer fields, Attributes), computing the
// batch length, record count and CRC, and compressing the records with the
// codec of Attributes at its default level. Magic 0 and 1 write legacy
// messages: a compressed wrapper when Attributes name a codec, otherwise one
// message per record.
func (b *RecordBatch) AppendTo(dst []byte) ([]byte, error) {
	switch b.Magic {
	case 2:
	case 0, 1:
		return b.appendLegacy(dst)
	default:
		return dst, fmt.Errorf("protocol: encode: unknown magic %d", b.Magic)
	}
	if len(b.Records) > math.MaxInt32 {
		return dst, fmt.Errorf("protocol: encode: %d records in one batch", len(b.Records))
	}
	start := len(dst)
	dst = appendBatchHeader(dst, b, int32(len(b.Records)))
	codec := b.Codec()
	var err error
	if codec == compress.None {
		for i := range b.Records {
			dst = appendRecord(dst, &b.Records[i])
		}
	} else {
		var raw []byte
		for i := range b.Records {
			raw = appendRecord(raw, &b.Records[i])
		}
		if dst, err = compress.Compress(dst, raw, codec, 0); err != nil {
			return dst[:start], fmt.Errorf("protocol: encode: compressing record batch: %w", err)
		}
	}
	return finishBatch(dst, start)
}

// appendBatchHeader appends the 61-byte header with a zero length and CRC,
// which finishBatch fills.
func appendBatchHeader(dst []byte, b *RecordBatch, count int32) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(b.BaseOffset))
	dst = binary.BigEndian.AppendUint32(dst, 0)
	dst = binary.BigEndian.AppendUint32(dst, uint32(b.PartitionLeaderEpoch))
	dst = append(dst, 2, 0, 0, 0, 0)
	dst = binary.BigEndian.AppendUint16(dst, uint16(b.Attributes))
	dst = binary.BigEndian.AppendUint32(dst, uint32(b.LastOffsetDelta))
	dst = binary.BigEndian.AppendUint64(dst, uint64(b.BaseTimestamp))
	dst = binary.BigEndian.AppendUint64(dst, uint64(b.MaxTimestamp))
	dst = binary.BigEndian.AppendUint64(dst, uint64(b.ProducerID))
	dst = binary.BigEndian.AppendUint16(dst, uint16(b.ProducerEpoch))
	dst = binary.BigEndian.AppendUint32(dst, uint32(b.BaseSequence))
	return binary.BigEndian.AppendUint32(dst, uint32(count))
}

// appendRecord appends one record (length-prefixed).
func appendRecord(dst []byte, r *Record) []byte {
	size := 1 + varintLen(r.TimestampDelta) + varintLen(int64(r.OffsetDelta)) +
		varBytesLen(r.Key) + varBytesLen(r.Value) + varintLen(int64(len(r.Headers)))
	for i := range r.Headers {
		size += varBytesLen(r.Headers[i].Key) + varBytesLen(r.Headers[i].Value)
	}
	dst = appendVarint(dst, int64(size))
	dst = append(dst, byte(r.Attributes))
	dst = appendVarint(dst, r.TimestampDelta)
	dst = appendVarint(dst, int64(r.OffsetDelta))
	dst = appendVarBytes(dst, r.Key)
	dst = appendVarBytes(dst, r.Value)
	dst = appendVarint(dst, int64(len(r.Headers)))
	for i := range r.Headers {
		h := &r.Headers[i]
		if h.Key == nil {
			dst = appendVarint(dst, 0) // header keys are never null
		} else {
			dst = appendVarBytes(dst, h.Key)
		}
		dst = appendVarBytes(dst, h.Value)
	}
	return dst
}

// appendVarint appends v zigzag-encoded.
func appendVarint(dst []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	if u < 0x80 {
		return append(dst, byte(u))
	}
	return binary.AppendUvarint(dst, u)
}

// appendVarBytes appends b with its varint length, nil as null (-1).
func appendVarBytes(dst, b []byte) []byte {
	if b == nil {
		return append(dst, 1) // zigzag(-1)
	}
	dst = appendVarint(dst, int64(len(b)))
	return append(dst, b...)
}

// appendLegacy writes b (magic 0 or 1) as legacy messages: see AppendTo.
func (b *RecordBatch) appendLegacy(dst []byte) ([]byte, error) {
	var attrs int8
	if b.Magic == 1 {
		attrs = int8(b.Attributes & BatchLogAppendTime)
	}
	codec := b.Codec()
	if codec == compress.None {
		for i := range b.Records {
			r := &b.Records[i]
			m := LegacyMessage{Offset: r.Offset(b), Magic: b.Magic, Attributes: attrs, Timestamp: r.Timestamp(b), Key: r.Key, Value: r.Value}
			var err error
			if dst, err = m.AppendTo(dst); err != nil {
				return dst, err
			}
		}
		return dst, nil
	}
	if len(b.Records) == 0 {
		return dst, fmt.Errorf("protocol: encode: compressed legacy message with no records")
	}
	var w MessageSetBuilder
	w.Reset(MessageSetOptions{Magic: b.Magic, Codec: codec, BaseOffset: b.BaseOffset})
	for i := range b.Records {
		r := &b.Records[i]
		w.appendAt(r.Offset(b), b.BaseTimestamp+r.TimestampDelta, r.Key, r.Value)
	}
	w.lastOffset = b.Records[len(b.Records)-1].Offset(b)
	w.maxTimestamp = b.MaxTimestamp
	w.wrapperAttrs = attrs
	return w.Build(dst)
}

// MessageSetOptions configures a [MessageSetBuilder].
type MessageSetOptions struct {
	Magic      int8           // 0 or 1
	Codec      compress.Codec // None, Gzip, Snappy or LZ4 (legacy messages cannot use Zstd)
	Level      int            // compression level, 0 for the codec's default
	BaseOffset int64          // offset of the first message; producers use 0
}

// A MessageSetBuilder builds a legacy message set (magic 0 or 1) for brokers
// older than Kafka 0.11: uncompressed messages, or one compressed wrapper
// whose inner offsets are relative (magic 1) or absolute (magic 0). Like
// [BatchBuilder] it writes messages straight into a reused buffer.
type MessageSetBuilder struct {
	opts         MessageSetOptions
	buf          []byte
	count        int
	lastOffset   int64
	maxTimestamp int64
	wrapperAttrs int8
}

// Reset empties the builder and sets its options, keeping its buffer.
func (w *MessageSetBuilder) Reset(opts MessageSetOptions) {
	*w = MessageSetBuilder{opts: opts, buf: w.buf[:0], maxTimestamp: -1}
}

// Append adds a message; the timestamp is ignored at magic 0. Nil key or
// value is null.
func (w *MessageSetBuilder) Append(timestampMs int64, key, value []byte) {
	off := w.opts.BaseOffset + int64(w.count)
	w.appendAt(off, timestampMs, key, value)
	w.lastOffset = off
}

// appendAt writes a message with absolute offset off; inner offsets of a
// magic 1 wrapper are written relative to the base offset.
func (w *MessageSetBuilder) appendAt(off, ts int64, key, value []byte) {
	if w.opts.Codec != compress.None && w.opts.Magic == 1 {
		off -= w.opts.BaseOffset
	}
	if w.count == 0 || ts > w.maxTimestamp {
		w.maxTimestamp = ts
	}
	start := len(w.buf)
	w.buf = appendLegacyHeader(w.buf, off, w.opts.Magic, 0, ts)
	w.buf = appendLegacyBytes(w.buf, key)
	w.buf = appendLegacyBytes(w.buf, value)
	finishLegacy(w.buf[start:])
	w.count++
}

// Build appends the message set to dst: the messages themselves, or one
// wrapper message holding them compressed, whose offset is the last
// message's and whose timestamp (magic 1) is the largest.
func (w *MessageSetBuilder) Build(dst []byte) ([]byte, error) {
	magic := w.opts.Magic
	if magic != 0 && magic != 1 {
		return dst, fmt.Errorf("protocol: encode: legacy message set magic %d", magic)
	}
	if w.opts.Codec == compress.None {
		return append(dst, w.buf...), nil
	}
	if w.opts.Codec > compress.LZ4 {
		return dst, fmt.Errorf("protocol: encode: codec %d is not allowed in a magic %d message set", w.opts.Codec, magic)
	}
	if w.count == 0 {
		return dst, fmt.Errorf("protocol: encode: empty compressed message set")
	}
	start := len(dst)
	ts := int64(-1)
	if magic == 1 {
		ts = w.maxTimestamp
	}
	dst = appendLegacyHeader(dst, w.lastOffset, magic, int8(w.opts.Codec)|w.wrapperAttrs, ts)
	dst = binary.BigEndian.AppendUint32(dst, math.MaxUint32) // null key
	valueAt := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	var err error
	if w.opts.Codec == compress.LZ4 && magic == 0 {
		dst, err = compress.CompressLegacyLZ4(dst, w.buf)
	} else {
		dst, err = compress.Compress(dst, w.buf, w.opts.Codec, w.opts.Level)
	}
	if err != nil {
		return dst[:start], fmt.Errorf("protocol: encode: compressing message set: %w", err)
	}
	if len(dst)-start-logOverhead > math.MaxInt32 {
		return dst[:start], fmt.Errorf("protocol: encode: compressed message set too large")
	}
	binary.BigEndian.PutUint32(dst[valueAt:], uint32(len(dst)-valueAt-4))
	finishLegacy(dst[start:])
	return dst, nil
}
