package protocol

// InitProducerIDRequest obtains a producer ID and epoch for idempotent or
// transactional producing.
type InitProducerIDRequest struct {
	TransactionalID      *string
	TransactionTimeoutMs int32
	ProducerID           int64 // v3+, default -1
	ProducerEpoch        int16 // v3+, default -1
	UnknownTags          []TaggedField
}

// APIKey implements [Message].
func (*InitProducerIDRequest) APIKey() int16 { return KeyInitProducerID }

// NewResponse implements [Request].
func (*InitProducerIDRequest) NewResponse() Response { return new(InitProducerIDResponse) }

// Encode implements [Message].
func (r *InitProducerIDRequest) Encode(e *Encoder, version int16) {
	e.NullableString(r.TransactionalID)
	e.Int32(r.TransactionTimeoutMs)
	if version >= 3 {
		e.Int64(r.ProducerID)
		e.Int16(r.ProducerEpoch)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *InitProducerIDRequest) Decode(d *Decoder, version int16) {
	*r = InitProducerIDRequest{ProducerID: -1, ProducerEpoch: -1}
	r.TransactionalID = d.NullableString()
	r.TransactionTimeoutMs = d.Int32()
	if version >= 3 {
		r.ProducerID = d.Int64()
		r.ProducerEpoch = d.Int16()
	}
	d.Tags(&r.UnknownTags, nil)
}

// InitProducerIDResponse returns the producer ID and epoch to use.
type InitProducerIDResponse struct {
	ThrottleTimeMs int32
	ErrorCode      int16
	ProducerID     int64 // default -1
	ProducerEpoch  int16
	UnknownTags    []TaggedField
}

// APIKey implements [Message].
func (*InitProducerIDResponse) APIKey() int16 { return KeyInitProducerID }
func (*InitProducerIDResponse) isResponse()   {}

// Encode implements [Message].
func (r *InitProducerIDResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	e.Int16(r.ErrorCode)
	e.Int64(r.ProducerID)
	e.Int16(r.ProducerEpoch)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *InitProducerIDResponse) Decode(d *Decoder, version int16) {
	*r = InitProducerIDResponse{ProducerID: -1}
	r.ThrottleTimeMs = d.Int32()
	r.ErrorCode = d.Int16()
	r.ProducerID = d.Int64()
	r.ProducerEpoch = d.Int16()
	d.Tags(&r.UnknownTags, nil)
}
