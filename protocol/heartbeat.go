package protocol

// HeartbeatRequest tells the group coordinator that a member is alive, so
// that it is not expired from the group.
type HeartbeatRequest struct {
	GroupId         string
	GenerationId    int32
	MemberId        string
	GroupInstanceId *string // v3+
	UnknownTags     []TaggedField
}

// APIKey implements [Message].
func (*HeartbeatRequest) APIKey() int16 { return KeyHeartbeat }

// NewResponse implements [Request].
func (*HeartbeatRequest) NewResponse() Response { return new(HeartbeatResponse) }

// Encode implements [Message].
func (r *HeartbeatRequest) Encode(e *Encoder, version int16) {
	e.String(r.GroupId)
	e.Int32(r.GenerationId)
	e.String(r.MemberId)
	if version >= 3 {
		e.NullableString(r.GroupInstanceId)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *HeartbeatRequest) Decode(d *Decoder, version int16) {
	*r = HeartbeatRequest{}
	r.GroupId = d.String()
	r.GenerationId = d.Int32()
	r.MemberId = d.String()
	if version >= 3 {
		r.GroupInstanceId = d.NullableString()
	}
	d.Tags(&r.UnknownTags, nil)
}

// HeartbeatResponse answers a heartbeat; its error tells the member when the
// group is rebalancing.
type HeartbeatResponse struct {
	ThrottleTimeMs int32 // v1+
	ErrorCode      int16
	UnknownTags    []TaggedField
}

// APIKey implements [Message].
func (*HeartbeatResponse) APIKey() int16 { return KeyHeartbeat }
func (*HeartbeatResponse) isResponse()   {}

// Encode implements [Message].
func (r *HeartbeatResponse) Encode(e *Encoder, version int16) {
	if version >= 1 {
		e.Int32(r.ThrottleTimeMs)
	}
	e.Int16(r.ErrorCode)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *HeartbeatResponse) Decode(d *Decoder, version int16) {
	*r = HeartbeatResponse{}
	if version >= 1 {
		r.ThrottleTimeMs = d.Int32()
	}
	r.ErrorCode = d.Int16()
	d.Tags(&r.UnknownTags, nil)
}
