package protocol

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gokafka/kafka/protocol/compress"
	"github.com/twmb/franz-go/pkg/kmsg"
)

var rbCodecs = []compress.Codec{compress.None, compress.Gzip, compress.Snappy, compress.LZ4, compress.Zstd}

// rbRecord is what a test appends and expects back.
type rbRecord struct {
	ts         int64
	key, value []byte
	headers    []RecordHeader
}

func rbRandBytes(rng *rand.Rand, max int, nullable bool) []byte {
	if nullable && rng.IntN(5) == 0 {
		return nil
	}
	b := make([]byte, rng.IntN(max+1))
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return b
}

func rbRandRecords(rng *rand.Rand, n int) []rbRecord {
	base := int64(1_700_000_000_000) + rng.Int64N(1<<30)
	recs := make([]rbRecord, n)
	for i := range recs {
		r := &recs[i]
		r.ts = base + rng.Int64N(20_000) - 5_000
		r.key = rbRandBytes(rng, 16, true)
		r.value = rbRandBytes(rng, 300, true)
		for range rng.IntN(4) {
			r.headers = append(r.headers, RecordHeader{Key: rbRandBytes(rng, 8, false), Value: rbRandBytes(rng, 20, true)})
		}
	}
	return recs
}

func rbRandOptions(rng *rand.Rand, codec compress.Codec) BatchOptions {
	o := BatchOptions{Codec: codec}
	switch rng.IntN(3) {
	case 1:
		o.Idempotent = true
	case 2:
		o.Transactional = true
	}
	o.ProducerID, o.ProducerEpoch, o.BaseSequence = rng.Int64N(1<<40), int16(rng.IntN(100)), rng.Int32N(1<<20)
	if rng.IntN(2) == 0 {
		o.BaseOffset = rng.Int64N(1 << 40)
	}
	return o
}

func rbBuild(t testing.TB, o BatchOptions, recs []rbRecord) []byte {
	t.Helper()
	var bb BatchBuilder
	bb.Reset(o)
	for _, r := range recs {
		bb.Append(r.ts, r.key, r.value, r.headers)
	}
	out, err := bb.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func rbSameBytes(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

// rbCheck compares a decoded batch with what was appended.
func rbCheck(t *testing.T, b *RecordBatch, o BatchOptions, want []rbRecord) {
	t.Helper()
	if len(b.Records) != len(want) {
		t.Fatalf("%d records, want %d", len(b.Records), len(want))
	}
	if b.Codec() != o.Codec || b.Transactional() != o.Transactional || b.Control() != o.Control || b.Magic != 2 {
		t.Fatalf("attributes %#x magic %d for options %+v", b.Attributes, b.Magic, o)
	}
	if b.BaseOffset != o.BaseOffset || b.LastOffset() != o.BaseOffset+int64(len(want))-1 || b.NextOffset() != b.LastOffset()+1 {
		t.Fatalf("offsets: base %d last %d", b.BaseOffset, b.LastOffset())
	}
	if o.Idempotent || o.Transactional {
		if b.ProducerID != o.ProducerID || b.ProducerEpoch != o.ProducerEpoch || b.BaseSequence != o.BaseSequence {
			t.Fatalf("producer %d/%d/%d, want %d/%d/%d", b.ProducerID, b.ProducerEpoch, b.BaseSequence, o.ProducerID, o.ProducerEpoch, o.BaseSequence)
		}
	} else if b.ProducerID != -1 || b.ProducerEpoch != -1 || b.BaseSequence != -1 {
		t.Fatalf("plain batch has producer %d/%d/%d", b.ProducerID, b.ProducerEpoch, b.BaseSequence)
	}
	maxTs := want[0].ts
	for i, w := range want {
		r := &b.Records[i]
		maxTs = max(maxTs, w.ts)
		if r.Offset(b) != o.BaseOffset+int64(i) || r.Timestamp(b) != w.ts {
			t.Fatalf("record %d: offset %d ts %d, want %d %d", i, r.Offset(b), r.Timestamp(b), o.BaseOffset+int64(i), w.ts)
		}
		if !rbSameBytes(r.Key, w.key) || !rbSameBytes(r.Value, w.value) {
			t.Fatalf("record %d: key %q value %q, want %q %q", i, r.Key, r.Value, w.key, w.value)
		}
		if len(r.Headers) != len(w.headers) {
			t.Fatalf("record %d: %d headers, want %d", i, len(r.Headers), len(w.headers))
		}
		for h := range w.headers {
			if !bytes.Equal(r.Headers[h].Key, w.headers[h].Key) || !rbSameBytes(r.Headers[h].Value, w.headers[h].Value) {
				t.Fatalf("record %d header %d: %q=%q, want %q=%q", i, h, r.Headers[h].Key, r.Headers[h].Value, w.headers[h].Key, w.headers[h].Value)
			}
		}
	}
	if b.MaxTimestamp != maxTs {
		t.Fatalf("max timestamp %d, want %d", b.MaxTimestamp, maxTs)
	}
}

func TestRecordBatchRoundTrip(t *testing.T) {
	for _, codec := range rbCodecs {
		t.Run(fmt.Sprint(codec), func(t *testing.T) {
			var b RecordBatch // reused on purpose: decoding must not leak state between batches
			for seed := range uint64(30) {
				rng := rand.New(rand.NewPCG(seed, uint64(codec)))
				recs := rbRandRecords(rng, 1+rng.IntN(60))
				o := rbRandOptions(rng, codec)
				data := rbBuild(t, o, recs)
				n, err := b.Decode(append(data, 0xde, 0xad), DecodeOptions{})
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if n != len(data) || int(b.BatchLength) != len(data)-12 {
					t.Fatalf("seed %d: consumed %d of %d, batch length %d", seed, n, len(data), b.BatchLength)
				}
				rbCheck(t, &b, o, recs)

				// Re-encoding the decoded batch gives the same batch back (the
				// same bytes when uncompressed).
				again, err := b.AppendTo([]byte{9})
				if err != nil {
					t.Fatal(err)
				}
				if codec == compress.None && !bytes.Equal(again[1:], data) {
					t.Fatalf("seed %d: AppendTo differs from BatchBuilder", seed)
				}
				var b2 RecordBatch
				if _, err := b2.Decode(again[1:], DecodeOptions{}); err != nil {
					t.Fatal(err)
				}
				rbCheck(t, &b2, o, recs)
			}
		})
	}
}

func TestRecordBatchKmsgReadsOurs(t *testing.T) {
	for _, codec := range rbCodecs {
		for seed := range uint64(20) {
			rng := rand.New(rand.NewPCG(seed, 100+uint64(codec)))
			recs := rbRandRecords(rng, 1+rng.IntN(40))
			o := rbRandOptions(rng, codec)
			data := rbBuild(t, o, recs)

			var kb kmsg.RecordBatch
			if err := kb.ReadFrom(data); err != nil {
				t.Fatal(err)
			}
			var ours RecordBatch
			if _, err := ours.Decode(data, DecodeOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := crc32.Checksum(data[21:], crc32.MakeTable(crc32.Castagnoli)); uint32(kb.CRC) != got {
				t.Fatalf("CRC %08x, want %08x", uint32(kb.CRC), got)
			}
			if kb.FirstOffset != ours.BaseOffset || kb.Length != ours.BatchLength || int(kb.Length) != len(data)-12 ||
				kb.PartitionLeaderEpoch != -1 || kb.Magic != 2 || uint32(kb.CRC) != ours.CRC ||
				kb.Attributes != ours.Attributes || kb.LastOffsetDelta != int32(len(recs)-1) ||
				kb.FirstTimestamp != ours.BaseTimestamp || kb.MaxTimestamp != ours.MaxTimestamp ||
				kb.ProducerID != ours.ProducerID || kb.ProducerEpoch != ours.ProducerEpoch ||
				kb.FirstSequence != ours.BaseSequence || int(kb.NumRecords) != len(recs) {
				t.Fatalf("codec %d seed %d: kmsg header %+v differs from ours %+v", codec, seed, kb, ours)
			}
			raw, err := compress.Decompress(nil, kb.Records, compress.Codec(kb.Attributes&7), 1<<26)
			if err != nil {
				t.Fatal(err)
			}
			for i := range recs {
				l, n := binary.Varint(raw)
				if n <= 0 || int(l)+n > len(raw) {
					t.Fatalf("record %d: bad length", i)
				}
				var kr kmsg.Record
				if err := kr.ReadFrom(raw[:n+int(l)]); err != nil {
					t.Fatal(err)
				}
				raw = raw[n+int(l):]
				r := &ours.Records[i]
				if kr.Attributes != r.Attributes || kr.TimestampDelta64 != r.TimestampDelta || kr.OffsetDelta != int32(i) ||
					kb.FirstTimestamp+kr.TimestampDelta64 != recs[i].ts ||
					!rbSameBytes(kr.Key, recs[i].key) || !rbSameBytes(kr.Value, recs[i].value) || len(kr.Headers) != len(recs[i].headers) {
					t.Fatalf("codec %d seed %d record %d: kmsg %+v, appended %+v", codec, seed, i, kr, recs[i])
				}
				for h, kh := range kr.Headers {
					if kh.Key != string(recs[i].headers[h].Key) || !rbSameBytes(kh.Value, recs[i].headers[h].Value) {
						t.Fatalf("record %d header %d: kmsg %q=%q", i, h, kh.Key, kh.Value)
					}
				}
			}
			if len(raw) != 0 {
				t.Fatalf("%d bytes after the records", len(raw))
			}
		}
	}
}

// rbKmsgBatch builds a batch with kmsg from recs, compressing with our codecs
// and computing the CRC with hash/crc32.
func rbKmsgBatch(t testing.TB, codec compress.Codec, attrs int16, baseOffset int64, recs []kmsg.Record) []byte {
	var raw []byte
	base, maxTs := int64(1_600_000_000_000), int64(math.MinInt64)
	for i := range recs {
		r := &recs[i]
		r.Length = int32(rbKmsgRecordLength(r))
		raw = r.AppendTo(raw)
		maxTs = max(maxTs, base+r.TimestampDelta64)
	}
	records := raw
	if codec != compress.None {
		var err error
		if records, err = compress.Compress(nil, raw, codec, 0); err != nil {
			t.Fatal(err)
		}
	}
	kb := kmsg.RecordBatch{
		FirstOffset: baseOffset, Length: int32(49 + len(records)), PartitionLeaderEpoch: 7, Magic: 2,
		Attributes: attrs | int16(codec), LastOffsetDelta: int32(len(recs) - 1),
		FirstTimestamp: base, MaxTimestamp: maxTs, ProducerID: 42, ProducerEpoch: 3, FirstSequence: 99,
		NumRecords: int32(len(recs)), Records: records,
	}
	out := kb.AppendTo(nil)
	binary.BigEndian.PutUint32(out[17:], crc32.Checksum(out[21:], crc32.MakeTable(crc32.Castagnoli)))
	return out
}

// rbKmsgRecordLength computes a kmsg.Record's Length field (kmsg leaves it to
// the caller).
func rbKmsgRecordLength(r *kmsg.Record) int {
	n := 1 + varintLen(r.TimestampDelta64) + varintLen(int64(r.OffsetDelta)) + rbVarBytesLen(r.Key) + rbVarBytesLen(r.Value) + varintLen(int64(len(r.Headers)))
	for i := range r.Headers {
		n += varintLen(int64(len(r.Headers[i].Key))) + len(r.Headers[i].Key) + rbVarBytesLen(r.Headers[i].Value)
	}
	return n
}

func rbVarBytesLen(b []byte) int {
	if b == nil {
		return 1
	}
	return varintLen(int64(len(b))) + len(b)
}

func TestRecordBatchWeReadKmsg(t *testing.T) {
	for _, codec := range rbCodecs {
		for seed := range uint64(20) {
			rng := rand.New(rand.NewPCG(seed, 200+uint64(codec)))
			recs := make([]kmsg.Record, 1+rng.IntN(40))
			for i := range recs {
				r := &recs[i]
				r.TimestampDelta64 = rng.Int64N(1<<36) - 1<<35
				r.OffsetDelta = int32(i)
				r.Key = rbRandBytes(rng, 16, true)
				r.Value = rbRandBytes(rng, 300, true)
				for range rng.IntN(4) {
					r.Headers = append(r.Headers, kmsg.Header{Key: string(rbRandBytes(rng, 8, false)), Value: rbRandBytes(rng, 20, true)})
				}
			}
			attrs := int16(rng.IntN(4)) << 4 // transactional and/or control
			data := rbKmsgBatch(t, codec, attrs, 1000, recs)
			var b RecordBatch
			n, err := b.Decode(data, DecodeOptions{})
			if err != nil {
				t.Fatalf("codec %d seed %d: %v", codec, seed, err)
			}
			if n != len(data) || b.BaseOffset != 1000 || b.PartitionLeaderEpoch != 7 || b.ProducerID != 42 ||
				b.ProducerEpoch != 3 || b.BaseSequence != 99 || b.Codec() != codec || b.Attributes&^7 != attrs ||
				b.LastOffset() != 1000+int64(len(recs))-1 || b.BaseTimestamp != 1_600_000_000_000 {
				t.Fatalf("header %+v", b)
			}
			if len(b.Records) != len(recs) {
				t.Fatalf("%d records, want %d", len(b.Records), len(recs))
			}
			for i := range recs {
				r, kr := &b.Records[i], &recs[i]
				if r.TimestampDelta != kr.TimestampDelta64 || r.OffsetDelta != kr.OffsetDelta || r.Offset(&b) != 1000+int64(i) ||
					!rbSameBytes(r.Key, kr.Key) || !rbSameBytes(r.Value, kr.Value) || len(r.Headers) != len(kr.Headers) {
					t.Fatalf("record %d: %+v, kmsg wrote %+v", i, r, kr)
				}
				for h := range kr.Headers {
					if string(r.Headers[h].Key) != kr.Headers[h].Key || !rbSameBytes(r.Headers[h].Value, kr.Headers[h].Value) {
						t.Fatalf("record %d header %d differs", i, h)
					}
				}
			}
		}
	}
}

func TestRecordBatchLogAppendTimeAndControl(t *testing.T) {
	b := RecordBatch{Magic: 2, Attributes: BatchLogAppendTime | BatchControl | BatchTransactional, BaseOffset: 50,
		BaseTimestamp: 1000, MaxTimestamp: 5000, ProducerID: 9, ProducerEpoch: 1, BaseSequence: -1,
		Records: []Record{{TimestampDelta: 3, Key: []byte{0, 0, 0, 1}, Value: []byte{0, 0, 0, 0, 0, 0}}}}
	data, err := b.AppendTo(nil)
	if err != nil {
		t.Fatal(err)
	}
	var d RecordBatch
	if _, err := d.Decode(data, DecodeOptions{}); err != nil {
		t.Fatal(err)
	}
	if !d.LogAppendTime() || !d.Control() || !d.Transactional() || d.DeleteHorizonSet() {
		t.Fatalf("flags of %#x", d.Attributes)
	}
	if ts := d.Records[0].Timestamp(&d); ts != 5000 {
		t.Fatalf("LogAppendTime record timestamp %d, want the batch's max 5000", ts)
	}
	v, typ, err := ParseControlKey(d.Records[0].Key)
	if err != nil || v != 0 || typ != ControlCommit {
		t.Fatalf("control key: %d %d %v", v, typ, err)
	}
	if _, _, err := ParseControlKey([]byte{0}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("short control key: %v", err)
	}
}

func TestRecordBatchHeadersShareOneArray(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	recs := rbRandRecords(rng, 200)
	for i := range recs {
		recs[i].headers = []RecordHeader{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("b")}}
	}
	data := rbBuild(t, BatchOptions{}, recs)
	var b RecordBatch
	if _, err := b.Decode(data, DecodeOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(b.headers) != 400 {
		t.Fatalf("batch header store holds %d headers, want 400", len(b.headers))
	}
	for i := range b.Records {
		if h := b.Records[i].Headers; len(h) != 2 || cap(h) != 2 || &h[0] != &b.headers[2*i] {
			t.Fatalf("record %d's headers are not in the batch's one array", i)
		}
	}
	if b.Records[5].Headers[1].Value != nil || string(b.Records[5].Headers[0].Value) != "1" {
		t.Fatal("header values")
	}
}

func TestRecordBatchDecodeAllocs(t *testing.T) {
	// Once warm, decoding and building allocate nothing per record: none at
	// all uncompressed, and with a codec at most a few for its pool misses
	// (sync.Pool drops items on purpose under the race detector).
	rng := rand.New(rand.NewPCG(1, 1))
	recs := rbRandRecords(rng, 500)
	for _, codec := range rbCodecs {
		limit := 0.0
		if codec != compress.None {
			limit = 10
		}
		data := rbBuild(t, BatchOptions{Codec: codec}, recs)
		var b RecordBatch
		if _, err := b.Decode(data, DecodeOptions{}); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(20, func() {
			if _, err := b.Decode(data, DecodeOptions{}); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > limit {
			t.Errorf("codec %v: %.1f allocations per 500-record decode", codec, allocs)
		}
		var bb BatchBuilder
		out := make([]byte, 0, 1<<20)
		build := func() {
			bb.Reset(BatchOptions{Codec: codec})
			for _, r := range recs {
				bb.Append(r.ts, r.key, r.value, r.headers)
			}
			var err error
			if out, err = bb.Build(out[:0]); err != nil {
				t.Fatal(err)
			}
		}
		build()
		if allocs := testing.AllocsPerRun(20, build); allocs > limit {
			t.Errorf("codec %v: BatchBuilder made %.1f allocations per 500-record batch", codec, allocs)
		}
	}
}

// rbCorrupt returns a copy of batch with f applied and the CRC recomputed, so
// the decoder's structural checks are reached.
func rbCorrupt(batch []byte, f func(b []byte) []byte) []byte {
	b := f(append([]byte(nil), batch...))
	if len(b) >= 21 {
		binary.BigEndian.PutUint32(b[8:], uint32(len(b)-12))
		binary.BigEndian.PutUint32(b[17:], crc32.Checksum(b[21:], crc32c))
	}
	return b
}

func TestRecordBatchMalformed(t *testing.T) {
	one := rbBuild(t, BatchOptions{}, []rbRecord{{ts: 5, key: []byte("k"), value: []byte("value")}})
	hdr := rbBuild(t, BatchOptions{}, []rbRecord{{ts: 5, value: []byte("v"), headers: []RecordHeader{{Key: []byte("h")}}}})
	// one's record: length at 61, then attrs 62, ts 63, offset 64, key len 65, key 66, value len 67.
	cases := map[string][]byte{
		"empty":        {},
		"short":        one[:20],
		"header cut":   one[:60],
		"truncated":    one[:len(one)-1],
		"bad magic":    rbCorrupt(one, func(b []byte) []byte { b[16] = 3; return b }),
		"small length": func() []byte { b := append([]byte(nil), one...); binary.BigEndian.PutUint32(b[8:], 10); return b }(),
		"huge length": func() []byte {
			b := append([]byte(nil), one...)
			binary.BigEndian.PutUint32(b[8:], math.MaxInt32)
			return b
		}(),
		"bad crc":       func() []byte { b := append([]byte(nil), one...); b[17] ^= 1; return b }(),
		"stale crc":     func() []byte { b := append([]byte(nil), one...); b[61] = 0xfe; return b }(),
		"count 2^31-1":  rbCorrupt(one, func(b []byte) []byte { binary.BigEndian.PutUint32(b[57:], math.MaxInt32); return b }),
		"count -1":      rbCorrupt(one, func(b []byte) []byte { binary.BigEndian.PutUint32(b[57:], math.MaxUint32); return b }),
		"count 2":       rbCorrupt(one, func(b []byte) []byte { binary.BigEndian.PutUint32(b[57:], 2); return b }),
		"count 0":       rbCorrupt(one, func(b []byte) []byte { binary.BigEndian.PutUint32(b[57:], 0); return b }),
		"codec 5":       rbCorrupt(one, func(b []byte) []byte { b[22] |= 5; return b }),
		"codec garbage": rbCorrupt(one, func(b []byte) []byte { b[22] |= byte(compress.Gzip); return b }),
		"record longer": rbCorrupt(one, func(b []byte) []byte { b[61] += 2; return b }),
		"record short":  rbCorrupt(one, func(b []byte) []byte { b[61] -= 2; return b }),
		"record huge":   rbCorrupt(one, func(b []byte) []byte { b[61] = 0xfe; return b }),
		"negative rec":  rbCorrupt(one, func(b []byte) []byte { b[61] = 3; return b }),
		"key -2":        rbCorrupt(one, func(b []byte) []byte { b[65] = 3; return b }),
		"key too long":  rbCorrupt(one, func(b []byte) []byte { b[65] = 0x7e; return b }),
		"bad varint":    rbCorrupt(one, func(b []byte) []byte { b[63] = 0xff; return b }),
		"trailing":      rbCorrupt(one, func(b []byte) []byte { return append(b, 0) }),
		"header count":  rbCorrupt(hdr, func(b []byte) []byte { b[len(b)-4] = 0x7e; return b }),
		"null hdr key":  rbCorrupt(hdr, func(b []byte) []byte { b[len(b)-3] = 1; return b }),
	}
	// A varint that never ends.
	cases["endless varint"] = rbCorrupt(one, func(b []byte) []byte {
		return append(b[:61], 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	})
	for name, data := range cases {
		var b RecordBatch
		_, err := b.Decode(data, DecodeOptions{})
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
		if name == "codec garbage" && !errors.Is(err, compress.ErrCorrupt) {
			t.Errorf("codec garbage: %v does not wrap compress.ErrCorrupt", err)
		}
		var de *DecodeError
		if (name == "bad crc" || name == "stale crc") && (!errors.As(err, &de) || de.Offset != 17) {
			t.Errorf("%s: %v is not a DecodeError at the CRC field", name, err)
		}
		if (name == "bad crc" || name == "stale crc") && (err == nil || !bytes.Contains([]byte(err.Error()), []byte("CRC-32C mismatch"))) {
			t.Errorf("%s: %v", name, err)
		}
	}
	var b RecordBatch
	if _, err := b.Decode(cases["bad crc"], DecodeOptions{SkipCRC: true}); err != nil {
		t.Errorf("SkipCRC: %v", err)
	}
}

func TestRecordBatchDecompressionLimit(t *testing.T) {
	recs := []rbRecord{{value: bytes.Repeat([]byte("x"), 100_000)}}
	data := rbBuild(t, BatchOptions{Codec: compress.Gzip}, recs)
	var b RecordBatch
	if _, err := b.Decode(data, DecodeOptions{MaxDecompressedSize: 50_000}); !errors.Is(err, ErrMalformed) || !errors.Is(err, compress.ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := b.Decode(data, DecodeOptions{MaxDecompressedSize: 200_000}); err != nil {
		t.Fatal(err)
	}
}

func TestBatchBuilderOptions(t *testing.T) {
	var bb BatchBuilder
	if _, err := bb.Build(nil); err == nil {
		t.Fatal("empty batch built")
	}
	bb.Reset(BatchOptions{BaseTimestamp: 1000, Control: true, ProducerID: 5, ProducerEpoch: 2, BaseSequence: 7})
	if bb.RecordSize(990, nil, []byte("v"), nil) != 8 {
		t.Fatalf("record size %d", bb.RecordSize(990, nil, []byte("v"), nil))
	}
	bb.Append(990, nil, []byte("v"), nil) // before the base timestamp: negative delta
	bb.Append(1500, []byte("k"), nil, nil)
	if bb.Len() != 2 || bb.EstimatedSize() != 61+8+9 {
		t.Fatalf("len %d size %d", bb.Len(), bb.EstimatedSize())
	}
	data, err := bb.Build([]byte("prefix"))
	if err != nil || string(data[:6]) != "prefix" {
		t.Fatal(err)
	}
	var b RecordBatch
	if _, err := b.Decode(data[6:], DecodeOptions{}); err != nil {
		t.Fatal(err)
	}
	if b.BaseTimestamp != 1000 || b.MaxTimestamp != 1500 || b.Records[0].Timestamp(&b) != 990 || !b.Control() ||
		b.ProducerID != 5 || b.ProducerEpoch != 2 || b.BaseSequence != 7 || b.PartitionLeaderEpoch != -1 {
		t.Fatalf("%+v", b)
	}
}

// TestBatchBuilderFinishMatchesBuild: Finish, in place or into the
// builder's compression buffer, gives the bytes Build gives, also when
// called again after SetProducer and after a Reset that reuses the memory.
func TestBatchBuilderFinishMatchesBuild(t *testing.T) {
	for _, codec := range []compress.Codec{compress.None, compress.Gzip, compress.Snappy, compress.LZ4, compress.Zstd} {
		var bb BatchBuilder
		if _, err := bb.Finish(); err == nil {
			t.Fatal("empty batch finished")
		}
		for round := range 3 {
			bb.Reset(BatchOptions{Codec: codec})
			for i := range 50 + round*10 {
				bb.Append(int64(1000+i), []byte(fmt.Sprint("k", i)), bytes.Repeat([]byte{byte(i)}, i), []RecordHeader{{Key: []byte("h"), Value: []byte("v")}})
			}
			if round == 1 {
				bb.SetProducer(7, 1, 100)
			}
			want, err := bb.Build(nil)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				got, err := bb.Finish()
				if err != nil {
					t.Fatal(err)
				}
				if codec == compress.None && !bytes.Equal(got, want) {
					t.Fatalf("%v round %d: Finish differs from Build", codec, round)
				}
				var b RecordBatch
				if _, err := b.Decode(got, DecodeOptions{}); err != nil {
					t.Fatalf("%v round %d: %v", codec, round, err)
				}
				if len(b.Records) != 50+round*10 || string(b.Records[9].Key) != "k9" {
					t.Fatalf("%v round %d: %d records", codec, round, len(b.Records))
				}
				if round == 1 && (b.ProducerID != 7 || b.BaseSequence != 100) {
					t.Fatalf("producer fields %d %d", b.ProducerID, b.BaseSequence)
				}
			}
		}
	}
}
