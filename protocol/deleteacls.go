package protocol

// DeleteACLsRequest deletes the bindings matching each filter.
type DeleteACLsRequest struct {
	Filters     []DeleteACLsRequestFilter
	UnknownTags []TaggedField
}

// DeleteACLsRequestFilter selects bindings to delete; null strings and the
// "any" enum values match everything.
type DeleteACLsRequestFilter struct {
	ResourceTypeFilter int8
	ResourceNameFilter *string
	PatternTypeFilter  int8 // v1+, default 3 (literal)
	PrincipalFilter    *string
	HostFilter         *string
	Operation          int8
	PermissionType     int8
	UnknownTags        []TaggedField
}

// APIKey implements [Message].
func (*DeleteACLsRequest) APIKey() int16 { return KeyDeleteACLs }

// NewResponse implements [Request].
func (*DeleteACLsRequest) NewResponse() Response { return new(DeleteACLsResponse) }

// Encode implements [Message].
func (r *DeleteACLsRequest) Encode(e *Encoder, version int16) {
	writeArray(e, r.Filters, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DeleteACLsRequest) Decode(d *Decoder, version int16) {
	*r = DeleteACLsRequest{}
	r.Filters = readArray[DeleteACLsRequestFilter](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (f *DeleteACLsRequestFilter) encode(e *Encoder, version int16) {
	e.Int8(f.ResourceTypeFilter)
	e.NullableString(f.ResourceNameFilter)
	if version >= 1 {
		e.Int8(f.PatternTypeFilter)
	}
	e.NullableString(f.PrincipalFilter)
	e.NullableString(f.HostFilter)
	e.Int8(f.Operation)
	e.Int8(f.PermissionType)
	e.Tags(f.UnknownTags)
}

func (f *DeleteACLsRequestFilter) decode(d *Decoder, version int16) {
	*f = DeleteACLsRequestFilter{PatternTypeFilter: ACLPatternLiteral}
	f.ResourceTypeFilter = d.Int8()
	f.ResourceNameFilter = d.NullableString()
	if version >= 1 {
		f.PatternTypeFilter = d.Int8()
	}
	f.PrincipalFilter = d.NullableString()
	f.HostFilter = d.NullableString()
	f.Operation = d.Int8()
	f.PermissionType = d.Int8()
	d.Tags(&f.UnknownTags, nil)
}

// DeleteACLsResponse gives, per filter in request order, the bindings it
// deleted.
type DeleteACLsResponse struct {
	ThrottleTimeMs int32
	FilterResults  []DeleteACLsResponseFilterResult
	UnknownTags    []TaggedField
}

// DeleteACLsResponseFilterResult is the outcome of one filter.
type DeleteACLsResponseFilterResult struct {
	ErrorCode    int16
	ErrorMessage *string
	MatchingACLs []DeleteACLsResponseMatchingACL
	UnknownTags  []TaggedField
}

// DeleteACLsResponseMatchingACL is one binding a filter matched, with the
// outcome of its deletion.
type DeleteACLsResponseMatchingACL struct {
	ErrorCode      int16
	ErrorMessage   *string
	ResourceType   int8
	ResourceName   string
	PatternType    int8 // v1+, default 3 (literal)
	Principal      string
	Host           string
	Operation      int8
	PermissionType int8
	UnknownTags    []TaggedField
}

// APIKey implements [Message].
func (*DeleteACLsResponse) APIKey() int16 { return KeyDeleteACLs }
func (*DeleteACLsResponse) isResponse()   {}

// Encode implements [Message].
func (r *DeleteACLsResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	writeArray(e, r.FilterResults, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DeleteACLsResponse) Decode(d *Decoder, version int16) {
	*r = DeleteACLsResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.FilterResults = readArray[DeleteACLsResponseFilterResult](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (s *DeleteACLsResponseFilterResult) encode(e *Encoder, version int16) {
	e.Int16(s.ErrorCode)
	e.NullableString(s.ErrorMessage)
	writeArray(e, s.MatchingACLs, version)
	e.Tags(s.UnknownTags)
}

func (s *DeleteACLsResponseFilterResult) decode(d *Decoder, version int16) {
	*s = DeleteACLsResponseFilterResult{}
	s.ErrorCode = d.Int16()
	s.ErrorMessage = d.NullableString()
	s.MatchingACLs = readArray[DeleteACLsResponseMatchingACL](d, version)
	d.Tags(&s.UnknownTags, nil)
}

func (a *DeleteACLsResponseMatchingACL) encode(e *Encoder, version int16) {
	e.Int16(a.ErrorCode)
	e.NullableString(a.ErrorMessage)
	e.Int8(a.ResourceType)
	e.String(a.ResourceName)
	if version >= 1 {
		e.Int8(a.PatternType)
	}
	e.String(a.Principal)
	e.String(a.Host)
	e.Int8(a.Operation)
	e.Int8(a.PermissionType)
	e.Tags(a.UnknownTags)
}

func (a *DeleteACLsResponseMatchingACL) decode(d *Decoder, version int16) {
	*a = DeleteACLsResponseMatchingACL{PatternType: ACLPatternLiteral}
	a.ErrorCode = d.Int16()
	a.ErrorMessage = d.NullableString()
	a.ResourceType = d.Int8()
	a.ResourceName = d.String()
	if version >= 1 {
		a.PatternType = d.Int8()
	}
	a.Principal = d.String()
	a.Host = d.String()
	a.Operation = d.Int8()
	a.PermissionType = d.Int8()
	d.Tags(&a.UnknownTags, nil)
}
