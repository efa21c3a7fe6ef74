package compress

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// gzipEncoder is a pooled gzip writer together with the writer it appends
// to, so that compressing allocates nothing but output.
type gzipEncoder struct {
	zw *gzip.Writer
	w  appendWriter
}

// gzipEncoders holds a pool per level: index 0 for the default, 1 to 9 for
// the others.
var gzipEncoders [10]sync.Pool

func compressGzip(dst, src []byte, level int) ([]byte, error) {
	if level == -1 {
		level = 0
	}
	if level < 0 || level > 9 {
		return dst, fmt.Errorf("compress: invalid gzip level %d (want 1 to 9, or 0 for the default)", level)
	}
	e, _ := gzipEncoders[level].Get().(*gzipEncoder)
	if e == nil {
		e = new(gzipEncoder)
		zl := level
		if zl == 0 {
			zl = gzip.DefaultCompression
		}
		zw, err := gzip.NewWriterLevel(&e.w, zl)
		if err != nil {
			return dst, fmt.Errorf("compress: gzip level %d: %w", level, err)
		}
		e.zw = zw
	} else {
		e.zw.Reset(&e.w)
	}
	// Room for a typical 4:1 ratio; append grows it further if needed.
	e.w.b = growCap(dst, len(src)/4+64)
	_, err := e.zw.Write(src)
	if err == nil {
		err = e.zw.Close()
	}
	out := e.w.b
	e.w.b = nil
	if err != nil {
		// appendWriter never fails, so neither should the encoder; do not
		// reuse it if it did.
		return dst, fmt.Errorf("compress: gzip: %w", err)
	}
	gzipEncoders[level].Put(e)
	return out, nil
}

// gzipDecoder is a pooled gzip reader with its source and probe byte.
type gzipDecoder struct {
	zr    gzip.Reader
	src   sliceReader
	probe [1]byte
}

var gzipDecoders = sync.Pool{New: func() any { return new(gzipDecoder) }}

// maxDeflateRatio bounds how much deflate can expand: a length/distance pair
// of at least one bit yields at most 258 bytes, so about 1032:1.
const maxDeflateRatio = 1032

func decompressGzip(dst, src []byte, maxSize int) ([]byte, error) {
	if len(src) == 0 {
		return dst, corrupt(Gzip, "empty input")
	}
	d := gzipDecoders.Get().(*gzipDecoder)
	defer gzipDecoders.Put(d)
	d.src.reset(src)
	defer d.src.reset(nil)
	if err := d.zr.Reset(&d.src); err != nil {
		return dst, corrupt(Gzip, err)
	}
	// The trailer's ISIZE (the last member's size mod 2^32) sizes the first
	// allocation when it is plausible; it is only a hint.
	hint := 0
	if len(src) >= 18 {
		isize := uint64(binary.LittleEndian.Uint32(src[len(src)-4:]))
		if isize <= uint64(maxSize) && isize <= uint64(len(src))*maxDeflateRatio {
			hint = int(isize)
		}
	}
	out, err := readAppend(dst, &d.zr, maxSize, hint, d.probe[:])
	if err != nil {
		if errors.Is(err, errReadTooLarge) {
			return dst, tooLarge(Gzip, maxSize)
		}
		return dst, corrupt(Gzip, err)
	}
	return out, nil
}
