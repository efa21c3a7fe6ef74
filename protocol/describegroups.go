package protocol

// DescribeGroupsRequest asks a group coordinator for the state, protocol and
// members of groups.
type DescribeGroupsRequest struct {
	Groups                      []string
	IncludeAuthorizedOperations bool // v3+
	UnknownTags                 []TaggedField
}

// APIKey implements [Message].
func (*DescribeGroupsRequest) APIKey() int16 { return KeyDescribeGroups }

// NewResponse implements [Request].
func (*DescribeGroupsRequest) NewResponse() Response { return new(DescribeGroupsResponse) }

// Encode implements [Message].
func (r *DescribeGroupsRequest) Encode(e *Encoder, version int16) {
	e.Strings(r.Groups)
	if version >= 3 {
		e.Bool(r.IncludeAuthorizedOperations)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DescribeGroupsRequest) Decode(d *Decoder, version int16) {
	*r = DescribeGroupsRequest{}
	r.Groups = d.Strings()
	if version >= 3 {
		r.IncludeAuthorizedOperations = d.Bool()
	}
	d.Tags(&r.UnknownTags, nil)
}

// DescribeGroupsResponse describes each requested group.
type DescribeGroupsResponse struct {
	ThrottleTimeMs int32 // v1+
	Groups         []DescribeGroupsResponseGroup
	UnknownTags    []TaggedField
}

// DescribeGroupsResponseGroup is one described group.
type DescribeGroupsResponseGroup struct {
	ErrorCode            int16
	ErrorMessage         *string // v6+
	GroupID              string
	GroupState           string
	ProtocolType         string
	ProtocolData         string
	Members              []DescribeGroupsResponseGroupMember
	AuthorizedOperations int32 // v3+, default -2147483648
	UnknownTags          []TaggedField
}

// DescribeGroupsResponseGroupMember is one member of a described group.
type DescribeGroupsResponseGroupMember struct {
	MemberID         string
	GroupInstanceID  *string // v4+
	ClientID         string
	ClientHost       string
	MemberMetadata   []byte
	MemberAssignment []byte
	UnknownTags      []TaggedField
}

// APIKey implements [Message].
func (*DescribeGroupsResponse) APIKey() int16 { return KeyDescribeGroups }
func (*DescribeGroupsResponse) isResponse()   {}

// Encode implements [Message].
func (r *DescribeGroupsResponse) Encode(e *Encoder, version int16) {
	if version >= 1 {
		e.Int32(r.ThrottleTimeMs)
	}
	writeArray(e, r.Groups, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DescribeGroupsResponse) Decode(d *Decoder, version int16) {
	*r = DescribeGroupsResponse{}
	if version >= 1 {
		r.ThrottleTimeMs = d.Int32()
	}
	r.Groups = readArray[DescribeGroupsResponseGroup](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (g *DescribeGroupsResponseGroup) encode(e *Encoder, version int16) {
	e.Int16(g.ErrorCode)
	if version >= 6 {
		e.NullableString(g.ErrorMessage)
	}
	e.String(g.GroupID)
	e.String(g.GroupState)
	e.String(g.ProtocolType)
	e.String(g.ProtocolData)
	writeArray(e, g.Members, version)
	if version >= 3 {
		e.Int32(g.AuthorizedOperations)
	}
	e.Tags(g.UnknownTags)
}

func (g *DescribeGroupsResponseGroup) decode(d *Decoder, version int16) {
	*g = DescribeGroupsResponseGroup{AuthorizedOperations: -2147483648}
	g.ErrorCode = d.Int16()
	if version >= 6 {
		g.ErrorMessage = d.NullableString()
	}
	g.GroupID = d.String()
	g.GroupState = d.String()
	g.ProtocolType = d.String()
	g.ProtocolData = d.String()
	g.Members = readArray[DescribeGroupsResponseGroupMember](d, version)
	if version >= 3 {
		g.AuthorizedOperations = d.Int32()
	}
	d.Tags(&g.UnknownTags, nil)
}

func (m *DescribeGroupsResponseGroupMember) encode(e *Encoder, version int16) {
	e.String(m.MemberID)
	if version >= 4 {
		e.NullableString(m.GroupInstanceID)
	}
	e.String(m.ClientID)
	e.String(m.ClientHost)
	e.Bytes(m.MemberMetadata)
	e.Bytes(m.MemberAssignment)
	e.Tags(m.UnknownTags)
}

func (m *DescribeGroupsResponseGroupMember) decode(d *Decoder, version int16) {
	*m = DescribeGroupsResponseGroupMember{}
	m.MemberID = d.String()
	if version >= 4 {
		m.GroupInstanceID = d.NullableString()
	}
	m.ClientID = d.String()
	m.ClientHost = d.String()
	m.MemberMetadata = d.Bytes()
	m.MemberAssignment = d.Bytes()
	d.Tags(&m.UnknownTags, nil)
}
