package protocol

// DeleteTopicsRequest asks the controller to delete topics, by name before
// v6 and by name or topic ID from v6.
type DeleteTopicsRequest struct {
	TopicNames  []string                   // v0-v5
	Topics      []DeleteTopicsRequestTopic // v6+
	TimeoutMs   int32
	UnknownTags []TaggedField
}

// DeleteTopicsRequestTopic names one topic to delete, by name or ID.
type DeleteTopicsRequestTopic struct {
	Name        *string
	TopicID     UUID
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*DeleteTopicsRequest) APIKey() int16 { return KeyDeleteTopics }

// NewResponse implements [Request].
func (*DeleteTopicsRequest) NewResponse() Response { return new(DeleteTopicsResponse) }

// Encode implements [Message].
func (r *DeleteTopicsRequest) Encode(e *Encoder, version int16) {
	if version <= 5 {
		e.Strings(r.TopicNames)
	}
	if version >= 6 {
		writeArray(e, r.Topics, version)
	}
	e.Int32(r.TimeoutMs)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DeleteTopicsRequest) Decode(d *Decoder, version int16) {
	*r = DeleteTopicsRequest{}
	if version <= 5 {
		r.TopicNames = d.Strings()
	}
	if version >= 6 {
		r.Topics = readArray[DeleteTopicsRequestTopic](d, version)
	}
	r.TimeoutMs = d.Int32()
	d.Tags(&r.UnknownTags, nil)
}

func (t *DeleteTopicsRequestTopic) encode(e *Encoder, version int16) {
	e.NullableString(t.Name)
	e.UUID(t.TopicID)
	e.Tags(t.UnknownTags)
}

func (t *DeleteTopicsRequestTopic) decode(d *Decoder, version int16) {
	*t = DeleteTopicsRequestTopic{}
	t.Name = d.NullableString()
	t.TopicID = d.UUID()
	d.Tags(&t.UnknownTags, nil)
}

// DeleteTopicsResponse reports the outcome of each topic deletion.
type DeleteTopicsResponse struct {
	ThrottleTimeMs int32 // v1+
	Responses      []DeleteTopicsResponseTopic
	UnknownTags    []TaggedField
}

// DeleteTopicsResponseTopic is the result for one topic.
type DeleteTopicsResponseTopic struct {
	Name         *string // nullable v6+
	TopicID      UUID    // v6+
	ErrorCode    int16
	ErrorMessage *string // v5+
	UnknownTags  []TaggedField
}

// APIKey implements [Message].
func (*DeleteTopicsResponse) APIKey() int16 { return KeyDeleteTopics }
func (*DeleteTopicsResponse) isResponse()   {}

// Encode implements [Message].
func (r *DeleteTopicsResponse) Encode(e *Encoder, version int16) {
	if version >= 1 {
		e.Int32(r.ThrottleTimeMs)
	}
	writeArray(e, r.Responses, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DeleteTopicsResponse) Decode(d *Decoder, version int16) {
	*r = DeleteTopicsResponse{}
	if version >= 1 {
		r.ThrottleTimeMs = d.Int32()
	}
	r.Responses = readArray[DeleteTopicsResponseTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *DeleteTopicsResponseTopic) encode(e *Encoder, version int16) {
	e.StringPtr(t.Name, version >= 6)
	if version >= 6 {
		e.UUID(t.TopicID)
	}
	e.Int16(t.ErrorCode)
	if version >= 5 {
		e.NullableString(t.ErrorMessage)
	}
	e.Tags(t.UnknownTags)
}

func (t *DeleteTopicsResponseTopic) decode(d *Decoder, version int16) {
	*t = DeleteTopicsResponseTopic{}
	if version >= 6 {
		t.Name = d.NullableString()
		t.TopicID = d.UUID()
	} else {
		name := d.String()
		t.Name = &name
	}
	t.ErrorCode = d.Int16()
	if version >= 5 {
		t.ErrorMessage = d.NullableString()
	}
	d.Tags(&t.UnknownTags, nil)
}
