package protocol

// SyncGroupRequest is sent by every member after joining a group; the
// leader's request carries the assignment it computed for each member.
type SyncGroupRequest struct {
	GroupID         string
	GenerationID    int32
	MemberID        string
	GroupInstanceID *string // v3+
	ProtocolType    *string // v5+
	ProtocolName    *string // v5+
	Assignments     []SyncGroupRequestAssignment
	UnknownTags     []TaggedField
}

// SyncGroupRequestAssignment is the assignment the leader gives one member
// (for consumers, an encoded [ConsumerProtocolAssignment]).
type SyncGroupRequestAssignment struct {
	MemberID    string
	Assignment  []byte
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*SyncGroupRequest) APIKey() int16 { return KeySyncGroup }

// NewResponse implements [Request].
func (*SyncGroupRequest) NewResponse() Response { return new(SyncGroupResponse) }

// Encode implements [Message].
func (r *SyncGroupRequest) Encode(e *Encoder, version int16) {
	e.String(r.GroupID)
	e.Int32(r.GenerationID)
	e.String(r.MemberID)
	if version >= 3 {
		e.NullableString(r.GroupInstanceID)
	}
	if version >= 5 {
		e.NullableString(r.ProtocolType)
		e.NullableString(r.ProtocolName)
	}
	writeArray(e, r.Assignments, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *SyncGroupRequest) Decode(d *Decoder, version int16) {
	*r = SyncGroupRequest{}
	r.GroupID = d.String()
	r.GenerationID = d.Int32()
	r.MemberID = d.String()
	if version >= 3 {
		r.GroupInstanceID = d.NullableString()
	}
	if version >= 5 {
		r.ProtocolType = d.NullableString()
		r.ProtocolName = d.NullableString()
	}
	r.Assignments = readArray[SyncGroupRequestAssignment](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (a *SyncGroupRequestAssignment) encode(e *Encoder, version int16) {
	e.String(a.MemberID)
	e.Bytes(a.Assignment)
	e.Tags(a.UnknownTags)
}

func (a *SyncGroupRequestAssignment) decode(d *Decoder, version int16) {
	*a = SyncGroupRequestAssignment{}
	a.MemberID = d.String()
	a.Assignment = d.Bytes()
	d.Tags(&a.UnknownTags, nil)
}

// SyncGroupResponse gives a member the assignment the leader computed for it.
type SyncGroupResponse struct {
	ThrottleTimeMs int32 // v1+
	ErrorCode      int16
	ProtocolType   *string // v5+
	ProtocolName   *string // v5+
	Assignment     []byte
	UnknownTags    []TaggedField
}

// APIKey implements [Message].
func (*SyncGroupResponse) APIKey() int16 { return KeySyncGroup }
func (*SyncGroupResponse) isResponse()   {}

// Encode implements [Message].
func (r *SyncGroupResponse) Encode(e *Encoder, version int16) {
	if version >= 1 {
		e.Int32(r.ThrottleTimeMs)
	}
	e.Int16(r.ErrorCode)
	if version >= 5 {
		e.NullableString(r.ProtocolType)
		e.NullableString(r.ProtocolName)
	}
	e.Bytes(r.Assignment)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *SyncGroupResponse) Decode(d *Decoder, version int16) {
	*r = SyncGroupResponse{}
	if version >= 1 {
		r.ThrottleTimeMs = d.Int32()
	}
	r.ErrorCode = d.Int16()
	if version >= 5 {
		r.ProtocolType = d.NullableString()
		r.ProtocolName = d.NullableString()
	}
	r.Assignment = d.LenientBytes()
	d.Tags(&r.UnknownTags, nil)
}
