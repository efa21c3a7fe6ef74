package protocol

// ShareAcknowledgeRequest acknowledges records acquired by ShareFetch
// without fetching more (KIP-932): on commit, or with ShareSessionEpoch -1
// to close the share session on the way out.
type ShareAcknowledgeRequest struct {
	GroupID           *string
	MemberID          *string
	ShareSessionEpoch int32
	IsRenewAck        bool // v2+
	Topics            []ShareAcknowledgeTopic
	UnknownTags       []TaggedField
}

// ShareAcknowledgeTopic is a topic, by ID, with acknowledgements.
type ShareAcknowledgeTopic struct {
	TopicID     UUID
	Partitions  []ShareAcknowledgePartition
	UnknownTags []TaggedField
}

// ShareAcknowledgePartition is one partition's acknowledgements.
type ShareAcknowledgePartition struct {
	Partition              int32
	AcknowledgementBatches []ShareAckBatch
	UnknownTags            []TaggedField
}

// APIKey implements [Message].
func (*ShareAcknowledgeRequest) APIKey() int16 { return KeyShareAcknowledge }

// NewResponse implements [Request].
func (*ShareAcknowledgeRequest) NewResponse() Response { return new(ShareAcknowledgeResponse) }

// Encode implements [Message].
func (r *ShareAcknowledgeRequest) Encode(e *Encoder, version int16) {
	e.NullableString(r.GroupID)
	e.NullableString(r.MemberID)
	e.Int32(r.ShareSessionEpoch)
	if version >= 2 {
		e.Bool(r.IsRenewAck)
	}
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ShareAcknowledgeRequest) Decode(d *Decoder, version int16) {
	*r = ShareAcknowledgeRequest{}
	r.GroupID = d.NullableString()
	r.MemberID = d.NullableString()
	r.ShareSessionEpoch = d.Int32()
	if version >= 2 {
		r.IsRenewAck = d.Bool()
	}
	r.Topics = readArray[ShareAcknowledgeTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *ShareAcknowledgeTopic) encode(e *Encoder, version int16) {
	e.UUID(t.TopicID)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *ShareAcknowledgeTopic) decode(d *Decoder, version int16) {
	*t = ShareAcknowledgeTopic{}
	t.TopicID = d.UUID()
	t.Partitions = readArray[ShareAcknowledgePartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *ShareAcknowledgePartition) encode(e *Encoder, version int16) {
	e.Int32(p.Partition)
	writeArray(e, p.AcknowledgementBatches, version)
	e.Tags(p.UnknownTags)
}

func (p *ShareAcknowledgePartition) decode(d *Decoder, version int16) {
	*p = ShareAcknowledgePartition{}
	p.Partition = d.Int32()
	p.AcknowledgementBatches = readArray[ShareAckBatch](d, version)
	d.Tags(&p.UnknownTags, nil)
}

// ShareAcknowledgeResponse gives the outcome of each partition's
// acknowledgements.
type ShareAcknowledgeResponse struct {
	ThrottleTimeMs           int32
	ErrorCode                int16
	ErrorMessage             *string
	AcquisitionLockTimeoutMs int32 // v2+
	Topics                   []ShareAcknowledgeResponseTopic
	NodeEndpoints            []NodeEndpoint
	UnknownTags              []TaggedField
}

// ShareAcknowledgeResponseTopic is a topic, by ID, of the answer.
type ShareAcknowledgeResponseTopic struct {
	TopicID     UUID
	Partitions  []ShareAcknowledgeResponsePartition
	UnknownTags []TaggedField
}

// ShareAcknowledgeResponsePartition is one partition's outcome.
type ShareAcknowledgeResponsePartition struct {
	Partition     int32
	ErrorCode     int16
	ErrorMessage  *string
	CurrentLeader LeaderIDAndEpoch
	UnknownTags   []TaggedField
}

// APIKey implements [Message].
func (*ShareAcknowledgeResponse) APIKey() int16 { return KeyShareAcknowledge }
func (*ShareAcknowledgeResponse) isResponse()   {}

// Encode implements [Message].
func (r *ShareAcknowledgeResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	e.Int16(r.ErrorCode)
	e.NullableString(r.ErrorMessage)
	if version >= 2 {
		e.Int32(r.AcquisitionLockTimeoutMs)
	}
	writeArray(e, r.Topics, version)
	writeArray(e, r.NodeEndpoints, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ShareAcknowledgeResponse) Decode(d *Decoder, version int16) {
	*r = ShareAcknowledgeResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.ErrorCode = d.Int16()
	r.ErrorMessage = d.NullableString()
	if version >= 2 {
		r.AcquisitionLockTimeoutMs = d.Int32()
	}
	r.Topics = readArray[ShareAcknowledgeResponseTopic](d, version)
	r.NodeEndpoints = readArray[NodeEndpoint](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *ShareAcknowledgeResponseTopic) encode(e *Encoder, version int16) {
	e.UUID(t.TopicID)
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *ShareAcknowledgeResponseTopic) decode(d *Decoder, version int16) {
	*t = ShareAcknowledgeResponseTopic{}
	t.TopicID = d.UUID()
	t.Partitions = readArray[ShareAcknowledgeResponsePartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *ShareAcknowledgeResponsePartition) encode(e *Encoder, version int16) {
	e.Int32(p.Partition)
	e.Int16(p.ErrorCode)
	e.NullableString(p.ErrorMessage)
	p.CurrentLeader.encode(e, version)
	e.Tags(p.UnknownTags)
}

func (p *ShareAcknowledgeResponsePartition) decode(d *Decoder, version int16) {
	*p = ShareAcknowledgeResponsePartition{}
	p.Partition = d.Int32()
	p.ErrorCode = d.Int16()
	p.ErrorMessage = d.NullableString()
	p.CurrentLeader.decode(d, version)
	d.Tags(&p.UnknownTags, nil)
}
