package compress

import (
	"bytes"
	"encoding/binary"
	"errors"
	"runtime"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// zstdStream compresses src with the streaming encoder, whose frames, like
// those of Kafka's Java client (zstd-jni's ZstdOutputStream), do not declare
// their content size.
func zstdStream(t testing.TB, src []byte, opts ...zstd.EOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := zstd.NewWriter(&buf, opts...)
	if err != nil {
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

// zstdRLEFrame builds a frame of blocks RLE blocks of 128 KiB of zeros,
// with the content size declared when fcs is set.
func zstdRLEFrame(blocks int, fcs bool) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0xFD2FB528)
	if fcs {
		b = append(b, 0xE0) // 8-byte content size, single segment
		b = binary.LittleEndian.AppendUint64(b, uint64(blocks)*zstdMaxBlock)
	} else {
		b = append(b, 0x00, 0x58) // no content size; window 2^(10+11) = 2 MiB
	}
	for i := range blocks {
		h := uint32(zstdMaxBlock)<<3 | 1<<1 // RLE
		if i == blocks-1 {
			h |= 1
		}
		b = append(b, byte(h), byte(h>>8), byte(h>>16), 0)
	}
	return b
}

func zstdRLEBomb(blocks int) []byte      { return zstdRLEFrame(blocks, true) }
func zstdRLEBombNoFCS(blocks int) []byte { return zstdRLEFrame(blocks, false) }

func TestZstdHandBuilt(t *testing.T) {
	for _, fcs := range []bool{true, false} {
		out, err := Decompress(nil, zstdRLEFrame(3, fcs), Zstd, 3*zstdMaxBlock)
		if err != nil || len(out) != 3*zstdMaxBlock || bytes.Count(out, []byte{0}) != len(out) {
			t.Errorf("RLE frame (fcs %v): %d bytes, %v", fcs, len(out), err)
		}
	}
}

func TestZstdStreamFrames(t *testing.T) {
	sizes := []int{1, 100, 10 << 10, 100 << 10, 1<<20 + 5}
	if longTests {
		sizes = append(sizes, 3<<20+5)
	}
	for _, n := range sizes {
		for name, src := range map[string][]byte{"realistic": realisticData(n, 17), "random": randomData(n, 18), "zeros": make([]byte, n)} {
			comp := zstdStream(t, src)
			lo, hi, err := zstdScan(comp)
			if err != nil || lo > uint64(n) || hi < uint64(n) {
				t.Errorf("%s %d: scan = %d, %d, %v", name, n, lo, hi, err)
			}
			out, err := Decompress(nil, comp, Zstd, n)
			if err != nil || !bytes.Equal(out, src) {
				t.Fatalf("%s %d: %v", name, n, err)
			}
			if _, err := Decompress(nil, comp, Zstd, n-1); !errors.Is(err, ErrTooLarge) {
				t.Errorf("%s %d: maxSize-1: %v", name, n, err)
			}
		}
	}
}

func TestZstdScan(t *testing.T) {
	src := realisticData(300<<10, 19)
	comp := mustCompress(t, src, Zstd, 0)
	lo, hi, err := zstdScan(comp)
	if err != nil || lo != uint64(len(src)) || hi != lo {
		t.Errorf("EncodeAll frame: %d, %d, %v", lo, hi, err)
	}
	skippable := binary.LittleEndian.AppendUint32(nil, 0x184D2A53)
	skippable = binary.LittleEndian.AppendUint32(skippable, 5)
	skippable = append(skippable, "12345"...)
	two := cat(skippable, comp, skippable, mustCompress(t, src[:1000], Zstd, 1))
	out, err := Decompress(nil, two, Zstd, len(src)+1000)
	if err != nil || !bytes.Equal(out, cat(src, src[:1000])) {
		t.Errorf("frames with skippable frames: %v", err)
	}
	if _, err := Decompress(nil, two, Zstd, len(src)+999); !errors.Is(err, ErrTooLarge) {
		t.Errorf("two frames over the limit: %v", err)
	}
	if out, err := Decompress(nil, skippable, Zstd, 10); err != nil || len(out) != 0 {
		t.Errorf("skippable frame alone: %q, %v", out, err)
	}

	// A frame whose content size its blocks cannot produce is corrupt, and
	// rejected before its claimed size is allocated.
	lie := zstdRLEFrame(1, true)
	binary.LittleEndian.PutUint64(lie[5:], 1<<30)
	// Bytes, not allocation counts: the decoder's pools drop entries under
	// the race detector and a loaded GC, so counts vary; the 1 GiB claim
	// would show in bytes at once.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 5 {
		if _, err := Decompress(nil, lie, Zstd, 1<<31-1); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("content size lie: %v", err)
		}
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
		t.Errorf("content size lie: %d bytes allocated over 5 runs for a 1 GiB claim", n)
	}

	for name, in := range map[string][]byte{
		"bad magic":        []byte("\x28\xb5\x2f\xfe\x00\x00"),
		"trailing bytes":   cat(comp, []byte{1, 2}),
		"truncated":        comp[:len(comp)-1],
		"reserved bit":     cat([]byte{0x28, 0xb5, 0x2f, 0xfd, 0x08, 0x58}, []byte{1, 0, 0}),
		"reserved block":   cat([]byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58}, []byte{7, 0, 0}),
		"short skippable":  skippable[:10],
		"block over 128K":  cat([]byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58}, []byte{0x0B, 0x00, 0x10, 0}),
		"missing checksum": cat([]byte{0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58}, []byte{1, 0, 0}),
	} {
		if _, err := Decompress(nil, in, Zstd, 1<<20); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
}

// TestZstdNoContentSize covers frames without content sizes, as Kafka's Java
// client writes them, at sizes around the scratch buffer's and with high
// ratios, decoded into nil and into buffers with room.
func TestZstdNoContentSize(t *testing.T) {
	for _, n := range []int{1, 1000, 60000, zstdScratchLen - 1, zstdScratchLen, zstdScratchLen + 1, 1 << 20} {
		for name, src := range map[string][]byte{"repeat": bytes.Repeat([]byte("kafka "), n/6+1)[:n], "realistic": realisticData(n, 20)} {
			comp := zstdStream(t, src, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<20))
			if lo, hi, _ := zstdScan(comp); lo == hi && n > 1000 {
				t.Logf("%s %d: frame declares its size", name, n)
			}
			for _, dst := range [][]byte{nil, make([]byte, 2, 2+n)} {
				out, err := Decompress(dst, comp, Zstd, n)
				if err != nil || !bytes.Equal(out[len(dst):], src) {
					t.Fatalf("%s %d: %v", name, n, err)
				}
				if len(dst) > 0 && &out[0] != &dst[0] {
					t.Errorf("%s %d: reallocated although dst had room", name, n)
				}
				if cap(out)-len(out) > 64<<10 && dst == nil {
					t.Errorf("%s %d: %d bytes of unused capacity", name, n, cap(out)-len(out))
				}
			}
			if _, err := Decompress(nil, comp, Zstd, n-1); !errors.Is(err, ErrTooLarge) {
				t.Errorf("%s %d: maxSize-1: %v", name, n, err)
			}
			if n > 100 {
				if _, err := Decompress(nil, comp, Zstd, n/2); !errors.Is(err, ErrTooLarge) {
					t.Errorf("%s %d: maxSize n/2: %v", name, n, err)
				}
			}
		}
	}
}
