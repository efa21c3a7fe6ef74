package protocol

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"
)

// ErrMalformed is wrapped by every error a decoder returns for bytes that do
// not follow the protocol: truncation, impossible lengths, bad varints,
// checksum mismatches, unknown formats.
var ErrMalformed = errors.New("protocol: malformed data")

// A DecodeError says where and why decoding failed. It wraps [ErrMalformed].
type DecodeError struct {
	Offset int    // byte offset within the decoded buffer
	What   string // what was malformed
}

// Error says where the data went wrong and how.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("protocol: malformed data at byte %d: %s", e.Offset, e.What)
}

// Unwrap returns [ErrMalformed].
func (e *DecodeError) Unwrap() error { return ErrMalformed }

// A Decoder reads Kafka primitive types from a byte slice. The first error
// sticks: later reads return zero values, and [Decoder.Err] reports it, so
// message decoders read every field and check once at the end. Byte slices it
// returns alias the input.
type Decoder struct {
	buf      []byte
	off      int
	flexible bool
	err      error
}

// NewDecoder returns a Decoder reading buf, expecting compact encodings when
// flexible is true.
func NewDecoder(buf []byte, flexible bool) *Decoder {
	return &Decoder{buf: buf, flexible: flexible}
}

// Err returns the first error met while decoding.
func (d *Decoder) Err() error { return d.err }

// Flexible reports whether compact encodings and tagged fields are expected.
func (d *Decoder) Flexible() bool { return d.flexible }

// Remaining returns how many bytes are left unread.
func (d *Decoder) Remaining() int { return len(d.buf) - d.off }

// Offset returns how many bytes have been read.
func (d *Decoder) Offset() int { return d.off }

// Fail records a decoding error at the current offset unless one is already
// recorded.
func (d *Decoder) Fail(format string, args ...any) {
	if d.err == nil {
		d.err = &DecodeError{Offset: d.off, What: fmt.Sprintf(format, args...)}
	}
}

// take returns the next n bytes, or nil and an error if fewer remain.
func (d *Decoder) take(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.buf)-d.off {
		d.Fail("%s needs %d bytes, %d remain", what, n, len(d.buf)-d.off)
		return nil
	}
	b := d.buf[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}

// Int8 reads an int8.
func (d *Decoder) Int8() int8 {
	if b := d.take(1, "int8"); b != nil {
		return int8(b[0])
	}
	return 0
}

// Bool reads a boolean byte; any non-zero value is true.
func (d *Decoder) Bool() bool { return d.Int8() != 0 }

// Int16 reads a big-endian int16.
func (d *Decoder) Int16() int16 {
	if b := d.take(2, "int16"); b != nil {
		return int16(binary.BigEndian.Uint16(b))
	}
	return 0
}

// Uint16 reads a big-endian uint16.
func (d *Decoder) Uint16() uint16 { return uint16(d.Int16()) }

// Int32 reads a big-endian int32.
func (d *Decoder) Int32() int32 {
	if b := d.take(4, "int32"); b != nil {
		return int32(binary.BigEndian.Uint32(b))
	}
	return 0
}

// Uint32 reads a big-endian uint32.
func (d *Decoder) Uint32() uint32 { return uint32(d.Int32()) }

// Int64 reads a big-endian int64.
func (d *Decoder) Int64() int64 {
	if b := d.take(8, "int64"); b != nil {
		return int64(binary.BigEndian.Uint64(b))
	}
	return 0
}

// Float64 reads a big-endian IEEE 754 double.
func (d *Decoder) Float64() float64 { return math.Float64frombits(uint64(d.Int64())) }

// UUID reads 16 bytes.
func (d *Decoder) UUID() (u UUID) {
	if b := d.take(16, "uuid"); b != nil {
		copy(u[:], b)
	}
	return u
}

// Uvarint reads an unsigned varint of at most 32 bits.
func (d *Decoder) Uvarint() uint32 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 || v > math.MaxUint32 {
		d.Fail("bad unsigned varint")
		return 0
	}
	d.off += n
	return uint32(v)
}

// Varint reads a zigzag-encoded varint of at most 32 bits.
func (d *Decoder) Varint() int32 {
	v := d.Varlong()
	if v < math.MinInt32 || v > math.MaxInt32 {
		d.Fail("varint %d overflows int32", v)
		return 0
	}
	return int32(v)
}

// Varlong reads a zigzag-encoded varint of at most 64 bits.
func (d *Decoder) Varlong() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf[d.off:])
	if n <= 0 {
		d.Fail("bad varint")
		return 0
	}
	d.off += n
	return v
}

// length reads a length or count; -1 means null. In flexible versions it is
// an unsigned varint holding n+1. The result is checked against the bytes
// that remain (every element takes at least one byte) so that no caller
// allocates more than the input justifies.
func (d *Decoder) length(wide bool, what string) int {
	var n int
	switch {
	case d.flexible:
		n = int(d.Uvarint()) - 1
	case wide:
		n = int(d.Int32())
	default:
		n = int(d.Int16())
	}
	if d.err != nil {
		return -1
	}
	if n < -1 {
		d.Fail("%s length %d is negative", what, n)
		return -1
	}
	if n > d.Remaining() {
		d.Fail("%s length %d exceeds the %d bytes that remain", what, n, d.Remaining())
		return -1
	}
	return n
}

// String reads a non-nullable string.
func (d *Decoder) String() string {
	n := d.length(false, "string")
	if n < 0 {
		if d.err == nil {
			d.Fail("null for a non-nullable string")
		}
		return ""
	}
	return string(d.take(n, "string"))
}

// stringLike reads a string, returning prev itself when they are equal,
// so that a name decoded again and again is not allocated each time.
func (d *Decoder) stringLike(prev string) string {
	n := d.length(false, "string")
	if n < 0 {
		if d.err == nil {
			d.Fail("null for a non-nullable string")
		}
		return ""
	}
	b := d.take(n, "string")
	if string(b) == prev {
		return prev
	}
	return string(b)
}

// NullableString reads a string that may be null (nil).
func (d *Decoder) NullableString() *string {
	n := d.length(false, "string")
	if n < 0 {
		return nil
	}
	s := string(d.take(n, "string"))
	return &s
}

// LenientString reads a string Kafka's schema says is not nullable but that
// some servers send as null beside an error code (librdkafka's mock cluster
// does in JoinGroup's error answers); null reads as "", which means the same
// there, so the error code is what the caller sees.
func (d *Decoder) LenientString() string {
	if s := d.NullableString(); s != nil {
		return *s
	}
	return ""
}

// LenientBytes is [Decoder.LenientString] for a byte field (SyncGroup's
// assignment in librdkafka's mock's error answers): null reads as nil.
func (d *Decoder) LenientBytes() []byte { return d.NullableBytes() }

// Bytes reads a non-nullable byte field, aliasing the input.
func (d *Decoder) Bytes() []byte {
	n := d.length(true, "bytes")
	if n < 0 {
		if d.err == nil {
			d.Fail("null for a non-nullable bytes field")
		}
		return nil
	}
	return d.take(n, "bytes")
}

// NullableBytes reads a byte field that may be null (nil), aliasing the input.
func (d *Decoder) NullableBytes() []byte {
	n := d.length(true, "bytes")
	if n < 0 {
		return nil
	}
	return d.take(n, "bytes")
}

// ArrayLen reads the count of a non-nullable array. A null count is an error.
func (d *Decoder) ArrayLen() int {
	n := d.length(true, "array")
	if n < 0 {
		if d.err == nil {
			d.Fail("null for a non-nullable array")
		}
		return 0
	}
	return n
}

// NullableArrayLen reads the count of a nullable array; -1 means null.
func (d *Decoder) NullableArrayLen() int { return d.length(true, "array") }

// fixedArrayLen reads a non-nullable array count whose elements take size
// bytes each, checking the whole array fits in what remains.
func (d *Decoder) fixedArrayLen(size int) int {
	n := d.ArrayLen()
	if n*size > d.Remaining() {
		d.Fail("array of %d %d-byte elements exceeds the %d bytes that remain", n, size, d.Remaining())
		return 0
	}
	return n
}

// Int32s reads a non-nullable array of int32.
func (d *Decoder) Int32s() []int32 {
	a := make([]int32, d.fixedArrayLen(4))
	for i := range a {
		a[i] = d.Int32()
	}
	return a
}

// Int64s reads a non-nullable array of int64.
func (d *Decoder) Int64s() []int64 {
	a := make([]int64, d.fixedArrayLen(8))
	for i := range a {
		a[i] = d.Int64()
	}
	return a
}

// Strings reads a non-nullable array of strings.
func (d *Decoder) Strings() []string {
	return d.strings(d.ArrayLen())
}

// NullableStrings reads a nullable array of strings; null is nil.
func (d *Decoder) NullableStrings() []string {
	n := d.NullableArrayLen()
	if n < 0 {
		return nil
	}
	return d.strings(n)
}

// strings reads n strings. Each takes at least its length field (2 bytes, 1
// when compact), so a count the bytes cannot hold fails before anything is
// allocated; a string in memory takes 16 bytes, so the slice then grows as
// strings decode rather than up front.
func (d *Decoder) strings(n int) []string {
	minSize := 2
	if d.flexible {
		minSize = 1
	}
	if n*minSize > d.Remaining() {
		d.Fail("array of %d strings needs at least %d bytes, %d remain", n, n*minSize, d.Remaining())
		return nil
	}
	a := make([]string, 0, prealloc[string](d, n))
	for i := 0; i < n && d.err == nil; i++ {
		a = append(a, d.String())
	}
	return a
}

// readArray reads a non-nullable array of nested structs.
func readArray[T any, P element[T]](d *Decoder, version int16) []T {
	return readElements[T, P](d, d.ArrayLen(), version)
}

// readArrayInto is readArray decoding into dst's elements, in place, as
// far as they go: a decoder that reads many answers of one kind into the
// same message reuses its memory. Each element's decode resets it first.
func readArrayInto[T any, P element[T]](d *Decoder, dst []T, version int16) []T {
	n := d.ArrayLen()
	if n > len(dst) || n == 0 {
		return readElements[T, P](d, n, version) // as readArray does, nil for none
	}
	a := dst[:n]
	for i := 0; i < n && d.err == nil; i++ {
		P(&a[i]).decode(d, version)
	}
	if d.err != nil {
		return nil
	}
	return a
}

// readNullableArray reads a nullable array of nested structs; null is nil.
func readNullableArray[T any, P element[T]](d *Decoder, version int16) []T {
	n := d.NullableArrayLen()
	if n < 0 {
		return nil
	}
	return readElements[T, P](d, n, version)
}

// maxPrealloc caps how many elements are allocated up front.
const maxPrealloc = 256

// preallocRatio bounds the memory allocated up front for an array to this
// many times the bytes that remain.
const preallocRatio = 8

// prealloc returns how many of n announced elements of type T to allocate
// before any decodes. A count is only checked against the bytes that remain
// (an element takes at least one byte), while an element takes more room in
// memory than its smallest encoding: so the first allocation is capped, by
// count and by preallocRatio times the bytes that remain, and beyond it the
// slice grows only as elements actually decode. A count that lies thus costs
// memory proportional to the bytes received.
func prealloc[T any](d *Decoder, n int) int {
	var zero T
	return max(0, min(n, maxPrealloc, preallocRatio*d.Remaining()/max(1, int(unsafe.Sizeof(zero)))))
}

func readElements[T any, P element[T]](d *Decoder, n int, version int16) []T {
	a := make([]T, 0, prealloc[T](d, n))
	for i := 0; i < n && d.err == nil; i++ {
		a = append(a, *new(T))
		P(&a[i]).decode(d, version)
	}
	return a
}
