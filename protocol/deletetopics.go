package protocol

// STUB: replaced by the real implementation.

type DeleteTopicsRequest struct{}

func (*DeleteTopicsRequest) APIKey() int16                      { return KeyDeleteTopics }
func (*DeleteTopicsRequest) NewResponse() Response              { return new(DeleteTopicsResponse) }
func (r *DeleteTopicsRequest) Encode(e *Encoder, version int16) {}
func (r *DeleteTopicsRequest) Decode(d *Decoder, version int16) {}

type DeleteTopicsResponse struct{}

func (*DeleteTopicsResponse) APIKey() int16                      { return KeyDeleteTopics }
func (*DeleteTopicsResponse) isResponse()                        {}
func (r *DeleteTopicsResponse) Encode(e *Encoder, version int16) {}
func (r *DeleteTopicsResponse) Decode(d *Decoder, version int16) {}
