package compress

import (
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/klauspost/compress/zstd"
)

const (
	// zstdMaxOutput caps what one Decompress call may produce, whatever
	// maxSize says: Kafka sizes are int32s, so nothing legitimate is larger.
	zstdMaxOutput = math.MaxInt32
	// zstdMaxWindow is the largest window accepted: the reference decoder's
	// default limit (windowLog 27), enough for frames Kafka's zstd-jni
	// writes at level 22. DecodeAll decodes into its output, so the window
	// costs no memory beyond it.
	zstdMaxWindow = 1 << 27
	// zstdMaxBlock is the most a zstd block decodes to (Block_Maximum_Size).
	zstdMaxBlock = 128 << 10
	// The lowest level Kafka accepts for compression.zstd.level.
	zstdMinLevel = -(1 << 17)
)

// zstdEncoders are shared, one per encoder speed, created on first use:
// EncodeAll is safe for concurrent use.
var zstdEncoders [zstd.SpeedBestCompression + 1]struct {
	once sync.Once
	enc  *zstd.Encoder
	err  error
}

func zstdEncoder(level zstd.EncoderLevel) (*zstd.Encoder, error) {
	e := &zstdEncoders[level]
	e.once.Do(func() {
		e.enc, e.err = zstd.NewWriter(nil,
			zstd.WithEncoderLevel(level),
			// An empty input still makes a frame, as other clients expect.
			zstd.WithZeroFrames(true),
		)
	})
	return e.enc, e.err
}

func compressZstd(dst, src []byte, level int) ([]byte, error) {
	if level < zstdMinLevel || level > 22 {
		return dst, fmt.Errorf("compress: invalid zstd level %d (want %d to 22, or 0 for the default)", level, zstdMinLevel)
	}
	speed := zstd.SpeedDefault // zstd level 3, Kafka's default
	if level != 0 {
		speed = zstd.EncoderLevelFromZstd(level)
	}
	enc, err := zstdEncoder(speed)
	if err != nil {
		return dst, fmt.Errorf("compress: zstd: %w", err)
	}
	return enc.EncodeAll(src, growCap(dst, len(src)/4+64)), nil
}

// The decoder is shared and created on first use: DecodeAll is safe for
// concurrent use. DecodeAllCapLimit makes it stop at the capacity of the
// buffer it is given, which is how Decompress enforces maxSize.
var zstdDec struct {
	once sync.Once
	dec  *zstd.Decoder
	err  error
}

func zstdDecoder() (*zstd.Decoder, error) {
	zstdDec.once.Do(func() {
		zstdDec.dec, zstdDec.err = zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(runtime.GOMAXPROCS(0)),
			zstd.WithDecoderMaxMemory(zstdMaxOutput),
			zstd.WithDecoderMaxWindow(zstdMaxWindow),
			zstd.WithDecodeAllCapLimit(true),
		)
	})
	return zstdDec.dec, zstdDec.err
}

// zstdScratchLen is the size of the pooled buffers small outputs of
// unknown size are decoded into before being copied out at their exact size.
const zstdScratchLen = 256 << 10

var zstdScratch = sync.Pool{New: func() any {
	b := make([]byte, 0, zstdScratchLen)
	return &b
}}

// decompressZstd decodes with the shared decoder's DecodeAll into a buffer
// whose capacity bounds the output: DecodeAllCapLimit makes DecodeAll fail
// once a block takes the output past it. The capacity comes from zstdScan:
// the exact size when every frame declares its content size, otherwise an
// upper bound (each compressed block counted as a full one), and never more
// than maxSize plus one block. That block of slack tells a legitimately
// too-large output (which then ends, or fails, past maxSize) from a corrupt
// block (which fails before it). Outputs of unknown size small enough are
// decoded into a pooled buffer and copied out at their exact size, so that a
// small batch does not pin a block-sized buffer.
func decompressZstd(dst, src []byte, maxSize int) ([]byte, error) {
	if len(src) == 0 {
		return dst, corrupt(Zstd, "empty input")
	}
	maxSize = min(maxSize, zstdMaxOutput)
	lo, hi, err := zstdScan(src)
	if err != nil {
		return dst, err
	}
	if lo > uint64(maxSize) {
		return dst, tooLarge(Zstd, maxSize)
	}
	limit := int(min(hi, uint64(maxSize)+zstdMaxBlock))
	dec, err := zstdDecoder()
	if err != nil {
		return dst, fmt.Errorf("compress: zstd: %w", err)
	}
	var base []byte // what DecodeAll appends to: dst's tail or a scratch buffer
	var scratch *[]byte
	if cap(dst)-len(dst) >= limit || lo == hi || limit > zstdScratchLen {
		dst = growCap(dst, limit)
		// An empty slice starting at dst's end: with no prefix, DecodeAll
		// decodes in place and stops at the capacity rather than growing.
		base = dst[len(dst) : len(dst) : len(dst)+limit]
	} else {
		scratch = zstdScratch.Get().(*[]byte)
		defer zstdScratch.Put(scratch)
		base = (*scratch)[:0:limit]
	}
	out, err := dec.DecodeAll(src, base)
	n := len(out)
	if n > maxSize {
		return dst, tooLarge(Zstd, maxSize)
	}
	if err != nil {
		return dst, corrupt(Zstd, err)
	}
	if scratch == nil && n > 0 && cap(base) > 0 && &out[0] == &base[:1][0] {
		return dst[:len(dst)+n], nil // decoded in place
	}
	return append(growCap(dst, n), out...), nil
}

// zstdScan walks the frames of src (zstd frames and skippable frames) by
// their headers and block headers, without decoding, and returns bounds on
// the decompressed size: lo <= size <= hi, equal when every frame declares
// its content size. Structure that the format forbids, or that runs past the
// input, is an error wrapping ErrCorrupt.
func zstdScan(src []byte) (lo, hi uint64, err error) {
	fail := func(what string) (uint64, uint64, error) {
		return 0, 0, corrupt(Zstd, what)
	}
	for len(src) > 0 {
		if len(src) < 4 {
			return fail("trailing bytes after the last frame")
		}
		magic := binary.LittleEndian.Uint32(src)
		if magic&0xFFFFFFF0 == 0x184D2A50 { // skippable frame
			if len(src) < 8 {
				return fail("truncated skippable frame")
			}
			n := binary.LittleEndian.Uint32(src[4:])
			if uint64(n) > uint64(len(src)-8) {
				return fail("truncated skippable frame")
			}
			src = src[8+n:]
			continue
		}
		if magic != 0xFD2FB528 {
			return fail("bad frame magic")
		}
		src = src[4:]
		if len(src) < 1 {
			return fail("truncated frame header")
		}
		fhd := src[0]
		src = src[1:]
		if fhd&0x08 != 0 {
			return fail("reserved frame header bit set")
		}
		single := fhd&0x20 != 0
		var window uint64
		if !single {
			if len(src) < 1 {
				return fail("truncated frame header")
			}
			exp, mant := uint64(src[0]>>3), uint64(src[0]&7)
			base := uint64(1) << (10 + exp)
			window = base + base/8*mant
			src = src[1:]
		}
		dictLen := [4]int{0, 1, 2, 4}[fhd&3]
		fcsLen := [4]int{0, 2, 4, 8}[fhd>>6]
		if fhd>>6 == 0 && single {
			fcsLen = 1
		}
		if len(src) < dictLen+fcsLen {
			return fail("truncated frame header")
		}
		src = src[dictLen:]
		fcs, hasFCS := uint64(0), fcsLen > 0
		switch fcsLen {
		case 1:
			fcs = uint64(src[0])
		case 2:
			fcs = uint64(binary.LittleEndian.Uint16(src)) + 256
		case 4:
			fcs = uint64(binary.LittleEndian.Uint32(src))
		case 8:
			fcs = binary.LittleEndian.Uint64(src)
		}
		src = src[fcsLen:]
		if single {
			window = fcs
		}
		blockMax := min(window, zstdMaxBlock)

		// Blocks: 3-byte little-endian headers of Last_Block (bit 0),
		// Block_Type (bits 1-2) and Block_Size (bits 3-23).
		var known, compressed uint64 // exact output of raw and RLE blocks; compressed blocks
		for {
			if len(src) < 3 {
				return fail("truncated block header")
			}
			h := uint32(src[0]) | uint32(src[1])<<8 | uint32(src[2])<<16
			src = src[3:]
			size := int(h >> 3)
			if size > zstdMaxBlock {
				return fail("block larger than 128 KiB")
			}
			in := size
			switch (h >> 1) & 3 {
			case 0: // raw
				known += uint64(size)
			case 1: // RLE: one byte repeated size times
				known += uint64(size)
				in = 1
			case 2:
				compressed++
			default:
				return fail("reserved block type")
			}
			if len(src) < in {
				return fail("truncated block")
			}
			src = src[in:]
			if h&1 != 0 {
				break
			}
		}
		if fhd&0x04 != 0 {
			if len(src) < 4 {
				return fail("truncated frame checksum")
			}
			src = src[4:]
		}
		most := known + compressed*blockMax
		if hasFCS {
			if fcs < known || fcs > known+compressed*zstdMaxBlock {
				return fail("frame content size does not match its blocks")
			}
			lo, hi = satAdd(lo, fcs), satAdd(hi, fcs)
		} else {
			lo, hi = satAdd(lo, known), satAdd(hi, most)
		}
	}
	return lo, hi, nil
}

func satAdd(a, b uint64) uint64 {
	if a+b < a {
		return math.MaxUint64
	}
	return a + b
}
