package protocol

// OffsetFetchRequest asks the group coordinator for a group's committed
// offsets. Versions 8 and later may ask about several groups at once.
type OffsetFetchRequest struct {
	GroupID       string                    // v0-v7
	Topics        []OffsetFetchRequestTopic // v0-v7, nullable v2+
	Groups        []OffsetFetchRequestGroup // v8+
	RequireStable bool                      // v7+
	UnknownTags   []TaggedField
}

// OffsetFetchRequestTopic is a topic whose committed offsets are wanted.
type OffsetFetchRequestTopic struct {
	Name             string
	PartitionIndexes []int32
	UnknownTags      []TaggedField
}

// OffsetFetchRequestGroup is one group whose committed offsets are wanted.
type OffsetFetchRequestGroup struct {
	GroupID     string
	MemberID    *string                        // v9+
	MemberEpoch int32                          // v9+, default -1
	Topics      []OffsetFetchRequestGroupTopic // nullable: null asks for all topics
	UnknownTags []TaggedField
}

// OffsetFetchRequestGroupTopic is a topic of a group whose committed offsets
// are wanted.
type OffsetFetchRequestGroupTopic struct {
	Name             string
	PartitionIndexes []int32
	UnknownTags      []TaggedField
}

// APIKey implements [Message].
func (*OffsetFetchRequest) APIKey() int16 { return KeyOffsetFetch }

// NewResponse implements [Request].
func (*OffsetFetchRequest) NewResponse() Response { return new(OffsetFetchResponse) }

// Encode implements [Message].
func (r *OffsetFetchRequest) Encode(e *Encoder, version int16) {
	if version <= 7 {
		e.String(r.GroupID)
		if version >= 2 {
			writeNullableArray(e, r.Topics, version)
		} else {
			writeArray(e, r.Topics, version)
		}
	}
	if version >= 8 {
		writeArray(e, r.Groups, version)
	}
	if version >= 7 {
		e.Bool(r.RequireStable)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *OffsetFetchRequest) Decode(d *Decoder, version int16) {
	*r = OffsetFetchRequest{}
	if version <= 7 {
		r.GroupID = d.String()
		if version >= 2 {
			r.Topics = readNullableArray[OffsetFetchRequestTopic](d, version)
		} else {
			r.Topics = readArray[OffsetFetchRequestTopic](d, version)
		}
	}
	if version >= 8 {
		r.Groups = readArray[OffsetFetchRequestGroup](d, version)
	}
	if version >= 7 {
		r.RequireStable = d.Bool()
	}
	d.Tags(&r.UnknownTags, nil)
}

func (t *OffsetFetchRequestTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	e.Int32s(t.PartitionIndexes)
	e.Tags(t.UnknownTags)
}

func (t *OffsetFetchRequestTopic) decode(d *Decoder, version int16) {
	*t = OffsetFetchRequestTopic{}
	t.Name = d.String()
	t.PartitionIndexes = d.Int32s()
	d.Tags(&t.UnknownTags, nil)
}

func (g *OffsetFetchRequestGroup) encode(e *Encoder, version int16) {
	e.String(g.GroupID)
	if version >= 9 {
		e.NullableString(g.MemberID)
		e.Int32(g.MemberEpoch)
	}
	writeNullableArray(e, g.Topics, version)
	e.Tags(g.UnknownTags)
}

func (g *OffsetFetchRequestGroup) decode(d *Decoder, version int16) {
	*g = OffsetFetchRequestGroup{MemberEpoch: -1}
	g.GroupID = d.String()
	if version >= 9 {
		g.MemberID = d.NullableString()
		g.MemberEpoch = d.Int32()
	}
	g.Topics = readNullableArray[OffsetFetchRequestGroupTopic](d, version)
	d.Tags(&g.UnknownTags, nil)
}

func (t *OffsetFetchRequestGroupTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	e.Int32s(t.PartitionIndexes)
	e.Tags(t.UnknownTags)
}

func (t *OffsetFetchRequestGroupTopic) decode(d *Decoder, version int16) {
	*t = OffsetFetchRequestGroupTopic{}
	t.Name = d.String()
	t.PartitionIndexes = d.Int32s()
	d.Tags(&t.UnknownTags, nil)
}

// OffsetFetchResponse holds a group's committed offsets, or, in versions 8
// and later, those of several groups.
type OffsetFetchResponse struct {
	ThrottleTimeMs int32                      // v3+
	Topics         []OffsetFetchResponseTopic // v0-v7
	ErrorCode      int16                      // v2-v7
	Groups         []OffsetFetchResponseGroup // v8+
	UnknownTags    []TaggedField
}

// OffsetFetchResponseTopic holds the committed offsets of one topic.
type OffsetFetchResponseTopic struct {
	Name        string
	Partitions  []OffsetFetchResponseTopicPartition
	UnknownTags []TaggedField
}

// OffsetFetchResponseTopicPartition is one partition's committed offset.
type OffsetFetchResponseTopicPartition struct {
	PartitionIndex       int32
	CommittedOffset      int64
	CommittedLeaderEpoch int32 // v5+, default -1
	Metadata             *string
	ErrorCode            int16
	UnknownTags          []TaggedField
}

// OffsetFetchResponseGroup holds the committed offsets of one group.
type OffsetFetchResponseGroup struct {
	GroupID     string
	Topics      []OffsetFetchResponseGroupTopic
	ErrorCode   int16
	UnknownTags []TaggedField
}

// OffsetFetchResponseGroupTopic holds the committed offsets of one topic of
// a group.
type OffsetFetchResponseGroupTopic struct {
	Name        string
	Partitions  []OffsetFetchResponseGroupTopicPartition
	UnknownTags []TaggedField
}

// OffsetFetchResponseGroupTopicPartition is one partition's committed offset
// in a group.
type OffsetFetchResponseGroupTopicPartition struct {
	PartitionIndex       int32
	CommittedOffset      int64
	CommittedLeaderEpoch int32 // default -1
	Metadata             *string
	ErrorCode            int16
	UnknownTags          []TaggedField
}

// APIKey implements [Message].
func (*OffsetFetchResponse) APIKey() int16 { return KeyOffsetFetch }
func (*OffsetFetchResponse) isResponse()   {}

// Encode implements [Message].
func (r *OffsetFetchResponse) Encode(e *Encoder, version int16) {
	if version >= 3 {
		e.Int32(r.ThrottleTimeMs)
	}
	if version <= 7 {
		writeArray(e, r.Topics, version)
		if version >= 2 {
			e.Int16(r.ErrorCode)
		}
	}
	if version >= 8 {
		writeArray(e, r.Groups, version)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *OffsetFetchResponse) Decode(d *Decoder, version int16) {
	*r = OffsetFetchResponse{}
	if version >= 3 {
		r.ThrottleTimeMs = d.Int32()
	}
	if version <= 7 {
		r.Topics = readArray[OffsetFetchResponseTopic](d, version)
		if version >= 2 {
			r.ErrorCode = d.Int16()
		}
	}
	if version >= 8 {
		r.Groups = readArray[OffsetFetchResponseGroup](d, version)
	}
	d.Tags(&r.UnknownTags, nil)
}

func (t *OffsetFetchResponseTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *OffsetFetchResponseTopic) decode(d *Decoder, version int16) {
	*t = OffsetFetchResponseTopic{}
	t.Name = d.String()
	t.Partitions = readArray[OffsetFetchResponseTopicPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *OffsetFetchResponseTopicPartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
	e.Int64(p.CommittedOffset)
	if version >= 5 {
		e.Int32(p.CommittedLeaderEpoch)
	}
	e.NullableString(p.Metadata)
	e.Int16(p.ErrorCode)
	e.Tags(p.UnknownTags)
}

func (p *OffsetFetchResponseTopicPartition) decode(d *Decoder, version int16) {
	*p = OffsetFetchResponseTopicPartition{CommittedLeaderEpoch: -1}
	p.PartitionIndex = d.Int32()
	p.CommittedOffset = d.Int64()
	if version >= 5 {
		p.CommittedLeaderEpoch = d.Int32()
	}
	p.Metadata = d.NullableString()
	p.ErrorCode = d.Int16()
	d.Tags(&p.UnknownTags, nil)
}

func (g *OffsetFetchResponseGroup) encode(e *Encoder, version int16) {
	e.String(g.GroupID)
	writeArray(e, g.Topics, version)
	e.Int16(g.ErrorCode)
	e.Tags(g.UnknownTags)
}

func (g *OffsetFetchResponseGroup) decode(d *Decoder, version int16) {
	*g = OffsetFetchResponseGroup{}
	g.GroupID = d.String()
	g.Topics = readArray[OffsetFetchResponseGroupTopic](d, version)
	g.ErrorCode = d.Int16()
	d.Tags(&g.UnknownTags, nil)
}

func (t *OffsetFetchResponseGroupTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *OffsetFetchResponseGroupTopic) decode(d *Decoder, version int16) {
	*t = OffsetFetchResponseGroupTopic{}
	t.Name = d.String()
	t.Partitions = readArray[OffsetFetchResponseGroupTopicPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *OffsetFetchResponseGroupTopicPartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
	e.Int64(p.CommittedOffset)
	e.Int32(p.CommittedLeaderEpoch)
	e.NullableString(p.Metadata)
	e.Int16(p.ErrorCode)
	e.Tags(p.UnknownTags)
}

func (p *OffsetFetchResponseGroupTopicPartition) decode(d *Decoder, version int16) {
	*p = OffsetFetchResponseGroupTopicPartition{CommittedLeaderEpoch: -1}
	p.PartitionIndex = d.Int32()
	p.CommittedOffset = d.Int64()
	p.CommittedLeaderEpoch = d.Int32()
	p.Metadata = d.NullableString()
	p.ErrorCode = d.Int16()
	d.Tags(&p.UnknownTags, nil)
}
