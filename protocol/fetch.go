package protocol

// STUB: replaced by the real implementation.

type FetchRequest struct{}

func (*FetchRequest) APIKey() int16                      { return KeyFetch }
func (*FetchRequest) NewResponse() Response              { return new(FetchResponse) }
func (r *FetchRequest) Encode(e *Encoder, version int16) {}
func (r *FetchRequest) Decode(d *Decoder, version int16) {}

type FetchResponse struct{}

func (*FetchResponse) APIKey() int16                      { return KeyFetch }
func (*FetchResponse) isResponse()                        {}
func (r *FetchResponse) Encode(e *Encoder, version int16) {}
func (r *FetchResponse) Decode(d *Decoder, version int16) {}
