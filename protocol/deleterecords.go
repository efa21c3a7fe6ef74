package protocol

// DeleteRecordsRequest deletes the records of partitions below given offsets
// by advancing their log start offsets.
type DeleteRecordsRequest struct {
	Topics      []DeleteRecordsRequestTopic
	TimeoutMs   int32
	UnknownTags []TaggedField
}

// DeleteRecordsRequestTopic is one topic whose partitions are truncated.
type DeleteRecordsRequestTopic struct {
	Name        string
	Partitions  []DeleteRecordsRequestTopicPartition
	UnknownTags []TaggedField
}

// DeleteRecordsRequestTopicPartition is one partition and the offset to delete up to.
type DeleteRecordsRequestTopicPartition struct {
	PartitionIndex int32
	Offset         int64
	UnknownTags    []TaggedField
}

// APIKey implements [Message].
func (*DeleteRecordsRequest) APIKey() int16 { return KeyDeleteRecords }

// NewResponse implements [Request].
func (*DeleteRecordsRequest) NewResponse() Response { return new(DeleteRecordsResponse) }

// Encode implements [Message].
func (r *DeleteRecordsRequest) Encode(e *Encoder, version int16) {
	writeArray(e, r.Topics, version)
	e.Int32(r.TimeoutMs)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DeleteRecordsRequest) Decode(d *Decoder, version int16) {
	*r = DeleteRecordsRequest{}
	r.Topics = readArray[DeleteRecordsRequestTopic](d, version)
	r.TimeoutMs = d.Int32()
	d.Tags(&r.UnknownTags, nil)
}

func (t *DeleteRecordsRequestTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *DeleteRecordsRequestTopic) decode(d *Decoder, version int16) {
	*t = DeleteRecordsRequestTopic{}
	t.Name = d.String()
	t.Partitions = readArray[DeleteRecordsRequestTopicPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *DeleteRecordsRequestTopicPartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
	e.Int64(p.Offset)
	e.Tags(p.UnknownTags)
}

func (p *DeleteRecordsRequestTopicPartition) decode(d *Decoder, version int16) {
	*p = DeleteRecordsRequestTopicPartition{}
	p.PartitionIndex = d.Int32()
	p.Offset = d.Int64()
	d.Tags(&p.UnknownTags, nil)
}

// DeleteRecordsResponse gives each partition's new low watermark (log start
// offset) or the error that prevented the deletion.
type DeleteRecordsResponse struct {
	ThrottleTimeMs int32
	Topics         []DeleteRecordsResponseTopic
	UnknownTags    []TaggedField
}

// DeleteRecordsResponseTopic is one topic's partition results.
type DeleteRecordsResponseTopic struct {
	Name        string
	Partitions  []DeleteRecordsResponseTopicPartition
	UnknownTags []TaggedField
}

// DeleteRecordsResponseTopicPartition is the outcome for one partition.
type DeleteRecordsResponseTopicPartition struct {
	PartitionIndex int32
	LowWatermark   int64
	ErrorCode      int16
	UnknownTags    []TaggedField
}

// APIKey implements [Message].
func (*DeleteRecordsResponse) APIKey() int16 { return KeyDeleteRecords }
func (*DeleteRecordsResponse) isResponse()   {}

// Encode implements [Message].
func (r *DeleteRecordsResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DeleteRecordsResponse) Decode(d *Decoder, version int16) {
	*r = DeleteRecordsResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.Topics = readArray[DeleteRecordsResponseTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *DeleteRecordsResponseTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *DeleteRecordsResponseTopic) decode(d *Decoder, version int16) {
	*t = DeleteRecordsResponseTopic{}
	t.Name = d.String()
	t.Partitions = readArray[DeleteRecordsResponseTopicPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *DeleteRecordsResponseTopicPartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
	e.Int64(p.LowWatermark)
	e.Int16(p.ErrorCode)
	e.Tags(p.UnknownTags)
}

func (p *DeleteRecordsResponseTopicPartition) decode(d *Decoder, version int16) {
	*p = DeleteRecordsResponseTopicPartition{}
	p.PartitionIndex = d.Int32()
	p.LowWatermark = d.Int64()
	p.ErrorCode = d.Int16()
	d.Tags(&p.UnknownTags, nil)
}
