package protocol

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/gokafka/kafka/protocol/compress"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Benchmarks of record batch encoding and decoding, ours and franz-go's kmsg
// side by side on the same bytes and records. Each batch holds 1,000
// records with small keys and JSON-like values of about 100 bytes or 1 KiB.
// SetBytes is the uncompressed batch size, so MB/s compares across codecs.
//
// kmsg decodes with RecordBatch.ReadFrom, a CRC-32C check (every consumer
// must make it; ours is built into Decode), decompression with our compress
// package, and Record.ReadFrom for each record. kmsg encodes with
// Record.AppendTo for each record (Length computed up front, as a producer
// must), compression, RecordBatch.AppendTo and the CRC.

const benchRecords = 1000

var benchWords = []string{"page_view", "click", "purchase", "signup", "logout", "search", "add_to_cart", "share"}

// benchValue returns a JSON-like value of about size bytes with random fields.
func benchValue(rng *rand.Rand, size int) []byte {
	v := fmt.Appendf(nil, `{"id":%d,"user":"user-%d","event":%q,"ts":%d,"score":%.4f,"items":[`,
		rng.IntN(1e9), rng.IntN(1e5), benchWords[rng.IntN(len(benchWords))], 1_700_000_000_000+rng.Int64N(1e9), rng.Float64())
	for i := 0; len(v) < size-40; i++ {
		if i > 0 {
			v = append(v, ',')
		}
		v = fmt.Appendf(v, `{"sku":"SKU-%05d","qty":%d,"price":%d.%02d,"tag":%q}`,
			rng.IntN(1e5), 1+rng.IntN(9), rng.IntN(500), rng.IntN(100), benchWords[rng.IntN(len(benchWords))])
	}
	return append(v, `],"ok":true}`...)
}

type benchRecord struct {
	ts         int64
	key, value []byte
	headers    []RecordHeader
}

func benchData(valueSize int, headers bool) []benchRecord {
	rng := rand.New(rand.NewPCG(uint64(valueSize), 7))
	recs := make([]benchRecord, benchRecords)
	ts := int64(1_700_000_000_000)
	for i := range recs {
		ts += rng.Int64N(3)
		recs[i] = benchRecord{ts: ts, key: []byte("user-" + strconv.Itoa(rng.IntN(1e5))), value: benchValue(rng, valueSize)}
		if headers {
			recs[i].headers = []RecordHeader{{Key: []byte("trace-id"), Value: []byte(strconv.FormatUint(rng.Uint64(), 16))}, {Key: []byte("source"), Value: []byte("web")}}
		}
	}
	return recs
}

var benchShapes = []struct {
	name    string
	size    int
	headers bool
}{{"100B", 100, false}, {"1KiB", 1024, false}, {"100B+2hdrs", 100, true}}

func benchBuild(b *testing.B, recs []benchRecord, codec compress.Codec) []byte {
	var bb BatchBuilder
	bb.Reset(BatchOptions{Codec: codec})
	for _, r := range recs {
		bb.Append(r.ts, r.key, r.value, r.headers)
	}
	out, err := bb.Build(nil)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func BenchmarkBatchDecode(b *testing.B) {
	for _, shape := range benchShapes {
		recs := benchData(shape.size, shape.headers)
		plain := benchBuild(b, recs, compress.None)
		for _, codec := range rbCodecs {
			if shape.headers && codec != compress.None {
				continue
			}
			data := benchBuild(b, recs, codec)
			name := fmt.Sprintf("%s/%v", shape.name, codec)
			b.Run(name+"/gokafka", func(b *testing.B) {
				b.SetBytes(int64(len(plain)))
				b.ReportAllocs()
				var batch RecordBatch
				for b.Loop() {
					if _, err := batch.Decode(data, DecodeOptions{}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(name+"/kmsg", func(b *testing.B) {
				b.SetBytes(int64(len(plain)))
				b.ReportAllocs()
				s := new(kmsgDecodeState)
				for b.Loop() {
					if err := s.decode(data, true); err != nil {
						b.Fatal(err)
					}
				}
			})
			if codec == compress.None && !shape.headers {
				// Parsing alone, without the CRC check on either side.
				b.Run(name+"/gokafka-nocrc", func(b *testing.B) {
					b.SetBytes(int64(len(plain)))
					b.ReportAllocs()
					var batch RecordBatch
					for b.Loop() {
						if _, err := batch.Decode(data, DecodeOptions{SkipCRC: true}); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(name+"/kmsg-nocrc", func(b *testing.B) {
					b.SetBytes(int64(len(plain)))
					b.ReportAllocs()
					s := new(kmsgDecodeState)
					for b.Loop() {
						if err := s.decode(data, false); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

type kmsgDecodeState struct {
	batch kmsg.RecordBatch
	recs  []kmsg.Record
	buf   []byte
}

var benchCRC32C = crc32.MakeTable(crc32.Castagnoli)

func (s *kmsgDecodeState) decode(data []byte, checkCRC bool) error {
	if err := s.batch.ReadFrom(data); err != nil {
		return err
	}
	if checkCRC && crc32.Checksum(data[21:12+s.batch.Length], benchCRC32C) != uint32(s.batch.CRC) {
		return fmt.Errorf("CRC mismatch")
	}
	raw := s.batch.Records
	if codec := compress.Codec(s.batch.Attributes & 7); codec != compress.None {
		var err error
		if s.buf, err = compress.Decompress(s.buf[:0], raw, codec, DefaultMaxDecompressedSize); err != nil {
			return err
		}
		raw = s.buf
	}
	n := int(s.batch.NumRecords)
	if cap(s.recs) < n {
		s.recs = make([]kmsg.Record, n)
	}
	s.recs = s.recs[:n]
	for i := range s.recs {
		l, used := binary.Varint(raw)
		end := used + int(l)
		if used <= 0 || l < 0 || end > len(raw) {
			return fmt.Errorf("bad record length")
		}
		if err := s.recs[i].ReadFrom(raw[:end]); err != nil {
			return err
		}
		raw = raw[end:]
	}
	return nil
}

func BenchmarkBatchEncode(b *testing.B) {
	for _, shape := range benchShapes {
		recs := benchData(shape.size, shape.headers)
		plain := benchBuild(b, recs, compress.None)
		for _, codec := range rbCodecs {
			if shape.headers && codec != compress.None {
				continue
			}
			name := fmt.Sprintf("%s/%v", shape.name, codec)
			b.Run(name+"/gokafka", func(b *testing.B) {
				b.SetBytes(int64(len(plain)))
				b.ReportAllocs()
				var bb BatchBuilder
				out := make([]byte, 0, 2*len(plain))
				for b.Loop() {
					bb.Reset(BatchOptions{Codec: codec})
					for i := range recs {
						r := &recs[i]
						bb.Append(r.ts, r.key, r.value, r.headers)
					}
					var err error
					if out, err = bb.Build(out[:0]); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(name+"/kmsg", func(b *testing.B) {
				b.SetBytes(int64(len(plain)))
				b.ReportAllocs()
				var raw, cbuf []byte
				out := make([]byte, 0, 2*len(plain))
				khdrs := make([][]kmsg.Header, len(recs)) // as a producer would hold them: string keys
				for i, r := range recs {
					for _, h := range r.headers {
						khdrs[i] = append(khdrs[i], kmsg.Header{Key: string(h.Key), Value: h.Value})
					}
				}
				for b.Loop() {
					raw = raw[:0]
					base, maxTs := recs[0].ts, recs[0].ts
					for i := range recs {
						r := &recs[i]
						kr := kmsg.Record{TimestampDelta64: r.ts - base, OffsetDelta: int32(i), Key: r.key, Value: r.value, Headers: khdrs[i]}
						kr.Length = int32(rbKmsgRecordLength(&kr))
						raw = kr.AppendTo(raw)
						maxTs = max(maxTs, r.ts)
					}
					records := raw
					if codec != compress.None {
						var err error
						if cbuf, err = compress.Compress(cbuf[:0], raw, codec, 0); err != nil {
							b.Fatal(err)
						}
						records = cbuf
					}
					kb := kmsg.RecordBatch{Length: int32(49 + len(records)), PartitionLeaderEpoch: -1, Magic: 2,
						Attributes: int16(codec), LastOffsetDelta: int32(len(recs) - 1), FirstTimestamp: base,
						MaxTimestamp: maxTs, ProducerID: -1, ProducerEpoch: -1, FirstSequence: -1,
						NumRecords: int32(len(recs)), Records: records}
					out = kb.AppendTo(out[:0])
					binary.BigEndian.PutUint32(out[17:], crc32.Checksum(out[21:], benchCRC32C))
				}
			})
		}
	}
}
