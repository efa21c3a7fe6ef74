package protocol

// STUB: replaced by the real implementation.

type ProduceRequest struct{}

func (*ProduceRequest) APIKey() int16                      { return KeyProduce }
func (*ProduceRequest) NewResponse() Response              { return new(ProduceResponse) }
func (r *ProduceRequest) Encode(e *Encoder, version int16) {}
func (r *ProduceRequest) Decode(d *Decoder, version int16) {}

type ProduceResponse struct{}

func (*ProduceResponse) APIKey() int16                      { return KeyProduce }
func (*ProduceResponse) isResponse()                        {}
func (r *ProduceResponse) Encode(e *Encoder, version int16) {}
func (r *ProduceResponse) Decode(d *Decoder, version int16) {}
