package compress

import (
	"bytes"
	"errors"
	"testing"

	"github.com/pierrec/lz4/v4"
)

const fuzzMaxSize = 1 << 20

// fuzzSamples returns inputs to compress for seeds: small, realistic,
// repetitive, incompressible.
func fuzzSamples() [][]byte {
	return [][]byte{
		nil,
		[]byte("a"),
		[]byte("hello, kafka"),
		realisticData(2000, 21),
		bytes.Repeat([]byte{0}, 70000),
		randomData(300, 22),
	}
}

// fuzzJunk is seed input that is not valid data of any codec.
var fuzzJunk = [][]byte{
	{},
	{0},
	[]byte("garbage that is not compressed"),
	{0xFF, 0xFF, 0xFF, 0xFF, 0x0F},
	randomData(64, 23),
}

// checkDecompress is the property every decompressor fuzz target checks:
// no panic; errors wrap ErrCorrupt or ErrTooLarge; output within maxSize;
// and on success the limit is exact — the same input decodes identically
// with maxSize equal to its output size, and fails with ErrTooLarge with
// one byte less.
func checkDecompress(t *testing.T, data []byte, c Codec) {
	out, err := Decompress(nil, data, c, fuzzMaxSize)
	checkDecompressResult(t, nil, out, fuzzMaxSize, err)
	small, serr := Decompress([]byte("xy"), data, c, 100)
	checkDecompressResult(t, []byte("xy"), small, 100, serr)
	if err != nil {
		return
	}
	if len(out) <= 100 && (serr != nil || !bytes.Equal(small[2:], out)) {
		t.Fatalf("decodes to %d bytes with maxSize %d but not 100: %v", len(out), fuzzMaxSize, serr)
	}
	again, err := Decompress([]byte("p"), data, c, len(out))
	if err != nil || !bytes.Equal(again[1:], out) {
		t.Fatalf("decodes to %d bytes with maxSize %d but not with maxSize %d: %v", len(out), fuzzMaxSize, len(out), err)
	}
	if len(out) > 0 {
		if _, err := Decompress(nil, data, c, len(out)-1); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%d bytes of output, maxSize one less: err = %v, want ErrTooLarge", len(out), err)
		}
	}
}

func addSeeds(f *testing.F, c Codec, levels ...int) {
	for _, s := range fuzzSamples() {
		for _, level := range levels {
			comp, err := Compress(nil, s, c, level)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(comp)
			if len(comp) > 8 {
				f.Add(comp[:len(comp)/2])
			}
		}
	}
	for _, j := range fuzzJunk {
		f.Add(j)
	}
}

func FuzzDecompressGzip(f *testing.F) {
	addSeeds(f, Gzip, 1, 9)
	f.Add(append(mustCompress(f, []byte("one"), Gzip, 0), mustCompress(f, []byte("two"), Gzip, 0)...))
	f.Fuzz(func(t *testing.T, data []byte) { checkDecompress(t, data, Gzip) })
}

func FuzzDecompressSnappy(f *testing.F) {
	addSeeds(f, Snappy, 0)
	for _, s := range fuzzSamples() {
		f.Add(snappyRaw(s))
	}
	f.Add(append([]byte(xerialMagic), 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 1, 0))
	f.Fuzz(func(t *testing.T, data []byte) { checkDecompress(t, data, Snappy) })
}

func FuzzDecompressLZ4(f *testing.F) {
	addSeeds(f, LZ4, 0, 9)
	for _, s := range fuzzSamples() {
		legacy, err := CompressLegacyLZ4(nil, s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(legacy)
		f.Add(pierrecFrame(f, s, lz4.BlockChecksumOption(true), lz4.SizeOption(uint64(len(s)))))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecompress(t, data, LZ4)
		// Mutations rarely keep the header checksum valid: also try the
		// input with it set right, both ways, so that the blocks are
		// exercised too.
		if hc, ok := lz4HeaderLen(data); ok {
			fixed := append([]byte(nil), data...)
			fixed[hc] = lz4HeaderChecksum(fixed[:hc])
			checkDecompress(t, fixed, LZ4)
			fixed[hc] = lz4LegacyHeaderChecksum(fixed[:hc])
			checkDecompress(t, fixed, LZ4)
		}
	})
}

func FuzzDecompressZstd(f *testing.F) {
	addSeeds(f, Zstd, 1, 3, 7)
	for _, s := range fuzzSamples() {
		f.Add(zstdStream(f, s))
	}
	f.Add(zstdRLEFrame(2, true))
	f.Add(zstdRLEFrame(20, false))
	f.Fuzz(func(t *testing.T, data []byte) { checkDecompress(t, data, Zstd) })
}
