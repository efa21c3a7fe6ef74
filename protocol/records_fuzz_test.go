package protocol

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// Fuzz targets for record batches, legacy message sets and record sets:
// decoding never panics, fails only with ErrMalformed, and whatever decodes
// re-encodes to something that decodes to the same records.

var fuzzDecodeOptions = DecodeOptions{MaxDecompressedSize: 1 << 20}

// fuzzV2Seeds returns valid record batches: each codec, a control batch and
// an empty (compacted) batch.
func fuzzV2Seeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	rng := rand.New(rand.NewPCG(3, 4))
	for _, codec := range rbCodecs {
		recs := rbRandRecords(rng, 1+rng.IntN(4))
		for i := range recs {
			if len(recs[i].value) > 40 {
				recs[i].value = recs[i].value[:40]
			}
		}
		seeds = append(seeds, rbBuild(tb, rbRandOptions(rng, codec), recs))
	}
	control := RecordBatch{Magic: 2, BaseOffset: 9, Attributes: BatchControl | BatchTransactional, ProducerID: 4,
		BaseTimestamp: 1, MaxTimestamp: 1, Records: []Record{{Key: []byte{0, 0, 0, 0}, Value: []byte{0, 0, 0, 0, 0, 0}}}}
	empty := RecordBatch{Magic: 2, BaseOffset: 100, LastOffsetDelta: 5, Attributes: BatchDeleteHorizon}
	for _, b := range []*RecordBatch{&control, &empty} {
		out, err := b.AppendTo(nil)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, out)
	}
	return seeds
}

// fuzzLegacySeeds returns valid legacy message sets: both magics, plain and
// wrapped with each legacy codec, and a hand-made LZ4 frame with the old
// header checksum.
func fuzzLegacySeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	for _, magic := range []int8{0, 1} {
		for _, codec := range rbCodecs[:4] {
			var w MessageSetBuilder
			w.Reset(MessageSetOptions{Magic: magic, Codec: codec, BaseOffset: 50})
			w.Append(msTs0, []byte("k"), []byte("value"))
			w.Append(msTs0+1, nil, []byte{})
			out, err := w.Build(nil)
			if err != nil {
				tb.Fatal(err)
			}
			seeds = append(seeds, out)
		}
	}
	frame := msLZ4Frame(msGoldenV0(7), true)
	return append(seeds, msEntry(9, []byte{0, 3}, msNull, msU32(uint32(len(frame))), frame))
}

func fuzzJunk() [][]byte {
	return [][]byte{{}, {0}, bytes.Repeat([]byte{0xff}, 70), make([]byte, 61),
		append(make([]byte, 16), 2), append(make([]byte, 16), 1)}
}

func FuzzRecordBatchDecode(f *testing.F) {
	for _, s := range fuzzV2Seeds(f) {
		f.Add(s)
	}
	for _, s := range fuzzLegacySeeds(f) {
		f.Add(s)
	}
	for _, s := range fuzzJunk() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var b RecordBatch
		n, err := b.Decode(data, fuzzDecodeOptions)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if n <= 0 || n > len(data) || len(b.Records) > n {
			t.Fatalf("consumed %d of %d bytes for %d records", n, len(data), len(b.Records))
		}
		fuzzReencode(t, &b)
	})
}

// fuzzReencode encodes b again and checks the result decodes to the same
// batch: the same header and records for magic 2, the same records as a
// consumer sees them (offset, timestamp, key, value) for legacy messages.
func fuzzReencode(t *testing.T, b *RecordBatch) {
	out, err := b.AppendTo(nil)
	if err != nil {
		t.Fatalf("re-encoding a decoded batch: %v", err)
	}
	if b.Magic != 2 {
		want := fuzzView(b)
		var got []msWant
		r := NewRecordSetReader(out, fuzzDecodeOptions)
		var b2 RecordBatch
		for r.Next(&b2) {
			got = append(got, fuzzView(&b2)...)
		}
		if r.Err() != nil || r.Partial() {
			t.Fatalf("re-encoded legacy batch: %v (partial %v)", r.Err(), r.Partial())
		}
		msCheck(t, "re-encoded legacy", got, want)
		return
	}
	var b2 RecordBatch
	n, err := b2.Decode(out, fuzzDecodeOptions)
	if err != nil || n != len(out) {
		t.Fatalf("decoding a re-encoded batch: %v (%d of %d bytes)", err, n, len(out))
	}
	if b.BaseOffset != b2.BaseOffset || b.PartitionLeaderEpoch != b2.PartitionLeaderEpoch || b.Attributes != b2.Attributes ||
		b.LastOffsetDelta != b2.LastOffsetDelta || b.BaseTimestamp != b2.BaseTimestamp || b.MaxTimestamp != b2.MaxTimestamp ||
		b.ProducerID != b2.ProducerID || b.ProducerEpoch != b2.ProducerEpoch || b.BaseSequence != b2.BaseSequence ||
		len(b.Records) != len(b2.Records) {
		t.Fatalf("re-encoded header differs:\n%+v\n%+v", b, b2)
	}
	for i := range b.Records {
		r, r2 := &b.Records[i], &b2.Records[i]
		if r.Attributes != r2.Attributes || r.TimestampDelta != r2.TimestampDelta || r.OffsetDelta != r2.OffsetDelta ||
			!rbSameBytes(r.Key, r2.Key) || !rbSameBytes(r.Value, r2.Value) || len(r.Headers) != len(r2.Headers) {
			t.Fatalf("re-encoded record %d differs:\n%+v\n%+v", i, r, r2)
		}
		for h := range r.Headers {
			if !bytes.Equal(r.Headers[h].Key, r2.Headers[h].Key) || !rbSameBytes(r.Headers[h].Value, r2.Headers[h].Value) {
				t.Fatalf("re-encoded record %d header %d differs", i, h)
			}
		}
	}
}

func fuzzView(b *RecordBatch) []msWant {
	out := make([]msWant, len(b.Records))
	for i := range b.Records {
		r := &b.Records[i]
		out[i] = msWant{r.Offset(b), r.Timestamp(b), bytes.Clone(r.Key), bytes.Clone(r.Value)}
	}
	return out
}

func FuzzMessageSetDecode(f *testing.F) {
	for _, s := range fuzzLegacySeeds(f) {
		f.Add(s)
	}
	f.Add(bytes.Join([][]byte{msGoldenV0(0), msGoldenV1(3)}, nil))
	for _, s := range fuzzJunk() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Entry by entry as raw messages: the encoding is canonical, so a
		// message that decodes re-encodes to exactly its bytes.
		for rest := data; len(rest) > 0; {
			var m LegacyMessage
			n, err := m.Decode(rest, false)
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("error does not wrap ErrMalformed: %v", err)
				}
				break
			}
			out, err := m.AppendTo(nil)
			if err != nil || !bytes.Equal(out, rest[:n]) {
				t.Fatalf("message re-encodes as\n%x\nnot\n%x (%v)", out, rest[:n], err)
			}
			// And as batches, expanding wrappers.
			var b RecordBatch
			if n2, err := b.Decode(rest, fuzzDecodeOptions); err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("error does not wrap ErrMalformed: %v", err)
				}
			} else if n2 != n {
				t.Fatalf("batch took %d bytes, the message %d", n2, n)
			} else {
				fuzzReencode(t, &b)
			}
			rest = rest[n:]
		}
	})
}

func FuzzRecordSetReader(f *testing.F) {
	v2, legacy := fuzzV2Seeds(f), fuzzLegacySeeds(f)
	f.Add(bytes.Join(v2, nil))
	f.Add(bytes.Join(legacy, nil))
	for i := range min(len(v2), len(legacy)) {
		mixed := append(append([]byte(nil), legacy[i]...), v2[i]...)
		f.Add(mixed)
		f.Add(append(mixed, v2[0][:len(v2[0])/2]...)) // a partial trailing batch
	}
	for _, s := range fuzzJunk() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewRecordSetReader(data, fuzzDecodeOptions)
		var b RecordBatch
		batches := 0
		for r.Next(&b) {
			batches++
			if b.Magic < 0 || b.Magic > 2 || r.Offset() > len(data) {
				t.Fatalf("batch magic %d, offset %d of %d", b.Magic, r.Offset(), len(data))
			}
			for i := range b.Records {
				_, _ = b.Records[i].Offset(&b), b.Records[i].Timestamp(&b)
			}
		}
		switch {
		case r.Err() != nil:
			if !errors.Is(r.Err(), ErrMalformed) || r.Partial() {
				t.Fatalf("error %v (partial %v)", r.Err(), r.Partial())
			}
		case r.Partial():
			if r.Offset() >= len(data) {
				t.Fatalf("partial at offset %d of %d", r.Offset(), len(data))
			}
		case r.Offset() != len(data):
			t.Fatalf("stopped at %d of %d bytes without an error", r.Offset(), len(data))
		}
		// The complete batches alone read the same, with nothing partial.
		if r.Err() == nil {
			r2 := NewRecordSetReader(data[:r.Offset()], fuzzDecodeOptions)
			n := 0
			for r2.Next(&b) {
				n++
			}
			if n != batches || r2.Err() != nil || r2.Partial() {
				t.Fatalf("prefix: %d batches, want %d (%v, partial %v)", n, batches, r2.Err(), r2.Partial())
			}
		}
	})
}

// TestFuzzSeedsDecode makes sure every seed is valid where it should be.
func TestFuzzSeedsDecode(t *testing.T) {
	for i, s := range append(fuzzV2Seeds(t), fuzzLegacySeeds(t)...) {
		var b RecordBatch
		if _, err := b.Decode(s, fuzzDecodeOptions); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		fuzzReencode(t, &b)
	}
}
