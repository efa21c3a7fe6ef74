package protocol

// STUB: replaced by the real implementation.

type CreateTopicsRequest struct{}

func (*CreateTopicsRequest) APIKey() int16                      { return KeyCreateTopics }
func (*CreateTopicsRequest) NewResponse() Response              { return new(CreateTopicsResponse) }
func (r *CreateTopicsRequest) Encode(e *Encoder, version int16) {}
func (r *CreateTopicsRequest) Decode(d *Decoder, version int16) {}

type CreateTopicsResponse struct{}

func (*CreateTopicsResponse) APIKey() int16                      { return KeyCreateTopics }
func (*CreateTopicsResponse) isResponse()                        {}
func (r *CreateTopicsResponse) Encode(e *Encoder, version int16) {}
func (r *CreateTopicsResponse) Decode(d *Decoder, version int16) {}
