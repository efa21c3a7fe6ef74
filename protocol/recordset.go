package protocol

import (
	"encoding/binary"
	"fmt"
)

// A RecordSetReader iterates over the records bytes of a fetched partition:
// record batches (magic 2), legacy messages (magic 0 and 1), or a mix of
// them, which happens while a topic's format is being upgraded. The format of
// each entry is read from its magic byte, at the same place (byte 16) in
// every format. Legacy messages come out as [RecordBatch] values with Magic 0
// or 1 (see [RecordBatch.Decode]), so consumers handle one type.
//
// A fetch response may end with a partial batch, cut at the size limit the
// consumer asked for: iteration stops there without an error, and Partial
// reports it. Anything else that does not decode is an error from Err.
//
//	r := protocol.NewRecordSetReader(records, protocol.DecodeOptions{})
//	var batch protocol.RecordBatch
//	for r.Next(&batch) {
//		if batch.Control() || batch.NextOffset() <= fetchOffset {
//			continue
//		}
//		for i := range batch.Records {
//			rec := &batch.Records[i]
//			if rec.Offset(&batch) < fetchOffset {
//				continue // a batch may start before the offset asked for
//			}
//			// use rec.Offset(&batch), rec.Timestamp(&batch), rec.Key, ...
//		}
//	}
//	if err := r.Err(); err != nil { ... }
//
// Decoding into the same RecordBatch each time reuses its buffers; the
// records of one batch stay valid until the next call to Next with it.
type RecordSetReader struct {
	data    []byte
	off     int
	opts    DecodeOptions
	err     error
	partial bool
}

// NewRecordSetReader returns a reader over data, decoding with opts.
func NewRecordSetReader(data []byte, opts DecodeOptions) *RecordSetReader {
	return &RecordSetReader{data: data, opts: opts}
}

// Reset makes r read data from the start, as NewRecordSetReader does.
func (r *RecordSetReader) Reset(data []byte, opts DecodeOptions) {
	*r = RecordSetReader{data: data, opts: opts}
}

// Next decodes the next batch into b and reports whether there was one. It
// returns false at the end of the data, at a partial trailing batch, and on
// an error.
func (r *RecordSetReader) Next(b *RecordBatch) bool {
	if r.err != nil || r.partial {
		return false
	}
	rest := r.data[r.off:]
	if len(rest) == 0 {
		return false
	}
	if len(rest) < logOverhead {
		r.partial = true
		return false
	}
	size := int32(binary.BigEndian.Uint32(rest[8:]))
	if size < 0 {
		r.fail(fmt.Errorf("%w: record set at byte %d: negative batch size %d", ErrMalformed, r.off, size))
		return false
	}
	if int64(size) > int64(len(rest)-logOverhead) {
		r.partial = true
		return false
	}
	n, err := b.Decode(rest[:logOverhead+int(size)], r.opts)
	if err != nil {
		r.fail(fmt.Errorf("record set at byte %d: %w", r.off, err))
		return false
	}
	r.off += n
	return true
}

func (r *RecordSetReader) fail(err error) { r.err = err }

// Err returns the error that stopped the iteration, if any. Errors wrap
// [ErrMalformed].
func (r *RecordSetReader) Err() error { return r.err }

// Partial reports whether iteration stopped at a batch that runs past the
// end of the data. When no batch at all was complete, the fetch size was too
// small for the first batch.
func (r *RecordSetReader) Partial() bool { return r.partial }

// Offset returns how many bytes of the data have been consumed.
func (r *RecordSetReader) Offset() int { return r.off }

// CountRecords returns how many records the complete v2 record batches of
// data hold, from their headers alone, so a consumer can size its buffers
// before decoding. Legacy messages and a partial trailing batch are not
// counted.
func CountRecords(data []byte) int {
	n := 0
	for len(data) >= batchHeaderSize {
		size := int64(binary.BigEndian.Uint32(data[8:12])) + logOverhead
		if size > int64(len(data)) || size < batchHeaderSize {
			break
		}
		if data[16] == 2 {
			n += int(int32(binary.BigEndian.Uint32(data[batchHeaderSize-4:])))
		}
		data = data[size:]
	}
	return max(n, 0)
}
