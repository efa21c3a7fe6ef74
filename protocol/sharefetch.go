package protocol

// ShareFetchRequest acquires records of share-group partitions from their
// leader (KIP-932) within a share session, and may carry acknowledgements of
// records acquired before (piggy-backed). ShareSessionEpoch is 0 to open a
// session, -1 to close it, and otherwise the epoch the previous answer left.
// In an incremental request (epoch > 0) Topics adds partitions to the
// session and ForgottenTopicsData removes some.
type ShareFetchRequest struct {
	GroupID             *string
	MemberID            *string
	ShareSessionEpoch   int32
	MaxWaitMs           int32
	MinBytes            int32
	MaxBytes            int32 // default 0x7fffffff
	MaxRecords          int32 // v1+
	BatchSize           int32 // v1+
	ShareAcquireMode    int8  // v2+: 0 batch-optimized, 1 record-limit
	IsRenewAck          bool  // v2+
	Topics              []ShareFetchTopic
	ForgottenTopicsData []ShareGroupTopicPartitions
	UnknownTags         []TaggedField
}

// ShareFetchTopic is a topic, by ID, of a ShareFetch request.
type ShareFetchTopic struct {
	TopicID     UUID
	Partitions  []ShareFetchPartition
	UnknownTags []TaggedField
}

// ShareFetchPartition is a partition to fetch and/or acknowledge.
type ShareFetchPartition struct {
	Partition              int32
	PartitionMaxBytes      int32 // v0 only
	AcknowledgementBatches []ShareAckBatch
	UnknownTags            []TaggedField
}

// Acknowledgement types of a [ShareAckBatch].
const (
	ShareAckGap     int8 = 0 // an offset that is no record (a control record, a compacted gap)
	ShareAckAccept  int8 = 1 // processed: never deliver again
	ShareAckRelease int8 = 2 // deliver again, to any member
	ShareAckReject  int8 = 3 // unprocessable: never deliver again
	ShareAckRenew   int8 = 4 // v2+: extend the acquisition lock
)

// ShareAckBatch acknowledges the offsets FirstOffset to LastOffset
// (inclusive): AcknowledgeTypes holds one type for the whole range, or one
// per offset.
type ShareAckBatch struct {
	FirstOffset      int64
	LastOffset       int64
	AcknowledgeTypes []int8
	UnknownTags      []TaggedField
}

func (b *ShareAckBatch) encode(e *Encoder, version int16) {
	e.Int64(b.FirstOffset)
	e.Int64(b.LastOffset)
	e.ArrayLen(len(b.AcknowledgeTypes))
	for _, t := range b.AcknowledgeTypes {
		e.Int8(t)
	}
	e.Tags(b.UnknownTags)
}

func (b *ShareAckBatch) decode(d *Decoder, version int16) {
	*b = ShareAckBatch{}
	b.FirstOffset = d.Int64()
	b.LastOffset = d.Int64()
	// One byte each: the count is checked against the bytes that remain
	// before anything is allocated.
	b.AcknowledgeTypes = make([]int8, d.fixedArrayLen(1))
	for i := range b.AcknowledgeTypes {
		b.AcknowledgeTypes[i] = d.Int8()
	}
	d.Tags(&b.UnknownTags, nil)
}

// APIKey implements [Message].
func (*ShareFetchRequest) APIKey() int16 { return KeyShareFetch }

// NewResponse implements [Request].
func (*ShareFetchRequest) NewResponse() Response { return new(ShareFetchResponse) }

// Encode implements [Message].
func (r *ShareFetchRequest) Encode(e *Encoder, version int16) {
	e.NullableString(r.GroupID)
	e.NullableString(r.MemberID)
	e.Int32(r.ShareSessionEpoch)
	e.Int32(r.MaxWaitMs)
	e.Int32(r.MinBytes)
	e.Int32(r.MaxBytes)
	if version >= 1 {
		e.Int32(r.MaxRecords)
		e.Int32(r.BatchSize)
	}
	if version >= 2 {
		e.Int8(r.ShareAcquireMode)
		e.Bool(r.IsRenewAck)
	}
	writeArray(e, r.Topics, version)
	writeArray(e, r.ForgottenTopicsData, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ShareFetchRequest) Decode(d *Decoder, version int16) {
	*r = ShareFetchRequest{}
	r.GroupID = d.NullableString()
	r.MemberID = d.NullableString()
	r.ShareSessionEpoch = d.Int32()
	r.MaxWaitMs = d.Int32()
	r.MinBytes = d.Int32()
	r.MaxBytes = d.Int32()
	if version >= 1 {
		r.MaxRecords = d.Int32()
		r.BatchSize = d.Int32()
	}
	if version >= 2 {
		r.ShareAcquireMode = d.Int8()
		r.IsRenewAck = d.Bool()
	}
	r.Topics = readArray[ShareFetchTopic](d, version)
	r.ForgottenTopicsData = readArray[ShareGroupTopicPartitions](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *ShareFetchTopic) encode(e *Encoder, version int16) {
	e.UUID(t.TopicID)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *ShareFetchTopic) decode(d *Decoder, version int16) {
	*t = ShareFetchTopic{}
	t.TopicID = d.UUID()
	t.Partitions = readArray[ShareFetchPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *ShareFetchPartition) encode(e *Encoder, version int16) {
	e.Int32(p.Partition)
	if version == 0 {
		e.Int32(p.PartitionMaxBytes)
	}
	writeArray(e, p.AcknowledgementBatches, version)
	e.Tags(p.UnknownTags)
}

func (p *ShareFetchPartition) decode(d *Decoder, version int16) {
	*p = ShareFetchPartition{}
	p.Partition = d.Int32()
	if version == 0 {
		p.PartitionMaxBytes = d.Int32()
	}
	p.AcknowledgementBatches = readArray[ShareAckBatch](d, version)
	d.Tags(&p.UnknownTags, nil)
}

// ShareFetchResponse answers a ShareFetch: per partition the records (whole
// batches, which may hold records not acquired) and the offset ranges
// actually acquired, with their delivery counts, and the outcome of any
// acknowledgements the request carried.
type ShareFetchResponse struct {
	ThrottleTimeMs           int32
	ErrorCode                int16
	ErrorMessage             *string
	AcquisitionLockTimeoutMs int32 // v1+
	Topics                   []ShareFetchResponseTopic
	NodeEndpoints            []NodeEndpoint
	UnknownTags              []TaggedField
}

// ShareFetchResponseTopic is a topic, by ID, of a ShareFetch answer.
type ShareFetchResponseTopic struct {
	TopicID     UUID
	Partitions  []ShareFetchResponsePartition
	UnknownTags []TaggedField
}

// ShareFetchResponsePartition is the answer for one partition.
type ShareFetchResponsePartition struct {
	Partition               int32
	ErrorCode               int16
	ErrorMessage            *string
	AcknowledgeErrorCode    int16
	AcknowledgeErrorMessage *string
	CurrentLeader           LeaderIDAndEpoch
	Records                 []byte // nullable
	AcquiredRecords         []ShareAcquiredRecords
	UnknownTags             []TaggedField
}

// ShareAcquiredRecords is a range of offsets (inclusive) acquired by the
// member, delivered DeliveryCount times so far (this time included).
type ShareAcquiredRecords struct {
	FirstOffset   int64
	LastOffset    int64
	DeliveryCount int16
	UnknownTags   []TaggedField
}

// APIKey implements [Message].
func (*ShareFetchResponse) APIKey() int16 { return KeyShareFetch }
func (*ShareFetchResponse) isResponse()   {}

// Encode implements [Message].
func (r *ShareFetchResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	e.Int16(r.ErrorCode)
	e.NullableString(r.ErrorMessage)
	if version >= 1 {
		e.Int32(r.AcquisitionLockTimeoutMs)
	}
	writeArray(e, r.Topics, version)
	writeArray(e, r.NodeEndpoints, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ShareFetchResponse) Decode(d *Decoder, version int16) {
	*r = ShareFetchResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.ErrorCode = d.Int16()
	r.ErrorMessage = d.NullableString()
	if version >= 1 {
		r.AcquisitionLockTimeoutMs = d.Int32()
	}
	r.Topics = readArray[ShareFetchResponseTopic](d, version)
	r.NodeEndpoints = readArray[NodeEndpoint](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *ShareFetchResponseTopic) encode(e *Encoder, version int16) {
	e.UUID(t.TopicID)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *ShareFetchResponseTopic) decode(d *Decoder, version int16) {
	*t = ShareFetchResponseTopic{}
	t.TopicID = d.UUID()
	t.Partitions = readArray[ShareFetchResponsePartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *ShareFetchResponsePartition) encode(e *Encoder, version int16) {
	e.Int32(p.Partition)
	e.Int16(p.ErrorCode)
	e.NullableString(p.ErrorMessage)
	e.Int16(p.AcknowledgeErrorCode)
	e.NullableString(p.AcknowledgeErrorMessage)
	p.CurrentLeader.encode(e, version)
	e.NullableBytes(p.Records)
	writeArray(e, p.AcquiredRecords, version)
	e.Tags(p.UnknownTags)
}

func (p *ShareFetchResponsePartition) decode(d *Decoder, version int16) {
	*p = ShareFetchResponsePartition{}
	p.Partition = d.Int32()
	p.ErrorCode = d.Int16()
	p.ErrorMessage = d.NullableString()
	p.AcknowledgeErrorCode = d.Int16()
	p.AcknowledgeErrorMessage = d.NullableString()
	p.CurrentLeader.decode(d, version)
	p.Records = d.NullableBytes()
	p.AcquiredRecords = readArray[ShareAcquiredRecords](d, version)
	d.Tags(&p.UnknownTags, nil)
}

func (a *ShareAcquiredRecords) encode(e *Encoder, version int16) {
	e.Int64(a.FirstOffset)
	e.Int64(a.LastOffset)
	e.Int16(a.DeliveryCount)
	e.Tags(a.UnknownTags)
}

func (a *ShareAcquiredRecords) decode(d *Decoder, version int16) {
	*a = ShareAcquiredRecords{}
	a.FirstOffset = d.Int64()
	a.LastOffset = d.Int64()
	a.DeliveryCount = d.Int16()
	d.Tags(&a.UnknownTags, nil)
}
