package protocol

// ConsumerGroupHeartbeatRequest is the one request of a member of a consumer
// group under the new group protocol (KIP-848): it joins (MemberEpoch 0),
// heartbeats, reports the partitions the member owns, and leaves
// (MemberEpoch -1, or -2 for a static member that will rejoin). Fields that
// are null (or -1) mean "unchanged since the last heartbeat".
type ConsumerGroupHeartbeatRequest struct {
	GroupID              string
	MemberID             string
	MemberEpoch          int32
	InstanceID           *string
	RackID               *string
	RebalanceTimeoutMs   int32 // default -1
	SubscribedTopicNames []string
	SubscribedTopicRegex *string // v1+
	ServerAssignor       *string
	TopicPartitions      []ConsumerGroupHeartbeatTopicPartitions // nullable
	UnknownTags          []TaggedField
}

// ConsumerGroupHeartbeatTopicPartitions is a topic, named by its ID, and some
// of its partitions: the partitions a member owns (in requests) or is
// assigned (in responses).
type ConsumerGroupHeartbeatTopicPartitions struct {
	TopicID     UUID
	Partitions  []int32
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*ConsumerGroupHeartbeatRequest) APIKey() int16 { return KeyConsumerGroupHeartbeat }

// NewResponse implements [Request].
func (*ConsumerGroupHeartbeatRequest) NewResponse() Response {
	return new(ConsumerGroupHeartbeatResponse)
}

// Encode implements [Message].
func (r *ConsumerGroupHeartbeatRequest) Encode(e *Encoder, version int16) {
	e.String(r.GroupID)
	e.String(r.MemberID)
	e.Int32(r.MemberEpoch)
	e.NullableString(r.InstanceID)
	e.NullableString(r.RackID)
	e.Int32(r.RebalanceTimeoutMs)
	e.NullableStrings(r.SubscribedTopicNames)
	if version >= 1 {
		e.NullableString(r.SubscribedTopicRegex)
	}
	e.NullableString(r.ServerAssignor)
	writeNullableArray(e, r.TopicPartitions, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ConsumerGroupHeartbeatRequest) Decode(d *Decoder, version int16) {
	*r = ConsumerGroupHeartbeatRequest{RebalanceTimeoutMs: -1}
	r.GroupID = d.String()
	r.MemberID = d.String()
	r.MemberEpoch = d.Int32()
	r.InstanceID = d.NullableString()
	r.RackID = d.NullableString()
	r.RebalanceTimeoutMs = d.Int32()
	r.SubscribedTopicNames = d.NullableStrings()
	if version >= 1 {
		r.SubscribedTopicRegex = d.NullableString()
	}
	r.ServerAssignor = d.NullableString()
	r.TopicPartitions = readNullableArray[ConsumerGroupHeartbeatTopicPartitions](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *ConsumerGroupHeartbeatTopicPartitions) encode(e *Encoder, version int16) {
	e.UUID(t.TopicID)
	e.Int32s(t.Partitions)
	e.Tags(t.UnknownTags)
}

func (t *ConsumerGroupHeartbeatTopicPartitions) decode(d *Decoder, version int16) {
	*t = ConsumerGroupHeartbeatTopicPartitions{}
	t.TopicID = d.UUID()
	t.Partitions = d.Int32s()
	d.Tags(&t.UnknownTags, nil)
}

// ConsumerGroupHeartbeatResponse answers a heartbeat with the member's ID
// (when it joined), its epoch, the heartbeat interval and, when it changed,
// the partitions the member may now own.
type ConsumerGroupHeartbeatResponse struct {
	ThrottleTimeMs      int32
	ErrorCode           int16
	ErrorMessage        *string
	MemberID            *string
	MemberEpoch         int32
	HeartbeatIntervalMs int32
	Assignment          *ConsumerGroupHeartbeatAssignment // null if unchanged
	UnknownTags         []TaggedField
}

// ConsumerGroupHeartbeatAssignment is the complete set of partitions a member
// is assigned and may use at once.
type ConsumerGroupHeartbeatAssignment struct {
	TopicPartitions []ConsumerGroupHeartbeatTopicPartitions
	UnknownTags     []TaggedField
}

// APIKey implements [Message].
func (*ConsumerGroupHeartbeatResponse) APIKey() int16 { return KeyConsumerGroupHeartbeat }
func (*ConsumerGroupHeartbeatResponse) isResponse()   {}

// Encode implements [Message].
func (r *ConsumerGroupHeartbeatResponse) Encode(e *Encoder, version int16) {
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
func (r *ConsumerGroupHeartbeatResponse) Decode(d *Decoder, version int16) {
	*r = ConsumerGroupHeartbeatResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.ErrorCode = d.Int16()
	r.ErrorMessage = d.NullableString()
	r.MemberID = d.NullableString()
	r.MemberEpoch = d.Int32()
	r.HeartbeatIntervalMs = d.Int32()
	// A nullable struct starts with a marker byte: negative for null,
	// anything else for present (Kafka writes 1).
	if d.Int8() >= 0 && d.Err() == nil {
		a := new(ConsumerGroupHeartbeatAssignment)
		a.TopicPartitions = readArray[ConsumerGroupHeartbeatTopicPartitions](d, version)
		d.Tags(&a.UnknownTags, nil)
		r.Assignment = a
	}
	d.Tags(&r.UnknownTags, nil)
}
