package compress

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestCodecString(t *testing.T) {
	for c, want := range map[Codec]string{None: "none", Gzip: "gzip", Snappy: "snappy", LZ4: "lz4", Zstd: "zstd", 5: "Codec(5)", -1: "Codec(-1)"} {
		if got := c.String(); got != want {
			t.Errorf("Codec(%d).String() = %q, want %q", int8(c), got, want)
		}
	}
}

func TestParseCodec(t *testing.T) {
	for _, c := range allCodecs {
		for _, s := range []string{c.String(), " " + c.String() + "\t", strings.ToUpper(c.String())} {
			got, err := ParseCodec(s)
			if err != nil || got != c {
				t.Errorf("ParseCodec(%q) = %v, %v; want %v", s, got, err, c)
			}
		}
	}
	for _, s := range []string{"", "producer", "uncompressed", "lz4hc", "Codec(5)"} {
		if _, err := ParseCodec(s); !errors.Is(err, ErrUnknownCodec) {
			t.Errorf("ParseCodec(%q) error = %v, want ErrUnknownCodec", s, err)
		}
	}
}

func TestUnknownCodec(t *testing.T) {
	dst := []byte("x")
	out, err := Compress(dst, []byte("data"), 5, 0)
	if !errors.Is(err, ErrUnknownCodec) || !bytes.Equal(out, dst) {
		t.Errorf("Compress(codec 5) = %q, %v", out, err)
	}
	out, err = Decompress(dst, []byte("data"), 7, 100)
	if !errors.Is(err, ErrUnknownCodec) || !bytes.Equal(out, dst) {
		t.Errorf("Decompress(codec 7) = %q, %v", out, err)
	}
}

// levels lists levels to try for each codec, default first.
var levels = map[Codec][]int{
	None:   {0},
	Gzip:   {0, -1, 1, 5, 9},
	Snappy: {0},
	LZ4:    {0, 1, 5, 9, 17},
	Zstd:   {0, -5, 1, 3, 7, 19, 22},
}

func TestRoundTrip(t *testing.T) {
	inputs := map[string]func(n int) []byte{
		"realistic": func(n int) []byte { return realisticData(n, 1) },
		"random":    func(n int) []byte { return randomData(n, 2) },
		"zeros":     func(n int) []byte { return make([]byte, n) },
	}
	for _, c := range allCodecs {
		for _, level := range levels[c] {
			for name, gen := range inputs {
				for _, n := range []int{0, 1, 1 << 10, largeInput} {
					if n == largeInput && level != levels[c][0] && name != "realistic" {
						continue // keep the slow high levels to one large input
					}
					t.Run(fmt.Sprintf("%v/level%d/%s/%d", c, level, name, n), func(t *testing.T) {
						src := gen(n)
						prefix := []byte("prefix")
						comp, err := Compress(append([]byte(nil), prefix...), src, c, level)
						if err != nil {
							t.Fatal(err)
						}
						if !bytes.HasPrefix(comp, prefix) {
							t.Fatal("Compress clobbered dst")
						}
						comp = comp[len(prefix):]
						out, err := Decompress(append([]byte(nil), prefix...), comp, c, n)
						if err != nil {
							t.Fatalf("Decompress: %v", err)
						}
						if !bytes.Equal(out[:len(prefix)], prefix) || !bytes.Equal(out[len(prefix):], src) {
							t.Fatalf("round trip mismatch: got %d bytes, want %d", len(out)-len(prefix), n)
						}
						// Into a buffer with spare capacity, which must be used.
						big := make([]byte, 3, 3+n+64)
						out, err = Decompress(big, comp, c, n)
						if err != nil || !bytes.Equal(out[3:], src) {
							t.Fatalf("Decompress into spare capacity: %v", err)
						}
						if n > 0 && &out[0] != &big[0] {
							t.Errorf("Decompress reallocated although dst had room")
						}
						if n > 0 {
							if _, err := Decompress(nil, comp, c, n-1); !errors.Is(err, ErrTooLarge) {
								t.Errorf("Decompress with maxSize %d: err = %v, want ErrTooLarge", n-1, err)
							}
						}
					})
				}
			}
		}
	}
}

func TestInvalidLevels(t *testing.T) {
	for _, tc := range []struct {
		c     Codec
		level int
	}{{Gzip, 10}, {Gzip, -2}, {LZ4, 18}, {LZ4, -1}, {Zstd, 23}, {Zstd, -(1 << 17) - 1}} {
		dst := []byte("d")
		out, err := Compress(dst, []byte("data"), tc.c, tc.level)
		if err == nil || !bytes.Equal(out, dst) {
			t.Errorf("Compress(%v, level %d) = %q, %v; want an error", tc.c, tc.level, out, err)
		}
	}
	// Snappy has no levels: any is accepted.
	if _, err := Compress(nil, []byte("data"), Snappy, 42); err != nil {
		t.Errorf("snappy with a level: %v", err)
	}
}

func TestDecompressEmptyInput(t *testing.T) {
	for _, c := range allCodecs {
		out, err := Decompress(nil, nil, c, 100)
		if c == None {
			if err != nil || len(out) != 0 {
				t.Errorf("none: %q, %v", out, err)
			}
			continue
		}
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%v: empty input: err = %v, want ErrCorrupt", c, err)
		}
	}
}

func TestMaxSize(t *testing.T) {
	src := realisticData(100<<10, 3)
	for _, c := range allCodecs {
		comp := mustCompress(t, src, c, 0)
		for _, tc := range []struct {
			max int
			ok  bool
		}{{len(src), true}, {len(src) + 1, true}, {1 << 30, true}, {len(src) - 1, false}, {1000, false}, {0, false}, {-1, false}} {
			out, err := Decompress(nil, comp, c, tc.max)
			if tc.ok && (err != nil || !bytes.Equal(out, src)) {
				t.Errorf("%v maxSize %d: %v", c, tc.max, err)
			}
			if !tc.ok && !errors.Is(err, ErrTooLarge) {
				t.Errorf("%v maxSize %d: err = %v, want ErrTooLarge", c, tc.max, err)
			}
		}
		// Empty data fits maxSize 0.
		comp = mustCompress(t, nil, c, 0)
		if out, err := Decompress(nil, comp, c, 0); err != nil || len(out) != 0 {
			t.Errorf("%v: empty data with maxSize 0: %q, %v", c, out, err)
		}
	}
}

// TestMaxSizeCapacity checks that spare capacity in dst beyond maxSize is not
// used to produce more than maxSize.
func TestMaxSizeCapacity(t *testing.T) {
	src := realisticData(50<<10, 4)
	for _, c := range allCodecs {
		comp := mustCompress(t, src, c, 0)
		dst := make([]byte, 0, 1<<20)
		if _, err := Decompress(dst, comp, c, len(src)-10); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%v: err = %v, want ErrTooLarge", c, err)
		}
	}
}

// bombAlloc decompresses comp with maxSize and returns the error and the
// bytes allocated on the way.
func bombAlloc(comp []byte, c Codec, maxSize int) (error, uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Decompress(nil, comp, c, maxSize)
	runtime.ReadMemStats(&after)
	return err, after.TotalAlloc - before.TotalAlloc
}

// TestBombs decompresses small inputs that expand to 16 MiB (256 MiB with
// GOKAFKA_LONG=1) with a 1 MiB limit: each must fail with ErrTooLarge having
// allocated a few MiB at most, far below what the bomb expands to.
func TestBombs(t *testing.T) {
	const maxSize = 1 << 20
	full := 16 << 20
	if longTests {
		full = 256 << 20
	}
	zeros := make([]byte, full)
	bombs := map[string]struct {
		c    Codec
		comp []byte
	}{
		"gzip":          {Gzip, mustCompress(t, zeros, Gzip, 9)},
		"snappy":        {Snappy, mustCompress(t, zeros, Snappy, 0)},
		"snappy-raw":    {Snappy, snappyRaw(zeros)},
		"lz4":           {LZ4, mustCompress(t, zeros, LZ4, 0)},
		"zstd":          {Zstd, mustCompress(t, zeros, Zstd, 0)},
		"zstd-stream":   {Zstd, zstdStream(t, zeros)},
		"zstd-rle":      {Zstd, zstdRLEBomb(full / zstdMaxBlock)},
		"zstd-rle-lies": {Zstd, zstdRLEBombNoFCS(full / zstdMaxBlock)},
	}
	zeros = nil
	for name, b := range bombs {
		err, alloc := bombAlloc(b.comp, b.c, maxSize)
		t.Logf("%s: %d compressed bytes, allocated %d bytes", name, len(b.comp), alloc)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: err = %v, want ErrTooLarge", name, err)
		}
		if alloc > 8*maxSize {
			t.Errorf("%s: allocated %d bytes for a %d-byte limit", name, alloc, maxSize)
		}
	}
}

func TestCorruptInput(t *testing.T) {
	n := 1200 // several hundred compressed bytes, each truncated and flipped
	if longTests {
		n = 3000
	}
	src := realisticData(n, 5)
	for _, c := range allCodecs[1:] {
		comp := mustCompress(t, src, c, 0)
		// Every truncation.
		for i := range len(comp) {
			out, err := Decompress(nil, comp[:i], c, 1<<20)
			checkDecompressResult(t, nil, out, 1<<20, err)
			if err == nil && bytes.Equal(out, src) {
				t.Errorf("%v: truncated to %d bytes decodes fully", c, i)
			}
		}
		// Every byte flipped, each in a few ways.
		buf := make([]byte, len(comp))
		for i := range comp {
			for _, x := range []byte{0x01, 0x80, 0xFF} {
				copy(buf, comp)
				buf[i] ^= x
				dst := []byte("keep")
				out, err := Decompress(dst, buf, c, 1<<20)
				checkDecompressResult(t, dst, out, 1<<20, err)
				if !bytes.Equal(out[:4], dst) {
					t.Fatalf("%v: dst prefix clobbered", c)
				}
			}
		}
		// Trailing garbage.
		out, err := Decompress(nil, append(append([]byte(nil), comp...), "garbage!"...), c, 1<<20)
		if err == nil {
			t.Errorf("%v: trailing garbage accepted (%d bytes out)", c, len(out))
		}
		checkDecompressResult(t, nil, out, 1<<20, err)
	}
}

func TestGzipConcatenatedMembers(t *testing.T) {
	a, b := realisticData(5000, 6), randomData(3000, 7)
	comp := mustCompress(t, a, Gzip, 1)
	comp = append(comp, mustCompress(t, b, Gzip, 9)...)
	comp = append(comp, mustCompress(t, nil, Gzip, 0)...)
	out, err := Decompress(nil, comp, Gzip, 1<<20)
	if err != nil || !bytes.Equal(out, append(append([]byte(nil), a...), b...)) {
		t.Fatalf("concatenated members: %d bytes, %v", len(out), err)
	}
	if _, err := Decompress(nil, comp, Gzip, len(a)+len(b)-1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("concatenated members over the limit: %v", err)
	}
}

// TestConcurrent exercises the pools and shared coders from many
// goroutines (meaningful under -race).
func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				src := realisticData(1000+i*997, uint64(g*100+i))
				for _, c := range allCodecs {
					comp, err := Compress(nil, src, c, []int{0, 1}[i%2])
					if err != nil {
						t.Error(err)
						return
					}
					out, err := Decompress(nil, comp, c, len(src))
					if err != nil || !bytes.Equal(out, src) {
						t.Errorf("%v: %v", c, err)
						return
					}
				}
				legacy, _ := CompressLegacyLZ4(nil, src)
				if out, err := Decompress(nil, legacy, LZ4, len(src)); err != nil || !bytes.Equal(out, src) {
					t.Errorf("legacy lz4: %v", err)
				}
			}
		})
	}
	wg.Wait()
}

// TestAllocs checks that, with a reused output buffer, neither direction
// allocates once the pools are warm.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops entries under the race detector")
	}
	src := realisticData(100<<10, 8)
	for _, c := range allCodecs {
		comp := mustCompress(t, src, c, 0)
		cbuf := make([]byte, 0, 2*len(src))
		dbuf := make([]byte, 0, 2*len(src))
		compAllocs := testing.AllocsPerRun(50, func() {
			if _, err := Compress(cbuf, src, c, 0); err != nil {
				t.Fatal(err)
			}
		})
		decAllocs := testing.AllocsPerRun(50, func() {
			if _, err := Decompress(dbuf, comp, c, len(src)); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("%v: %.1f allocs per Compress, %.1f per Decompress", c, compAllocs, decAllocs)
		// A GC during the run may empty a pool, so allow a little.
		if compAllocs > 1 || decAllocs > 1 {
			t.Errorf("%v: %.1f allocs per Compress, %.1f per Decompress into reused buffers", c, compAllocs, decAllocs)
		}
	}
}
