package compress

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/pierrec/lz4/v4"
)

func TestXXH32Vectors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		seed uint32
		want uint32
	}{
		{"", 0, 0x02CC5D05},
		{"a", 0, 0x550D7456},
		{"abc", 0, 0x32D153FF},
		{"Nobody inspects the spammish repetition", 0, 0xE2293B2F},
	} {
		if got := xxh32([]byte(tc.in), tc.seed); got != tc.want {
			t.Errorf("xxh32(%q, %d) = %#08x, want %#08x", tc.in, tc.seed, got, tc.want)
		}
	}
}

// TestXXH32AgainstLZ4 checks xxh32 against pierrec/lz4's own implementation
// through the content checksum it appends to frames (xxh32, seed 0, of the
// uncompressed data), over lengths that exercise every tail.
func TestXXH32AgainstLZ4(t *testing.T) {
	data := randomData(5000, 9)
	lengths := []int{}
	for n := range 70 {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 255, 256, 1000, 4093, 5000)
	for _, n := range lengths {
		var buf bytes.Buffer
		w := lz4.NewWriter(&buf)
		if err := w.Apply(lz4.ChecksumOption(true)); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data[:n]); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		frame := buf.Bytes()
		want := binary.LittleEndian.Uint32(frame[len(frame)-4:])
		if got := xxh32(data[:n], 0); got != want {
			t.Errorf("xxh32 of %d bytes = %#08x, pierrec/lz4 says %#08x", n, got, want)
		}
		// And the header checksum pierrec wrote is the one we compute.
		hc, ok := lz4HeaderLen(frame)
		if !ok || frame[hc] != lz4HeaderChecksum(frame[:hc]) {
			t.Errorf("header checksum mismatch for a %d-byte frame", n)
		}
	}
}

func BenchmarkXXH32(b *testing.B) {
	data := randomData(64, 10)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		xxh32(data, 0)
	}
}
