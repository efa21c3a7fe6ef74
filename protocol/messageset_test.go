package protocol

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math/bits"
	"testing"

	"github.com/gokafka/kafka/protocol/compress"
)

// The golden message sets below are written out by hand from the protocol
// guide's "Message Sets" section; msEntry fills in the size and the CRC-32 (IEEE,
// over magic..end) with hash/crc32.

// msEntry builds one message set entry from its offset and the bytes after the
// CRC field (magic, attributes, [timestamp], key, value).
func msEntry(offset uint64, body ...[]byte) []byte {
	b := binary.BigEndian.AppendUint64(nil, offset)
	content := bytes.Join(body, nil)
	b = binary.BigEndian.AppendUint32(b, uint32(4+len(content)))
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(content))
	return append(b, content...)
}

func msU32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func msU64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

var (
	msNull = []byte{0xff, 0xff, 0xff, 0xff}
	msV0   = []byte{0, 0} // magic 0, attributes 0
	msV1   = []byte{1, 0} // magic 1, attributes 0 (CreateTime)
)

// msGoldenV0 is three uncompressed magic 0 messages at offsets base..base+2.
func msGoldenV0(base uint64) []byte {
	return bytes.Join([][]byte{
		msEntry(base, msV0, msNull, msU32(5), []byte("hello")),
		msEntry(base+1, msV0, msU32(1), []byte("k"), msU32(0)),
		msEntry(base+2, msV0, msU32(2), []byte("k2"), msNull),
	}, nil)
}

const msTs0 = 1_700_000_000_000

// msGoldenV1 is three uncompressed magic 1 messages at offsets base..base+2.
func msGoldenV1(base uint64) []byte {
	return bytes.Join([][]byte{
		msEntry(base, msV1, msU64(msTs0), msNull, msU32(5), []byte("hello")),
		msEntry(base+1, msV1, msU64(msTs0+7), msU32(1), []byte("k"), msU32(0)),
		msEntry(base+2, msV1, msU64(msTs0+3), msU32(2), []byte("k2"), msNull),
	}, nil)
}

func msGzip(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// msWant is a decoded record as a consumer sees it.
type msWant struct {
	offset, ts int64
	key, value []byte
}

var msGoldenWant = []msWant{
	{0, msTs0, nil, []byte("hello")},
	{1, msTs0 + 7, []byte("k"), []byte{}},
	{2, msTs0 + 3, []byte("k2"), nil},
}

func msShifted(base, ts int64, noTs bool) []msWant {
	out := make([]msWant, len(msGoldenWant))
	for i, w := range msGoldenWant {
		w.offset += base
		if noTs {
			w.ts = -1
		} else if ts != 0 {
			w.ts = ts
		}
		out[i] = w
	}
	return out
}

// msReadAll decodes a whole records section with RecordSetReader.
func msReadAll(t *testing.T, data []byte) (got []msWant, batches []RecordBatch) {
	t.Helper()
	r := NewRecordSetReader(data, DecodeOptions{})
	var b RecordBatch
	for r.Next(&b) {
		for i := range b.Records {
			rec := &b.Records[i]
			got = append(got, msWant{rec.Offset(&b), rec.Timestamp(&b), rec.Key, rec.Value})
		}
		batches = append(batches, RecordBatch{BaseOffset: b.BaseOffset, Magic: b.Magic, Attributes: b.Attributes,
			LastOffsetDelta: b.LastOffsetDelta, MaxTimestamp: b.MaxTimestamp, ProducerID: b.ProducerID})
		b = RecordBatch{} // the next batch must not overwrite what was collected
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return got, batches
}

func msCheck(t *testing.T, name string, got, want []msWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", name, len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.offset != w.offset || g.ts != w.ts || !rbSameBytes(g.key, w.key) || !rbSameBytes(g.value, w.value) {
			t.Fatalf("%s: record %d = %+v, want %+v", name, i, g, w)
		}
	}
}

func TestMessageSetGoldenUncompressed(t *testing.T) {
	for _, magic := range []int8{0, 1} {
		golden, want := msGoldenV0(40), msShifted(40, 0, true)
		if magic == 1 {
			golden, want = msGoldenV1(40), msShifted(40, 0, false)
		}
		got, batches := msReadAll(t, golden)
		msCheck(t, "decode", got, want)
		if len(batches) != 3 || batches[0].Magic != magic || batches[0].ProducerID != -1 {
			t.Fatalf("magic %d: batches %+v", magic, batches)
		}
		// The builder writes exactly the golden bytes.
		var w MessageSetBuilder
		w.Reset(MessageSetOptions{Magic: magic, BaseOffset: 40})
		for _, m := range msGoldenWant {
			w.Append(m.ts, m.key, m.value)
		}
		out, err := w.Build(nil)
		if err != nil || !bytes.Equal(out, golden) {
			t.Fatalf("magic %d: builder wrote\n%x\nwant\n%x (%v)", magic, out, golden, err)
		}
		// And LegacyMessage round-trips each entry.
		var m LegacyMessage
		n, err := m.Decode(golden, false)
		if err != nil || m.Magic != magic || m.Offset != 40 || m.Key != nil || string(m.Value) != "hello" {
			t.Fatalf("LegacyMessage: %+v %v", m, err)
		}
		if again, _ := m.AppendTo(nil); !bytes.Equal(again, golden[:n]) {
			t.Fatalf("LegacyMessage.AppendTo differs")
		}
	}
}

func TestMessageSetGoldenGzip(t *testing.T) {
	// Magic 1: inner offsets are relative (0..2); the wrapper carries the
	// absolute offset of the last inner message and the largest timestamp.
	inner1 := msGoldenV1(0)
	wrapper1 := msEntry(102, []byte{1, 1}, msU64(msTs0+7), msNull, msU32(uint32(len(msGzip(t, inner1)))), msGzip(t, inner1))
	got, batches := msReadAll(t, wrapper1)
	msCheck(t, "v1 gzip", got, msShifted(100, 0, false))
	if len(batches) != 1 || batches[0].BaseOffset != 100 || batches[0].LastOffsetDelta != 2 || batches[0].MaxTimestamp != msTs0+7 {
		t.Fatalf("v1 gzip batch %+v", batches)
	}

	// The same with LogAppendTime: every record takes the wrapper's timestamp.
	wrapperLAT := msEntry(102, []byte{1, 1 | 8}, msU64(msTs0+99), msNull, msU32(uint32(len(msGzip(t, inner1)))), msGzip(t, inner1))
	got, _ = msReadAll(t, wrapperLAT)
	msCheck(t, "v1 gzip LogAppendTime", got, msShifted(100, msTs0+99, false))

	// Magic 0: inner offsets are absolute.
	inner0 := msGoldenV0(100)
	wrapper0 := msEntry(102, []byte{0, 1}, msNull, msU32(uint32(len(msGzip(t, inner0)))), msGzip(t, inner0))
	got, _ = msReadAll(t, wrapper0)
	msCheck(t, "v0 gzip", got, msShifted(100, 0, true))

	// Our builder writes the same inner message sets and wrapper fields.
	for _, c := range []struct {
		magic        int8
		inner, outer []byte
	}{{1, inner1, wrapper1}, {0, inner0, wrapper0}} {
		var w MessageSetBuilder
		w.Reset(MessageSetOptions{Magic: c.magic, Codec: compress.Gzip, BaseOffset: 100})
		for _, m := range msGoldenWant {
			w.Append(m.ts, m.key, m.value)
		}
		out, err := w.Build(nil)
		if err != nil {
			t.Fatal(err)
		}
		var m LegacyMessage
		if _, err := m.Decode(out, false); err != nil {
			t.Fatal(err)
		}
		var golden LegacyMessage
		golden.Decode(c.outer, false)
		if m.Offset != golden.Offset || m.Magic != golden.Magic || m.Attributes != golden.Attributes ||
			m.Timestamp != golden.Timestamp || m.Key != nil {
			t.Fatalf("magic %d wrapper %+v, want %+v", c.magic, m, golden)
		}
		raw, err := compress.Decompress(nil, m.Value, compress.Gzip, 1<<20)
		if err != nil || !bytes.Equal(raw, c.inner) {
			t.Fatalf("magic %d: inner set\n%x\nwant\n%x (%v)", c.magic, raw, c.inner, err)
		}
	}
}

// msXXH32 is XXH32 with seed 0 for inputs shorter than 16 bytes, enough for
// an LZ4 frame descriptor.
func msXXH32(b []byte) uint32 {
	const p1, p2, p3, p4, p5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
	if len(b) >= 16 {
		panic("xxh32: long input")
	}
	h := uint32(p5) + uint32(len(b))
	for ; len(b) >= 4; b = b[4:] {
		h += binary.LittleEndian.Uint32(b) * p3
		h = bits.RotateLeft32(h, 17) * p4
	}
	for _, c := range b {
		h += uint32(c) * p5
		h = bits.RotateLeft32(h, 11) * p1
	}
	h ^= h >> 15
	h *= p2
	h ^= h >> 13
	h *= p3
	return h ^ h>>16
}

// msLZ4Frame writes data as an LZ4 frame with one uncompressed block. The
// header checksum covers the frame descriptor, or, as Kafka before 0.10
// wrote it, the magic number too.
func msLZ4Frame(data []byte, legacy bool) []byte {
	f := []byte{0x04, 0x22, 0x4d, 0x18, 0x60, 0x40} // magic; FLG: version 1, independent blocks; BD: 64 KiB
	if legacy {
		f = append(f, byte(msXXH32(f)>>8))
	} else {
		f = append(f, byte(msXXH32(f[4:])>>8))
	}
	f = binary.LittleEndian.AppendUint32(f, uint32(len(data))|1<<31) // uncompressed block
	f = append(f, data...)
	return append(f, 0, 0, 0, 0) // end mark
}

// lz4HeaderChecksumIsLegacy reports whether an LZ4 frame's header checksum
// is the pre-0.10 Kafka one.
func lz4HeaderChecksumIsLegacy(t *testing.T, f []byte) bool {
	n := 6
	if f[4]&0x08 != 0 {
		n += 8
	}
	if f[4]&0x01 != 0 {
		n += 4
	}
	switch f[n] {
	case byte(msXXH32(f[:n]) >> 8):
		return true
	case byte(msXXH32(f[4:n]) >> 8):
		return false
	}
	t.Fatalf("LZ4 frame header checksum %#x matches neither style", f[n])
	return false
}

func TestMessageSetGoldenLZ4(t *testing.T) {
	inner0 := msGoldenV0(7)
	for _, legacy := range []bool{true, false} {
		frame := msLZ4Frame(inner0, legacy)
		wrapper := msEntry(9, []byte{0, 3}, msNull, msU32(uint32(len(frame))), frame)
		got, _ := msReadAll(t, wrapper)
		msCheck(t, "v0 lz4", got, msShifted(7, 0, true))
	}
	// Our magic 0 LZ4 wrapper uses the legacy checksum, magic 1 the right one.
	for _, magic := range []int8{0, 1} {
		var w MessageSetBuilder
		w.Reset(MessageSetOptions{Magic: magic, Codec: compress.LZ4, BaseOffset: 7})
		for _, m := range msGoldenWant {
			w.Append(m.ts, m.key, m.value)
		}
		out, err := w.Build(nil)
		if err != nil {
			t.Fatal(err)
		}
		var m LegacyMessage
		if _, err := m.Decode(out, false); err != nil {
			t.Fatal(err)
		}
		if lz4HeaderChecksumIsLegacy(t, m.Value) != (magic == 0) {
			t.Fatalf("magic %d LZ4 wrapper has the wrong header checksum style", magic)
		}
		got, _ := msReadAll(t, out)
		msCheck(t, "built lz4", got, msShifted(7, 0, magic == 0))
	}
}

func TestMessageSetRoundTripCodecs(t *testing.T) {
	for _, magic := range []int8{0, 1} {
		for _, codec := range rbCodecs[:4] {
			var w MessageSetBuilder
			w.Reset(MessageSetOptions{Magic: magic, Codec: codec, BaseOffset: 1000})
			for i := range 50 {
				w.Append(msTs0+int64(i%7), []byte{byte(i)}, bytes.Repeat([]byte("value "), i))
			}
			out, err := w.Build(nil)
			if err != nil {
				t.Fatalf("magic %d codec %v: %v", magic, codec, err)
			}
			got, batches := msReadAll(t, out)
			if len(got) != 50 || (codec != compress.None) != (len(batches) == 1) {
				t.Fatalf("magic %d codec %v: %d records in %d batches", magic, codec, len(got), len(batches))
			}
			for i, g := range got {
				wantTs := int64(-1)
				if magic == 1 {
					wantTs = msTs0 + int64(i%7)
				}
				if g.offset != 1000+int64(i) || g.ts != wantTs || g.key[0] != byte(i) || len(g.value) != 6*i {
					t.Fatalf("magic %d codec %v: record %d = %+v", magic, codec, i, g)
				}
			}
			// A decoded legacy batch re-encodes to the same records.
			var b RecordBatch
			if _, err := b.Decode(out, DecodeOptions{}); err != nil {
				t.Fatal(err)
			}
			again, err := b.AppendTo(nil)
			if err != nil {
				t.Fatal(err)
			}
			if codec == compress.None {
				if !bytes.Equal(again, out[:len(again)]) {
					t.Fatal("uncompressed message re-encodes differently")
				}
			} else {
				got2, _ := msReadAll(t, again)
				msCheck(t, "re-encoded", got2, got)
			}
		}
	}
	var w MessageSetBuilder
	w.Reset(MessageSetOptions{Magic: 1, Codec: compress.Zstd})
	w.Append(1, nil, nil)
	if _, err := w.Build(nil); err == nil {
		t.Fatal("zstd in a legacy message set was accepted")
	}
}

func TestMessageSetMalformed(t *testing.T) {
	good := msGoldenV1(0)[:39] // the first message: 12 + 27 bytes
	fix := func(f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b)
		binary.BigEndian.PutUint32(b[12:], crc32.ChecksumIEEE(b[16:]))
		return b
	}
	inner := msGoldenV1(0)
	gz := msGzip(t, inner)
	cases := map[string][]byte{
		"bad crc":         func() []byte { b := append([]byte(nil), good...); b[34] ^= 1; return b }(),
		"size small":      fix(func(b []byte) { binary.BigEndian.PutUint32(b[8:], 5) }),
		"size msV1 small": fix(func(b []byte) { binary.BigEndian.PutUint32(b[8:], 15) }),
		"size huge":       fix(func(b []byte) { binary.BigEndian.PutUint32(b[8:], 1<<30) }),
		"magic 5":         fix(func(b []byte) { b[16] = 5 }),
		"key -2":          fix(func(b []byte) { binary.BigEndian.PutUint32(b[26:], 0xfffffffe) }),
		"value too long":  fix(func(b []byte) { binary.BigEndian.PutUint32(b[30:], 6) }),
		"value short":     fix(func(b []byte) { binary.BigEndian.PutUint32(b[30:], 4) }),
		"zstd wrapper":    msEntry(2, []byte{1, 4}, msU64(1), msNull, msU32(uint32(len(gz))), gz),
		"null wrapper":    msEntry(2, []byte{1, 1}, msU64(1), msNull, msNull),
		"garbage gzip":    msEntry(2, []byte{1, 1}, msU64(1), msNull, msU32(3), []byte{1, 2, 3}),
		"empty inner":     msEntry(2, []byte{1, 1}, msU64(1), msNull, msU32(uint32(len(msGzip(t, nil)))), msGzip(t, nil)),
		"nested":          msEntry(2, []byte{1, 1}, msU64(1), msNull, msU32(uint32(len(msGzip(t, msEntry(0, []byte{1, 1}, msU64(1), msNull, msU32(uint32(len(gz))), gz))))), msGzip(t, msEntry(0, []byte{1, 1}, msU64(1), msNull, msU32(uint32(len(gz))), gz))),
		"truncated inner": msEntry(2, []byte{1, 1}, msU64(1), msNull, msU32(uint32(len(msGzip(t, inner[:40])))), msGzip(t, inner[:40])),
		"inner magic 0":   msEntry(2, []byte{1, 1}, msU64(1), msNull, msU32(uint32(len(msGzip(t, msGoldenV0(0))))), msGzip(t, msGoldenV0(0))),
		"wrapper below":   msEntry(1, []byte{1, 1}, msU64(1), msNull, msU32(uint32(len(gz))), gz),
		"inner bad crc": func() []byte {
			in := append([]byte(nil), inner...)
			in[20] ^= 1
			z := msGzip(t, in)
			return msEntry(2, []byte{1, 1}, msU64(1), msNull, msU32(uint32(len(z))), z)
		}(),
	}
	for name, data := range cases {
		var b RecordBatch
		if _, err := b.Decode(data, DecodeOptions{}); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
		if name == "size huge" {
			continue // to a RecordSetReader, a partial trailing message
		}
		r := NewRecordSetReader(data, DecodeOptions{})
		if r.Next(&b) || !errors.Is(r.Err(), ErrMalformed) || r.Partial() {
			t.Errorf("%s: RecordSetReader err %v partial %v", name, r.Err(), r.Partial())
		}
	}
}

// TestRecordSetMixed reads a fetch payload as a broker sends it during a
// format upgrade: a magic 1 message set (a gzip wrapper and a plain message),
// then v2 batches, then a partial batch cut by the fetch size limit.
func TestRecordSetMixed(t *testing.T) {
	inner := msGoldenV1(0)
	gz := msGzip(t, inner)
	payload := msEntry(102, []byte{1, 1}, msU64(msTs0+7), msNull, msU32(uint32(len(gz))), gz)
	payload = append(payload, msEntry(103, msV1, msU64(msTs0+50), msNull, msU32(1), []byte("x"))...)
	var bb BatchBuilder
	bb.Reset(BatchOptions{BaseOffset: 104})
	bb.Append(msTs0+60, []byte("a"), []byte("1"), nil)
	bb.Append(msTs0+61, []byte("b"), []byte("2"), []RecordHeader{{Key: []byte("h"), Value: []byte("v")}})
	payload, _ = bb.Build(payload)
	bb.Reset(BatchOptions{BaseOffset: 106, Codec: compress.Gzip, Transactional: true, ProducerID: 77})
	bb.Append(msTs0+70, nil, []byte("3"), nil)
	payload, _ = bb.Build(payload)
	control := RecordBatch{Magic: 2, BaseOffset: 107, Attributes: BatchControl | BatchTransactional, ProducerID: 77,
		BaseTimestamp: msTs0 + 80, MaxTimestamp: msTs0 + 80, Records: []Record{{Key: []byte{0, 0, 0, 1}, Value: []byte{0, 0, 0, 0, 0, 0}}}}
	payload, _ = control.AppendTo(payload)
	complete := len(payload)
	bb.Reset(BatchOptions{BaseOffset: 108})
	bb.Append(msTs0+90, nil, bytes.Repeat([]byte("z"), 100), nil)
	last, _ := bb.Build(nil)

	want := append(msShifted(100, 0, false),
		msWant{103, msTs0 + 50, nil, []byte("x")},
		msWant{104, msTs0 + 60, []byte("a"), []byte("1")},
		msWant{105, msTs0 + 61, []byte("b"), []byte("2")},
		msWant{106, msTs0 + 70, nil, []byte("3")},
		msWant{107, msTs0 + 80, []byte{0, 0, 0, 1}, []byte{0, 0, 0, 0, 0, 0}})
	for _, cut := range []int{0, 1, 11, 12, 16, 17, 60, 61, 70, len(last) - 1} {
		data := append(append([]byte(nil), payload...), last[:cut]...)
		r := NewRecordSetReader(data, DecodeOptions{})
		var b RecordBatch
		var got []msWant
		var magics []int8
		var flags []int16
		for r.Next(&b) {
			magics = append(magics, b.Magic)
			flags = append(flags, b.Attributes&^BatchCodecMask)
			for i := range b.Records {
				rec := &b.Records[i]
				got = append(got, msWant{rec.Offset(&b), rec.Timestamp(&b), bytes.Clone(rec.Key), bytes.Clone(rec.Value)})
			}
		}
		if r.Err() != nil {
			t.Fatalf("cut %d: %v", cut, r.Err())
		}
		if r.Partial() != (cut > 0) || r.Offset() != complete {
			t.Fatalf("cut %d: partial %v offset %d, want %d", cut, r.Partial(), r.Offset(), complete)
		}
		msCheck(t, "mixed", got, want)
		wantMagics := []int8{1, 1, 2, 2, 2}
		if !bytes.Equal(msInt8s(magics), msInt8s(wantMagics)) || flags[3] != BatchTransactional || flags[4] != BatchControl|BatchTransactional {
			t.Fatalf("cut %d: magics %v flags %v", cut, magics, flags)
		}
	}
	// The whole last batch makes it complete again.
	got, _ := msReadAll(t, append(payload, last...))
	if len(got) != len(want)+1 || got[len(want)].offset != 108 {
		t.Fatalf("complete payload: %d records", len(got))
	}
	// Corruption in the middle is an error, not a partial batch.
	bad := append([]byte(nil), payload...)
	bad[complete-1] ^= 1
	r := NewRecordSetReader(bad, DecodeOptions{})
	var b RecordBatch
	for r.Next(&b) {
	}
	if !errors.Is(r.Err(), ErrMalformed) || r.Partial() {
		t.Fatalf("corrupt last batch: err %v partial %v", r.Err(), r.Partial())
	}
	r.Reset([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 2}, DecodeOptions{})
	if r.Next(&b) || !errors.Is(r.Err(), ErrMalformed) {
		t.Fatalf("negative size: %v", r.Err())
	}
}

func msInt8s(a []int8) []byte {
	b := make([]byte, len(a))
	for i, v := range a {
		b[i] = byte(v)
	}
	return b
}

func TestRecordSetReaderAllocs(t *testing.T) {
	var w MessageSetBuilder
	w.Reset(MessageSetOptions{Magic: 1, Codec: compress.LZ4})
	for i := range 200 {
		w.Append(msTs0+int64(i), []byte("key"), bytes.Repeat([]byte{byte(i)}, 50))
	}
	data, err := w.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Reset(MessageSetOptions{Magic: 0, BaseOffset: 200})
	for i := range 200 {
		w.Append(0, nil, []byte{byte(i)})
	}
	if data, err = w.Build(data); err != nil {
		t.Fatal(err)
	}
	var bb BatchBuilder
	bb.Reset(BatchOptions{BaseOffset: 400, Codec: compress.LZ4})
	for i := range 200 {
		bb.Append(msTs0, nil, []byte{byte(i)}, []RecordHeader{{Key: []byte("h")}})
	}
	if data, err = bb.Build(data); err != nil {
		t.Fatal(err)
	}
	var r RecordSetReader
	var b RecordBatch
	count := func() int {
		n := 0
		r.Reset(data, DecodeOptions{})
		for r.Next(&b) {
			n += len(b.Records)
		}
		if r.Err() != nil || r.Partial() {
			t.Fatal(r.Err())
		}
		return n
	}
	if n := count(); n != 600 {
		t.Fatalf("%d records", n)
	}
	if allocs := testing.AllocsPerRun(20, func() { count() }); allocs > 10 {
		t.Errorf("%.0f allocations to read 202 batches of 600 records", allocs)
	}
}
