package protocol

// CreateACLsRequest creates ACL bindings.
type CreateACLsRequest struct {
	Creations   []CreateACLsRequestCreation
	UnknownTags []TaggedField
}

// CreateACLsRequestCreation is one binding to create.
type CreateACLsRequestCreation struct {
	ResourceType        int8
	ResourceName        string
	ResourcePatternType int8 // v1+, default 3 (literal)
	Principal           string
	Host                string
	Operation           int8
	PermissionType      int8
	UnknownTags         []TaggedField
}

// APIKey implements [Message].
func (*CreateACLsRequest) APIKey() int16 { return KeyCreateACLs }

// NewResponse implements [Request].
func (*CreateACLsRequest) NewResponse() Response { return new(CreateACLsResponse) }

// Encode implements [Message].
func (r *CreateACLsRequest) Encode(e *Encoder, version int16) {
	writeArray(e, r.Creations, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *CreateACLsRequest) Decode(d *Decoder, version int16) {
	*r = CreateACLsRequest{}
	r.Creations = readArray[CreateACLsRequestCreation](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (c *CreateACLsRequestCreation) encode(e *Encoder, version int16) {
	e.Int8(c.ResourceType)
	e.String(c.ResourceName)
	if version >= 1 {
		e.Int8(c.ResourcePatternType)
	}
	e.String(c.Principal)
	e.String(c.Host)
	e.Int8(c.Operation)
	e.Int8(c.PermissionType)
	e.Tags(c.UnknownTags)
}

func (c *CreateACLsRequestCreation) decode(d *Decoder, version int16) {
	*c = CreateACLsRequestCreation{ResourcePatternType: ACLPatternLiteral}
	c.ResourceType = d.Int8()
	c.ResourceName = d.String()
	if version >= 1 {
		c.ResourcePatternType = d.Int8()
	}
	c.Principal = d.String()
	c.Host = d.String()
	c.Operation = d.Int8()
	c.PermissionType = d.Int8()
	d.Tags(&c.UnknownTags, nil)
}

// CreateACLsResponse gives one result per creation, in request order.
type CreateACLsResponse struct {
	ThrottleTimeMs int32
	Results        []CreateACLsResponseResult
	UnknownTags    []TaggedField
}

// CreateACLsResponseResult is the outcome of one creation.
type CreateACLsResponseResult struct {
	ErrorCode    int16
	ErrorMessage *string
	UnknownTags  []TaggedField
}

// APIKey implements [Message].
func (*CreateACLsResponse) APIKey() int16 { return KeyCreateACLs }
func (*CreateACLsResponse) isResponse()   {}

// Encode implements [Message].
func (r *CreateACLsResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	writeArray(e, r.Results, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *CreateACLsResponse) Decode(d *Decoder, version int16) {
	*r = CreateACLsResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.Results = readArray[CreateACLsResponseResult](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (s *CreateACLsResponseResult) encode(e *Encoder, version int16) {
	e.Int16(s.ErrorCode)
	e.NullableString(s.ErrorMessage)
	e.Tags(s.UnknownTags)
}

func (s *CreateACLsResponseResult) decode(d *Decoder, version int16) {
	*s = CreateACLsResponseResult{}
	s.ErrorCode = d.Int16()
	s.ErrorMessage = d.NullableString()
	d.Tags(&s.UnknownTags, nil)
}
