package protocol

// TxnOffsetCommitRequest commits offsets for a group as part of a
// transaction: the group coordinator holds them until the transaction ends
// and makes them visible only if it commits. From v3 (KIP-447) it names the
// group member, so that the coordinator can fence a zombie producer whose
// consumer left the group.
type TxnOffsetCommitRequest struct {
	TransactionalID string
	GroupID         string
	ProducerID      int64
	ProducerEpoch   int16
	GenerationID    int32   // v3+, default -1
	MemberID        string  // v3+
	GroupInstanceID *string // v3+
	Topics          []TxnOffsetCommitRequestTopic
	UnknownTags     []TaggedField
}

// TxnOffsetCommitRequestTopic is a topic whose partitions' offsets are
// committed.
type TxnOffsetCommitRequestTopic struct {
	Name        string
	Partitions  []TxnOffsetCommitRequestTopicPartition
	UnknownTags []TaggedField
}

// TxnOffsetCommitRequestTopicPartition is one partition's offset to commit.
type TxnOffsetCommitRequestTopicPartition struct {
	PartitionIndex       int32
	CommittedOffset      int64
	CommittedLeaderEpoch int32 // v2+, default -1
	CommittedMetadata    *string
	UnknownTags          []TaggedField
}

// APIKey implements [Message].
func (*TxnOffsetCommitRequest) APIKey() int16 { return KeyTxnOffsetCommit }

// NewResponse implements [Request].
func (*TxnOffsetCommitRequest) NewResponse() Response { return new(TxnOffsetCommitResponse) }

// Encode implements [Message].
func (r *TxnOffsetCommitRequest) Encode(e *Encoder, version int16) {
	e.String(r.TransactionalID)
	e.String(r.GroupID)
	e.Int64(r.ProducerID)
	e.Int16(r.ProducerEpoch)
	if version >= 3 {
		e.Int32(r.GenerationID)
		e.String(r.MemberID)
		e.NullableString(r.GroupInstanceID)
	}
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *TxnOffsetCommitRequest) Decode(d *Decoder, version int16) {
	*r = TxnOffsetCommitRequest{GenerationID: -1}
	r.TransactionalID = d.String()
	r.GroupID = d.String()
	r.ProducerID = d.Int64()
	r.ProducerEpoch = d.Int16()
	if version >= 3 {
		r.GenerationID = d.Int32()
		r.MemberID = d.String()
		r.GroupInstanceID = d.NullableString()
	}
	r.Topics = readArray[TxnOffsetCommitRequestTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *TxnOffsetCommitRequestTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *TxnOffsetCommitRequestTopic) decode(d *Decoder, version int16) {
	*t = TxnOffsetCommitRequestTopic{}
	t.Name = d.String()
	t.Partitions = readArray[TxnOffsetCommitRequestTopicPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *TxnOffsetCommitRequestTopicPartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
	e.Int64(p.CommittedOffset)
	if version >= 2 {
		e.Int32(p.CommittedLeaderEpoch)
	}
	e.NullableString(p.CommittedMetadata)
	e.Tags(p.UnknownTags)
}

func (p *TxnOffsetCommitRequestTopicPartition) decode(d *Decoder, version int16) {
	*p = TxnOffsetCommitRequestTopicPartition{CommittedLeaderEpoch: -1}
	p.PartitionIndex = d.Int32()
	p.CommittedOffset = d.Int64()
	if version >= 2 {
		p.CommittedLeaderEpoch = d.Int32()
	}
	p.CommittedMetadata = d.NullableString()
	d.Tags(&p.UnknownTags, nil)
}

// TxnOffsetCommitResponse reports, per partition, whether the offset was
// added to the transaction.
type TxnOffsetCommitResponse struct {
	ThrottleTimeMs int32
	Topics         []TxnOffsetCommitResponseTopic
	UnknownTags    []TaggedField
}

// TxnOffsetCommitResponseTopic holds the results of one topic.
type TxnOffsetCommitResponseTopic struct {
	Name        string
	Partitions  []TxnOffsetCommitResponseTopicPartition
	UnknownTags []TaggedField
}

// TxnOffsetCommitResponseTopicPartition is one partition's result.
type TxnOffsetCommitResponseTopicPartition struct {
	PartitionIndex int32
	ErrorCode      int16
	UnknownTags    []TaggedField
}

// APIKey implements [Message].
func (*TxnOffsetCommitResponse) APIKey() int16 { return KeyTxnOffsetCommit }
func (*TxnOffsetCommitResponse) isResponse()   {}

// Encode implements [Message].
func (r *TxnOffsetCommitResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *TxnOffsetCommitResponse) Decode(d *Decoder, version int16) {
	*r = TxnOffsetCommitResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.Topics = readArray[TxnOffsetCommitResponseTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *TxnOffsetCommitResponseTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *TxnOffsetCommitResponseTopic) decode(d *Decoder, version int16) {
	*t = TxnOffsetCommitResponseTopic{}
	t.Name = d.String()
	t.Partitions = readArray[TxnOffsetCommitResponseTopicPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *TxnOffsetCommitResponseTopicPartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
	e.Int16(p.ErrorCode)
	e.Tags(p.UnknownTags)
}

func (p *TxnOffsetCommitResponseTopicPartition) decode(d *Decoder, version int16) {
	*p = TxnOffsetCommitResponseTopicPartition{}
	p.PartitionIndex = d.Int32()
	p.ErrorCode = d.Int16()
	d.Tags(&p.UnknownTags, nil)
}
