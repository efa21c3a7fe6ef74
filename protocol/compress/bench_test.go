package compress

import (
	"testing"
)

// The benchmarks compress and decompress 100 KiB of JSON event records,
// once appending to a reused buffer (the steady state of a producer or
// consumer that recycles buffers) and once to nil (every call allocates its
// output).

const benchSize = 100 << 10

func BenchmarkCompress(b *testing.B) {
	src := realisticData(benchSize, 24)
	for _, c := range allCodecs[1:] {
		comp := mustCompress(b, src, c, 0)
		ratio := float64(len(src)) / float64(len(comp))
		b.Run(c.String()+"/reuse", func(b *testing.B) {
			dst := make([]byte, 0, 2*len(src))
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compress(dst, src, c, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(ratio, "ratio")
		})
		b.Run(c.String()+"/nil", func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compress(nil, src, c, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecompress(b *testing.B) {
	src := realisticData(benchSize, 24)
	type input struct {
		name string
		c    Codec
		comp []byte
	}
	inputs := []input{}
	for _, c := range allCodecs[1:] {
		inputs = append(inputs, input{c.String(), c, mustCompress(b, src, c, 0)})
	}
	// What other writers produce: a zstd frame without a content size, as
	// from Kafka's Java client; a legacy lz4 frame.
	inputs = append(inputs, input{"zstd-stream", Zstd, zstdStream(b, src)})
	legacy, _ := CompressLegacyLZ4(nil, src)
	inputs = append(inputs, input{"lz4-legacy", LZ4, legacy})
	for _, in := range inputs {
		b.Run(in.name+"/reuse", func(b *testing.B) {
			dst := make([]byte, 0, len(src))
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decompress(dst, in.comp, in.c, len(src)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(in.name+"/nil", func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decompress(nil, in.comp, in.c, 1<<20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
