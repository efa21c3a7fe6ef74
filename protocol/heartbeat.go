package protocol

// STUB: replaced by the real implementation.

type HeartbeatRequest struct{}

func (*HeartbeatRequest) APIKey() int16                      { return KeyHeartbeat }
func (*HeartbeatRequest) NewResponse() Response              { return new(HeartbeatResponse) }
func (r *HeartbeatRequest) Encode(e *Encoder, version int16) {}
func (r *HeartbeatRequest) Decode(d *Decoder, version int16) {}

type HeartbeatResponse struct{}

func (*HeartbeatResponse) APIKey() int16                      { return KeyHeartbeat }
func (*HeartbeatResponse) isResponse()                        {}
func (r *HeartbeatResponse) Encode(e *Encoder, version int16) {}
func (r *HeartbeatResponse) Decode(d *Decoder, version int16) {}
