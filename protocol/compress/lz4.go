package compress

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/pierrec/lz4/v4"
)

// LZ4 frame format constants (lz4_Frame_format.md).
const (
	lz4Magic        = 0x184D2204
	lz4FlagDictID   = 1 << 0 // FLG bit 0
	lz4FlagSize     = 1 << 3
	lz4FlagBlockSum = 1 << 4
	lz4Uncompressed = 1 << 31 // high bit of a block size: stored as is
	lz4MaxRatio     = 255     // a match length byte encodes at most 255 bytes
)

// lz4Encoder is a pooled lz4 frame writer together with the writer it
// appends to.
type lz4Encoder struct {
	zw *lz4.Writer
	w  appendWriter
}

// lz4Encoders holds a pool per level: index 0 for the fast default, 1 to 9
// for pierrec/lz4's Level1 to Level9.
var lz4Encoders [10]sync.Pool

func compressLZ4(dst, src []byte, level int) ([]byte, error) {
	if level < 0 || level > 17 {
		return dst, fmt.Errorf("compress: invalid lz4 level %d (want 1 to 17, or 0 for the default)", level)
	}
	level = min(level, 9)
	e, _ := lz4Encoders[level].Get().(*lz4Encoder)
	if e == nil {
		e = new(lz4Encoder)
		e.zw = lz4.NewWriter(&e.w)
		zl := lz4.Fast
		if level > 0 {
			zl = lz4.CompressionLevel(1 << (8 + level)) // Level1 .. Level9
		}
		// Kafka reads only independent blocks (the writer's only mode);
		// 64 KiB blocks are what the Java client writes, and the content
		// checksum is of no use inside a batch that has its own CRC.
		err := e.zw.Apply(
			lz4.BlockSizeOption(lz4.Block64Kb),
			lz4.ChecksumOption(false),
			lz4.BlockChecksumOption(false),
			lz4.ConcurrencyOption(1),
			lz4.CompressionLevelOption(zl),
		)
		if err != nil {
			return dst, fmt.Errorf("compress: lz4 level %d: %w", level, err)
		}
	} else {
		e.zw.Reset(&e.w)
	}
	e.w.b = growCap(dst, len(src)/2+32)
	_, err := e.zw.Write(src)
	if err == nil {
		err = e.zw.Close()
	}
	out := e.w.b
	e.w.b = nil
	if err != nil {
		return dst, fmt.Errorf("compress: lz4: %w", err)
	}
	lz4Encoders[level].Put(e)
	return out, nil
}

// CompressLegacyLZ4 appends src compressed as an LZ4 frame whose header
// checksum is computed the way Kafka brokers and clients before 0.10 did
// (KAFKA-3160): over the frame's magic number as well as its descriptor,
// instead of over the descriptor alone. Those versions write such frames in
// v0 message sets and reject correct ones there; use it only for v0
// messages. [Decompress] reads both kinds.
func CompressLegacyLZ4(dst, src []byte) ([]byte, error) {
	start := len(dst)
	out, err := compressLZ4(dst, src, 0)
	if err != nil {
		return dst, err
	}
	frame := out[start:]
	hc, ok := lz4HeaderLen(frame)
	if !ok {
		return dst, errors.New("compress: lz4: unexpected frame header")
	}
	frame[hc] = lz4LegacyHeaderChecksum(frame[:hc])
	return out, nil
}

// lz4HeaderLen returns the offset of the header checksum byte of the LZ4
// frame at the start of b: after the magic, FLG, BD and the optional content
// size and dictionary ID.
func lz4HeaderLen(b []byte) (int, bool) {
	if len(b) < 7 || binary.LittleEndian.Uint32(b) != lz4Magic {
		return 0, false
	}
	hc := 6
	if b[4]&lz4FlagSize != 0 {
		hc += 8
	}
	if b[4]&lz4FlagDictID != 0 {
		hc += 4
	}
	if len(b) <= hc {
		return 0, false
	}
	return hc, true
}

// lz4HeaderChecksum is the header checksum byte the LZ4 frame format
// defines: the second byte of xxh32 (seed 0) of the descriptor, from FLG up
// to the checksum. header is the frame from its magic up to the checksum.
func lz4HeaderChecksum(header []byte) byte { return byte(xxh32(header[4:], 0) >> 8) }

// lz4LegacyHeaderChecksum is the checksum byte Kafka before 0.10 wrote and
// expected: the same hash taken over the magic number too.
func lz4LegacyHeaderChecksum(header []byte) byte { return byte(xxh32(header, 0) >> 8) }

// lz4Decoder is a pooled lz4 frame reader with its source and probe byte.
type lz4Decoder struct {
	zr    *lz4.Reader
	src   sliceReader
	probe [1]byte
}

var lz4Decoders = sync.Pool{New: func() any {
	d := new(lz4Decoder)
	d.zr = lz4.NewReader(&d.src)
	return d
}}

func decompressLZ4(dst, src []byte, maxSize int) ([]byte, error) {
	hc, ok := lz4HeaderLen(src)
	if !ok {
		return dst, corrupt(LZ4, "not an lz4 frame")
	}
	d := lz4Decoders.Get().(*lz4Decoder)
	defer lz4Decoders.Put(d)
	d.src.reset(src)
	defer d.src.reset(nil)
	// pierrec/lz4 checks the header checksum the standard way: when the frame
	// carries Kafka's legacy checksum instead, present it the correct one.
	if sum := src[hc]; sum != lz4HeaderChecksum(src[:hc]) {
		if sum != lz4LegacyHeaderChecksum(src[:hc]) {
			return dst, corrupt(LZ4, "bad frame header checksum")
		}
		d.src.patchAt, d.src.patchVal = hc, lz4HeaderChecksum(src[:hc])
	}
	d.zr.Reset(&d.src)
	out, err := readAppend(dst, d.zr, maxSize, lz4SizeHint(src, hc), d.probe[:])
	if err != nil {
		if errors.Is(err, errReadTooLarge) {
			return dst, tooLarge(LZ4, maxSize)
		}
		return dst, corrupt(LZ4, err)
	}
	return out, nil
}

// lz4SizeHint guesses the decompressed size of the frame at the start of src
// (whose header checksum is at hc) from its block headers, for the first
// allocation: stored blocks count exactly, and compressed blocks as full ones,
// as encoders fill every block but the last; the last one is guessed from
// its compressed size.
func lz4SizeHint(src []byte, hc int) int {
	blockMax := 0
	switch (src[5] >> 4) & 7 {
	case 4:
		blockMax = 64 << 10
	case 5:
		blockMax = 256 << 10
	case 6:
		blockMax = 1 << 20
	case 7:
		blockMax = 4 << 20
	default:
		return 0
	}
	flg := src[4]
	b := src[hc+1:]
	hint := 0
	full, fullIn := 0, 0 // compressed blocks before the last one, their input
	last := -1           // compressed size of the last compressed block
	for len(b) >= 4 && hint < len(src)*lz4MaxRatio {
		n := binary.LittleEndian.Uint32(b)
		b = b[4:]
		if n == 0 {
			break
		}
		size := int(n &^ lz4Uncompressed)
		if size > len(b) || size > blockMax {
			break
		}
		if n&lz4Uncompressed != 0 {
			hint += size
		} else {
			if last >= 0 {
				hint += blockMax
				full++
				fullIn += last
			}
			last = size
		}
		b = b[size:]
		if flg&lz4FlagBlockSum != 0 {
			if len(b) < 4 {
				break
			}
			b = b[4:]
		}
	}
	if last >= 0 {
		// The last block at the ratio of the full ones, plus a little, or
		// at 4:1 when it is the only one.
		guess := 4 * last
		if full > 0 && fullIn > 0 {
			guess = int(uint64(last) * uint64(full) * uint64(blockMax) / uint64(fullIn) * 9 / 8)
		}
		hint += min(blockMax, guess+1024)
	}
	return min(hint, len(src)*lz4MaxRatio)
}
