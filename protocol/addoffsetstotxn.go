package protocol

// AddOffsetsToTxnRequest tells the transaction coordinator that a
// transaction will commit offsets for a group, before the producer sends
// them with TxnOffsetCommit to the group coordinator.
type AddOffsetsToTxnRequest struct {
	TransactionalID string
	ProducerID      int64
	ProducerEpoch   int16
	GroupID         string
	UnknownTags     []TaggedField
}

// APIKey implements [Message].
func (*AddOffsetsToTxnRequest) APIKey() int16 { return KeyAddOffsetsToTxn }

// NewResponse implements [Request].
func (*AddOffsetsToTxnRequest) NewResponse() Response { return new(AddOffsetsToTxnResponse) }

// Encode implements [Message].
func (r *AddOffsetsToTxnRequest) Encode(e *Encoder, version int16) {
	e.String(r.TransactionalID)
	e.Int64(r.ProducerID)
	e.Int16(r.ProducerEpoch)
	e.String(r.GroupID)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *AddOffsetsToTxnRequest) Decode(d *Decoder, version int16) {
	*r = AddOffsetsToTxnRequest{}
	r.TransactionalID = d.String()
	r.ProducerID = d.Int64()
	r.ProducerEpoch = d.Int16()
	r.GroupID = d.String()
	d.Tags(&r.UnknownTags, nil)
}

// AddOffsetsToTxnResponse says whether the group was added to the
// transaction.
type AddOffsetsToTxnResponse struct {
	ThrottleTimeMs int32
	ErrorCode      int16
	UnknownTags    []TaggedField
}

// APIKey implements [Message].
func (*AddOffsetsToTxnResponse) APIKey() int16 { return KeyAddOffsetsToTxn }
func (*AddOffsetsToTxnResponse) isResponse()   {}

// Encode implements [Message].
func (r *AddOffsetsToTxnResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	e.Int16(r.ErrorCode)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *AddOffsetsToTxnResponse) Decode(d *Decoder, version int16) {
	*r = AddOffsetsToTxnResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.ErrorCode = d.Int16()
	d.Tags(&r.UnknownTags, nil)
}
