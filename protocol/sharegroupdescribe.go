package protocol

// ShareGroupDescribeRequest describes share groups (KIP-932).
type ShareGroupDescribeRequest struct {
	GroupIDs                    []string
	IncludeAuthorizedOperations bool
	UnknownTags                 []TaggedField
}

// APIKey implements [Message].
func (*ShareGroupDescribeRequest) APIKey() int16 { return KeyShareGroupDescribe }

// NewResponse implements [Request].
func (*ShareGroupDescribeRequest) NewResponse() Response {
	return new(ShareGroupDescribeResponse)
}

// Encode implements [Message].
func (r *ShareGroupDescribeRequest) Encode(e *Encoder, version int16) {
	e.Strings(r.GroupIDs)
	e.Bool(r.IncludeAuthorizedOperations)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ShareGroupDescribeRequest) Decode(d *Decoder, version int16) {
	*r = ShareGroupDescribeRequest{}
	r.GroupIDs = d.Strings()
	r.IncludeAuthorizedOperations = d.Bool()
	d.Tags(&r.UnknownTags, nil)
}

// ShareGroupDescribeResponse describes each requested share group.
type ShareGroupDescribeResponse struct {
	ThrottleTimeMs int32
	Groups         []ShareGroupDescribeGroup
	UnknownTags    []TaggedField
}

// ShareGroupDescribeGroup is one described share group: its state, epochs,
// assignor and members.
type ShareGroupDescribeGroup struct {
	ErrorCode            int16
	ErrorMessage         *string
	GroupID              string
	GroupState           string
	GroupEpoch           int32
	AssignmentEpoch      int32
	AssignorName         string
	Members              []ShareGroupDescribeMember
	AuthorizedOperations int32 // default -2147483648
	UnknownTags          []TaggedField
}

// ShareGroupDescribeMember is one member of a share group with its
// subscription and assignment.
type ShareGroupDescribeMember struct {
	MemberID             string
	RackID               *string
	MemberEpoch          int32
	ClientID             string
	ClientHost           string
	SubscribedTopicNames []string
	Assignment           ShareGroupDescribeAssignment
	UnknownTags          []TaggedField
}

// ShareGroupDescribeAssignment is a member's assigned partitions.
type ShareGroupDescribeAssignment struct {
	TopicPartitions []ShareGroupDescribeTopicPartitions
	UnknownTags     []TaggedField
}

// ShareGroupDescribeTopicPartitions is a topic, by ID and name, and some of
// its partitions.
type ShareGroupDescribeTopicPartitions struct {
	TopicID     UUID
	TopicName   string
	Partitions  []int32
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*ShareGroupDescribeResponse) APIKey() int16 { return KeyShareGroupDescribe }
func (*ShareGroupDescribeResponse) isResponse()   {}

// Encode implements [Message].
func (r *ShareGroupDescribeResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	writeArray(e, r.Groups, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ShareGroupDescribeResponse) Decode(d *Decoder, version int16) {
	*r = ShareGroupDescribeResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.Groups = readArray[ShareGroupDescribeGroup](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (g *ShareGroupDescribeGroup) encode(e *Encoder, version int16) {
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

func (g *ShareGroupDescribeGroup) decode(d *Decoder, version int16) {
	*g = ShareGroupDescribeGroup{}
	g.ErrorCode = d.Int16()
	g.ErrorMessage = d.NullableString()
	g.GroupID = d.String()
	g.GroupState = d.String()
	g.GroupEpoch = d.Int32()
	g.AssignmentEpoch = d.Int32()
	g.AssignorName = d.String()
	g.Members = readArray[ShareGroupDescribeMember](d, version)
	g.AuthorizedOperations = d.Int32()
	d.Tags(&g.UnknownTags, nil)
}

func (m *ShareGroupDescribeMember) encode(e *Encoder, version int16) {
	e.String(m.MemberID)
	e.NullableString(m.RackID)
	e.Int32(m.MemberEpoch)
	e.String(m.ClientID)
	e.String(m.ClientHost)
	e.Strings(m.SubscribedTopicNames)
	writeArray(e, m.Assignment.TopicPartitions, version)
	e.Tags(m.Assignment.UnknownTags)
	e.Tags(m.UnknownTags)
}

func (m *ShareGroupDescribeMember) decode(d *Decoder, version int16) {
	*m = ShareGroupDescribeMember{}
	m.MemberID = d.String()
	m.RackID = d.NullableString()
	m.MemberEpoch = d.Int32()
	m.ClientID = d.String()
	m.ClientHost = d.String()
	m.SubscribedTopicNames = d.Strings()
	m.Assignment.TopicPartitions = readArray[ShareGroupDescribeTopicPartitions](d, version)
	d.Tags(&m.Assignment.UnknownTags, nil)
	d.Tags(&m.UnknownTags, nil)
}

func (t *ShareGroupDescribeTopicPartitions) encode(e *Encoder, version int16) {
	e.UUID(t.TopicID)
	e.String(t.TopicName)
	e.Int32s(t.Partitions)
	e.Tags(t.UnknownTags)
}

func (t *ShareGroupDescribeTopicPartitions) decode(d *Decoder, version int16) {
	*t = ShareGroupDescribeTopicPartitions{}
	t.TopicID = d.UUID()
	t.TopicName = d.String()
	t.Partitions = d.Int32s()
	d.Tags(&t.UnknownTags, nil)
}
