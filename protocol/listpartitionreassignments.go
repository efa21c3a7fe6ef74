package protocol

// ListPartitionReassignmentsRequest asks the controller for the partition
// reassignments in progress (KIP-455); a null Topics means all of them.
type ListPartitionReassignmentsRequest struct {
	TimeoutMs   int32 // default 60000
	Topics      []ListPartitionReassignmentsRequestTopic
	UnknownTags []TaggedField
}

// ListPartitionReassignmentsRequestTopic is one topic and the partitions to
// report on.
type ListPartitionReassignmentsRequestTopic struct {
	Name             string
	PartitionIndexes []int32
	UnknownTags      []TaggedField
}

// APIKey implements [Message].
func (*ListPartitionReassignmentsRequest) APIKey() int16 { return KeyListPartitionReassignments }

// NewResponse implements [Request].
func (*ListPartitionReassignmentsRequest) NewResponse() Response {
	return new(ListPartitionReassignmentsResponse)
}

// Encode implements [Message].
func (r *ListPartitionReassignmentsRequest) Encode(e *Encoder, version int16) {
	e.Int32(r.TimeoutMs)
	writeNullableArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ListPartitionReassignmentsRequest) Decode(d *Decoder, version int16) {
	*r = ListPartitionReassignmentsRequest{}
	r.TimeoutMs = d.Int32()
	r.Topics = readNullableArray[ListPartitionReassignmentsRequestTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *ListPartitionReassignmentsRequestTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	e.Int32s(t.PartitionIndexes)
	e.Tags(t.UnknownTags)
}

func (t *ListPartitionReassignmentsRequestTopic) decode(d *Decoder, version int16) {
	*t = ListPartitionReassignmentsRequestTopic{}
	t.Name = d.String()
	t.PartitionIndexes = d.Int32s()
	d.Tags(&t.UnknownTags, nil)
}

// ListPartitionReassignmentsResponse lists the ongoing reassignments.
type ListPartitionReassignmentsResponse struct {
	ThrottleTimeMs int32
	ErrorCode      int16
	ErrorMessage   *string
	Topics         []ListPartitionReassignmentsResponseTopic
	UnknownTags    []TaggedField
}

// ListPartitionReassignmentsResponseTopic is one topic's reassignments.
type ListPartitionReassignmentsResponseTopic struct {
	Name        string
	Partitions  []ListPartitionReassignmentsResponsePartition
	UnknownTags []TaggedField
}

// ListPartitionReassignmentsResponsePartition is one partition being
// reassigned: its current replicas and those being added and removed.
type ListPartitionReassignmentsResponsePartition struct {
	PartitionIndex   int32
	Replicas         []int32
	AddingReplicas   []int32
	RemovingReplicas []int32
	UnknownTags      []TaggedField
}

// APIKey implements [Message].
func (*ListPartitionReassignmentsResponse) APIKey() int16 { return KeyListPartitionReassignments }
func (*ListPartitionReassignmentsResponse) isResponse()   {}

// Encode implements [Message].
func (r *ListPartitionReassignmentsResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	e.Int16(r.ErrorCode)
	e.NullableString(r.ErrorMessage)
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ListPartitionReassignmentsResponse) Decode(d *Decoder, version int16) {
	*r = ListPartitionReassignmentsResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.ErrorCode = d.Int16()
	r.ErrorMessage = d.NullableString()
	r.Topics = readArray[ListPartitionReassignmentsResponseTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *ListPartitionReassignmentsResponseTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *ListPartitionReassignmentsResponseTopic) decode(d *Decoder, version int16) {
	*t = ListPartitionReassignmentsResponseTopic{}
	t.Name = d.String()
	t.Partitions = readArray[ListPartitionReassignmentsResponsePartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *ListPartitionReassignmentsResponsePartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
	e.Int32s(p.Replicas)
	e.Int32s(p.AddingReplicas)
	e.Int32s(p.RemovingReplicas)
	e.Tags(p.UnknownTags)
}

func (p *ListPartitionReassignmentsResponsePartition) decode(d *Decoder, version int16) {
	*p = ListPartitionReassignmentsResponsePartition{}
	p.PartitionIndex = d.Int32()
	p.Replicas = d.Int32s()
	p.AddingReplicas = d.Int32s()
	p.RemovingReplicas = d.Int32s()
	d.Tags(&p.UnknownTags, nil)
}
