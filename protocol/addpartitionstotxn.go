package protocol

// AddPartitionsToTxnRequest adds partitions to a producer's ongoing
// transaction, before the producer writes to them. Clients send v0-v3, which
// name one transaction; brokers verifying transactions for each other send
// v4+, a batch of transactions. The schema lists Transactions first; no
// version carries both forms, so the order of the fields here does not change
// the encoding.
type AddPartitionsToTxnRequest struct {
	TransactionalID string                                 // v0-v3 (schema: V3AndBelowTransactionalId)
	ProducerID      int64                                  // v0-v3 (schema: V3AndBelowProducerId)
	ProducerEpoch   int16                                  // v0-v3 (schema: V3AndBelowProducerEpoch)
	Topics          []AddPartitionsToTxnRequestTopic       // v0-v3 (schema: V3AndBelowTopics)
	Transactions    []AddPartitionsToTxnRequestTransaction // v4+
	UnknownTags     []TaggedField
}

// AddPartitionsToTxnRequestTransaction is one transaction of a v4+ batch and
// the partitions to add to it, or to check are in it.
type AddPartitionsToTxnRequestTransaction struct {
	TransactionalID string
	ProducerID      int64
	ProducerEpoch   int16
	VerifyOnly      bool
	Topics          []AddPartitionsToTxnRequestTopic
	UnknownTags     []TaggedField
}

// AddPartitionsToTxnRequestTopic is a topic and the partitions of it to add
// to a transaction.
type AddPartitionsToTxnRequestTopic struct {
	Name        string
	Partitions  []int32
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*AddPartitionsToTxnRequest) APIKey() int16 { return KeyAddPartitionsToTxn }

// NewResponse implements [Request].
func (*AddPartitionsToTxnRequest) NewResponse() Response { return new(AddPartitionsToTxnResponse) }

// Encode implements [Message].
func (r *AddPartitionsToTxnRequest) Encode(e *Encoder, version int16) {
	if version >= 4 {
		writeArray(e, r.Transactions, version)
	} else {
		e.String(r.TransactionalID)
		e.Int64(r.ProducerID)
		e.Int16(r.ProducerEpoch)
		writeArray(e, r.Topics, version)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *AddPartitionsToTxnRequest) Decode(d *Decoder, version int16) {
	*r = AddPartitionsToTxnRequest{}
	if version >= 4 {
		r.Transactions = readArray[AddPartitionsToTxnRequestTransaction](d, version)
	} else {
		r.TransactionalID = d.String()
		r.ProducerID = d.Int64()
		r.ProducerEpoch = d.Int16()
		r.Topics = readArray[AddPartitionsToTxnRequestTopic](d, version)
	}
	d.Tags(&r.UnknownTags, nil)
}

func (t *AddPartitionsToTxnRequestTransaction) encode(e *Encoder, version int16) {
	e.String(t.TransactionalID)
	e.Int64(t.ProducerID)
	e.Int16(t.ProducerEpoch)
	e.Bool(t.VerifyOnly)
	writeArray(e, t.Topics, version)
	e.Tags(t.UnknownTags)
}

func (t *AddPartitionsToTxnRequestTransaction) decode(d *Decoder, version int16) {
	*t = AddPartitionsToTxnRequestTransaction{}
	t.TransactionalID = d.String()
	t.ProducerID = d.Int64()
	t.ProducerEpoch = d.Int16()
	t.VerifyOnly = d.Bool()
	t.Topics = readArray[AddPartitionsToTxnRequestTopic](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (t *AddPartitionsToTxnRequestTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	e.Int32s(t.Partitions)
	e.Tags(t.UnknownTags)
}

func (t *AddPartitionsToTxnRequestTopic) decode(d *Decoder, version int16) {
	*t = AddPartitionsToTxnRequestTopic{}
	t.Name = d.String()
	t.Partitions = d.Int32s()
	d.Tags(&t.UnknownTags, nil)
}

// AddPartitionsToTxnResponse reports, per partition, whether it was added to
// the transaction: for the one transaction of a v0-v3 request, or per
// transaction (v4+), with an error code for the whole request.
type AddPartitionsToTxnResponse struct {
	ThrottleTimeMs       int32
	ErrorCode            int16                                   // v4+
	ResultsByTransaction []AddPartitionsToTxnResponseTransaction // v4+
	ResultsByTopic       []AddPartitionsToTxnResponseTopic       // v0-v3 (schema: ResultsByTopicV3AndBelow)
	UnknownTags          []TaggedField
}

// AddPartitionsToTxnResponseTransaction holds the results of one transaction
// of a v4+ batch.
type AddPartitionsToTxnResponseTransaction struct {
	TransactionalID string
	TopicResults    []AddPartitionsToTxnResponseTopic
	UnknownTags     []TaggedField
}

// AddPartitionsToTxnResponseTopic holds the results of one topic.
type AddPartitionsToTxnResponseTopic struct {
	Name               string
	ResultsByPartition []AddPartitionsToTxnResponsePartition
	UnknownTags        []TaggedField
}

// AddPartitionsToTxnResponsePartition is one partition's result.
type AddPartitionsToTxnResponsePartition struct {
	PartitionIndex     int32
	PartitionErrorCode int16
	UnknownTags        []TaggedField
}

// APIKey implements [Message].
func (*AddPartitionsToTxnResponse) APIKey() int16 { return KeyAddPartitionsToTxn }
func (*AddPartitionsToTxnResponse) isResponse()   {}

// Encode implements [Message].
func (r *AddPartitionsToTxnResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	if version >= 4 {
		e.Int16(r.ErrorCode)
		writeArray(e, r.ResultsByTransaction, version)
	} else {
		writeArray(e, r.ResultsByTopic, version)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *AddPartitionsToTxnResponse) Decode(d *Decoder, version int16) {
	*r = AddPartitionsToTxnResponse{}
	r.ThrottleTimeMs = d.Int32()
	if version >= 4 {
		r.ErrorCode = d.Int16()
		r.ResultsByTransaction = readArray[AddPartitionsToTxnResponseTransaction](d, version)
	} else {
		r.ResultsByTopic = readArray[AddPartitionsToTxnResponseTopic](d, version)
	}
	d.Tags(&r.UnknownTags, nil)
}

func (t *AddPartitionsToTxnResponseTransaction) encode(e *Encoder, version int16) {
	e.String(t.TransactionalID)
	writeArray(e, t.TopicResults, version)
	e.Tags(t.UnknownTags)
}

func (t *AddPartitionsToTxnResponseTransaction) decode(d *Decoder, version int16) {
	*t = AddPartitionsToTxnResponseTransaction{}
	t.TransactionalID = d.String()
	t.TopicResults = readArray[AddPartitionsToTxnResponseTopic](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (t *AddPartitionsToTxnResponseTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	writeArray(e, t.ResultsByPartition, version)
	e.Tags(t.UnknownTags)
}

func (t *AddPartitionsToTxnResponseTopic) decode(d *Decoder, version int16) {
	*t = AddPartitionsToTxnResponseTopic{}
	t.Name = d.String()
	t.ResultsByPartition = readArray[AddPartitionsToTxnResponsePartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *AddPartitionsToTxnResponsePartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
	e.Int16(p.PartitionErrorCode)
	e.Tags(p.UnknownTags)
}

func (p *AddPartitionsToTxnResponsePartition) decode(d *Decoder, version int16) {
	*p = AddPartitionsToTxnResponsePartition{}
	p.PartitionIndex = d.Int32()
	p.PartitionErrorCode = d.Int16()
	d.Tags(&p.UnknownTags, nil)
}
