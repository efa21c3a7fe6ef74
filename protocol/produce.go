package protocol

// ProduceRequest writes record batches to partitions; partition leaders
// append them and, unless Acks is 0, answer with a ProduceResponse.
type ProduceRequest struct {
	TransactionalID *string // v3+
	Acks            int16
	TimeoutMs       int32
	TopicData       []ProduceRequestTopicData
	UnknownTags     []TaggedField
}

// ProduceRequestTopicData is one topic to produce to, by name or (v13+) by ID.
type ProduceRequestTopicData struct {
	Name          string // v0-v12
	TopicID       UUID   // v13+
	PartitionData []ProduceRequestTopicDataPartitionData
	UnknownTags   []TaggedField
}

// ProduceRequestTopicDataPartitionData is one partition's records to append.
type ProduceRequestTopicDataPartitionData struct {
	Index       int32
	Records     []byte // raw record batches (or message set before v3); nil = null
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*ProduceRequest) APIKey() int16 { return KeyProduce }

// NewResponse implements [Request].
func (*ProduceRequest) NewResponse() Response { return new(ProduceResponse) }

// Encode implements [Message].
func (r *ProduceRequest) Encode(e *Encoder, version int16) {
	if version >= 3 {
		e.NullableString(r.TransactionalID)
	}
	e.Int16(r.Acks)
	e.Int32(r.TimeoutMs)
	writeArray(e, r.TopicData, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *ProduceRequest) Decode(d *Decoder, version int16) {
	*r = ProduceRequest{}
	if version >= 3 {
		r.TransactionalID = d.NullableString()
	}
	r.Acks = d.Int16()
	r.TimeoutMs = d.Int32()
	r.TopicData = readArray[ProduceRequestTopicData](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *ProduceRequestTopicData) encode(e *Encoder, version int16) {
	if version <= 12 {
		e.String(t.Name)
	}
	if version >= 13 {
		e.UUID(t.TopicID)
	}
	writeArray(e, t.PartitionData, version)
	e.Tags(t.UnknownTags)
}

func (t *ProduceRequestTopicData) decode(d *Decoder, version int16) {
	*t = ProduceRequestTopicData{}
	if version <= 12 {
		t.Name = d.String()
	}
	if version >= 13 {
		t.TopicID = d.UUID()
	}
	t.PartitionData = readArray[ProduceRequestTopicDataPartitionData](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *ProduceRequestTopicDataPartitionData) encode(e *Encoder, version int16) {
	e.Int32(p.Index)
	e.NullableBytes(p.Records)
	e.Tags(p.UnknownTags)
}

func (p *ProduceRequestTopicDataPartitionData) decode(d *Decoder, version int16) {
	*p = ProduceRequestTopicDataPartitionData{}
	p.Index = d.Int32()
	p.Records = d.NullableBytes()
	d.Tags(&p.UnknownTags, nil)
}

// ProduceResponse reports, for each partition produced to, the offset the
// records were appended at or why they were not.
type ProduceResponse struct {
	Responses      []ProduceResponseTopic
	ThrottleTimeMs int32          // v1+
	NodeEndpoints  []NodeEndpoint // tag 0, v10+
	UnknownTags    []TaggedField
}

// ProduceResponseTopic is one topic's results, by name or (v13+) by ID.
type ProduceResponseTopic struct {
	Name               string // v0-v12
	TopicID            UUID   // v13+
	PartitionResponses []ProduceResponsePartition
	UnknownTags        []TaggedField
}

// ProduceResponsePartition is one partition's result.
type ProduceResponsePartition struct {
	Index           int32
	ErrorCode       int16
	BaseOffset      int64
	LogAppendTimeMs int64                        // v2+, default -1
	LogStartOffset  int64                        // v5+, default -1
	RecordErrors    []ProduceResponseRecordError // v8+
	ErrorMessage    *string                      // v8+
	CurrentLeader   LeaderIDAndEpoch             // tag 0, v10+
	UnknownTags     []TaggedField
}

// ProduceResponseRecordError names a record that
// caused its batch to be dropped.
type ProduceResponseRecordError struct {
	BatchIndex             int32
	BatchIndexErrorMessage *string
	UnknownTags            []TaggedField
}

// APIKey implements [Message].
func (*ProduceResponse) APIKey() int16 { return KeyProduce }
func (*ProduceResponse) isResponse()   {}

// Encode implements [Message].
func (r *ProduceResponse) Encode(e *Encoder, version int16) {
	writeArray(e, r.Responses, version)
	if version >= 1 {
		e.Int32(r.ThrottleTimeMs)
	}
	if !e.Flexible() {
		return
	}
	writeEndpoints := version >= 10 && len(r.NodeEndpoints) > 0
	n := 0
	if writeEndpoints {
		n++
	}
	e.TagCount(n, r.UnknownTags)
	if writeEndpoints {
		e.Tag(0, func(e *Encoder) { writeArray(e, r.NodeEndpoints, version) })
	}
	e.UnknownTags(r.UnknownTags)
}

// Decode implements [Message].
//
// Decode reuses r's slices (and the topics' partition slices and names),
// so that a producer decoding answer after answer into one
// ProduceResponse allocates nothing for them.
func (r *ProduceResponse) Decode(d *Decoder, version int16) {
	responses := r.Responses[:cap(r.Responses)]
	*r = ProduceResponse{}
	r.Responses = readArrayInto[ProduceResponseTopic](d, responses, version)
	if version >= 1 {
		r.ThrottleTimeMs = d.Int32()
	}
	d.Tags(&r.UnknownTags, func(tag uint32, fd *Decoder) bool {
		switch {
		case tag == 0 && version >= 10:
			r.NodeEndpoints = readArray[NodeEndpoint](fd, version)
		default:
			return false
		}
		return true
	})
}

func (t *ProduceResponseTopic) encode(e *Encoder, version int16) {
	if version <= 12 {
		e.String(t.Name)
	}
	if version >= 13 {
		e.UUID(t.TopicID)
	}
	writeArray(e, t.PartitionResponses, version)
	e.Tags(t.UnknownTags)
}

func (t *ProduceResponseTopic) decode(d *Decoder, version int16) {
	name, parts := t.Name, t.PartitionResponses[:cap(t.PartitionResponses)]
	*t = ProduceResponseTopic{}
	if version <= 12 {
		t.Name = d.stringLike(name)
	}
	if version >= 13 {
		t.TopicID = d.UUID()
	}
	t.PartitionResponses = readArrayInto[ProduceResponsePartition](d, parts, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *ProduceResponsePartition) encode(e *Encoder, version int16) {
	e.Int32(p.Index)
	e.Int16(p.ErrorCode)
	e.Int64(p.BaseOffset)
	if version >= 2 {
		e.Int64(p.LogAppendTimeMs)
	}
	if version >= 5 {
		e.Int64(p.LogStartOffset)
	}
	if version >= 8 {
		writeArray(e, p.RecordErrors, version)
		e.NullableString(p.ErrorMessage)
	}
	if !e.Flexible() {
		return
	}
	writeLeader := version >= 10 && !p.CurrentLeader.isDefault()
	n := 0
	if writeLeader {
		n++
	}
	e.TagCount(n, p.UnknownTags)
	if writeLeader {
		e.Tag(0, func(e *Encoder) { p.CurrentLeader.encode(e, version) })
	}
	e.UnknownTags(p.UnknownTags)
}

func (p *ProduceResponsePartition) decode(d *Decoder, version int16) {
	*p = ProduceResponsePartition{
		LogAppendTimeMs: -1,
		LogStartOffset:  -1,
		CurrentLeader:   LeaderIDAndEpoch{LeaderID: -1, LeaderEpoch: -1},
	}
	p.Index = d.Int32()
	p.ErrorCode = d.Int16()
	p.BaseOffset = d.Int64()
	if version >= 2 {
		p.LogAppendTimeMs = d.Int64()
	}
	if version >= 5 {
		p.LogStartOffset = d.Int64()
	}
	if version >= 8 {
		p.RecordErrors = readArray[ProduceResponseRecordError](d, version)
		p.ErrorMessage = d.NullableString()
	}
	d.Tags(&p.UnknownTags, func(tag uint32, fd *Decoder) bool {
		switch {
		case tag == 0 && version >= 10:
			p.CurrentLeader.decode(fd, version)
		default:
			return false
		}
		return true
	})
}

func (x *ProduceResponseRecordError) encode(e *Encoder, version int16) {
	e.Int32(x.BatchIndex)
	e.NullableString(x.BatchIndexErrorMessage)
	e.Tags(x.UnknownTags)
}

func (x *ProduceResponseRecordError) decode(d *Decoder, version int16) {
	*x = ProduceResponseRecordError{}
	x.BatchIndex = d.Int32()
	x.BatchIndexErrorMessage = d.NullableString()
	d.Tags(&x.UnknownTags, nil)
}
