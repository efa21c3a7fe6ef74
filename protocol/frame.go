package protocol

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// A RequestHeader precedes every request body. Version 0 has no client ID,
// version 1 adds it and version 2 (flexible requests) adds tagged fields. The
// client ID stays a classic nullable string even in version 2.
type RequestHeader struct {
	APIKey        int16
	APIVersion    int16
	CorrelationID int32
	ClientID      *string
	UnknownTags   []TaggedField
}

// Encode appends the header at headerVersion (0, 1 or 2).
func (h *RequestHeader) Encode(e *Encoder, headerVersion int16) {
	e.Int16(h.APIKey)
	e.Int16(h.APIVersion)
	e.Int32(h.CorrelationID)
	if headerVersion >= 1 {
		classic := Encoder{buf: e.buf}
		classic.NullableString(h.ClientID)
		e.buf, e.err = classic.buf, errors.Join(e.err, classic.err)
	}
	if headerVersion >= 2 {
		e.Uvarint(uint32(len(h.UnknownTags)))
		e.UnknownTags(h.UnknownTags)
	}
}

// Decode reads the header at headerVersion (0, 1 or 2).
func (h *RequestHeader) Decode(d *Decoder, headerVersion int16) {
	h.APIKey = d.Int16()
	h.APIVersion = d.Int16()
	h.CorrelationID = d.Int32()
	h.ClientID, h.UnknownTags = nil, nil
	if headerVersion >= 1 {
		flexible := d.flexible
		d.flexible = false
		h.ClientID = d.NullableString()
		d.flexible = flexible
	}
	if headerVersion >= 2 {
		flexible := d.flexible
		d.flexible = true
		d.Tags(&h.UnknownTags, nil)
		d.flexible = flexible
	}
}

// A ResponseHeader precedes every response body. Version 1 (flexible
// responses, except APIVersions) adds tagged fields.
type ResponseHeader struct {
	CorrelationID int32
	UnknownTags   []TaggedField
}

// Encode appends the header at headerVersion (0 or 1).
func (h *ResponseHeader) Encode(e *Encoder, headerVersion int16) {
	e.Int32(h.CorrelationID)
	if headerVersion >= 1 {
		e.Uvarint(uint32(len(h.UnknownTags)))
		e.UnknownTags(h.UnknownTags)
	}
}

// Decode reads the header at headerVersion (0 or 1).
func (h *ResponseHeader) Decode(d *Decoder, headerVersion int16) {
	h.CorrelationID = d.Int32()
	h.UnknownTags = nil
	if headerVersion >= 1 {
		flexible := d.flexible
		d.flexible = true
		d.Tags(&h.UnknownTags, nil)
		d.flexible = flexible
	}
}

// AppendRequest appends a whole request frame to dst: the 4-byte size, the
// header (version chosen for the API and version) and the body.
func AppendRequest(dst []byte, correlationID int32, clientID *string, req Request, version int16) ([]byte, error) {
	api, err := apiFor(req, version)
	if err != nil {
		return dst, err
	}
	start := len(dst)
	e := getEncoder(append(dst, 0, 0, 0, 0))
	defer putEncoder(e)
	h := RequestHeader{APIKey: api.Key, APIVersion: version, CorrelationID: correlationID, ClientID: clientID}
	h.Encode(e, api.RequestHeaderVersion(version))
	e.flexible = api.Flexible(version)
	req.Encode(e, version)
	if e.err != nil {
		return dst, fmt.Errorf("encoding %s v%d: %w", messageName(api, req), version, e.err)
	}
	binary.BigEndian.PutUint32(e.buf[start:], uint32(len(e.buf)-start-4))
	return e.buf, nil
}

// AppendRequestVectored is AppendRequest for large requests: byte fields
// of 4 KiB or more (a produce request's record batches) are not copied
// into dst but returned in place, as the segments to write, in order, that
// make the frame: dst's bytes interleaved with the fields' own memory
// (for net.Buffers, which writes them with one writev). segs is appended
// to and returned; dst's memory is the first segment's and others'.
func AppendRequestVectored(dst []byte, segs [][]byte, correlationID int32, clientID *string, req Request, version int16) ([]byte, [][]byte, error) {
	api, err := apiFor(req, version)
	if err != nil {
		return dst, segs, err
	}
	start := len(dst)
	e := getEncoder(append(dst, 0, 0, 0, 0))
	defer putEncoder(e)
	e.vectored = true
	e.spills = e.spillBuf[:0]
	h := RequestHeader{APIKey: api.Key, APIVersion: version, CorrelationID: correlationID, ClientID: clientID}
	h.Encode(e, api.RequestHeaderVersion(version))
	e.flexible = api.Flexible(version)
	req.Encode(e, version)
	if e.err != nil {
		return dst, segs, fmt.Errorf("encoding %s v%d: %w", messageName(api, req), version, e.err)
	}
	binary.BigEndian.PutUint32(e.buf[start:], uint32(len(e.buf)-start-4+e.spilled))
	from := start
	for _, s := range e.spills {
		segs = append(segs, e.buf[from:s.at], s.data)
		from = s.at
	}
	segs = append(segs, e.buf[from:])
	return e.buf, segs, nil
}

// AppendResponse appends a whole response frame to dst: the 4-byte size, the
// response header and the body. Brokers and test servers use it.
func AppendResponse(dst []byte, correlationID int32, resp Response, version int16) ([]byte, error) {
	api, err := apiFor(resp, version)
	if err != nil {
		return dst, err
	}
	start := len(dst)
	e := Encoder{buf: append(dst, 0, 0, 0, 0)}
	h := ResponseHeader{CorrelationID: correlationID}
	h.Encode(&e, api.ResponseHeaderVersion(version))
	e.flexible = api.Flexible(version)
	resp.Encode(&e, version)
	if e.err != nil {
		return dst, fmt.Errorf("encoding %s v%d: %w", messageName(api, resp), version, e.err)
	}
	binary.BigEndian.PutUint32(e.buf[start:], uint32(len(e.buf)-start-4))
	return e.buf, nil
}

// Encoders and decoders escape to the heap through the Message interface's
// methods, so the framing functions take them from pools: a request or a
// response then costs no allocation for its codec state.
var (
	encoderPool = sync.Pool{New: func() any { return new(Encoder) }}
	decoderPool = sync.Pool{New: func() any { return new(Decoder) }}
)

func getEncoder(buf []byte) *Encoder {
	e := encoderPool.Get().(*Encoder)
	*e = Encoder{buf: buf, spillBuf: e.spillBuf}
	return e
}

func putEncoder(e *Encoder) {
	clear(e.spills)
	*e = Encoder{spillBuf: e.spills[:0]} // keep no buffer alive, but the spill list
	encoderPool.Put(e)
}

func getDecoder(buf []byte, flexible bool) *Decoder {
	d := decoderPool.Get().(*Decoder)
	*d = Decoder{buf: buf, flexible: flexible}
	return d
}

func putDecoder(d *Decoder) {
	*d = Decoder{}
	decoderPool.Put(d)
}

// ResponseCorrelationID returns the correlation ID at the start of a response
// frame (size prefix removed), which every response header version begins
// with, so that a connection can route a frame before decoding it.
func ResponseCorrelationID(frame []byte) (int32, error) {
	if len(frame) < 4 {
		return 0, &DecodeError{Offset: 0, What: fmt.Sprintf("response frame of %d bytes has no correlation ID", len(frame))}
	}
	return int32(binary.BigEndian.Uint32(frame)), nil
}

// DecodeResponse decodes a response frame (size prefix removed) into resp at
// version and returns its correlation ID. Bytes after the last field of the
// version are ignored, as the Java client and franz-go ignore them: brokers
// and mock clusters (librdkafka's adds bytes to Metadata v12 and ListOffsets
// v5) send them. Lengths and counts stay strictly checked: one that overruns
// the frame is an error. [DecodeResponseFrame] also says how many bytes were
// ignored.
func DecodeResponse(frame []byte, resp Response, version int16) (int32, error) {
	id, _, err := DecodeResponseFrame(frame, resp, version)
	return id, err
}

// DecodeResponseFrame is [DecodeResponse] that also returns how many bytes
// followed the last field of version and were ignored, for callers that log
// a peer speaking a slightly different dialect.
func DecodeResponseFrame(frame []byte, resp Response, version int16) (correlationID int32, trailing int, err error) {
	api, err := apiFor(resp, version)
	if err != nil {
		return 0, 0, err
	}
	d := getDecoder(frame, false)
	defer putDecoder(d)
	var h ResponseHeader
	h.Decode(d, api.ResponseHeaderVersion(version))
	if d.err != nil {
		return 0, 0, fmt.Errorf("decoding %s v%d header: %w", api.Name, version, d.err)
	}
	trailing, err = decodeBody(frame[d.off:], resp, version, false)
	return h.CorrelationID, trailing, err
}

// DecodeRequest decodes a request frame (size prefix removed): its header,
// then the body of the API and version the header names.
func DecodeRequest(frame []byte) (RequestHeader, Request, error) {
	var h RequestHeader
	if len(frame) < 4 {
		return h, nil, &DecodeError{What: fmt.Sprintf("request frame of %d bytes has no header", len(frame))}
	}
	api := LookupAPI(int16(binary.BigEndian.Uint16(frame)))
	if api == nil {
		return h, nil, fmt.Errorf("%w: API key %d is not implemented", ErrUnsupportedVersion, int16(binary.BigEndian.Uint16(frame)))
	}
	version := int16(binary.BigEndian.Uint16(frame[2:]))
	if !api.Supports(version) {
		return h, nil, fmt.Errorf("%w: %s v%d", ErrUnsupportedVersion, api.Name, version)
	}
	d := Decoder{buf: frame}
	h.Decode(&d, api.RequestHeaderVersion(version))
	if d.err != nil {
		return h, nil, fmt.Errorf("decoding %s v%d header: %w", api.Name, version, d.err)
	}
	req := api.NewRequest()
	return h, req, Decode(frame[d.off:], req, version)
}

// ErrFrameTooLarge is returned by [ReadFrame] for a size prefix above the
// caller's limit.
var ErrFrameTooLarge = errors.New("protocol: frame larger than the allowed maximum")

// A FrameError is returned by [ReadFrame] when a size prefix arrived but no
// whole frame followed it: the size was negative or above the limit, or the
// stream ended early. Size lets a caller recognise a peer that does not speak
// Kafka: "HTTP" read as a size is 1213486160, a TLS record starts 0x15 0x03
// or 0x16 0x03.
type FrameError struct {
	Size  int32 // the size prefix as received
	Limit int32 // the caller's maximum
	Got   int   // bytes of the body received before the stream ended
	Err   error // why the body is incomplete; nil when Size was out of bounds
}

// Error says what was wrong with the frame.
func (e *FrameError) Error() string {
	switch {
	case e.Size < 0:
		return fmt.Sprintf("protocol: malformed data: negative frame size %d", e.Size)
	case e.Size > e.Limit:
		return fmt.Sprintf("%v: %d bytes, limit %d", ErrFrameTooLarge, e.Size, e.Limit)
	}
	return fmt.Sprintf("protocol: truncated frame (%d bytes announced, %d received): %v", e.Size, e.Got, e.Err)
}

// Unwrap returns [ErrFrameTooLarge] for a size above the limit,
// [ErrMalformed] for a negative one, and for a truncated frame both
// [ErrMalformed] and the read error (io.ErrUnexpectedEOF when the stream
// ended).
func (e *FrameError) Unwrap() []error {
	switch {
	case e.Size < 0:
		return []error{ErrMalformed}
	case e.Size > e.Limit:
		return []error{ErrFrameTooLarge}
	}
	return []error{ErrMalformed, e.Err}
}

// frameChunk is how much of a large frame is allocated before any of its body
// has arrived. The buffer then doubles each time it fills, so a peer that
// announces 99 MiB and sends 10 bytes costs 64 KiB, a stalled frame costs
// about twice what arrived, and a whole frame less than three times its size
// in allocations (one copy more than a single allocation would cost).
const frameChunk = 64 << 10

// ReadFrame reads one size-prefixed frame from r and returns its body (the
// size prefix removed), reusing buf when it is large enough. A size that is
// negative or above maxSize is a [*FrameError] before anything is allocated;
// a large frame's buffer grows only as its bytes arrive.
func ReadFrame(r io.Reader, buf []byte, maxSize int32) ([]byte, error) {
	return ReadFrameTrusting(r, buf, maxSize, 0)
}

// ReadFrameTrusting is [ReadFrame], but a frame of up to trusted bytes gets
// its whole buffer at once, before its bytes arrive, rather than one that
// grows as they do (with a copy at each doubling). A connection's reader
// passes the size of the largest frame its peer has delivered whole: a
// peer is trusted with no more than it has proven it sends, and a reader
// of large fetch responses allocates each one once.
func ReadFrameTrusting(r io.Reader, buf []byte, maxSize int32, trusted int) ([]byte, error) {
	var sz [4]byte
	if _, err := io.ReadFull(r, sz[:]); err != nil {
		return nil, err
	}
	n := int32(binary.BigEndian.Uint32(sz[:]))
	if n < 0 || n > maxSize {
		return nil, &FrameError{Size: n, Limit: maxSize}
	}
	if int(n) <= cap(buf) {
		buf = buf[:n]
		if got, err := io.ReadFull(r, buf); err != nil {
			return nil, truncated(n, maxSize, got, err)
		}
		return buf, nil
	}
	if int(n) <= trusted {
		buf = make([]byte, n)
		if got, err := io.ReadFull(r, buf); err != nil {
			return nil, truncated(n, maxSize, got, err)
		}
		return buf, nil
	}
	buf = make([]byte, 0, min(int(n), frameChunk))
	for len(buf) < int(n) {
		if len(buf) == cap(buf) {
			buf = append(make([]byte, 0, min(int(n), 2*cap(buf))), buf...)
		}
		got, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+got]
		if err != nil {
			return nil, truncated(n, maxSize, len(buf), err)
		}
	}
	return buf, nil
}

func truncated(size, limit int32, got int, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return &FrameError{Size: size, Limit: limit, Got: got, Err: err}
}
