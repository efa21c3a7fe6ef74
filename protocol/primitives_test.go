package protocol

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

func TestPrimitiveGoldenBytes(t *testing.T) {
	cases := []struct {
		name     string
		flexible bool
		write    func(e *Encoder)
		want     []byte
	}{
		{"int8", false, func(e *Encoder) { e.Int8(-2) }, []byte{0xFE}},
		{"int16", false, func(e *Encoder) { e.Int16(-2) }, []byte{0xFF, 0xFE}},
		{"int32", false, func(e *Encoder) { e.Int32(0x01020304) }, []byte{1, 2, 3, 4}},
		{"int64", false, func(e *Encoder) { e.Int64(-1) }, []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
		{"uint32", false, func(e *Encoder) { e.Uint32(math.MaxUint32) }, []byte{0xFF, 0xFF, 0xFF, 0xFF}},
		{"float64", false, func(e *Encoder) { e.Float64(1.5) }, []byte{0x3F, 0xF8, 0, 0, 0, 0, 0, 0}},
		{"bool", false, func(e *Encoder) { e.Bool(true); e.Bool(false) }, []byte{1, 0}},
		{"uvarint 300", false, func(e *Encoder) { e.Uvarint(300) }, []byte{0xAC, 0x02}},
		{"varint -1", false, func(e *Encoder) { e.Varint(-1) }, []byte{0x01}},
		{"varint 1", false, func(e *Encoder) { e.Varint(1) }, []byte{0x02}},
		{"varint -65", false, func(e *Encoder) { e.Varint(-65) }, []byte{0x81, 0x01}},
		{"varlong min", false, func(e *Encoder) { e.Varlong(math.MinInt64) }, []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}},
		{"string", false, func(e *Encoder) { e.String("ab") }, []byte{0, 2, 'a', 'b'}},
		{"compact string", true, func(e *Encoder) { e.String("ab") }, []byte{3, 'a', 'b'}},
		{"null string", false, func(e *Encoder) { e.NullableString(nil) }, []byte{0xFF, 0xFF}},
		{"compact null string", true, func(e *Encoder) { e.NullableString(nil) }, []byte{0}},
		{"bytes", false, func(e *Encoder) { e.Bytes([]byte{9}) }, []byte{0, 0, 0, 1, 9}},
		{"compact bytes", true, func(e *Encoder) { e.Bytes([]byte{9}) }, []byte{2, 9}},
		{"null bytes", false, func(e *Encoder) { e.NullableBytes(nil) }, []byte{0xFF, 0xFF, 0xFF, 0xFF}},
		{"empty not null", false, func(e *Encoder) { e.NullableBytes([]byte{}) }, []byte{0, 0, 0, 0}},
		{"int32 array", false, func(e *Encoder) { e.Int32s([]int32{1}) }, []byte{0, 0, 0, 1, 0, 0, 0, 1}},
		{"compact int32 array", true, func(e *Encoder) { e.Int32s([]int32{1}) }, []byte{2, 0, 0, 0, 1}},
		{"null compact array", true, func(e *Encoder) { e.NullableStrings(nil) }, []byte{0}},
		{"uuid", false, func(e *Encoder) { e.UUID(UUID{15: 7}) }, append(make([]byte, 15), 7)},
		{"tags", true, func(e *Encoder) { e.Tags([]TaggedField{{Tag: 2, Data: []byte{5}}}) }, []byte{1, 2, 1, 5}},
		{"no tags when not flexible", false, func(e *Encoder) { e.Tags([]TaggedField{{Tag: 2}}) }, nil},
		{"known tag", true, func(e *Encoder) {
			e.TagCount(1, nil)
			e.Tag(0, func(e *Encoder) { e.Int32(-1) })
		}, []byte{1, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF}},
	}
	for _, c := range cases {
		e := NewEncoder(nil, c.flexible)
		c.write(e)
		require.NoError(t, e.Err(), c.name)
		require.Equal(t, c.want, e.Buffer(), c.name)
	}
}

func TestPrimitiveRoundTrip(t *testing.T) {
	for _, flexible := range []bool{false, true} {
		e := NewEncoder(nil, flexible)
		e.Int8(-3)
		e.Int16(math.MinInt16)
		e.Int32(math.MaxInt32)
		e.Int64(math.MinInt64)
		e.Varint(math.MinInt32)
		e.Varlong(math.MaxInt64)
		e.Uvarint(math.MaxUint32)
		e.String("héllo")
		e.NullableString(nil)
		e.NullableString(ptr(""))
		e.Bytes(nil)
		e.NullableBytes(nil)
		e.Strings([]string{"a", "b"})
		e.Int64s([]int64{-1, 2})
		e.Float64(math.Inf(-1))
		long := strings.Repeat("x", 200) // compact lengths above 127 take two bytes
		e.String(long)
		require.NoError(t, e.Err())

		d := NewDecoder(e.Buffer(), flexible)
		require.Equal(t, int8(-3), d.Int8())
		require.Equal(t, int16(math.MinInt16), d.Int16())
		require.Equal(t, int32(math.MaxInt32), d.Int32())
		require.Equal(t, int64(math.MinInt64), d.Int64())
		require.Equal(t, int32(math.MinInt32), d.Varint())
		require.Equal(t, int64(math.MaxInt64), d.Varlong())
		require.Equal(t, uint32(math.MaxUint32), d.Uvarint())
		require.Equal(t, "héllo", d.String())
		require.Nil(t, d.NullableString())
		require.Equal(t, ptr(""), d.NullableString())
		require.Empty(t, d.Bytes())
		require.Nil(t, d.NullableBytes())
		require.Equal(t, []string{"a", "b"}, d.Strings())
		require.Equal(t, []int64{-1, 2}, d.Int64s())
		require.True(t, math.IsInf(d.Float64(), -1))
		require.Equal(t, long, d.String())
		require.NoError(t, d.Err())
		require.Zero(t, d.Remaining())
	}
}

func TestEncoderRejectsOversizedString(t *testing.T) {
	e := NewEncoder(nil, false)
	e.String(strings.Repeat("x", math.MaxInt16+1))
	require.ErrorContains(t, e.Err(), "longer than 32767")
}

func TestDecoderHostileInput(t *testing.T) {
	cases := []struct {
		name     string
		flexible bool
		in       []byte
		read     func(d *Decoder)
		want     string
	}{
		{"truncated int32", false, []byte{1, 2}, func(d *Decoder) { d.Int32() }, "int32 needs 4 bytes, 2 remain"},
		{"string past end", false, []byte{0x7F, 0xFF, 'a'}, func(d *Decoder) { _ = d.String() }, "string length 32767 exceeds the 1 bytes"},
		{"2 GiB bytes", false, append([]byte{0x7F, 0xFF, 0xFF, 0xFF}, make([]byte, 96)...), func(d *Decoder) { d.Bytes() }, "bytes length 2147483647 exceeds the 96 bytes"},
		{"2 GiB array", false, append([]byte{0x7F, 0xFF, 0xFF, 0xFF}, make([]byte, 96)...), func(d *Decoder) { d.Strings() }, "array length 2147483647"},
		{"int64 array too long", false, []byte{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0}, func(d *Decoder) { d.Int64s() }, "array of 2 8-byte elements"},
		{"negative length", false, []byte{0xFF, 0xFE}, func(d *Decoder) { d.NullableString() }, "string length -2 is negative"},
		{"null non-nullable string", false, []byte{0xFF, 0xFF}, func(d *Decoder) { _ = d.String() }, "null for a non-nullable string"},
		{"null non-nullable array", true, []byte{0}, func(d *Decoder) { d.ArrayLen() }, "null for a non-nullable array"},
		{"varint overflow", false, []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, func(d *Decoder) { d.Varlong() }, "bad varint"},
		{"uvarint past 32 bits", true, []byte{0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, func(d *Decoder) { d.Uvarint() }, "bad unsigned varint"},
		{"varint32 overflow", false, []byte{0x80, 0x80, 0x80, 0x80, 0x20}, func(d *Decoder) { d.Varint() }, "overflows int32"},
		{"too many tags", true, []byte{0x7F}, func(d *Decoder) { d.Tags(new([]TaggedField), nil) }, "127 tagged fields exceed"},
		{"tag past end", true, []byte{1, 0, 9, 1}, func(d *Decoder) { d.Tags(new([]TaggedField), nil) }, "tagged field 0 of 9 bytes exceeds"},
		{"known tag not consumed", true, []byte{1, 0, 2, 1, 2}, func(d *Decoder) {
			d.Tags(new([]TaggedField), func(tag uint32, fd *Decoder) bool { fd.Int8(); return true })
		}, "1 unread bytes in tagged field 0"},
	}
	for _, c := range cases {
		d := NewDecoder(c.in, c.flexible)
		c.read(d)
		require.ErrorIs(t, d.Err(), ErrMalformed, c.name)
		require.ErrorContains(t, d.Err(), c.want, c.name)
		// A failed decoder stays failed and returns zero values.
		require.Zero(t, d.Int64(), c.name)
	}
}

func TestUnknownTagsArePreserved(t *testing.T) {
	in := []byte{2, 1, 1, 0xAA, 7, 0}
	var unknown []TaggedField
	d := NewDecoder(in, true)
	var seen int8
	d.Tags(&unknown, func(tag uint32, fd *Decoder) bool {
		if tag == 1 {
			seen = fd.Int8()
			return true
		}
		return false
	})
	require.NoError(t, d.Err())
	require.Equal(t, int8(-86), seen)
	require.Equal(t, []TaggedField{{Tag: 7, Data: []byte{}}}, unknown)
}
