package protocol

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/gokafka/kafka/protocol/compress"
)

// Legacy message sets (magic 0 and 1), as written before Kafka 0.11: a
// sequence of entries, each an offset (int64), a message size (int32) and a
// message: CRC (CRC-32 IEEE over magic..end), magic, attributes (bits 0-2
// codec, bit 3 timestamp type from magic 1), timestamp (magic 1 only), key
// and value (int32 length, -1 null). A compressed message, the wrapper,
// holds a whole inner message set in its value.

const (
	legacyMinSizeV0 = 4 + 1 + 1 + 4 + 4 // crc, magic, attributes, key and value lengths
	legacyMinSizeV1 = legacyMinSizeV0 + 8
)

// A LegacyMessage is one entry of a legacy message set as it is on the wire.
// [RecordBatch.Decode] and [RecordSetReader] present legacy messages as
// record batches; this type gives access to the raw message.
type LegacyMessage struct {
	Offset     int64 // absolute, or relative inside a magic 1 wrapper
	CRC        uint32
	Magic      int8
	Attributes int8
	Timestamp  int64  // magic 1 only; -1 when decoding magic 0
	Key        []byte // nil is null
	Value      []byte // nil is null
}

// Codec returns the message's compression codec.
func (m *LegacyMessage) Codec() compress.Codec { return compress.Codec(m.Attributes & BatchCodecMask) }

// Decode decodes one message set entry from the start of data, verifying its
// CRC unless skipCRC, and returns how many bytes it took. Key and Value
// alias data. Errors wrap [ErrMalformed].
func (m *LegacyMessage) Decode(data []byte, skipCRC bool) (int, error) {
	if len(data) < logOverhead {
		return 0, malformed(0, "message set entry needs %d bytes, have %d", logOverhead, len(data))
	}
	size := int32(binary.BigEndian.Uint32(data[8:]))
	if size < legacyMinSizeV0 {
		return 0, malformed(8, "message size %d is below the minimum %d", size, legacyMinSizeV0)
	}
	if int64(size) > int64(len(data)-logOverhead) {
		return 0, malformed(8, "message size %d exceeds the %d bytes that remain", size, len(data)-logOverhead)
	}
	n := logOverhead + int(size)
	msg := data[:n]
	m.Offset = int64(binary.BigEndian.Uint64(msg))
	m.CRC = binary.BigEndian.Uint32(msg[12:])
	m.Magic = int8(msg[magicOffset])
	m.Attributes = int8(msg[17])
	i := 18
	switch m.Magic {
	case 0:
		m.Timestamp = -1
	case 1:
		if size < legacyMinSizeV1 {
			return 0, malformed(8, "magic 1 message size %d is below the minimum %d", size, legacyMinSizeV1)
		}
		m.Timestamp = int64(binary.BigEndian.Uint64(msg[i:]))
		i += 8
	default:
		return 0, malformed(magicOffset, "magic %d in a legacy message set", m.Magic)
	}
	if !skipCRC {
		if got := crc32.ChecksumIEEE(msg[magicOffset:]); got != m.CRC {
			return 0, malformed(12, "message CRC-32 mismatch: message says %08x, data gives %08x", m.CRC, got)
		}
	}
	var ok bool
	if m.Key, i, ok = readLegacyBytes(msg, i); !ok {
		return 0, malformed(i, "bad message key length")
	}
	if m.Value, i, ok = readLegacyBytes(msg, i); !ok {
		return 0, malformed(i, "bad message value length")
	}
	if i != n {
		return 0, malformed(8, "message size %d but its fields take %d", size, i-logOverhead)
	}
	return n, nil
}

// readLegacyBytes reads an int32 length and that many bytes, -1 being null.
func readLegacyBytes(p []byte, i int) ([]byte, int, bool) {
	if len(p)-i < 4 {
		return nil, i, false
	}
	n := int32(binary.BigEndian.Uint32(p[i:]))
	i += 4
	if n < -1 || int64(n) > int64(len(p)-i) {
		return nil, i - 4, false
	}
	if n < 0 {
		return nil, i, true
	}
	e := i + int(n)
	return p[i:e:e], e, true
}

// AppendTo appends the message as a message set entry, computing its size
// and CRC (m.CRC is ignored).
func (m *LegacyMessage) AppendTo(dst []byte) ([]byte, error) {
	if m.Magic != 0 && m.Magic != 1 {
		return dst, fmt.Errorf("protocol: encode: legacy message magic %d", m.Magic)
	}
	if len(m.Key) > math.MaxInt32-legacyMinSizeV1 || len(m.Value) > math.MaxInt32-legacyMinSizeV1-len(m.Key) {
		return dst, fmt.Errorf("protocol: encode: legacy message too large")
	}
	start := len(dst)
	dst = appendLegacyHeader(dst, m.Offset, m.Magic, m.Attributes, m.Timestamp)
	dst = appendLegacyBytes(dst, m.Key)
	dst = appendLegacyBytes(dst, m.Value)
	finishLegacy(dst[start:])
	return dst, nil
}

// appendLegacyHeader appends offset, a zero size and CRC, magic, attributes
// and, for magic 1, the timestamp.
func appendLegacyHeader(dst []byte, offset int64, magic, attrs int8, ts int64) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(offset))
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0, byte(magic), byte(attrs))
	if magic == 1 {
		dst = binary.BigEndian.AppendUint64(dst, uint64(ts))
	}
	return dst
}

func appendLegacyBytes(dst, b []byte) []byte {
	if b == nil {
		return binary.BigEndian.AppendUint32(dst, math.MaxUint32) // -1
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(b)))
	return append(dst, b...)
}

// finishLegacy fills the size and CRC of the entry msg.
func finishLegacy(msg []byte) {
	binary.BigEndian.PutUint32(msg[8:], uint32(len(msg)-logOverhead))
	binary.BigEndian.PutUint32(msg[12:], crc32.ChecksumIEEE(msg[magicOffset:]))
}

// decodeLegacy decodes one legacy message into b: an uncompressed message
// becomes a one-record batch, a wrapper a batch of its inner messages.
func (b *RecordBatch) decodeLegacy(data []byte, opts *DecodeOptions) (int, error) {
	var m LegacyMessage
	n, err := m.Decode(data, opts.SkipCRC)
	if err != nil {
		return 0, err
	}
	attrMask := int16(BatchCodecMask)
	if m.Magic == 1 {
		attrMask |= BatchLogAppendTime
	}
	b.BatchLength = int32(n - logOverhead)
	b.PartitionLeaderEpoch = -1
	b.Magic = m.Magic
	b.CRC = m.CRC
	b.Attributes = int16(m.Attributes) & attrMask
	b.ProducerID, b.ProducerEpoch, b.BaseSequence = -1, -1, -1
	b.MaxTimestamp = m.Timestamp
	b.Records = b.Records[:0]

	codec := m.Codec()
	if codec == compress.None {
		b.BaseOffset = m.Offset
		b.LastOffsetDelta = 0
		b.BaseTimestamp = m.Timestamp
		if cap(b.Records) < 1 {
			b.Records = make([]Record, 1, 4)
		}
		b.Records = b.Records[:1]
		b.Records[0] = Record{Key: m.Key, Value: m.Value}
		return n, nil
	}
	if codec > compress.LZ4 {
		return 0, malformed(17, "codec %d in a magic %d message", codec, m.Magic)
	}
	if m.Value == nil {
		return 0, malformed(17, "compressed message with a null value")
	}
	inner, err := compress.Decompress(b.buf[:0], m.Value, codec, opts.maxDecompressed())
	if err != nil {
		return 0, fmt.Errorf("%w: decompressing a magic %d message (codec %d): %w", ErrMalformed, m.Magic, codec, err)
	}
	b.buf = inner
	if err := b.decodeInner(inner, &m, opts); err != nil {
		if de, ok := err.(*DecodeError); ok {
			de.What += " (in a wrapper's decompressed message set)"
		}
		return 0, err
	}
	return n, nil
}

// decodeInner decodes the inner message set of wrapper w into b.Records.
func (b *RecordBatch) decodeInner(inner []byte, w *LegacyMessage, opts *DecodeOptions) error {
	// First pass: count the entries and find the last one's offset, which
	// turns magic 1 relative offsets into absolute ones.
	count, lastRel := 0, int64(0)
	for i := 0; i < len(inner); count++ {
		if len(inner)-i < logOverhead {
			return malformed(i, "truncated inner message")
		}
		size := int32(binary.BigEndian.Uint32(inner[i+8:]))
		if size < legacyMinSizeV0 || int64(size) > int64(len(inner)-i-logOverhead) {
			return malformed(i+8, "inner message size %d with %d bytes left", size, len(inner)-i-logOverhead)
		}
		lastRel = int64(binary.BigEndian.Uint64(inner[i:]))
		i += logOverhead + int(size)
	}
	if count == 0 {
		return malformed(0, "compressed message with no inner messages")
	}
	base := int64(0) // added to inner offsets: 0 for magic 0, whose inner offsets are absolute
	if w.Magic == 1 && w.Offset != 0 {
		// A wrapper offset of 0 comes from some producers; offsets stay relative.
		if w.Offset < lastRel {
			return malformed(0, "wrapper offset %d is below its last inner offset %d", w.Offset, lastRel)
		}
		base = w.Offset - lastRel
	}
	recs := b.Records
	if cap(recs) < count {
		recs = make([]Record, count)
	}
	recs = recs[:count]
	var m LegacyMessage
	for i, k := 0, 0; k < count; k++ {
		n, err := m.Decode(inner[i:], opts.SkipCRC)
		if err != nil {
			if de, ok := err.(*DecodeError); ok {
				de.Offset += i
			}
			return err
		}
		if m.Magic != w.Magic {
			return malformed(i+magicOffset, "inner message magic %d differs from the wrapper's %d", m.Magic, w.Magic)
		}
		if m.Attributes&BatchCodecMask != 0 {
			return malformed(i+17, "inner message is compressed (codec %d)", m.Attributes&BatchCodecMask)
		}
		abs := base + m.Offset
		if k == 0 {
			b.BaseOffset = abs
			b.BaseTimestamp = m.Timestamp
		}
		delta := abs - b.BaseOffset
		if delta != int64(int32(delta)) {
			return malformed(i, "inner offset %d is too far from the first, %d", abs, b.BaseOffset)
		}
		recs[k] = Record{TimestampDelta: m.Timestamp - b.BaseTimestamp, OffsetDelta: int32(delta), Key: m.Key, Value: m.Value}
		i += n
	}
	b.Records = recs
	b.LastOffsetDelta = recs[count-1].OffsetDelta
	return nil
}
