package protocol

// ListGroupsRequest asks a broker for the groups it coordinates, optionally
// filtered by state (v4+) and type (v5+).
type ListGroupsRequest struct {
	StatesFilter []string // v4+
	TypesFilter  []string // v5+
	UnknownTags  []TaggedField
}

// APIKey implements [Message].
func (*ListGroupsRequest) APIKey() int16 { return KeyListGroups }

// NewResponse implements [Request].
func (*ListGroupsRequest) NewResponse() Response { return new(ListGroupsResponse) }

// Encode implements [Message].
func (r *ListGroupsRequest) Encode(e *Encoder, version int16) {
	if version >= 4 {
		e.Strings(r.StatesFilter)
	}
	if version >= 5 {
		e.Strings(r.TypesFilter)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ListGroupsRequest) Decode(d *Decoder, version int16) {
	*r = ListGroupsRequest{}
	if version >= 4 {
		r.StatesFilter = d.Strings()
	}
	if version >= 5 {
		r.TypesFilter = d.Strings()
	}
	d.Tags(&r.UnknownTags, nil)
}

// ListGroupsResponse lists the groups a broker coordinates.
type ListGroupsResponse struct {
	ThrottleTimeMs int32 // v1+
	ErrorCode      int16
	Groups         []ListGroupsResponseGroup
	UnknownTags    []TaggedField
}

// ListGroupsResponseGroup is one listed group.
type ListGroupsResponseGroup struct {
	GroupID      string
	ProtocolType string
	GroupState   string // v4+
	GroupType    string // v5+
	UnknownTags  []TaggedField
}

// APIKey implements [Message].
func (*ListGroupsResponse) APIKey() int16 { return KeyListGroups }
func (*ListGroupsResponse) isResponse()   {}

// Encode implements [Message].
func (r *ListGroupsResponse) Encode(e *Encoder, version int16) {
	if version >= 1 {
		e.Int32(r.ThrottleTimeMs)
	}
	e.Int16(r.ErrorCode)
	writeArray(e, r.Groups, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ListGroupsResponse) Decode(d *Decoder, version int16) {
	*r = ListGroupsResponse{}
	if version >= 1 {
		r.ThrottleTimeMs = d.Int32()
	}
	r.ErrorCode = d.Int16()
	r.Groups = readArray[ListGroupsResponseGroup](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (g *ListGroupsResponseGroup) encode(e *Encoder, version int16) {
	e.String(g.GroupID)
	e.String(g.ProtocolType)
	if version >= 4 {
		e.String(g.GroupState)
	}
	if version >= 5 {
		e.String(g.GroupType)
	}
	e.Tags(g.UnknownTags)
}

func (g *ListGroupsResponseGroup) decode(d *Decoder, version int16) {
	*g = ListGroupsResponseGroup{}
	g.GroupID = d.String()
	g.ProtocolType = d.String()
	if version >= 4 {
		g.GroupState = d.String()
	}
	if version >= 5 {
		g.GroupType = d.String()
	}
	d.Tags(&g.UnknownTags, nil)
}
