package protocol

// STUB: replaced by the real implementation.

type CreatePartitionsRequest struct{}

func (*CreatePartitionsRequest) APIKey() int16                      { return KeyCreatePartitions }
func (*CreatePartitionsRequest) NewResponse() Response              { return new(CreatePartitionsResponse) }
func (r *CreatePartitionsRequest) Encode(e *Encoder, version int16) {}
func (r *CreatePartitionsRequest) Decode(d *Decoder, version int16) {}

type CreatePartitionsResponse struct{}

func (*CreatePartitionsResponse) APIKey() int16                      { return KeyCreatePartitions }
func (*CreatePartitionsResponse) isResponse()                        {}
func (r *CreatePartitionsResponse) Encode(e *Encoder, version int16) {}
func (r *CreatePartitionsResponse) Decode(d *Decoder, version int16) {}
