package protocol

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"testing"
)

// FuzzDecodeResponse decodes arbitrary frames as every response at every
// version, as a connection does, tolerating trailing bytes: decoding must
// never panic, must fail only with ErrMalformed, and must account for every
// byte (what it read plus what it ignored is the whole frame). The frame is
// also read through ReadFrame with a size prefix, which must return it whole.
func FuzzDecodeResponse(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i, api := range APIs {
		for v := api.MinVersion; v <= api.MaxVersion; v++ {
			m := api.NewResponse()
			fillRandom(rng, reflect.ValueOf(m).Elem(), 0)
			frame, err := AppendResponse(nil, 7, m, v)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(uint8(i), uint8(v-api.MinVersion), frame[4:])
			f.Add(uint8(i), uint8(v-api.MinVersion), append(frame[4:], 0, 0, 0, 0)) // trailing bytes
		}
	}
	f.Fuzz(func(t *testing.T, i, v uint8, frame []byte) {
		m, version := fuzzTarget(i, v, true)
		_, trailing, err := DecodeResponseFrame(frame, m.(Response), version)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
		} else if trailing < 0 || trailing > len(frame) {
			t.Fatalf("%d trailing bytes in a %d-byte frame", trailing, len(frame))
		}
		prefixed := binary.BigEndian.AppendUint32(nil, uint32(len(frame)))
		body, err := ReadFrame(io.MultiReader(bytes.NewReader(prefixed), bytes.NewReader(frame)), nil, 1<<30)
		if err != nil || !bytes.Equal(body, frame) {
			t.Fatalf("ReadFrame: %d of %d bytes, %v", len(body), len(frame), err)
		}
	})
}
