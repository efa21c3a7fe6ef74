package protocol

// ConsumerGroupDescribeRequest describes groups that use the new consumer
// group protocol (KIP-848), the counterpart of DescribeGroups for them.
type ConsumerGroupDescribeRequest struct {
	GroupIDs                    []string
	IncludeAuthorizedOperations bool
	UnknownTags                 []TaggedField
}

// APIKey implements [Message].
func (*ConsumerGroupDescribeRequest) APIKey() int16 { return KeyConsumerGroupDescribe }

// NewResponse implements [Request].
func (*ConsumerGroupDescribeRequest) NewResponse() Response {
	return new(ConsumerGroupDescribeResponse)
}

// Encode implements [Message].
func (r *ConsumerGroupDescribeRequest) Encode(e *Encoder, version int16) {
	e.Strings(r.GroupIDs)
	e.Bool(r.IncludeAuthorizedOperations)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ConsumerGroupDescribeRequest) Decode(d *Decoder, version int16) {
	*r = ConsumerGroupDescribeRequest{}
	r.GroupIDs = d.Strings()
	r.IncludeAuthorizedOperations = d.Bool()
	d.Tags(&r.UnknownTags, nil)
}

// ConsumerGroupDescribeResponse describes each requested group.
type ConsumerGroupDescribeResponse struct {
	ThrottleTimeMs int32
	Groups         []ConsumerGroupDescribeResponseGroup
	UnknownTags    []TaggedField
}

// ConsumerGroupDescribeResponseGroup is one described group: its state,
// epochs, server-side assignor and members.
type ConsumerGroupDescribeResponseGroup struct {
	ErrorCode            int16
	ErrorMessage         *string
	GroupID              string
	GroupState           string
	GroupEpoch           int32
	AssignmentEpoch      int32
	AssignorName         string
	Members              []ConsumerGroupDescribeResponseMember
	AuthorizedOperations int32 // default -2147483648
	UnknownTags          []TaggedField
}

// ConsumerGroupDescribeResponseMember is one member of a described group,
// with its subscription and its current and target assignments.
type ConsumerGroupDescribeResponseMember struct {
	MemberID             string
	InstanceID           *string
	RackID               *string
	MemberEpoch          int32
	ClientID             string
	ClientHost           string
	SubscribedTopicNames []string
	SubscribedTopicRegex *string
	Assignment           ConsumerGroupDescribeAssignment
	TargetAssignment     ConsumerGroupDescribeAssignment
	MemberType           int8 // v1+: -1 unknown (default), 0 classic, 1 consumer
	UnknownTags          []TaggedField
}

// ConsumerGroupDescribeAssignment is the set of partitions of a member's
// current or target assignment.
type ConsumerGroupDescribeAssignment struct {
	TopicPartitions []ConsumerGroupDescribeTopicPartitions
	UnknownTags     []TaggedField
}

// ConsumerGroupDescribeTopicPartitions is a topic, by ID and name, and some
// of its partitions.
type ConsumerGroupDescribeTopicPartitions struct {
	TopicID     UUID
	TopicName   string
	Partitions  []int32
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*ConsumerGroupDescribeResponse) APIKey() int16 { return KeyConsumerGroupDescribe }
func (*ConsumerGroupDescribeResponse) isResponse()   {}

// Encode implements [Message].
func (r *ConsumerGroupDescribeResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	writeArray(e, r.Groups, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ConsumerGroupDescribeResponse) Decode(d *Decoder, version int16) {
	*r = ConsumerGroupDescribeResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.Groups = readArray[ConsumerGroupDescribeResponseGroup](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (g *ConsumerGroupDescribeResponseGroup) encode(e *Encoder, version int16) {
	e.Int16(g.ErrorCode)
	e.NullableString(g.ErrorMessage)
	e.String(g.GroupID)
	e.String(g.GroupState)
	e.Int32(g.GroupEpoch)
	e.Int32(g.AssignmentEpoch)
	e.String(g.AssignorName)
	writeArray(e, g.Members, version)
	e.Int32(g.AuthorizedOperations)
	e.Tags(g.UnknownTags)
}

func (g *ConsumerGroupDescribeResponseGroup) decode(d *Decoder, version int16) {
	*g = ConsumerGroupDescribeResponseGroup{AuthorizedOperations: -2147483648}
	g.ErrorCode = d.Int16()
	g.ErrorMessage = d.NullableString()
	g.GroupID = d.String()
	g.GroupState = d.String()
	g.GroupEpoch = d.Int32()
	g.AssignmentEpoch = d.Int32()
	g.AssignorName = d.String()
	g.Members = readArray[ConsumerGroupDescribeResponseMember](d, version)
	g.AuthorizedOperations = d.Int32()
	d.Tags(&g.UnknownTags, nil)
}

func (m *ConsumerGroupDescribeResponseMember) encode(e *Encoder, version int16) {
	e.String(m.MemberID)
	e.NullableString(m.InstanceID)
	e.NullableString(m.RackID)
	e.Int32(m.MemberEpoch)
	e.String(m.ClientID)
	e.String(m.ClientHost)
	e.Strings(m.SubscribedTopicNames)
	e.NullableString(m.SubscribedTopicRegex)
	m.Assignment.encode(e, version)
	m.TargetAssignment.encode(e, version)
	if version >= 1 {
		e.Int8(m.MemberType)
	}
	e.Tags(m.UnknownTags)
}

func (m *ConsumerGroupDescribeResponseMember) decode(d *Decoder, version int16) {
	*m = ConsumerGroupDescribeResponseMember{MemberType: -1}
	m.MemberID = d.String()
	m.InstanceID = d.NullableString()
	m.RackID = d.NullableString()
	m.MemberEpoch = d.Int32()
	m.ClientID = d.String()
	m.ClientHost = d.String()
	m.SubscribedTopicNames = d.Strings()
	m.SubscribedTopicRegex = d.NullableString()
	m.Assignment.decode(d, version)
	m.TargetAssignment.decode(d, version)
	if version >= 1 {
		m.MemberType = d.Int8()
	}
	d.Tags(&m.UnknownTags, nil)
}

func (a *ConsumerGroupDescribeAssignment) encode(e *Encoder, version int16) {
	writeArray(e, a.TopicPartitions, version)
	e.Tags(a.UnknownTags)
}

func (a *ConsumerGroupDescribeAssignment) decode(d *Decoder, version int16) {
	*a = ConsumerGroupDescribeAssignment{}
	a.TopicPartitions = readArray[ConsumerGroupDescribeTopicPartitions](d, version)
	d.Tags(&a.UnknownTags, nil)
}

func (t *ConsumerGroupDescribeTopicPartitions) encode(e *Encoder, version int16) {
	e.UUID(t.TopicID)
	e.String(t.TopicName)
	e.Int32s(t.Partitions)
	e.Tags(t.UnknownTags)
}

func (t *ConsumerGroupDescribeTopicPartitions) decode(d *Decoder, version int16) {
	*t = ConsumerGroupDescribeTopicPartitions{}
	t.TopicID = d.UUID()
	t.TopicName = d.String()
	t.Partitions = d.Int32s()
	d.Tags(&t.UnknownTags, nil)
}
