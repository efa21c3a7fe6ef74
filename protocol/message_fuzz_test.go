package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"
)

// newMessage returns an empty message of the API at index i (mod the table),
// and a version within its range derived from v.
func fuzzTarget(i uint8, v uint8, response bool) (Message, int16) {
	api := &APIs[int(i)%len(APIs)]
	version := api.MinVersion + int16(v)%(api.MaxVersion-api.MinVersion+1)
	if response {
		return api.NewResponse(), version
	}
	return api.NewRequest(), version
}

// FuzzDecodeMessage decodes arbitrary bytes as every request and response at
// every version: decoding must never panic, must fail only with ErrMalformed,
// and whatever decodes must re-encode to bytes that decode to the same thing.
func FuzzDecodeMessage(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i, api := range APIs {
		for v := api.MinVersion; v <= api.MaxVersion; v++ {
			for _, response := range []bool{false, true} {
				m, _ := fuzzTarget(uint8(i), uint8(v-api.MinVersion), response)
				fillRandom(rng, reflect.ValueOf(m).Elem(), 0)
				b, err := Encode(nil, m, v)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(uint8(i), uint8(v-api.MinVersion), response, b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, i, v uint8, response bool, data []byte) {
		m, version := fuzzTarget(i, v, response)
		if err := Decode(data, m, version); err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		first, err := Encode(nil, m, version)
		if err != nil {
			t.Fatalf("re-encoding a decoded message: %v", err)
		}
		again, _ := fuzzTarget(i, v, response)
		if err := Decode(first, again, version); err != nil {
			t.Fatalf("decoding our own re-encoding: %v", err)
		}
		second, _ := Encode(nil, again, version)
		if !bytes.Equal(first, second) {
			t.Fatalf("re-encoding is not stable:\n%x\n%x", first, second)
		}
	})
}

// TestDecodeHostileLengths feeds every message at every version 100-byte
// inputs full of huge lengths and counts: each must fail cleanly, and none may
// allocate more than a small multiple of its input.
func TestDecodeHostileLengths(t *testing.T) {
	patterns := map[string][]byte{
		"0x7f": bytes.Repeat([]byte{0x7F}, 100),
		"0xff": bytes.Repeat([]byte{0xFF}, 100),
		"big":  bytes.Repeat([]byte{0x7F, 0xFF, 0xFF, 0xFF}, 25),
		"grow": bytes.Repeat([]byte{0, 0, 0, 0x40}, 25),
	}
	const budget = 64 << 10
	for i, api := range APIs {
		for v := api.MinVersion; v <= api.MaxVersion; v++ {
			for _, response := range []bool{false, true} {
				for name, in := range patterns {
					m, _ := fuzzTarget(uint8(i), uint8(v-api.MinVersion), response)
					var before, after runtime.MemStats
					runtime.ReadMemStats(&before)
					err := Decode(in, m, v)
					runtime.ReadMemStats(&after)
					label := fmt.Sprintf("%s v%d response=%v %s", api.Name, v, response, name)
					if err == nil {
						continue // some patterns are valid for tiny messages
					}
					if !errors.Is(err, ErrMalformed) {
						t.Errorf("%s: error does not wrap ErrMalformed: %v", label, err)
					}
					if alloc := after.TotalAlloc - before.TotalAlloc; alloc > budget {
						t.Errorf("%s: allocated %d bytes for a 100-byte input", label, alloc)
					}
				}
			}
		}
	}
}
