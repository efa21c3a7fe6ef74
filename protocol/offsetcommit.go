package protocol

// OffsetCommitRequest commits consumed offsets for a group's topic partitions
// to the group coordinator.
type OffsetCommitRequest struct {
	GroupID                   string
	GenerationIDOrMemberEpoch int32   // v1+, default -1
	MemberID                  string  // v1+
	GroupInstanceID           *string // v7+
	RetentionTimeMs           int64   // v2-v4, default -1
	Topics                    []OffsetCommitRequestTopic
	UnknownTags               []TaggedField
}

// OffsetCommitRequestTopic is a topic whose partitions' offsets are committed.
type OffsetCommitRequestTopic struct {
	Name        string
	Partitions  []OffsetCommitRequestTopicPartition
	UnknownTags []TaggedField
}

// OffsetCommitRequestTopicPartition is one partition's offset to commit.
type OffsetCommitRequestTopicPartition struct {
	PartitionIndex       int32
	CommittedOffset      int64
	CommitTimestamp      int64 // v1 only, default -1
	CommittedLeaderEpoch int32 // v6+, default -1
	CommittedMetadata    *string
	UnknownTags          []TaggedField
}

// APIKey implements [Message].
func (*OffsetCommitRequest) APIKey() int16 { return KeyOffsetCommit }

// NewResponse implements [Request].
func (*OffsetCommitRequest) NewResponse() Response { return new(OffsetCommitResponse) }

// Encode implements [Message].
func (r *OffsetCommitRequest) Encode(e *Encoder, version int16) {
	e.String(r.GroupID)
	if version >= 1 {
		e.Int32(r.GenerationIDOrMemberEpoch)
		e.String(r.MemberID)
	}
	if version >= 7 {
		e.NullableString(r.GroupInstanceID)
	}
	if version >= 2 && version <= 4 {
		e.Int64(r.RetentionTimeMs)
	}
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *OffsetCommitRequest) Decode(d *Decoder, version int16) {
	*r = OffsetCommitRequest{GenerationIDOrMemberEpoch: -1, RetentionTimeMs: -1}
	r.GroupID = d.String()
	if version >= 1 {
		r.GenerationIDOrMemberEpoch = d.Int32()
		r.MemberID = d.String()
	}
	if version >= 7 {
		r.GroupInstanceID = d.NullableString()
	}
	if version >= 2 && version <= 4 {
		r.RetentionTimeMs = d.Int64()
	}
	r.Topics = readArray[OffsetCommitRequestTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *OffsetCommitRequestTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *OffsetCommitRequestTopic) decode(d *Decoder, version int16) {
	*t = OffsetCommitRequestTopic{}
	t.Name = d.String()
	t.Partitions = readArray[OffsetCommitRequestTopicPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *OffsetCommitRequestTopicPartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
	e.Int64(p.CommittedOffset)
	if version >= 6 {
		e.Int32(p.CommittedLeaderEpoch)
	}
	if version == 1 {
		e.Int64(p.CommitTimestamp)
	}
	e.NullableString(p.CommittedMetadata)
	e.Tags(p.UnknownTags)
}

func (p *OffsetCommitRequestTopicPartition) decode(d *Decoder, version int16) {
	*p = OffsetCommitRequestTopicPartition{CommitTimestamp: -1, CommittedLeaderEpoch: -1}
	p.PartitionIndex = d.Int32()
	p.CommittedOffset = d.Int64()
	if version >= 6 {
		p.CommittedLeaderEpoch = d.Int32()
	}
	if version == 1 {
		p.CommitTimestamp = d.Int64()
	}
	p.CommittedMetadata = d.NullableString()
	d.Tags(&p.UnknownTags, nil)
}

// OffsetCommitResponse reports, per partition, whether an offset commit
// succeeded.
type OffsetCommitResponse struct {
	ThrottleTimeMs int32 // v3+
	Topics         []OffsetCommitResponseTopic
	UnknownTags    []TaggedField
}

// OffsetCommitResponseTopic holds the commit results of one topic.
type OffsetCommitResponseTopic struct {
	Name        string
	Partitions  []OffsetCommitResponseTopicPartition
	UnknownTags []TaggedField
}

// OffsetCommitResponseTopicPartition is one partition's commit result.
type OffsetCommitResponseTopicPartition struct {
	PartitionIndex int32
	ErrorCode      int16
	UnknownTags    []TaggedField
}

// APIKey implements [Message].
func (*OffsetCommitResponse) APIKey() int16 { return KeyOffsetCommit }
func (*OffsetCommitResponse) isResponse()   {}

// Encode implements [Message].
func (r *OffsetCommitResponse) Encode(e *Encoder, version int16) {
	if version >= 3 {
		e.Int32(r.ThrottleTimeMs)
	}
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *OffsetCommitResponse) Decode(d *Decoder, version int16) {
	*r = OffsetCommitResponse{}
	if version >= 3 {
		r.ThrottleTimeMs = d.Int32()
	}
	r.Topics = readArray[OffsetCommitResponseTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *OffsetCommitResponseTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *OffsetCommitResponseTopic) decode(d *Decoder, version int16) {
	*t = OffsetCommitResponseTopic{}
	t.Name = d.String()
	t.Partitions = readArray[OffsetCommitResponseTopicPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *OffsetCommitResponseTopicPartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
	e.Int16(p.ErrorCode)
	e.Tags(p.UnknownTags)
}

func (p *OffsetCommitResponseTopicPartition) decode(d *Decoder, version int16) {
	*p = OffsetCommitResponseTopicPartition{}
	p.PartitionIndex = d.Int32()
	p.ErrorCode = d.Int16()
	d.Tags(&p.UnknownTags, nil)
}
