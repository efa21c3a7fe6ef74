package compress

import (
	"encoding/binary"
	"sync"

	"github.com/golang/snappy"
)

// The xerial snappy-java framing, which the Java client writes for Kafka:
// a 16-byte header (the 8-byte magic, then version 1 and minimum compatible
// version 1 as big-endian int32s), then blocks of [int32 big-endian length]
// [raw snappy block], each block holding at most 32 KiB of input.
const (
	xerialMagic      = "\x82SNAPPY\x00"
	xerialHeaderLen  = 16
	xerialBlockInput = 32 << 10
)

var xerialHeader = [xerialHeaderLen]byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1}

// xerialScratchLen is the most one encoded xerial block can take.
var xerialScratchLen = snappy.MaxEncodedLen(xerialBlockInput)

// snappyScratch holds buffers for blocks encoded before being appended to an
// output that has no room to take them directly.
var snappyScratch = sync.Pool{New: func() any {
	b := make([]byte, xerialScratchLen)
	return &b
}}

func compressSnappy(dst, src []byte) []byte {
	// Room for the header and a typical 2:1 ratio; grown further as needed.
	dst = growCap(dst, xerialHeaderLen+len(src)/2+16)
	dst = append(dst, xerialHeader[:]...)
	var scratch *[]byte
	for len(src) > 0 {
		block := src[:min(len(src), xerialBlockInput)]
		src = src[len(block):]
		worst := snappy.MaxEncodedLen(len(block))
		lenAt := len(dst)
		if cap(dst)-len(dst) >= 4+worst {
			// Encode in place: Encode uses dst when it is long enough.
			enc := snappy.Encode(dst[lenAt+4:lenAt+4+worst], block)
			dst = dst[:lenAt+4+len(enc)]
		} else {
			if scratch == nil {
				scratch = snappyScratch.Get().(*[]byte)
			}
			enc := snappy.Encode(*scratch, block)
			dst = append(dst, 0, 0, 0, 0)
			dst = append(dst, enc...)
		}
		binary.BigEndian.PutUint32(dst[lenAt:], uint32(len(dst)-lenAt-4))
	}
	if scratch != nil {
		snappyScratch.Put(scratch)
	}
	return dst
}

func decompressSnappy(dst, src []byte, maxSize int) ([]byte, error) {
	if len(src) >= len(xerialMagic) && string(src[:len(xerialMagic)]) == xerialMagic {
		return decompressXerial(dst, src, maxSize)
	}
	if len(src) == 0 {
		return dst, corrupt(Snappy, "empty input")
	}
	n, err := snappy.DecodedLen(src)
	if err != nil {
		return dst, corrupt(Snappy, err)
	}
	if n > maxSize {
		return dst, tooLarge(Snappy, maxSize)
	}
	dst = growCap(dst, n)
	if _, err := snappy.Decode(dst[len(dst):len(dst)+n], src); err != nil {
		return dst, corrupt(Snappy, err)
	}
	return dst[:len(dst)+n], nil
}

// xerialBlocks calls fn for each raw snappy block of the xerial-framed src,
// after checking every length against the input that remains. Further
// xerial headers between blocks (concatenated streams, which snappy-java
// reads as one) are skipped.
func xerialBlocks(src []byte, fn func(block []byte) error) error {
	if len(src) < xerialHeaderLen {
		return corrupt(Snappy, "truncated xerial header")
	}
	src = src[xerialHeaderLen:]
	for len(src) > 0 {
		if len(src) >= len(xerialMagic) && string(src[:len(xerialMagic)]) == xerialMagic {
			// The magic's first byte, 0x82, cannot start a block length,
			// which is a non-negative int32.
			if len(src) < xerialHeaderLen {
				return corrupt(Snappy, "truncated xerial header")
			}
			src = src[xerialHeaderLen:]
			continue
		}
		if len(src) < 4 {
			return corrupt(Snappy, "truncated xerial block length")
		}
		n := binary.BigEndian.Uint32(src)
		src = src[4:]
		if n == 0 || uint64(n) > uint64(len(src)) {
			return corrupt(Snappy, "xerial block length out of range")
		}
		if err := fn(src[:n]); err != nil {
			return err
		}
		src = src[n:]
	}
	return nil
}

func decompressXerial(dst, src []byte, maxSize int) ([]byte, error) {
	// First pass: validate the framing and add up the decoded lengths, so
	// that the output is allocated once, and only when it fits maxSize.
	total := 0
	err := xerialBlocks(src, func(block []byte) error {
		n, err := snappy.DecodedLen(block)
		if err != nil {
			return corrupt(Snappy, err)
		}
		if n > maxSize-total {
			return tooLarge(Snappy, maxSize)
		}
		total += n
		return nil
	})
	if err != nil {
		return dst, err
	}
	out := growCap(dst, total)
	err = xerialBlocks(src, func(block []byte) error {
		n, _ := snappy.DecodedLen(block) // checked above
		if _, err := snappy.Decode(out[len(out):len(out)+n], block); err != nil {
			return corrupt(Snappy, err)
		}
		out = out[:len(out)+n]
		return nil
	})
	if err != nil {
		return dst, err
	}
	return out, nil
}
