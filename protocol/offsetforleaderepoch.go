package protocol

// OffsetForLeaderEpochRequest asks partition leaders for the end offset of a
// leader epoch, so that a consumer or follower can detect log truncation.
type OffsetForLeaderEpochRequest struct {
	ReplicaID   int32 // v3+, default -2
	Topics      []OffsetForLeaderEpochRequestTopic
	UnknownTags []TaggedField
}

// OffsetForLeaderEpochRequestTopic is one topic whose partitions are asked about.
type OffsetForLeaderEpochRequestTopic struct {
	Topic       string
	Partitions  []OffsetForLeaderEpochRequestTopicPartition
	UnknownTags []TaggedField
}

// OffsetForLeaderEpochRequestTopicPartition is one partition and the epoch to look up.
type OffsetForLeaderEpochRequestTopicPartition struct {
	Partition          int32
	CurrentLeaderEpoch int32 // v2+, default -1
	LeaderEpoch        int32
	UnknownTags        []TaggedField
}

// APIKey implements [Message].
func (*OffsetForLeaderEpochRequest) APIKey() int16 { return KeyOffsetForLeaderEpoch }

// NewResponse implements [Request].
func (*OffsetForLeaderEpochRequest) NewResponse() Response {
	return new(OffsetForLeaderEpochResponse)
}

// Encode implements [Message].
func (r *OffsetForLeaderEpochRequest) Encode(e *Encoder, version int16) {
	if version >= 3 {
		e.Int32(r.ReplicaID)
	}
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *OffsetForLeaderEpochRequest) Decode(d *Decoder, version int16) {
	*r = OffsetForLeaderEpochRequest{ReplicaID: -2}
	if version >= 3 {
		r.ReplicaID = d.Int32()
	}
	r.Topics = readArray[OffsetForLeaderEpochRequestTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *OffsetForLeaderEpochRequestTopic) encode(e *Encoder, version int16) {
	e.String(t.Topic)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *OffsetForLeaderEpochRequestTopic) decode(d *Decoder, version int16) {
	*t = OffsetForLeaderEpochRequestTopic{}
	t.Topic = d.String()
	t.Partitions = readArray[OffsetForLeaderEpochRequestTopicPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *OffsetForLeaderEpochRequestTopicPartition) encode(e *Encoder, version int16) {
	e.Int32(p.Partition)
	if version >= 2 {
		e.Int32(p.CurrentLeaderEpoch)
	}
	e.Int32(p.LeaderEpoch)
	e.Tags(p.UnknownTags)
}

func (p *OffsetForLeaderEpochRequestTopicPartition) decode(d *Decoder, version int16) {
	*p = OffsetForLeaderEpochRequestTopicPartition{CurrentLeaderEpoch: -1}
	p.Partition = d.Int32()
	if version >= 2 {
		p.CurrentLeaderEpoch = d.Int32()
	}
	p.LeaderEpoch = d.Int32()
	d.Tags(&p.UnknownTags, nil)
}

// OffsetForLeaderEpochResponse gives, per partition, the largest epoch not
// above the requested one and the end offset of that epoch.
type OffsetForLeaderEpochResponse struct {
	ThrottleTimeMs int32 // v2+
	Topics         []OffsetForLeaderEpochResponseTopic
	UnknownTags    []TaggedField
}

// OffsetForLeaderEpochResponseTopic is one topic's partition results.
type OffsetForLeaderEpochResponseTopic struct {
	Topic       string
	Partitions  []OffsetForLeaderEpochResponseTopicPartition
	UnknownTags []TaggedField
}

// OffsetForLeaderEpochResponseTopicPartition is the epoch end offset of one partition.
type OffsetForLeaderEpochResponseTopicPartition struct {
	ErrorCode   int16
	Partition   int32
	LeaderEpoch int32 // v1+, default -1
	EndOffset   int64 // default -1
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*OffsetForLeaderEpochResponse) APIKey() int16 { return KeyOffsetForLeaderEpoch }
func (*OffsetForLeaderEpochResponse) isResponse()   {}

// Encode implements [Message].
func (r *OffsetForLeaderEpochResponse) Encode(e *Encoder, version int16) {
	if version >= 2 {
		e.Int32(r.ThrottleTimeMs)
	}
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *OffsetForLeaderEpochResponse) Decode(d *Decoder, version int16) {
	*r = OffsetForLeaderEpochResponse{}
	if version >= 2 {
		r.ThrottleTimeMs = d.Int32()
	}
	r.Topics = readArray[OffsetForLeaderEpochResponseTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *OffsetForLeaderEpochResponseTopic) encode(e *Encoder, version int16) {
	e.String(t.Topic)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *OffsetForLeaderEpochResponseTopic) decode(d *Decoder, version int16) {
	*t = OffsetForLeaderEpochResponseTopic{}
	t.Topic = d.String()
	t.Partitions = readArray[OffsetForLeaderEpochResponseTopicPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *OffsetForLeaderEpochResponseTopicPartition) encode(e *Encoder, version int16) {
	e.Int16(p.ErrorCode)
	e.Int32(p.Partition)
	if version >= 1 {
		e.Int32(p.LeaderEpoch)
	}
	e.Int64(p.EndOffset)
	e.Tags(p.UnknownTags)
}

func (p *OffsetForLeaderEpochResponseTopicPartition) decode(d *Decoder, version int16) {
	*p = OffsetForLeaderEpochResponseTopicPartition{LeaderEpoch: -1, EndOffset: -1}
	p.ErrorCode = d.Int16()
	p.Partition = d.Int32()
	if version >= 1 {
		p.LeaderEpoch = d.Int32()
	}
	p.EndOffset = d.Int64()
	d.Tags(&p.UnknownTags, nil)
}
