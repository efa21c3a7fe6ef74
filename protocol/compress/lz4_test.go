package compress

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/pierrec/lz4/v4"
)

// pierrecFrame compresses src with pierrec/lz4's writer and the options.
func pierrecFrame(t testing.TB, src []byte, opts ...lz4.Option) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := lz4.NewWriter(&buf)
	if err := w.Apply(opts...); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(src); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLZ4FrameLayout(t *testing.T) {
	comp := mustCompress(t, []byte("hello, kafka"), LZ4, 0)
	// Magic, FLG = version 1 | block independence, BD = 64 KiB blocks.
	if !bytes.HasPrefix(comp, []byte{0x04, 0x22, 0x4D, 0x18, 0x60, 0x40}) {
		t.Fatalf("frame header % x", comp[:7])
	}
	if comp[6] != lz4HeaderChecksum(comp[:6]) {
		t.Errorf("header checksum %#x, want %#x", comp[6], lz4HeaderChecksum(comp[:6]))
	}
	// Ends with the end mark, no content checksum.
	if !bytes.HasSuffix(comp, []byte{0, 0, 0, 0}) {
		t.Errorf("frame does not end with the end mark: % x", comp[len(comp)-8:])
	}
	// Independent 64 KiB blocks: 200 KiB makes four.
	comp = mustCompress(t, randomData(200<<10, 11), LZ4, 0)
	blocks := 0
	for b := comp[7:]; ; blocks++ {
		n := int(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
		if n == 0 {
			break
		}
		b = b[4+n&^lz4Uncompressed:]
	}
	if blocks != 4 {
		t.Errorf("%d blocks for 200 KiB, want 4", blocks)
	}
}

func TestLegacyLZ4(t *testing.T) {
	for _, n := range []int{0, 1, 1 << 10, 1 << 20} {
		src := realisticData(n, 12)
		legacy, err := CompressLegacyLZ4([]byte("pre"), src)
		if err != nil {
			t.Fatal(err)
		}
		if string(legacy[:3]) != "pre" {
			t.Fatal("CompressLegacyLZ4 clobbered dst")
		}
		legacy = legacy[3:]
		correct := mustCompress(t, src, LZ4, 0)
		// Same frame but for the checksum byte, computed over magic and
		// descriptor together.
		if len(legacy) != len(correct) || !bytes.Equal(legacy[:6], correct[:6]) || !bytes.Equal(legacy[7:], correct[7:]) {
			t.Fatalf("legacy frame differs from the correct one beyond the checksum byte")
		}
		if legacy[6] != byte(xxh32(legacy[:6], 0)>>8) {
			t.Errorf("legacy checksum %#x, want xxh32(magic+FLG+BD)>>8 = %#x", legacy[6], byte(xxh32(legacy[:6], 0)>>8))
		}
		if legacy[6] == correct[6] {
			t.Fatalf("legacy and correct checksums coincide (%#x)", legacy[6])
		}
		// pierrec/lz4, a standard decoder, rejects the legacy frame...
		if _, err := io.ReadAll(lz4.NewReader(bytes.NewReader(legacy))); err == nil {
			t.Errorf("pierrec/lz4 accepted the legacy header checksum")
		}
		// ...and reads the correct one.
		if got, err := io.ReadAll(lz4.NewReader(bytes.NewReader(correct))); err != nil || !bytes.Equal(got, src) {
			t.Errorf("pierrec/lz4 cannot read our frame: %v", err)
		}
		// Decompress reads both.
		for name, comp := range map[string][]byte{"legacy": legacy, "correct": correct} {
			out, err := Decompress(nil, comp, LZ4, n)
			if err != nil || !bytes.Equal(out, src) {
				t.Errorf("%s frame of %d bytes: %v", name, n, err)
			}
		}
		// A checksum that is neither is corrupt.
		bad := append([]byte(nil), correct...)
		for bad[6] == correct[6] || bad[6] == legacy[6] {
			bad[6]++
		}
		if _, err := Decompress(nil, bad, LZ4, n); !errors.Is(err, ErrCorrupt) {
			t.Errorf("bad header checksum: err = %v, want ErrCorrupt", err)
		}
	}
}

// TestLZ4KnownHeader pins the checksum bytes of the header every Kafka lz4
// frame starts with (FLG 0x60, BD 0x40): 0x82 is what the lz4 reference
// tools write; the legacy byte is xxh32 over the magic as well.
func TestLZ4KnownHeader(t *testing.T) {
	h := []byte{0x04, 0x22, 0x4D, 0x18, 0x60, 0x40}
	if got := lz4HeaderChecksum(h); got != 0x82 {
		t.Errorf("header checksum %#x, want 0x82", got)
	}
	legacy, err := CompressLegacyLZ4(nil, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("legacy header: % x", legacy[:7])
	if legacy[6] != lz4LegacyHeaderChecksum(h) {
		t.Errorf("legacy checksum %#x, want %#x", legacy[6], lz4LegacyHeaderChecksum(h))
	}
}

// TestLZ4OtherWriters decodes frames with the optional parts Kafka's own
// writer never sets: content size, content and block checksums, larger
// blocks, several frames back to back; and their legacy-checksum forms.
func TestLZ4OtherWriters(t *testing.T) {
	src := realisticData(300<<10, 13)
	frames := map[string][]byte{
		"4MiB blocks":      pierrecFrame(t, src),
		"content size":     pierrecFrame(t, src, lz4.SizeOption(uint64(len(src))), lz4.BlockSizeOption(lz4.Block256Kb)),
		"block checksums":  pierrecFrame(t, src, lz4.BlockChecksumOption(true), lz4.BlockSizeOption(lz4.Block64Kb)),
		"no checksum, 1Mb": pierrecFrame(t, src, lz4.ChecksumOption(false), lz4.BlockSizeOption(lz4.Block1Mb)),
		"level 9":          pierrecFrame(t, src, lz4.CompressionLevelOption(lz4.Level9)),
	}
	for name, comp := range frames {
		out, err := Decompress(nil, comp, LZ4, len(src))
		if err != nil || !bytes.Equal(out, src) {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := Decompress(nil, comp, LZ4, len(src)-1); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: maxSize-1: err = %v, want ErrTooLarge", name, err)
		}
		legacy := append([]byte(nil), comp...)
		hc, _ := lz4HeaderLen(legacy)
		legacy[hc] = lz4LegacyHeaderChecksum(legacy[:hc])
		out, err = Decompress(nil, legacy, LZ4, len(src))
		if err != nil || !bytes.Equal(out, src) {
			t.Errorf("%s with a legacy checksum: %v", name, err)
		}
	}
	// Two frames back to back decode as one stream.
	a, b := src[:1000], src[1000:5000]
	two := append(mustCompress(t, a, LZ4, 0), mustCompress(t, b, LZ4, 0)...)
	out, err := Decompress(nil, two, LZ4, len(src))
	if err != nil || !bytes.Equal(out, src[:5000]) {
		t.Errorf("concatenated frames: %v", err)
	}
}

func TestLZ4SizeHint(t *testing.T) {
	for _, n := range []int{1, 100, 10 << 10, 100 << 10, 1 << 20} {
		src := realisticData(n, 14)
		comp := mustCompress(t, src, LZ4, 0)
		hint := lz4SizeHint(comp, 6)
		t.Logf("%d bytes: hint %d", n, hint)
		if n >= 256<<10 && (hint < n-n/50 || hint > n+64<<10) {
			t.Errorf("%d bytes in full blocks: hint %d, want within a block above", n, hint)
		}
	}
}
