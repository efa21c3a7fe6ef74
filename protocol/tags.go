package protocol

import "encoding/binary"

// A TaggedField is a tagged field this package does not know, kept as raw
// bytes so that it can be written back unchanged.
type TaggedField struct {
	Tag  uint32
	Data []byte
}

// A UUID is a 16-byte identifier, as Kafka uses for topic IDs.
type UUID [16]byte

// Tags reads a tagged-field section (flexible versions only; otherwise it does
// nothing). For each field, known is called with the tag and a Decoder
// limited to that field's bytes; it returns false, without reading, for tags
// it does not handle, which are appended to *unknown. known may be nil. A
// known field must consume its bytes exactly.
func (d *Decoder) Tags(unknown *[]TaggedField, known func(tag uint32, fd *Decoder) bool) {
	if !d.flexible || d.err != nil {
		return
	}
	n := int(d.Uvarint())
	if n > d.Remaining() {
		d.Fail("%d tagged fields exceed the %d bytes that remain", n, d.Remaining())
		return
	}
	for i := 0; i < n && d.err == nil; i++ {
		tag := d.Uvarint()
		size := int(d.Uvarint())
		if d.err == nil && size > d.Remaining() {
			d.Fail("tagged field %d of %d bytes exceeds the %d bytes that remain", tag, size, d.Remaining())
		}
		if d.err != nil {
			return
		}
		end := d.off + size
		if known != nil {
			// known reads from d itself, cut short at the field's end, so
			// that no second Decoder escapes to the heap per field.
			full := d.buf
			d.buf = d.buf[:end]
			handled := known(tag, d)
			d.buf = full
			if handled {
				if d.err == nil && d.off != end {
					d.Fail("%d unread bytes in tagged field %d", end-d.off, tag)
				}
				continue
			}
		}
		*unknown = append(*unknown, TaggedField{Tag: tag, Data: d.take(size, "tagged field")})
	}
}

// Tags writes a tagged-field section holding only unknown fields (flexible
// versions only; otherwise it does nothing).
func (e *Encoder) Tags(unknown []TaggedField) {
	if !e.flexible {
		return
	}
	e.Uvarint(uint32(len(unknown)))
	e.UnknownTags(unknown)
}

// TagCount starts a tagged-field section of known fields followed by the
// unknown ones: it writes the total count. The caller then writes each known
// field, in ascending tag order, with [Encoder.Tag], and finishes with
// [Encoder.UnknownTags]. Call it only when flexible.
func (e *Encoder) TagCount(known int, unknown []TaggedField) {
	e.Uvarint(uint32(known + len(unknown)))
}

// Tag writes one known tagged field whose content write produces.
func (e *Encoder) Tag(tag uint32, write func(e *Encoder)) {
	e.Uvarint(tag)
	start := len(e.buf)
	write(e)
	size := len(e.buf) - start
	// The size prefix goes before the content: encode it, then shift the
	// content right by its length. Tagged fields are small and rare.
	var prefix [5]byte
	p := binary.AppendUvarint(prefix[:0], uint64(size))
	e.buf = append(e.buf, p...)
	copy(e.buf[start+len(p):], e.buf[start:start+size])
	copy(e.buf[start:], p)
}

// UnknownTags writes the unknown tagged fields, each as tag, size and data.
func (e *Encoder) UnknownTags(unknown []TaggedField) {
	for _, f := range unknown {
		e.Uvarint(f.Tag)
		e.Uvarint(uint32(len(f.Data)))
		e.buf = append(e.buf, f.Data...)
	}
}
