package protocol

// InitProducerIdRequest obtains a producer ID and epoch for idempotent or
// transactional producing.
type InitProducerIdRequest struct {
	TransactionalId      *string
	TransactionTimeoutMs int32
	ProducerId           int64 // v3+, default -1
	ProducerEpoch        int16 // v3+, default -1
	UnknownTags          []TaggedField
}

// APIKey implements [Message].
func (*InitProducerIdRequest) APIKey() int16 { return KeyInitProducerId }

// NewResponse implements [Request].
func (*InitProducerIdRequest) NewResponse() Response { return new(InitProducerIdResponse) }

// Encode implements [Message].
func (r *InitProducerIdRequest) Encode(e *Encoder, version int16) {
	e.NullableString(r.TransactionalId)
	e.Int32(r.TransactionTimeoutMs)
	if version >= 3 {
		e.Int64(r.ProducerId)
		e.Int16(r.ProducerEpoch)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *InitProducerIdRequest) Decode(d *Decoder, version int16) {
	*r = InitProducerIdRequest{ProducerId: -1, ProducerEpoch: -1}
	r.TransactionalId = d.NullableString()
	r.TransactionTimeoutMs = d.Int32()
	if version >= 3 {
		r.ProducerId = d.Int64()
		r.ProducerEpoch = d.Int16()
	}
	d.Tags(&r.UnknownTags, nil)
}

// InitProducerIdResponse returns the producer ID and epoch to use.
type InitProducerIdResponse struct {
	ThrottleTimeMs int32
	ErrorCode      int16
	ProducerId     int64 // default -1
	ProducerEpoch  int16
	UnknownTags    []TaggedField
}

// APIKey implements [Message].
func (*InitProducerIdResponse) APIKey() int16 { return KeyInitProducerId }
func (*InitProducerIdResponse) isResponse()   {}

// Encode implements [Message].
func (r *InitProducerIdResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	e.Int16(r.ErrorCode)
	e.Int64(r.ProducerId)
	e.Int16(r.ProducerEpoch)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *InitProducerIdResponse) Decode(d *Decoder, version int16) {
	*r = InitProducerIdResponse{ProducerId: -1}
	r.ThrottleTimeMs = d.Int32()
	r.ErrorCode = d.Int16()
	r.ProducerId = d.Int64()
	r.ProducerEpoch = d.Int16()
	d.Tags(&r.UnknownTags, nil)
}
