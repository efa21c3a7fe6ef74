package protocol

// STUB: replaced by the real implementation.

type JoinGroupRequest struct{}

func (*JoinGroupRequest) APIKey() int16                      { return KeyJoinGroup }
func (*JoinGroupRequest) NewResponse() Response              { return new(JoinGroupResponse) }
func (r *JoinGroupRequest) Encode(e *Encoder, version int16) {}
func (r *JoinGroupRequest) Decode(d *Decoder, version int16) {}

type JoinGroupResponse struct{}

func (*JoinGroupResponse) APIKey() int16                      { return KeyJoinGroup }
func (*JoinGroupResponse) isResponse()                        {}
func (r *JoinGroupResponse) Encode(e *Encoder, version int16) {}
func (r *JoinGroupResponse) Decode(d *Decoder, version int16) {}
