package protocol

// ListOffsetsRequest asks partition leaders for the offset matching a
// timestamp, or for special offsets (earliest, latest, max timestamp...).
type ListOffsetsRequest struct {
	ReplicaID      int32
	IsolationLevel int8 // v2+
	Topics         []ListOffsetsRequestTopic
	TimeoutMs      int32 // v10+
	UnknownTags    []TaggedField
}

// ListOffsetsRequestTopic is one topic whose partitions' offsets are asked for.
type ListOffsetsRequestTopic struct {
	Name        string
	Partitions  []ListOffsetsRequestTopicPartition
	UnknownTags []TaggedField
}

// ListOffsetsRequestTopicPartition is one partition and the timestamp to look up.
type ListOffsetsRequestTopicPartition struct {
	PartitionIndex     int32
	CurrentLeaderEpoch int32 // v4+, default -1
	Timestamp          int64
	MaxNumOffsets      int32 // v0 only, default 1
	UnknownTags        []TaggedField
}

// APIKey implements [Message].
func (*ListOffsetsRequest) APIKey() int16 { return KeyListOffsets }

// NewResponse implements [Request].
func (*ListOffsetsRequest) NewResponse() Response { return new(ListOffsetsResponse) }

// Encode implements [Message].
func (r *ListOffsetsRequest) Encode(e *Encoder, version int16) {
	e.Int32(r.ReplicaID)
	if version >= 2 {
		e.Int8(r.IsolationLevel)
	}
	writeArray(e, r.Topics, version)
	if version >= 10 {
		e.Int32(r.TimeoutMs)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ListOffsetsRequest) Decode(d *Decoder, version int16) {
	*r = ListOffsetsRequest{}
	r.ReplicaID = d.Int32()
	if version >= 2 {
		r.IsolationLevel = d.Int8()
	}
	r.Topics = readArray[ListOffsetsRequestTopic](d, version)
	if version >= 10 {
		r.TimeoutMs = d.Int32()
	}
	d.Tags(&r.UnknownTags, nil)
}

func (t *ListOffsetsRequestTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *ListOffsetsRequestTopic) decode(d *Decoder, version int16) {
	*t = ListOffsetsRequestTopic{}
	t.Name = d.String()
	t.Partitions = readArray[ListOffsetsRequestTopicPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *ListOffsetsRequestTopicPartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
	if version >= 4 {
		e.Int32(p.CurrentLeaderEpoch)
	}
	e.Int64(p.Timestamp)
	if version == 0 {
		e.Int32(p.MaxNumOffsets)
	}
	e.Tags(p.UnknownTags)
}

func (p *ListOffsetsRequestTopicPartition) decode(d *Decoder, version int16) {
	*p = ListOffsetsRequestTopicPartition{CurrentLeaderEpoch: -1, MaxNumOffsets: 1}
	p.PartitionIndex = d.Int32()
	if version >= 4 {
		p.CurrentLeaderEpoch = d.Int32()
	}
	p.Timestamp = d.Int64()
	if version == 0 {
		p.MaxNumOffsets = d.Int32()
	}
	d.Tags(&p.UnknownTags, nil)
}

// ListOffsetsResponse answers a ListOffsetsRequest with an offset (and its
// timestamp and leader epoch) per partition.
type ListOffsetsResponse struct {
	ThrottleTimeMs int32 // v2+
	Topics         []ListOffsetsResponseTopic
	UnknownTags    []TaggedField
}

// ListOffsetsResponseTopic is one topic's partition results.
type ListOffsetsResponseTopic struct {
	Name        string
	Partitions  []ListOffsetsResponseTopicPartition
	UnknownTags []TaggedField
}

// ListOffsetsResponseTopicPartition is the offset found for one partition.
type ListOffsetsResponseTopicPartition struct {
	PartitionIndex  int32
	ErrorCode       int16
	OldStyleOffsets []int64 // v0 only
	Timestamp       int64   // v1+, default -1
	Offset          int64   // v1+, default -1
	LeaderEpoch     int32   // v4+, default -1
	UnknownTags     []TaggedField
}

// APIKey implements [Message].
func (*ListOffsetsResponse) APIKey() int16 { return KeyListOffsets }
func (*ListOffsetsResponse) isResponse()   {}

// Encode implements [Message].
func (r *ListOffsetsResponse) Encode(e *Encoder, version int16) {
	if version >= 2 {
		e.Int32(r.ThrottleTimeMs)
	}
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ListOffsetsResponse) Decode(d *Decoder, version int16) {
	*r = ListOffsetsResponse{}
	if version >= 2 {
		r.ThrottleTimeMs = d.Int32()
	}
	r.Topics = readArray[ListOffsetsResponseTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *ListOffsetsResponseTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *ListOffsetsResponseTopic) decode(d *Decoder, version int16) {
	*t = ListOffsetsResponseTopic{}
	t.Name = d.String()
	t.Partitions = readArray[ListOffsetsResponseTopicPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *ListOffsetsResponseTopicPartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
	e.Int16(p.ErrorCode)
	if version == 0 {
		e.Int64s(p.OldStyleOffsets)
	}
	if version >= 1 {
		e.Int64(p.Timestamp)
		e.Int64(p.Offset)
	}
	if version >= 4 {
		e.Int32(p.LeaderEpoch)
	}
	e.Tags(p.UnknownTags)
}

func (p *ListOffsetsResponseTopicPartition) decode(d *Decoder, version int16) {
	*p = ListOffsetsResponseTopicPartition{Timestamp: -1, Offset: -1, LeaderEpoch: -1}
	p.PartitionIndex = d.Int32()
	p.ErrorCode = d.Int16()
	if version == 0 {
		p.OldStyleOffsets = d.Int64s()
	}
	if version >= 1 {
		p.Timestamp = d.Int64()
		p.Offset = d.Int64()
	}
	if version >= 4 {
		p.LeaderEpoch = d.Int32()
	}
	d.Tags(&p.UnknownTags, nil)
}
