package protocol

// LeaveGroupRequest removes members from a group: one member before version
// 3, a batch of members (by member or instance ID) from version 3.
type LeaveGroupRequest struct {
	GroupID     string
	MemberID    string                    // v0-v2
	Members     []LeaveGroupRequestMember // v3+
	UnknownTags []TaggedField
}

// LeaveGroupRequestMember is a member leaving the group.
type LeaveGroupRequestMember struct {
	MemberID        string
	GroupInstanceID *string
	Reason          *string // v5+
	UnknownTags     []TaggedField
}

// APIKey implements [Message].
func (*LeaveGroupRequest) APIKey() int16 { return KeyLeaveGroup }

// NewResponse implements [Request].
func (*LeaveGroupRequest) NewResponse() Response { return new(LeaveGroupResponse) }

// Encode implements [Message].
func (r *LeaveGroupRequest) Encode(e *Encoder, version int16) {
	e.String(r.GroupID)
	if version <= 2 {
		e.String(r.MemberID)
	}
	if version >= 3 {
		writeArray(e, r.Members, version)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *LeaveGroupRequest) Decode(d *Decoder, version int16) {
	*r = LeaveGroupRequest{}
	r.GroupID = d.String()
	if version <= 2 {
		r.MemberID = d.String()
	}
	if version >= 3 {
		r.Members = readArray[LeaveGroupRequestMember](d, version)
	}
	d.Tags(&r.UnknownTags, nil)
}

func (m *LeaveGroupRequestMember) encode(e *Encoder, version int16) {
	e.String(m.MemberID)
	e.NullableString(m.GroupInstanceID)
	if version >= 5 {
		e.NullableString(m.Reason)
	}
	e.Tags(m.UnknownTags)
}

func (m *LeaveGroupRequestMember) decode(d *Decoder, version int16) {
	*m = LeaveGroupRequestMember{}
	m.MemberID = d.String()
	m.GroupInstanceID = d.NullableString()
	if version >= 5 {
		m.Reason = d.NullableString()
	}
	d.Tags(&m.UnknownTags, nil)
}

// LeaveGroupResponse reports whether the members left the group, with a
// result per member from version 3.
type LeaveGroupResponse struct {
	ThrottleTimeMs int32 // v1+
	ErrorCode      int16
	Members        []LeaveGroupResponseMember // v3+
	UnknownTags    []TaggedField
}

// LeaveGroupResponseMember is one leaving member's result.
type LeaveGroupResponseMember struct {
	MemberID        string
	GroupInstanceID *string
	ErrorCode       int16
	UnknownTags     []TaggedField
}

// APIKey implements [Message].
func (*LeaveGroupResponse) APIKey() int16 { return KeyLeaveGroup }
func (*LeaveGroupResponse) isResponse()   {}

// Encode implements [Message].
func (r *LeaveGroupResponse) Encode(e *Encoder, version int16) {
	if version >= 1 {
		e.Int32(r.ThrottleTimeMs)
	}
	e.Int16(r.ErrorCode)
	if version >= 3 {
		writeArray(e, r.Members, version)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *LeaveGroupResponse) Decode(d *Decoder, version int16) {
	*r = LeaveGroupResponse{}
	if version >= 1 {
		r.ThrottleTimeMs = d.Int32()
	}
	r.ErrorCode = d.Int16()
	if version >= 3 {
		r.Members = readArray[LeaveGroupResponseMember](d, version)
	}
	d.Tags(&r.UnknownTags, nil)
}

func (m *LeaveGroupResponseMember) encode(e *Encoder, version int16) {
	e.String(m.MemberID)
	e.NullableString(m.GroupInstanceID)
	e.Int16(m.ErrorCode)
	e.Tags(m.UnknownTags)
}

func (m *LeaveGroupResponseMember) decode(d *Decoder, version int16) {
	*m = LeaveGroupResponseMember{}
	m.MemberID = d.String()
	m.GroupInstanceID = d.NullableString()
	m.ErrorCode = d.Int16()
	d.Tags(&m.UnknownTags, nil)
}
