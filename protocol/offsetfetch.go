package protocol

// STUB: replaced by the real implementation.

type OffsetFetchRequest struct{}

func (*OffsetFetchRequest) APIKey() int16                      { return KeyOffsetFetch }
func (*OffsetFetchRequest) NewResponse() Response              { return new(OffsetFetchResponse) }
func (r *OffsetFetchRequest) Encode(e *Encoder, version int16) {}
func (r *OffsetFetchRequest) Decode(d *Decoder, version int16) {}

type OffsetFetchResponse struct{}

func (*OffsetFetchResponse) APIKey() int16                      { return KeyOffsetFetch }
func (*OffsetFetchResponse) isResponse()                        {}
func (r *OffsetFetchResponse) Encode(e *Encoder, version int16) {}
func (r *OffsetFetchResponse) Decode(d *Decoder, version int16) {}
