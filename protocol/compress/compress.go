// Package compress implements the four compression codecs of the Kafka
// protocol, as used by record batches (v2) and legacy message sets (v0 and
// v1): gzip, snappy, lz4 and zstd.
//
// The wire formats are the ones the Java client writes and reads:
//
//   - gzip: RFC 1952 members; concatenated members decode as one stream.
//   - snappy: the xerial snappy-java framing (a 16-byte header, then blocks
//     of [int32 big-endian length][raw snappy block] holding at most 32 KiB
//     each). Raw, unframed snappy blocks are also accepted when decoding.
//   - lz4: LZ4 frames with independent 64 KiB blocks and no content checksum.
//     Decoding accepts both a correct frame header checksum and the broken one
//     written by Kafka before 0.10 (see [CompressLegacyLZ4]).
//   - zstd: zstd frames.
//
// All functions are safe for concurrent use. Encoders and decoders are pooled
// or shared, so a call allocates little beyond the growth of its output.
//
// # Untrusted input
//
// [Decompress] never returns more than maxSize bytes, and it sizes its
// buffers from what it has actually decoded or from bounds it has checked
// against the input, never from a size the input merely claims: a small
// compressed bomb fails with an error wrapping [ErrTooLarge] after
// allocating about maxSize bytes at most (for zstd, up to a couple of times
// maxSize: it decodes one 128 KiB block past the limit to tell a too-large
// frame from a corrupt one, and its decoder may reallocate once when a block
// crosses the end of the buffer). Malformed input fails with an error
// wrapping [ErrCorrupt]; it never panics.
package compress

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Codec identifies a compression codec. Its values are the compression bits
// (the low three bits) of a record batch's or a legacy message's attributes.
type Codec int8

// The codecs Kafka defines.
const (
	None   Codec = 0
	Gzip   Codec = 1
	Snappy Codec = 2
	LZ4    Codec = 3
	Zstd   Codec = 4
)

var codecNames = [...]string{None: "none", Gzip: "gzip", Snappy: "snappy", LZ4: "lz4", Zstd: "zstd"}

// String returns the codec's name as Kafka's compression.type spells it
// ("none", "gzip", "snappy", "lz4", "zstd"), or "Codec(N)" for an unknown
// value.
func (c Codec) String() string {
	if c >= 0 && int(c) < len(codecNames) {
		return codecNames[c]
	}
	return fmt.Sprintf("Codec(%d)", int8(c))
}

// ParseCodec returns the codec named s, as Kafka's compression.type names it
// ("none", "gzip", "snappy", "lz4" or "zstd"; case and surrounding spaces are
// ignored). Any other name is an error wrapping [ErrUnknownCodec].
func ParseCodec(s string) (Codec, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for i, name := range codecNames {
		if t == name {
			return Codec(i), nil
		}
	}
	return None, fmt.Errorf("%w: %q", ErrUnknownCodec, s)
}

// Errors returned (wrapped) by this package; test for them with errors.Is.
var (
	// ErrCorrupt is wrapped by the errors Decompress returns for input that
	// is not valid data of the codec.
	ErrCorrupt = errors.New("compress: corrupt input")
	// ErrTooLarge is wrapped by the errors Decompress returns when the
	// decompressed data would exceed maxSize.
	ErrTooLarge = errors.New("compress: decompressed data exceeds the size limit")
	// ErrUnknownCodec is wrapped by the errors returned for a codec this
	// package does not implement.
	ErrUnknownCodec = errors.New("compress: unknown codec")
)

// Compress appends the compressed form of src to dst and returns the extended
// slice. level 0 means the codec's default; otherwise:
//
//   - gzip: 1 (fastest) to 9 (smallest); -1 is also the default.
//   - snappy: has no levels; level is ignored.
//   - lz4: 1 to 17 as Kafka's compression.lz4.level, where 1 to 9 select
//     pierrec/lz4's Level1 to Level9 (high compression) and higher values
//     mean Level9. The default is lz4's fast mode.
//   - zstd: a zstd level (negative levels too, as Kafka allows), mapped to
//     the nearest of klauspost/compress's four encoder speeds; the default
//     is zstd level 3.
//
// An invalid level or an unknown codec is an error; on error dst is returned
// unchanged.
func Compress(dst, src []byte, c Codec, level int) ([]byte, error) {
	switch c {
	case None:
		return append(dst, src...), nil
	case Gzip:
		return compressGzip(dst, src, level)
	case Snappy:
		return compressSnappy(dst, src), nil
	case LZ4:
		return compressLZ4(dst, src, level)
	case Zstd:
		return compressZstd(dst, src, level)
	}
	return dst, fmt.Errorf("%w: %v", ErrUnknownCodec, c)
}

// Decompress appends the decompressed form of src to dst and returns the
// extended slice. At most maxSize bytes are appended (a negative maxSize
// counts as 0): data that would decompress to more is an error wrapping
// [ErrTooLarge], detected without allocating for the whole of it (see the
// package documentation). Spare capacity in dst is used first. Input that is
// not valid data of the codec (including empty input, except for None) is an
// error wrapping [ErrCorrupt]. On error dst is returned unchanged, though
// bytes between its length and capacity may have been overwritten.
//
// Snappy input may be xerial-framed or a raw snappy block; lz4 input may
// carry the legacy (pre-0.10 Kafka) frame header checksum.
func Decompress(dst, src []byte, c Codec, maxSize int) ([]byte, error) {
	if maxSize < 0 {
		maxSize = 0
	}
	var out []byte
	var err error
	switch c {
	case None:
		if len(src) > maxSize {
			return dst, tooLarge(c, maxSize)
		}
		return append(dst, src...), nil
	case Gzip:
		out, err = decompressGzip(dst, src, maxSize)
	case Snappy:
		out, err = decompressSnappy(dst, src, maxSize)
	case LZ4:
		out, err = decompressLZ4(dst, src, maxSize)
	case Zstd:
		out, err = decompressZstd(dst, src, maxSize)
	default:
		return dst, fmt.Errorf("%w: %v", ErrUnknownCodec, c)
	}
	if err != nil {
		return dst, err
	}
	return out, nil
}

func tooLarge(c Codec, maxSize int) error {
	return fmt.Errorf("%w: %v data decompresses to more than %d bytes", ErrTooLarge, c, maxSize)
}

func corrupt(c Codec, cause any) error {
	return fmt.Errorf("%w: %v: %v", ErrCorrupt, c, cause)
}

// growCap returns dst with room for at least n more bytes: its capacity is
// exactly len(dst)+n when it has to grow, so that callers control how much is
// allocated.
func growCap(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst
	}
	b := make([]byte, len(dst), len(dst)+n)
	copy(b, dst)
	return b
}

// minGrow is the smallest step readAppend grows its output by.
const minGrow = 4 << 10

// readAppend appends to dst everything r yields until io.EOF, appending at
// most maxSize bytes: when r has more, it returns errReadTooLarge. hint is
// the expected output size, used for the first allocation (0 if unknown).
// Growth is geometric in the bytes appended so far and never goes past
// maxSize. probe is a one-byte buffer (kept by the caller so that it does
// not escape per call). Any error from r is returned as is.
func readAppend(dst []byte, r io.Reader, maxSize, hint int, probe []byte) ([]byte, error) {
	start := len(dst)
	if hint > maxSize {
		hint = maxSize
	}
	if hint > 0 {
		dst = growCap(dst, hint)
	}
	for zeroReads := 0; ; {
		room := maxSize - (len(dst) - start)
		free := cap(dst) - len(dst)
		if free == 0 || room == 0 {
			// The buffer (or the allowance) is used up: read one byte to
			// learn whether the data ends here before growing anything.
			n, err := r.Read(probe[:1])
			if n == 0 {
				if err == io.EOF {
					return dst, nil
				}
				if err != nil {
					return dst, err
				}
				if zeroReads++; zeroReads > 100 {
					return dst, io.ErrNoProgress
				}
				continue
			}
			if room == 0 {
				return dst, errReadTooLarge
			}
			// Double what was read, or add a quarter when the hint
			// (which should be close) fell short.
			grow := len(dst) - start
			if hint > 0 {
				grow /= 4
			}
			grow = max(grow, minGrow)
			dst = growCap(dst, min(grow, room))
			dst = append(dst, probe[0])
			if err == io.EOF {
				return dst, nil
			}
			if err != nil {
				return dst, err
			}
			continue
		}
		n, err := r.Read(dst[len(dst) : len(dst)+min(free, room)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
		if n == 0 {
			if zeroReads++; zeroReads > 100 {
				return dst, io.ErrNoProgress
			}
		} else {
			zeroReads = 0
		}
	}
}

var errReadTooLarge = errors.New("compress: output limit reached")

// appendWriter is an io.Writer appending to a byte slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// sliceReader is an io.Reader over a byte slice, with an optional one-byte
// patch applied as the data is read (used to present a legacy LZ4 header
// with its checksum corrected). Unlike bytes.Reader it can live inside a
// pooled struct and be reset without allocating.
type sliceReader struct {
	b        []byte
	off      int
	patchAt  int // -1 for none
	patchVal byte
}

func (r *sliceReader) reset(b []byte) {
	r.b, r.off, r.patchAt = b, 0, -1
}

func (r *sliceReader) Read(p []byte) (int, error) {
	if r.off >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.off:])
	if at := r.patchAt - r.off; r.patchAt >= 0 && at >= 0 && at < n {
		p[at] = r.patchVal
	}
	r.off += n
	return n, nil
}

// ReadByte makes sliceReader a flate.Reader, so that the gzip reader reads
// from it directly instead of wrapping it in a bufio.Reader.
func (r *sliceReader) ReadByte() (byte, error) {
	if r.off >= len(r.b) {
		return 0, io.EOF
	}
	c := r.b[r.off]
	if r.off == r.patchAt {
		c = r.patchVal
	}
	r.off++
	return c, nil
}
