package protocol

// STUB: replaced by the real implementation.

type ListOffsetsRequest struct{}

func (*ListOffsetsRequest) APIKey() int16                      { return KeyListOffsets }
func (*ListOffsetsRequest) NewResponse() Response              { return new(ListOffsetsResponse) }
func (r *ListOffsetsRequest) Encode(e *Encoder, version int16) {}
func (r *ListOffsetsRequest) Decode(d *Decoder, version int16) {}

type ListOffsetsResponse struct{}

func (*ListOffsetsResponse) APIKey() int16                      { return KeyListOffsets }
func (*ListOffsetsResponse) isResponse()                        {}
func (r *ListOffsetsResponse) Encode(e *Encoder, version int16) {}
func (r *ListOffsetsResponse) Decode(d *Decoder, version int16) {}
