package protocol

// JoinGroupRequest asks the group coordinator to add a member to a group (or
// to rejoin it), offering the protocols the member supports.
type JoinGroupRequest struct {
	GroupID            string
	SessionTimeoutMs   int32
	RebalanceTimeoutMs int32 // v1+, default -1
	MemberID           string
	GroupInstanceID    *string // v5+
	ProtocolType       string
	Protocols          []JoinGroupRequestProtocol
	Reason             *string // v8+
	UnknownTags        []TaggedField
}

// JoinGroupRequestProtocol is a protocol the joining member supports, with
// its metadata (for consumers, an encoded [ConsumerProtocolSubscription]).
type JoinGroupRequestProtocol struct {
	Name        string
	Metadata    []byte
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*JoinGroupRequest) APIKey() int16 { return KeyJoinGroup }

// NewResponse implements [Request].
func (*JoinGroupRequest) NewResponse() Response { return new(JoinGroupResponse) }

// Encode implements [Message].
func (r *JoinGroupRequest) Encode(e *Encoder, version int16) {
	e.String(r.GroupID)
	e.Int32(r.SessionTimeoutMs)
	if version >= 1 {
		e.Int32(r.RebalanceTimeoutMs)
	}
	e.String(r.MemberID)
	if version >= 5 {
		e.NullableString(r.GroupInstanceID)
	}
	e.String(r.ProtocolType)
	writeArray(e, r.Protocols, version)
	if version >= 8 {
		e.NullableString(r.Reason)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *JoinGroupRequest) Decode(d *Decoder, version int16) {
	*r = JoinGroupRequest{RebalanceTimeoutMs: -1}
	r.GroupID = d.String()
	r.SessionTimeoutMs = d.Int32()
	if version >= 1 {
		r.RebalanceTimeoutMs = d.Int32()
	}
	r.MemberID = d.String()
	if version >= 5 {
		r.GroupInstanceID = d.NullableString()
	}
	r.ProtocolType = d.String()
	r.Protocols = readArray[JoinGroupRequestProtocol](d, version)
	if version >= 8 {
		r.Reason = d.NullableString()
	}
	d.Tags(&r.UnknownTags, nil)
}

func (p *JoinGroupRequestProtocol) encode(e *Encoder, version int16) {
	e.String(p.Name)
	e.Bytes(p.Metadata)
	e.Tags(p.UnknownTags)
}

func (p *JoinGroupRequestProtocol) decode(d *Decoder, version int16) {
	*p = JoinGroupRequestProtocol{}
	p.Name = d.String()
	p.Metadata = d.Bytes()
	d.Tags(&p.UnknownTags, nil)
}

// JoinGroupResponse tells a member the group's new generation, the chosen
// protocol and the leader; the leader also receives every member's metadata.
type JoinGroupResponse struct {
	ThrottleTimeMs int32 // v2+
	ErrorCode      int16
	GenerationID   int32   // default -1
	ProtocolType   *string // v7+
	ProtocolName   *string // nullable v7+
	Leader         string
	SkipAssignment bool // v9+
	MemberID       string
	Members        []JoinGroupResponseMember
	UnknownTags    []TaggedField
}

// JoinGroupResponseMember is a group member and its protocol metadata, sent
// to the leader only.
type JoinGroupResponseMember struct {
	MemberID        string
	GroupInstanceID *string // v5+
	Metadata        []byte
	UnknownTags     []TaggedField
}

// APIKey implements [Message].
func (*JoinGroupResponse) APIKey() int16 { return KeyJoinGroup }
func (*JoinGroupResponse) isResponse()   {}

// Encode implements [Message].
func (r *JoinGroupResponse) Encode(e *Encoder, version int16) {
	if version >= 2 {
		e.Int32(r.ThrottleTimeMs)
	}
	e.Int16(r.ErrorCode)
	e.Int32(r.GenerationID)
	if version >= 7 {
		e.NullableString(r.ProtocolType)
	}
	e.StringPtr(r.ProtocolName, version >= 7)
	e.String(r.Leader)
	if version >= 9 {
		e.Bool(r.SkipAssignment)
	}
	e.String(r.MemberID)
	writeArray(e, r.Members, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *JoinGroupResponse) Decode(d *Decoder, version int16) {
	*r = JoinGroupResponse{GenerationID: -1}
	if version >= 2 {
		r.ThrottleTimeMs = d.Int32()
	}
	r.ErrorCode = d.Int16()
	r.GenerationID = d.Int32()
	if version >= 7 {
		r.ProtocolType = d.NullableString()
		r.ProtocolName = d.NullableString()
	} else {
		name := d.LenientString()
		r.ProtocolName = &name
	}
	r.Leader = d.LenientString()
	if version >= 9 {
		r.SkipAssignment = d.Bool()
	}
	r.MemberID = d.LenientString()
	r.Members = readArray[JoinGroupResponseMember](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (m *JoinGroupResponseMember) encode(e *Encoder, version int16) {
	e.String(m.MemberID)
	if version >= 5 {
		e.NullableString(m.GroupInstanceID)
	}
	e.Bytes(m.Metadata)
	e.Tags(m.UnknownTags)
}

func (m *JoinGroupResponseMember) decode(d *Decoder, version int16) {
	*m = JoinGroupResponseMember{}
	m.MemberID = d.String()
	if version >= 5 {
		m.GroupInstanceID = d.NullableString()
	}
	m.Metadata = d.Bytes()
	d.Tags(&m.UnknownTags, nil)
}
