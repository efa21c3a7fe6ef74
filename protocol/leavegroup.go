package protocol

// STUB: replaced by the real implementation.

type LeaveGroupRequest struct{}

func (*LeaveGroupRequest) APIKey() int16                      { return KeyLeaveGroup }
func (*LeaveGroupRequest) NewResponse() Response              { return new(LeaveGroupResponse) }
func (r *LeaveGroupRequest) Encode(e *Encoder, version int16) {}
func (r *LeaveGroupRequest) Decode(d *Decoder, version int16) {}

type LeaveGroupResponse struct{}

func (*LeaveGroupResponse) APIKey() int16                      { return KeyLeaveGroup }
func (*LeaveGroupResponse) isResponse()                        {}
func (r *LeaveGroupResponse) Encode(e *Encoder, version int16) {}
func (r *LeaveGroupResponse) Decode(d *Decoder, version int16) {}
