package protocol

// Election types of ElectLeaders (v1+).
const (
	ElectPreferred int8 = 0 // move leadership to the first replica
	ElectUnclean   int8 = 1 // elect an out-of-sync replica if none in sync
)

// ElectLeadersRequest asks the controller to elect leaders for partitions;
// a null TopicPartitions means every partition.
type ElectLeadersRequest struct {
	ElectionType    int8 // v1+
	TopicPartitions []ElectLeadersRequestTopic
	TimeoutMs       int32 // default 60000
	UnknownTags     []TaggedField
}

// ElectLeadersRequestTopic is one topic and the partitions to elect for.
type ElectLeadersRequestTopic struct {
	Topic       string
	Partitions  []int32
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*ElectLeadersRequest) APIKey() int16 { return KeyElectLeaders }

// NewResponse implements [Request].
func (*ElectLeadersRequest) NewResponse() Response { return new(ElectLeadersResponse) }

// Encode implements [Message].
func (r *ElectLeadersRequest) Encode(e *Encoder, version int16) {
	if version >= 1 {
		e.Int8(r.ElectionType)
	}
	writeNullableArray(e, r.TopicPartitions, version)
	e.Int32(r.TimeoutMs)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ElectLeadersRequest) Decode(d *Decoder, version int16) {
	*r = ElectLeadersRequest{TimeoutMs: 60000}
	if version >= 1 {
		r.ElectionType = d.Int8()
	}
	r.TopicPartitions = readNullableArray[ElectLeadersRequestTopic](d, version)
	r.TimeoutMs = d.Int32()
	d.Tags(&r.UnknownTags, nil)
}

func (t *ElectLeadersRequestTopic) encode(e *Encoder, version int16) {
	e.String(t.Topic)
	e.Int32s(t.Partitions)
	e.Tags(t.UnknownTags)
}

func (t *ElectLeadersRequestTopic) decode(d *Decoder, version int16) {
	*t = ElectLeadersRequestTopic{}
	t.Topic = d.String()
	t.Partitions = d.Int32s()
	d.Tags(&t.UnknownTags, nil)
}

// ElectLeadersResponse gives the outcome per partition.
type ElectLeadersResponse struct {
	ThrottleTimeMs         int32
	ErrorCode              int16 // v1+
	ReplicaElectionResults []ElectLeadersResponseTopic
	UnknownTags            []TaggedField
}

// ElectLeadersResponseTopic is one topic's partition results.
type ElectLeadersResponseTopic struct {
	Topic           string
	PartitionResult []ElectLeadersResponsePartition
	UnknownTags     []TaggedField
}

// ElectLeadersResponsePartition is the outcome for one partition.
type ElectLeadersResponsePartition struct {
	PartitionID  int32
	ErrorCode    int16
	ErrorMessage *string
	UnknownTags  []TaggedField
}

// APIKey implements [Message].
func (*ElectLeadersResponse) APIKey() int16 { return KeyElectLeaders }
func (*ElectLeadersResponse) isResponse()   {}

// Encode implements [Message].
func (r *ElectLeadersResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	if version >= 1 {
		e.Int16(r.ErrorCode)
	}
	writeArray(e, r.ReplicaElectionResults, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ElectLeadersResponse) Decode(d *Decoder, version int16) {
	*r = ElectLeadersResponse{}
	r.ThrottleTimeMs = d.Int32()
	if version >= 1 {
		r.ErrorCode = d.Int16()
	}
	r.ReplicaElectionResults = readArray[ElectLeadersResponseTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *ElectLeadersResponseTopic) encode(e *Encoder, version int16) {
	e.String(t.Topic)
	writeArray(e, t.PartitionResult, version)
	e.Tags(t.UnknownTags)
}

func (t *ElectLeadersResponseTopic) decode(d *Decoder, version int16) {
	*t = ElectLeadersResponseTopic{}
	t.Topic = d.String()
	t.PartitionResult = readArray[ElectLeadersResponsePartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *ElectLeadersResponsePartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionID)
	e.Int16(p.ErrorCode)
	e.NullableString(p.ErrorMessage)
	e.Tags(p.UnknownTags)
}

func (p *ElectLeadersResponsePartition) decode(d *Decoder, version int16) {
	*p = ElectLeadersResponsePartition{}
	p.PartitionID = d.Int32()
	p.ErrorCode = d.Int16()
	p.ErrorMessage = d.NullableString()
	d.Tags(&p.UnknownTags, nil)
}
