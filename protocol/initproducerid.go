package protocol

// STUB: replaced by the real implementation.

type InitProducerIdRequest struct{}

func (*InitProducerIdRequest) APIKey() int16                      { return KeyInitProducerId }
func (*InitProducerIdRequest) NewResponse() Response              { return new(InitProducerIdResponse) }
func (r *InitProducerIdRequest) Encode(e *Encoder, version int16) {}
func (r *InitProducerIdRequest) Decode(d *Decoder, version int16) {}

type InitProducerIdResponse struct{}

func (*InitProducerIdResponse) APIKey() int16                      { return KeyInitProducerId }
func (*InitProducerIdResponse) isResponse()                        {}
func (r *InitProducerIdResponse) Encode(e *Encoder, version int16) {}
func (r *InitProducerIdResponse) Decode(d *Decoder, version int16) {}
