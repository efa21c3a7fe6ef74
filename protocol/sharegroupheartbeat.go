package protocol

// ShareGroupHeartbeatRequest is the one request of a member of a share group
// (KIP-932): it joins (MemberEpoch 0, with a member ID the client made, a
// UUID), heartbeats, and leaves (MemberEpoch -1). A null
// SubscribedTopicNames means "unchanged since the last heartbeat".
type ShareGroupHeartbeatRequest struct {
	GroupID              string
	MemberID             string
	MemberEpoch          int32
	RackID               *string
	SubscribedTopicNames []string // nullable
	UnknownTags          []TaggedField
}

// APIKey implements [Message].
func (*ShareGroupHeartbeatRequest) APIKey() int16 { return KeyShareGroupHeartbeat }

// NewResponse implements [Request].
func (*ShareGroupHeartbeatRequest) NewResponse() Response {
	return new(ShareGroupHeartbeatResponse)
}

// Encode implements [Message].
func (r *ShareGroupHeartbeatRequest) Encode(e *Encoder, version int16) {
	e.String(r.GroupID)
	e.String(r.MemberID)
	e.Int32(r.MemberEpoch)
	e.NullableString(r.RackID)
	e.NullableStrings(r.SubscribedTopicNames)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ShareGroupHeartbeatRequest) Decode(d *Decoder, version int16) {
	*r = ShareGroupHeartbeatRequest{}
	r.GroupID = d.String()
	r.MemberID = d.String()
	r.MemberEpoch = d.Int32()
	r.RackID = d.NullableString()
	r.SubscribedTopicNames = d.NullableStrings()
	d.Tags(&r.UnknownTags, nil)
}

// ShareGroupHeartbeatResponse answers a heartbeat with the member's epoch,
// the heartbeat interval and, when it changed, the partitions the member is
// now assigned. In a share group assignments are not exclusive: several
// members may be assigned the same partition.
type ShareGroupHeartbeatResponse struct {
	ThrottleTimeMs      int32
	ErrorCode           int16
	ErrorMessage        *string
	MemberID            *string
	MemberEpoch         int32
	HeartbeatIntervalMs int32
	Assignment          *ShareGroupHeartbeatAssignment // null if unchanged
	UnknownTags         []TaggedField
}

// ShareGroupHeartbeatAssignment is the complete set of partitions a member
// is assigned.
type ShareGroupHeartbeatAssignment struct {
	TopicPartitions []ShareGroupTopicPartitions
	UnknownTags     []TaggedField
}

// ShareGroupTopicPartitions is a topic, named by its ID, and some of its
// partitions.
type ShareGroupTopicPartitions struct {
	TopicID     UUID
	Partitions  []int32
	UnknownTags []TaggedField
}

func (t *ShareGroupTopicPartitions) encode(e *Encoder, version int16) {
	e.UUID(t.TopicID)
	e.Int32s(t.Partitions)
	e.Tags(t.UnknownTags)
}

func (t *ShareGroupTopicPartitions) decode(d *Decoder, version int16) {
	*t = ShareGroupTopicPartitions{}
	t.TopicID = d.UUID()
	t.Partitions = d.Int32s()
	d.Tags(&t.UnknownTags, nil)
}

// APIKey implements [Message].
func (*ShareGroupHeartbeatResponse) APIKey() int16 { return KeyShareGroupHeartbeat }
func (*ShareGroupHeartbeatResponse) isResponse()   {}

// Encode implements [Message].
func (r *ShareGroupHeartbeatResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	e.Int16(r.ErrorCode)
	e.NullableString(r.ErrorMessage)
	e.NullableString(r.MemberID)
	e.Int32(r.MemberEpoch)
	e.Int32(r.HeartbeatIntervalMs)
	if r.Assignment == nil {
		e.Int8(-1)
	} else {
		e.Int8(1)
		writeArray(e, r.Assignment.TopicPartitions, version)
		e.Tags(r.Assignment.UnknownTags)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ShareGroupHeartbeatResponse) Decode(d *Decoder, version int16) {
	*r = ShareGroupHeartbeatResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.ErrorCode = d.Int16()
	r.ErrorMessage = d.NullableString()
	r.MemberID = d.NullableString()
	r.MemberEpoch = d.Int32()
	r.HeartbeatIntervalMs = d.Int32()
	// A nullable struct starts with a marker byte: negative for null.
	if d.Int8() >= 0 && d.Err() == nil {
		a := new(ShareGroupHeartbeatAssignment)
		a.TopicPartitions = readArray[ShareGroupTopicPartitions](d, version)
		d.Tags(&a.UnknownTags, nil)
		r.Assignment = a
	}
	d.Tags(&r.UnknownTags, nil)
}
