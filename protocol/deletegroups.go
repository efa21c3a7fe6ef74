package protocol

// DeleteGroupsRequest deletes empty groups and their committed offsets; it
// goes to each group's coordinator.
type DeleteGroupsRequest struct {
	GroupsNames []string
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*DeleteGroupsRequest) APIKey() int16 { return KeyDeleteGroups }

// NewResponse implements [Request].
func (*DeleteGroupsRequest) NewResponse() Response { return new(DeleteGroupsResponse) }

// Encode implements [Message].
func (r *DeleteGroupsRequest) Encode(e *Encoder, version int16) {
	e.Strings(r.GroupsNames)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DeleteGroupsRequest) Decode(d *Decoder, version int16) {
	*r = DeleteGroupsRequest{}
	r.GroupsNames = d.Strings()
	d.Tags(&r.UnknownTags, nil)
}

// DeleteGroupsResponse gives the outcome for each group.
type DeleteGroupsResponse struct {
	ThrottleTimeMs int32
	Results        []DeleteGroupsResponseResult
	UnknownTags    []TaggedField
}

// DeleteGroupsResponseResult is the outcome for one group.
type DeleteGroupsResponseResult struct {
	GroupID     string
	ErrorCode   int16
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*DeleteGroupsResponse) APIKey() int16 { return KeyDeleteGroups }
func (*DeleteGroupsResponse) isResponse()   {}

// Encode implements [Message].
func (r *DeleteGroupsResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	writeArray(e, r.Results, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DeleteGroupsResponse) Decode(d *Decoder, version int16) {
	*r = DeleteGroupsResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.Results = readArray[DeleteGroupsResponseResult](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (s *DeleteGroupsResponseResult) encode(e *Encoder, version int16) {
	e.String(s.GroupID)
	e.Int16(s.ErrorCode)
	e.Tags(s.UnknownTags)
}

func (s *DeleteGroupsResponseResult) decode(d *Decoder, version int16) {
	*s = DeleteGroupsResponseResult{}
	s.GroupID = d.String()
	s.ErrorCode = d.Int16()
	d.Tags(&s.UnknownTags, nil)
}
