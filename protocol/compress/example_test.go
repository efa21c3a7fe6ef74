package compress_test

import (
	"bytes"
	"fmt"

	"github.com/gokafka/kafka/protocol/compress"
)

func Example() {
	records := bytes.Repeat([]byte(`{"event":"click","user":"u-42"}`), 100)

	codec, err := compress.ParseCodec("zstd") // e.g. from compression.type
	if err != nil {
		panic(err)
	}
	comp, err := compress.Compress(nil, records, codec, 0)
	if err != nil {
		panic(err)
	}
	// Bound what a batch may expand to: a corrupt or hostile batch fails
	// with an error wrapping ErrTooLarge instead of exhausting memory.
	out, err := compress.Decompress(nil, comp, codec, 1<<20)
	if err != nil {
		panic(err)
	}
	fmt.Println(codec, len(records), "->", len(comp) < len(records), bytes.Equal(out, records))
	// Output: zstd 3100 -> true true
}
