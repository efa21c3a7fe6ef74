package protocol

// FindCoordinatorRequest asks which broker coordinates a group, a
// transactional ID or a share group: one key in v0-v3, a batch of keys in v4+.
type FindCoordinatorRequest struct {
	Key             string   // v0-v3
	KeyType         int8     // v1+
	CoordinatorKeys []string // v4+
	UnknownTags     []TaggedField
}

// APIKey implements [Message].
func (*FindCoordinatorRequest) APIKey() int16 { return KeyFindCoordinator }

// NewResponse implements [Request].
func (*FindCoordinatorRequest) NewResponse() Response { return new(FindCoordinatorResponse) }

// Encode implements [Message].
func (r *FindCoordinatorRequest) Encode(e *Encoder, version int16) {
	if version <= 3 {
		e.String(r.Key)
	}
	if version >= 1 {
		e.Int8(r.KeyType)
	}
	if version >= 4 {
		e.Strings(r.CoordinatorKeys)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *FindCoordinatorRequest) Decode(d *Decoder, version int16) {
	*r = FindCoordinatorRequest{}
	if version <= 3 {
		r.Key = d.String()
	}
	if version >= 1 {
		r.KeyType = d.Int8()
	}
	if version >= 4 {
		r.CoordinatorKeys = d.Strings()
	}
	d.Tags(&r.UnknownTags, nil)
}

// FindCoordinatorResponse names the coordinator broker: a single one in
// v0-v3, one per requested key in v4+.
type FindCoordinatorResponse struct {
	ThrottleTimeMs int32                                // v1+
	ErrorCode      int16                                // v0-v3
	ErrorMessage   *string                              // v1-v3
	NodeID         int32                                // v0-v3
	Host           string                               // v0-v3
	Port           int32                                // v0-v3
	Coordinators   []FindCoordinatorResponseCoordinator // v4+
	UnknownTags    []TaggedField
}

// FindCoordinatorResponseCoordinator is the coordinator found for one key.
type FindCoordinatorResponseCoordinator struct {
	Key          string
	NodeID       int32
	Host         string
	Port         int32
	ErrorCode    int16
	ErrorMessage *string
	UnknownTags  []TaggedField
}

// APIKey implements [Message].
func (*FindCoordinatorResponse) APIKey() int16 { return KeyFindCoordinator }
func (*FindCoordinatorResponse) isResponse()   {}

// Encode implements [Message].
func (r *FindCoordinatorResponse) Encode(e *Encoder, version int16) {
	if version >= 1 {
		e.Int32(r.ThrottleTimeMs)
	}
	if version <= 3 {
		e.Int16(r.ErrorCode)
		if version >= 1 {
			e.NullableString(r.ErrorMessage)
		}
		e.Int32(r.NodeID)
		e.String(r.Host)
		e.Int32(r.Port)
	}
	if version >= 4 {
		writeArray(e, r.Coordinators, version)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *FindCoordinatorResponse) Decode(d *Decoder, version int16) {
	*r = FindCoordinatorResponse{}
	if version >= 1 {
		r.ThrottleTimeMs = d.Int32()
	}
	if version <= 3 {
		r.ErrorCode = d.Int16()
		if version >= 1 {
			r.ErrorMessage = d.NullableString()
		}
		r.NodeID = d.Int32()
		r.Host = d.String()
		r.Port = d.Int32()
	}
	if version >= 4 {
		r.Coordinators = readArray[FindCoordinatorResponseCoordinator](d, version)
	}
	d.Tags(&r.UnknownTags, nil)
}

func (c *FindCoordinatorResponseCoordinator) encode(e *Encoder, version int16) {
	e.String(c.Key)
	e.Int32(c.NodeID)
	e.String(c.Host)
	e.Int32(c.Port)
	e.Int16(c.ErrorCode)
	e.NullableString(c.ErrorMessage)
	e.Tags(c.UnknownTags)
}

func (c *FindCoordinatorResponseCoordinator) decode(d *Decoder, version int16) {
	*c = FindCoordinatorResponseCoordinator{}
	c.Key = d.String()
	c.NodeID = d.Int32()
	c.Host = d.String()
	c.Port = d.Int32()
	c.ErrorCode = d.Int16()
	c.ErrorMessage = d.NullableString()
	d.Tags(&c.UnknownTags, nil)
}
