package compress

import (
	"bytes"
	"encoding/binary"
	"errors"
	"runtime"
	"testing"

	"github.com/golang/snappy"
)

// snappyRaw returns src as one raw (unframed) snappy block.
func snappyRaw(src []byte) []byte { return snappy.Encode(nil, src) }

// hdr is the xerial header, written out from the format description:
// 0x82 "SNAPPY" 0x00, version 1, minimum compatible version 1.
var hdr = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00, 0, 0, 0, 1, 0, 0, 0, 1}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func TestXerialGolden(t *testing.T) {
	// "hello" as a raw snappy block: uvarint length 5, literal tag
	// (5-1)<<2, the bytes.
	helloBlock := []byte{0x05, 0x10, 'h', 'e', 'l', 'l', 'o'}
	hello := cat(hdr, []byte{0, 0, 0, 7}, helloBlock)
	if got := mustCompress(t, []byte("hello"), Snappy, 0); !bytes.Equal(got, hello) {
		t.Errorf("Compress(hello) =\n% x\nwant\n% x", got, hello)
	}
	// Empty input is the header alone.
	if got := mustCompress(t, nil, Snappy, 0); !bytes.Equal(got, hdr) {
		t.Errorf("Compress(empty) = % x, want the header % x", got, hdr)
	}

	// "abcabcabcabc": literal "abc", then a 1-byte-offset copy of length 9
	// at offset 3 (tag 0x01 | (9-4)<<2, offset byte 3).
	abcBlock := []byte{0x0C, 0x08, 'a', 'b', 'c', 0x15, 0x03}
	for name, tc := range map[string]struct {
		in   []byte
		want string
	}{
		"one block":      {hello, "hello"},
		"header only":    {hdr, ""},
		"copy op":        {cat(hdr, []byte{0, 0, 0, 7}, abcBlock), "abcabcabcabc"},
		"two blocks":     {cat(hdr, []byte{0, 0, 0, 7}, helloBlock, []byte{0, 0, 0, 7}, abcBlock), "helloabcabcabcabc"},
		"two streams":    {cat(hdr, []byte{0, 0, 0, 7}, helloBlock, hdr, []byte{0, 0, 0, 7}, abcBlock), "helloabcabcabcabc"},
		"raw block":      {helloBlock, "hello"},
		"raw copy op":    {abcBlock, "abcabcabcabc"},
		"other versions": {cat(hdr[:8], []byte{0, 0, 0, 2, 0, 0, 0, 1}, []byte{0, 0, 0, 7}, helloBlock), "hello"},
	} {
		out, err := Decompress([]byte("<"), tc.in, Snappy, 100)
		if err != nil || string(out) != "<"+tc.want {
			t.Errorf("%s: Decompress = %q, %v; want %q", name, out, err, tc.want)
		}
	}

	for name, in := range map[string][]byte{
		"truncated header":     hdr[:12],
		"truncated length":     cat(hdr, []byte{0, 0, 7}),
		"length past the end":  cat(hdr, []byte{0, 0, 0, 8}, helloBlock),
		"zero length":          cat(hdr, []byte{0, 0, 0, 0}),
		"negative length":      cat(hdr, []byte{0x80, 0, 0, 7}, helloBlock),
		"huge length":          cat(hdr, []byte{0x7F, 0xFF, 0xFF, 0xFF}, helloBlock),
		"bad block":            cat(hdr, []byte{0, 0, 0, 3}, []byte{0x05, 0x10, 'h'}),
		"trailing partial":     cat(hello, []byte{0, 0}),
		"second header short":  cat(hello, hdr[:10]),
		"raw bad length":       {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
		"raw short literal":    {0x05, 0x10, 'h', 'e'},
		"raw copy before data": {0x04, 0x01, 0x05},
	} {
		if out, err := Decompress(nil, in, Snappy, 100); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Decompress = %q, %v; want ErrCorrupt", name, out, err)
		}
	}
}

// TestXerialBlocks checks the block structure of a larger output: 32 KiB
// of input per block, lengths big-endian.
func TestXerialBlocks(t *testing.T) {
	src := realisticData(3*xerialBlockInput+1, 15)
	comp := mustCompress(t, src, Snappy, 0)
	if !bytes.HasPrefix(comp, hdr) {
		t.Fatalf("header % x", comp[:16])
	}
	var sizes []int
	for b := comp[16:]; len(b) > 0; {
		n := int(binary.BigEndian.Uint32(b))
		d, err := snappy.DecodedLen(b[4 : 4+n])
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, d)
		b = b[4+n:]
	}
	want := []int{32768, 32768, 32768, 1}
	if len(sizes) != len(want) {
		t.Fatalf("block sizes %v, want %v", sizes, want)
	}
	for i := range want {
		if sizes[i] != want[i] {
			t.Fatalf("block sizes %v, want %v", sizes, want)
		}
	}
}

func TestSnappyRaw(t *testing.T) {
	for _, n := range []int{1, 1000, 1 << 20} {
		src := realisticData(n, 16)
		raw := snappyRaw(src)
		out, err := Decompress(nil, raw, Snappy, n)
		if err != nil || !bytes.Equal(out, src) {
			t.Fatalf("raw snappy of %d bytes: %v", n, err)
		}
		if _, err := Decompress(nil, raw, Snappy, n-1); !errors.Is(err, ErrTooLarge) {
			t.Errorf("raw snappy over the limit: %v", err)
		}
	}
}

// TestSnappyClaimedLength checks that a block claiming a huge decoded length
// is rejected from its header, before anything is allocated.
func TestSnappyClaimedLength(t *testing.T) {
	raw := []byte{0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00} // claims 4 GiB - 1
	framed := cat(hdr, []byte{0, 0, 0, 6}, raw)
	for name, in := range map[string][]byte{"raw": raw, "xerial": framed} {
		// Count bytes, not allocations: the race detector adds some of its
		// own, but nothing near the claimed size.
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 10 {
			if _, err := Decompress(nil, in, Snappy, 1<<20); !errors.Is(err, ErrTooLarge) {
				t.Fatalf("%s: err = %v, want ErrTooLarge", name, err)
			}
		}
		runtime.ReadMemStats(&after)
		if d := after.TotalAlloc - before.TotalAlloc; d > 64<<10 {
			t.Errorf("%s: %d bytes allocated for 10 rejected blocks", name, d)
		}
	}
	// Blocks that fit one by one but not together.
	block := snappyRaw(make([]byte, 30000))
	lenb := binary.BigEndian.AppendUint32(nil, uint32(len(block)))
	in := cat(hdr, lenb, block, lenb, block, lenb, block)
	if _, err := Decompress(nil, in, Snappy, 80000); !errors.Is(err, ErrTooLarge) {
		t.Errorf("three 30000-byte blocks in 80000: %v", err)
	}
	if out, err := Decompress(nil, in, Snappy, 90000); err != nil || len(out) != 90000 {
		t.Errorf("three 30000-byte blocks in 90000: %d, %v", len(out), err)
	}
}
