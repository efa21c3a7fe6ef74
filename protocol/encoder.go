package protocol

import (
	"encoding/binary"
	"fmt"
	"math"
)

// An Encoder appends Kafka primitive types to a byte slice. In flexible
// versions strings, byte fields and arrays use their compact forms. The first
// error (a string too long for its length prefix) sticks and is returned by
// [Encoder.Err]; later writes are still made, so callers check once at the end.
type Encoder struct {
	buf      []byte
	flexible bool
	err      error

	// With vectored set, Bytes leaves byte fields of at least
	// vectorMin bytes out of buf and notes them in spills, to be
	// written from their own memory (see AppendRequestVectored).
	vectored bool
	spills   []spill
	spilled  int     // their total length
	spillBuf []spill // pooled encoders keep their spill list
}

// spill is a byte field left out of an Encoder's buf: data belongs at
// offset at of buf.
type spill struct {
	at   int
	data []byte
}

// vectorMin is the smallest byte field a vectored encoding leaves out of
// its buffer: smaller ones cost less to copy than to write apart.
const vectorMin = 4 << 10

// NewEncoder returns an Encoder appending to buf, using compact encodings when
// flexible is true.
func NewEncoder(buf []byte, flexible bool) *Encoder {
	return &Encoder{buf: buf, flexible: flexible}
}

// Buffer returns the encoded bytes.
func (e *Encoder) Buffer() []byte { return e.buf }

// Err returns the first error met while encoding.
func (e *Encoder) Err() error { return e.err }

// Flexible reports whether compact encodings and tagged fields are in use.
func (e *Encoder) Flexible() bool { return e.flexible }

func (e *Encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("protocol: encode: "+format, args...)
	}
}

// Int8 appends v.
func (e *Encoder) Int8(v int8) { e.buf = append(e.buf, byte(v)) }

// Bool appends v as one byte.
func (e *Encoder) Bool(v bool) {
	if v {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

// Int16 appends v big-endian.
func (e *Encoder) Int16(v int16) { e.buf = binary.BigEndian.AppendUint16(e.buf, uint16(v)) }

// Uint16 appends v big-endian.
func (e *Encoder) Uint16(v uint16) { e.buf = binary.BigEndian.AppendUint16(e.buf, v) }

// Int32 appends v big-endian.
func (e *Encoder) Int32(v int32) { e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(v)) }

// Uint32 appends v big-endian.
func (e *Encoder) Uint32(v uint32) { e.buf = binary.BigEndian.AppendUint32(e.buf, v) }

// Int64 appends v big-endian.
func (e *Encoder) Int64(v int64) { e.buf = binary.BigEndian.AppendUint64(e.buf, uint64(v)) }

// Float64 appends v as an IEEE 754 double, big-endian.
func (e *Encoder) Float64(v float64) {
	e.buf = binary.BigEndian.AppendUint64(e.buf, math.Float64bits(v))
}

// UUID appends the 16 bytes of v.
func (e *Encoder) UUID(v UUID) { e.buf = append(e.buf, v[:]...) }

// Uvarint appends v as an unsigned varint.
func (e *Encoder) Uvarint(v uint32) { e.buf = binary.AppendUvarint(e.buf, uint64(v)) }

// Varint appends v zigzag-encoded, as record fields use.
func (e *Encoder) Varint(v int32) { e.buf = binary.AppendVarint(e.buf, int64(v)) }

// Varlong appends v zigzag-encoded.
func (e *Encoder) Varlong(v int64) { e.buf = binary.AppendVarint(e.buf, v) }

// length appends a length or count: n+1 as an unsigned varint when flexible
// (0 meaning null), otherwise as an int16 or int32. n = -1 writes null.
func (e *Encoder) length(n int, wide bool) {
	switch {
	case e.flexible:
		if n+1 > math.MaxUint32 {
			e.fail("length %d too large", n)
		}
		e.Uvarint(uint32(n + 1))
	case wide:
		if n > math.MaxInt32 {
			e.fail("length %d too large", n)
		}
		e.Int32(int32(n))
	default:
		if n > math.MaxInt16 {
			e.fail("string of %d bytes is longer than %d", n, math.MaxInt16)
		}
		e.Int16(int16(n))
	}
}

// String appends s with its length prefix.
func (e *Encoder) String(s string) {
	e.length(len(s), false)
	e.buf = append(e.buf, s...)
}

// NullableString appends s, or null when s is nil.
func (e *Encoder) NullableString(s *string) {
	if s == nil {
		e.length(-1, false)
		return
	}
	e.String(*s)
}

// StringPtr appends s for a field that is nullable only in some versions:
// as a nullable string when nullable is true, otherwise as a string with nil
// written as empty.
func (e *Encoder) StringPtr(s *string, nullable bool) {
	switch {
	case nullable:
		e.NullableString(s)
	case s == nil:
		e.String("")
	default:
		e.String(*s)
	}
}

// Bytes appends b with its length prefix; nil is written as empty.
func (e *Encoder) Bytes(b []byte) {
	e.length(len(b), true)
	if e.vectored && len(b) >= vectorMin {
		e.spills = append(e.spills, spill{at: len(e.buf), data: b})
		e.spilled += len(b)
		return
	}
	e.buf = append(e.buf, b...)
}

// NullableBytes appends b, or null when b is nil.
func (e *Encoder) NullableBytes(b []byte) {
	if b == nil {
		e.length(-1, true)
		return
	}
	e.Bytes(b)
}

// ArrayLen appends the count of a non-nullable array.
func (e *Encoder) ArrayLen(n int) { e.length(n, true) }

// NullableArrayLen appends the count of a nullable array; isNull writes null.
func (e *Encoder) NullableArrayLen(n int, isNull bool) {
	if isNull {
		n = -1
	}
	e.length(n, true)
}

// Int32s appends a non-nullable array of int32.
func (e *Encoder) Int32s(a []int32) {
	e.ArrayLen(len(a))
	for _, v := range a {
		e.Int32(v)
	}
}

// Int64s appends a non-nullable array of int64.
func (e *Encoder) Int64s(a []int64) {
	e.ArrayLen(len(a))
	for _, v := range a {
		e.Int64(v)
	}
}

// Strings appends a non-nullable array of strings.
func (e *Encoder) Strings(a []string) {
	e.ArrayLen(len(a))
	for _, s := range a {
		e.String(s)
	}
}

// NullableStrings appends a nullable array of strings; nil writes null.
func (e *Encoder) NullableStrings(a []string) {
	e.NullableArrayLen(len(a), a == nil)
	for _, s := range a {
		e.String(s)
	}
}

// element is the constraint for nested schema structs: a pointer type that
// knows how to encode and decode itself at a version.
type element[T any] interface {
	*T
	encode(e *Encoder, version int16)
	decode(d *Decoder, version int16)
}

// writeArray appends a non-nullable array of nested structs.
func writeArray[T any, P element[T]](e *Encoder, a []T, version int16) {
	e.ArrayLen(len(a))
	for i := range a {
		P(&a[i]).encode(e, version)
	}
}

// writeNullableArray appends a nullable array of nested structs; nil writes null.
func writeNullableArray[T any, P element[T]](e *Encoder, a []T, version int16) {
	e.NullableArrayLen(len(a), a == nil)
	for i := range a {
		P(&a[i]).encode(e, version)
	}
}
