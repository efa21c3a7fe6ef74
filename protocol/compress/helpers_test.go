package compress

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
)

var allCodecs = []Codec{None, Gzip, Snappy, LZ4, Zstd}

// longTests enables the slow variants of tests (GOKAFKA_LONG=1): bombs of
// 256 MiB and the largest round-trip inputs. The short ones prove the same
// bounds in a fraction of the time under -race.
var longTests = os.Getenv("GOKAFKA_LONG") == "1"

// largeInput is the largest input of the round-trip tests: 1 MiB with
// GOKAFKA_LONG=1, otherwise 160 KiB, still more than two blocks of every
// codec (64 KiB for snappy and lz4).
var largeInput = func() int {
	if longTests {
		return 1 << 20
	}
	return 160 << 10
}()

// realisticData returns n bytes of JSON event records, the kind of payload
// Kafka batches carry: repetitive keys and enumerations, varying numbers,
// identifiers and timestamps.
func realisticData(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x6b61666b61))
	events := []string{"page_view", "click", "add_to_cart", "purchase", "login", "logout", "search"}
	countries := []string{"US", "DE", "FR", "JP", "BR", "IN", "GB", "CA"}
	agents := []string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
	}
	b := make([]byte, 0, n+512)
	ts := int64(1_717_000_000_000)
	for len(b) < n {
		ts += int64(r.IntN(2000))
		b = fmt.Appendf(b, `{"ts":%d,"event":%q,"user_id":"u-%08x","session":"%016x","country":%q,"amount":%d.%02d,"items":%d,"ua":%q,"path":"/shop/item/%d"}`+"\n",
			ts, events[r.IntN(len(events))], r.Uint32()%200000, r.Uint64(),
			countries[r.IntN(len(countries))], r.IntN(500), r.IntN(100), r.IntN(12),
			agents[r.IntN(len(agents))], r.IntN(100000))
	}
	return b[:n]
}

// randomData returns n incompressible bytes.
func randomData(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func mustCompress(t testing.TB, src []byte, c Codec, level int) []byte {
	t.Helper()
	out, err := Compress(nil, src, c, level)
	if err != nil {
		t.Fatalf("Compress(%v, level %d): %v", c, level, err)
	}
	return out
}

// checkDecompressResult fails unless err is nil or wraps ErrCorrupt or
// ErrTooLarge, and out is within maxSize of what dst held.
func checkDecompressResult(t testing.TB, dst, out []byte, maxSize int, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("error wraps neither ErrCorrupt nor ErrTooLarge: %v", err)
		}
		if len(out) != len(dst) {
			t.Fatalf("on error, returned %d bytes, want dst's %d", len(out), len(dst))
		}
		return
	}
	if n := len(out) - len(dst); n < 0 || n > maxSize {
		t.Fatalf("appended %d bytes, maxSize %d", n, maxSize)
	}
}
