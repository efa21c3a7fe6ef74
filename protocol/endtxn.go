package protocol

// EndTxnRequest commits or aborts a producer's ongoing transaction.
type EndTxnRequest struct {
	TransactionalID string
	ProducerID      int64
	ProducerEpoch   int16
	Committed       bool // true to commit, false to abort
	UnknownTags     []TaggedField
}

// APIKey implements [Message].
func (*EndTxnRequest) APIKey() int16 { return KeyEndTxn }

// NewResponse implements [Request].
func (*EndTxnRequest) NewResponse() Response { return new(EndTxnResponse) }

// Encode implements [Message].
func (r *EndTxnRequest) Encode(e *Encoder, version int16) {
	e.String(r.TransactionalID)
	e.Int64(r.ProducerID)
	e.Int16(r.ProducerEpoch)
	e.Bool(r.Committed)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *EndTxnRequest) Decode(d *Decoder, version int16) {
	*r = EndTxnRequest{}
	r.TransactionalID = d.String()
	r.ProducerID = d.Int64()
	r.ProducerEpoch = d.Int16()
	r.Committed = d.Bool()
	d.Tags(&r.UnknownTags, nil)
}

// EndTxnResponse says whether the transaction ended; from v5 (KIP-890) it
// also gives the producer ID and epoch to use for the next transaction, as
// the coordinator bumps the epoch on every transaction.
type EndTxnResponse struct {
	ThrottleTimeMs int32
	ErrorCode      int16
	ProducerID     int64 // v5+, default -1
	ProducerEpoch  int16 // v5+, default -1
	UnknownTags    []TaggedField
}

// APIKey implements [Message].
func (*EndTxnResponse) APIKey() int16 { return KeyEndTxn }
func (*EndTxnResponse) isResponse()   {}

// Encode implements [Message].
func (r *EndTxnResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	e.Int16(r.ErrorCode)
	if version >= 5 {
		e.Int64(r.ProducerID)
		e.Int16(r.ProducerEpoch)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *EndTxnResponse) Decode(d *Decoder, version int16) {
	*r = EndTxnResponse{ProducerID: -1, ProducerEpoch: -1}
	r.ThrottleTimeMs = d.Int32()
	r.ErrorCode = d.Int16()
	if version >= 5 {
		r.ProducerID = d.Int64()
		r.ProducerEpoch = d.Int16()
	}
	d.Tags(&r.UnknownTags, nil)
}
