package protocol

// HeartbeatRequest tells the group coordinator that a member is alive, so
// that it is not expired from the group.
type HeartbeatRequest struct {
	GroupID         string
	GenerationID    int32
	MemberID        string
	GroupInstanceID *string // v3+
	UnknownTags     []TaggedField
}

// APIKey implements [Message].
func (*HeartbeatRequest) APIKey() int16 { return KeyHeartbeat }

// NewResponse implements [Request].
func (*HeartbeatRequest) NewResponse() Response { return new(HeartbeatResponse) }

// Encode implements [Message].
func (r *HeartbeatRequest) Encode(e *Encoder, version int16) {
	e.String(r.GroupID)
	e.Int32(r.GenerationID)
	e.String(r.MemberID)
	if version >= 3 {
		e.NullableString(r.GroupInstanceID)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *HeartbeatRequest) Decode(d *Decoder, version int16) {
	*r = HeartbeatRequest{}
	r.GroupID = d.String()
	r.GenerationID = d.Int32()
	r.MemberID = d.String()
	if version >= 3 {
		r.GroupInstanceID = d.NullableString()
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
