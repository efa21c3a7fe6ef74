package protocol

// OffsetDeleteRequest deletes a group's committed offsets for partitions the
// group no longer subscribes to (KIP-496); it goes to the group's
// coordinator. It has no flexible version.
type OffsetDeleteRequest struct {
	GroupID string
	Topics  []OffsetDeleteRequestTopic
}

// OffsetDeleteRequestTopic is one topic and the partitions to forget.
type OffsetDeleteRequestTopic struct {
	Name       string
	Partitions []OffsetDeleteRequestPartition
}

// OffsetDeleteRequestPartition is one partition whose offset to delete.
type OffsetDeleteRequestPartition struct {
	PartitionIndex int32
}

// APIKey implements [Message].
func (*OffsetDeleteRequest) APIKey() int16 { return KeyOffsetDelete }

// NewResponse implements [Request].
func (*OffsetDeleteRequest) NewResponse() Response { return new(OffsetDeleteResponse) }

// Encode implements [Message].
func (r *OffsetDeleteRequest) Encode(e *Encoder, version int16) {
	e.String(r.GroupID)
	writeArray(e, r.Topics, version)
}

// Decode implements [Message].
func (r *OffsetDeleteRequest) Decode(d *Decoder, version int16) {
	*r = OffsetDeleteRequest{}
	r.GroupID = d.String()
	r.Topics = readArray[OffsetDeleteRequestTopic](d, version)
}

func (t *OffsetDeleteRequestTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	writeArray(e, t.Partitions, version)
}

func (t *OffsetDeleteRequestTopic) decode(d *Decoder, version int16) {
	*t = OffsetDeleteRequestTopic{}
	t.Name = d.String()
	t.Partitions = readArray[OffsetDeleteRequestPartition](d, version)
}

func (p *OffsetDeleteRequestPartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
}

func (p *OffsetDeleteRequestPartition) decode(d *Decoder, version int16) {
	p.PartitionIndex = d.Int32()
}

// OffsetDeleteResponse gives a group-level error and one per partition.
type OffsetDeleteResponse struct {
	ErrorCode      int16
	ThrottleTimeMs int32
	Topics         []OffsetDeleteResponseTopic
}

// OffsetDeleteResponseTopic is one topic's partition results.
type OffsetDeleteResponseTopic struct {
	Name       string
	Partitions []OffsetDeleteResponsePartition
}

// OffsetDeleteResponsePartition is the outcome for one partition.
type OffsetDeleteResponsePartition struct {
	PartitionIndex int32
	ErrorCode      int16
}

// APIKey implements [Message].
func (*OffsetDeleteResponse) APIKey() int16 { return KeyOffsetDelete }
func (*OffsetDeleteResponse) isResponse()   {}

// Encode implements [Message].
func (r *OffsetDeleteResponse) Encode(e *Encoder, version int16) {
	e.Int16(r.ErrorCode)
	e.Int32(r.ThrottleTimeMs)
	writeArray(e, r.Topics, version)
}

// Decode implements [Message].
func (r *OffsetDeleteResponse) Decode(d *Decoder, version int16) {
	*r = OffsetDeleteResponse{}
	r.ErrorCode = d.Int16()
	r.ThrottleTimeMs = d.Int32()
	r.Topics = readArray[OffsetDeleteResponseTopic](d, version)
}

func (t *OffsetDeleteResponseTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	writeArray(e, t.Partitions, version)
}

func (t *OffsetDeleteResponseTopic) decode(d *Decoder, version int16) {
	*t = OffsetDeleteResponseTopic{}
	t.Name = d.String()
	t.Partitions = readArray[OffsetDeleteResponsePartition](d, version)
}

func (p *OffsetDeleteResponsePartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
	e.Int16(p.ErrorCode)
}

func (p *OffsetDeleteResponsePartition) decode(d *Decoder, version int16) {
	p.PartitionIndex = d.Int32()
	p.ErrorCode = d.Int16()
}
