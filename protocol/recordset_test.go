package protocol

import "testing"

func TestCountRecords(t *testing.T) {
	var data []byte
	var bb BatchBuilder
	for _, n := range []int{3, 1, 7} {
		bb.Reset(BatchOptions{})
		for i := range n {
			bb.Append(int64(i), nil, []byte("v"), nil)
		}
		var err error
		if data, err = bb.Build(data); err != nil {
			t.Fatal(err)
		}
	}
	if got := CountRecords(data); got != 11 {
		t.Fatalf("CountRecords = %d, want 11", got)
	}
	if got := CountRecords(data[:len(data)-1]); got != 4 {
		t.Fatalf("with a partial last batch: %d, want 4", got)
	}
	if got := CountRecords([]byte{1, 2, 3}); got != 0 {
		t.Fatalf("garbage: %d", got)
	}
}
