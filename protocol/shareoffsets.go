package protocol

// The share-group offset admin APIs (KIP-932): a share group's start offset
// per partition (SPSO, the first offset not yet acknowledged for good) can be
// described, altered (while the group is empty) and deleted.

// DescribeShareGroupOffsetsRequest asks for the start offsets of share
// groups.
type DescribeShareGroupOffsetsRequest struct {
	Groups      []DescribeShareGroupOffsetsGroup
	UnknownTags []TaggedField
}

// DescribeShareGroupOffsetsGroup is a group and its topics; null Topics asks
// for every partition the group has state for.
type DescribeShareGroupOffsetsGroup struct {
	GroupID     string
	Topics      []ShareOffsetsTopicPartitions // nullable
	UnknownTags []TaggedField
}

// ShareOffsetsTopicPartitions is a topic, by name, and some partitions.
type ShareOffsetsTopicPartitions struct {
	Topic       string
	Partitions  []int32
	UnknownTags []TaggedField
}

func (t *ShareOffsetsTopicPartitions) encode(e *Encoder, version int16) {
	e.String(t.Topic)
	e.Int32s(t.Partitions)
	e.Tags(t.UnknownTags)
}

func (t *ShareOffsetsTopicPartitions) decode(d *Decoder, version int16) {
	*t = ShareOffsetsTopicPartitions{}
	t.Topic = d.String()
	t.Partitions = d.Int32s()
	d.Tags(&t.UnknownTags, nil)
}

// APIKey implements [Message].
func (*DescribeShareGroupOffsetsRequest) APIKey() int16 { return KeyDescribeShareGroupOffsets }

// NewResponse implements [Request].
func (*DescribeShareGroupOffsetsRequest) NewResponse() Response {
	return new(DescribeShareGroupOffsetsResponse)
}

// Encode implements [Message].
func (r *DescribeShareGroupOffsetsRequest) Encode(e *Encoder, version int16) {
	writeArray(e, r.Groups, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DescribeShareGroupOffsetsRequest) Decode(d *Decoder, version int16) {
	*r = DescribeShareGroupOffsetsRequest{}
	r.Groups = readArray[DescribeShareGroupOffsetsGroup](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (g *DescribeShareGroupOffsetsGroup) encode(e *Encoder, version int16) {
	e.String(g.GroupID)
	writeNullableArray(e, g.Topics, version)
	e.Tags(g.UnknownTags)
}

func (g *DescribeShareGroupOffsetsGroup) decode(d *Decoder, version int16) {
	*g = DescribeShareGroupOffsetsGroup{}
	g.GroupID = d.String()
	g.Topics = readNullableArray[ShareOffsetsTopicPartitions](d, version)
	d.Tags(&g.UnknownTags, nil)
}

// DescribeShareGroupOffsetsResponse gives each group's start offsets.
type DescribeShareGroupOffsetsResponse struct {
	ThrottleTimeMs int32
	Groups         []DescribeShareGroupOffsetsResponseGroup
	UnknownTags    []TaggedField
}

// DescribeShareGroupOffsetsResponseGroup is one group's answer.
type DescribeShareGroupOffsetsResponseGroup struct {
	GroupID      string
	Topics       []DescribeShareGroupOffsetsResponseTopic
	ErrorCode    int16
	ErrorMessage *string
	UnknownTags  []TaggedField
}

// DescribeShareGroupOffsetsResponseTopic is a topic, by name and ID.
type DescribeShareGroupOffsetsResponseTopic struct {
	Topic       string
	TopicID     UUID
	Partitions  []DescribeShareGroupOffsetsResponsePartition
	UnknownTags []TaggedField
}

// DescribeShareGroupOffsetsResponsePartition is one partition's start
// offset (-1 if the group has none).
type DescribeShareGroupOffsetsResponsePartition struct {
	Partition    int32
	StartOffset  int64
	LeaderEpoch  int32
	Lag          int64 // v1+, default -1
	ErrorCode    int16
	ErrorMessage *string
	UnknownTags  []TaggedField
}

// APIKey implements [Message].
func (*DescribeShareGroupOffsetsResponse) APIKey() int16 { return KeyDescribeShareGroupOffsets }
func (*DescribeShareGroupOffsetsResponse) isResponse()   {}

// Encode implements [Message].
func (r *DescribeShareGroupOffsetsResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	writeArray(e, r.Groups, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DescribeShareGroupOffsetsResponse) Decode(d *Decoder, version int16) {
	*r = DescribeShareGroupOffsetsResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.Groups = readArray[DescribeShareGroupOffsetsResponseGroup](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (g *DescribeShareGroupOffsetsResponseGroup) encode(e *Encoder, version int16) {
	e.String(g.GroupID)
	writeArray(e, g.Topics, version)
	e.Int16(g.ErrorCode)
	e.NullableString(g.ErrorMessage)
	e.Tags(g.UnknownTags)
}

func (g *DescribeShareGroupOffsetsResponseGroup) decode(d *Decoder, version int16) {
	*g = DescribeShareGroupOffsetsResponseGroup{}
	g.GroupID = d.String()
	g.Topics = readArray[DescribeShareGroupOffsetsResponseTopic](d, version)
	g.ErrorCode = d.Int16()
	g.ErrorMessage = d.NullableString()
	d.Tags(&g.UnknownTags, nil)
}

func (t *DescribeShareGroupOffsetsResponseTopic) encode(e *Encoder, version int16) {
	e.String(t.Topic)
	e.UUID(t.TopicID)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *DescribeShareGroupOffsetsResponseTopic) decode(d *Decoder, version int16) {
	*t = DescribeShareGroupOffsetsResponseTopic{}
	t.Topic = d.String()
	t.TopicID = d.UUID()
	t.Partitions = readArray[DescribeShareGroupOffsetsResponsePartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *DescribeShareGroupOffsetsResponsePartition) encode(e *Encoder, version int16) {
	e.Int32(p.Partition)
	e.Int64(p.StartOffset)
	e.Int32(p.LeaderEpoch)
	if version >= 1 {
		e.Int64(p.Lag)
	}
	e.Int16(p.ErrorCode)
	e.NullableString(p.ErrorMessage)
	e.Tags(p.UnknownTags)
}

func (p *DescribeShareGroupOffsetsResponsePartition) decode(d *Decoder, version int16) {
	*p = DescribeShareGroupOffsetsResponsePartition{Lag: -1}
	p.Partition = d.Int32()
	p.StartOffset = d.Int64()
	p.LeaderEpoch = d.Int32()
	if version >= 1 {
		p.Lag = d.Int64()
	}
	p.ErrorCode = d.Int16()
	p.ErrorMessage = d.NullableString()
	d.Tags(&p.UnknownTags, nil)
}

// AlterShareGroupOffsetsRequest sets an empty share group's start offsets.
type AlterShareGroupOffsetsRequest struct {
	GroupID     string
	Topics      []AlterShareGroupOffsetsTopic
	UnknownTags []TaggedField
}

// AlterShareGroupOffsetsTopic is a topic, by name, and its new offsets.
type AlterShareGroupOffsetsTopic struct {
	Topic       string
	Partitions  []AlterShareGroupOffsetsPartition
	UnknownTags []TaggedField
}

// AlterShareGroupOffsetsPartition is a partition and its new start offset.
type AlterShareGroupOffsetsPartition struct {
	Partition   int32
	StartOffset int64
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*AlterShareGroupOffsetsRequest) APIKey() int16 { return KeyAlterShareGroupOffsets }

// NewResponse implements [Request].
func (*AlterShareGroupOffsetsRequest) NewResponse() Response {
	return new(AlterShareGroupOffsetsResponse)
}

// Encode implements [Message].
func (r *AlterShareGroupOffsetsRequest) Encode(e *Encoder, version int16) {
	e.String(r.GroupID)
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *AlterShareGroupOffsetsRequest) Decode(d *Decoder, version int16) {
	*r = AlterShareGroupOffsetsRequest{}
	r.GroupID = d.String()
	r.Topics = readArray[AlterShareGroupOffsetsTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *AlterShareGroupOffsetsTopic) encode(e *Encoder, version int16) {
	e.String(t.Topic)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *AlterShareGroupOffsetsTopic) decode(d *Decoder, version int16) {
	*t = AlterShareGroupOffsetsTopic{}
	t.Topic = d.String()
	t.Partitions = readArray[AlterShareGroupOffsetsPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *AlterShareGroupOffsetsPartition) encode(e *Encoder, version int16) {
	e.Int32(p.Partition)
	e.Int64(p.StartOffset)
	e.Tags(p.UnknownTags)
}

func (p *AlterShareGroupOffsetsPartition) decode(d *Decoder, version int16) {
	*p = AlterShareGroupOffsetsPartition{}
	p.Partition = d.Int32()
	p.StartOffset = d.Int64()
	d.Tags(&p.UnknownTags, nil)
}

// AlterShareGroupOffsetsResponse gives each partition's outcome.
type AlterShareGroupOffsetsResponse struct {
	ThrottleTimeMs int32
	ErrorCode      int16
	ErrorMessage   *string
	Topics         []AlterShareGroupOffsetsResponseTopic
	UnknownTags    []TaggedField
}

// AlterShareGroupOffsetsResponseTopic is a topic, by name and ID.
type AlterShareGroupOffsetsResponseTopic struct {
	Topic       string
	TopicID     UUID
	Partitions  []ShareOffsetsPartitionError
	UnknownTags []TaggedField
}

// ShareOffsetsPartitionError is one partition's outcome.
type ShareOffsetsPartitionError struct {
	Partition    int32
	ErrorCode    int16
	ErrorMessage *string
	UnknownTags  []TaggedField
}

func (p *ShareOffsetsPartitionError) encode(e *Encoder, version int16) {
	e.Int32(p.Partition)
	e.Int16(p.ErrorCode)
	e.NullableString(p.ErrorMessage)
	e.Tags(p.UnknownTags)
}

func (p *ShareOffsetsPartitionError) decode(d *Decoder, version int16) {
	*p = ShareOffsetsPartitionError{}
	p.Partition = d.Int32()
	p.ErrorCode = d.Int16()
	p.ErrorMessage = d.NullableString()
	d.Tags(&p.UnknownTags, nil)
}

// APIKey implements [Message].
func (*AlterShareGroupOffsetsResponse) APIKey() int16 { return KeyAlterShareGroupOffsets }
func (*AlterShareGroupOffsetsResponse) isResponse()   {}

// Encode implements [Message].
func (r *AlterShareGroupOffsetsResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	e.Int16(r.ErrorCode)
	e.NullableString(r.ErrorMessage)
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *AlterShareGroupOffsetsResponse) Decode(d *Decoder, version int16) {
	*r = AlterShareGroupOffsetsResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.ErrorCode = d.Int16()
	r.ErrorMessage = d.NullableString()
	r.Topics = readArray[AlterShareGroupOffsetsResponseTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *AlterShareGroupOffsetsResponseTopic) encode(e *Encoder, version int16) {
	e.String(t.Topic)
	e.UUID(t.TopicID)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *AlterShareGroupOffsetsResponseTopic) decode(d *Decoder, version int16) {
	*t = AlterShareGroupOffsetsResponseTopic{}
	t.Topic = d.String()
	t.TopicID = d.UUID()
	t.Partitions = readArray[ShareOffsetsPartitionError](d, version)
	d.Tags(&t.UnknownTags, nil)
}

// DeleteShareGroupOffsetsRequest deletes an empty share group's state for
// whole topics.
type DeleteShareGroupOffsetsRequest struct {
	GroupID     string
	Topics      []DeleteShareGroupOffsetsTopic
	UnknownTags []TaggedField
}

// DeleteShareGroupOffsetsTopic names a topic.
type DeleteShareGroupOffsetsTopic struct {
	Topic       string
	UnknownTags []TaggedField
}

func (t *DeleteShareGroupOffsetsTopic) encode(e *Encoder, version int16) {
	e.String(t.Topic)
	e.Tags(t.UnknownTags)
}

func (t *DeleteShareGroupOffsetsTopic) decode(d *Decoder, version int16) {
	*t = DeleteShareGroupOffsetsTopic{}
	t.Topic = d.String()
	d.Tags(&t.UnknownTags, nil)
}

// APIKey implements [Message].
func (*DeleteShareGroupOffsetsRequest) APIKey() int16 { return KeyDeleteShareGroupOffsets }

// NewResponse implements [Request].
func (*DeleteShareGroupOffsetsRequest) NewResponse() Response {
	return new(DeleteShareGroupOffsetsResponse)
}

// Encode implements [Message].
func (r *DeleteShareGroupOffsetsRequest) Encode(e *Encoder, version int16) {
	e.String(r.GroupID)
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DeleteShareGroupOffsetsRequest) Decode(d *Decoder, version int16) {
	*r = DeleteShareGroupOffsetsRequest{}
	r.GroupID = d.String()
	r.Topics = readArray[DeleteShareGroupOffsetsTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

// DeleteShareGroupOffsetsResponse gives each topic's outcome.
type DeleteShareGroupOffsetsResponse struct {
	ThrottleTimeMs int32
	ErrorCode      int16
	ErrorMessage   *string
	Topics         []DeleteShareGroupOffsetsResponseTopic
	UnknownTags    []TaggedField
}

// DeleteShareGroupOffsetsResponseTopic is one topic's outcome.
type DeleteShareGroupOffsetsResponseTopic struct {
	Topic        string
	TopicID      UUID
	ErrorCode    int16
	ErrorMessage *string
	UnknownTags  []TaggedField
}

func (t *DeleteShareGroupOffsetsResponseTopic) encode(e *Encoder, version int16) {
	e.String(t.Topic)
	e.UUID(t.TopicID)
	e.Int16(t.ErrorCode)
	e.NullableString(t.ErrorMessage)
	e.Tags(t.UnknownTags)
}

func (t *DeleteShareGroupOffsetsResponseTopic) decode(d *Decoder, version int16) {
	*t = DeleteShareGroupOffsetsResponseTopic{}
	t.Topic = d.String()
	t.TopicID = d.UUID()
	t.ErrorCode = d.Int16()
	t.ErrorMessage = d.NullableString()
	d.Tags(&t.UnknownTags, nil)
}

// APIKey implements [Message].
func (*DeleteShareGroupOffsetsResponse) APIKey() int16 { return KeyDeleteShareGroupOffsets }
func (*DeleteShareGroupOffsetsResponse) isResponse()   {}

// Encode implements [Message].
func (r *DeleteShareGroupOffsetsResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	e.Int16(r.ErrorCode)
	e.NullableString(r.ErrorMessage)
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DeleteShareGroupOffsetsResponse) Decode(d *Decoder, version int16) {
	*r = DeleteShareGroupOffsetsResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.ErrorCode = d.Int16()
	r.ErrorMessage = d.NullableString()
	r.Topics = readArray[DeleteShareGroupOffsetsResponseTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}
