package protocol

// CreatePartitionsRequest asks the controller to raise the partition count of
// topics, optionally placing the new partitions' replicas.
type CreatePartitionsRequest struct {
	Topics       []CreatePartitionsRequestTopic
	TimeoutMs    int32
	ValidateOnly bool
	UnknownTags  []TaggedField
}

// CreatePartitionsRequestTopic is one topic to grow.
type CreatePartitionsRequestTopic struct {
	Name        string
	Count       int32
	Assignments []CreatePartitionsRequestTopicAssignment // nullable
	UnknownTags []TaggedField
}

// CreatePartitionsRequestTopicAssignment lists the brokers of one new
// partition's replicas.
type CreatePartitionsRequestTopicAssignment struct {
	BrokerIDs   []int32
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*CreatePartitionsRequest) APIKey() int16 { return KeyCreatePartitions }

// NewResponse implements [Request].
func (*CreatePartitionsRequest) NewResponse() Response { return new(CreatePartitionsResponse) }

// Encode implements [Message].
func (r *CreatePartitionsRequest) Encode(e *Encoder, version int16) {
	writeArray(e, r.Topics, version)
	e.Int32(r.TimeoutMs)
	e.Bool(r.ValidateOnly)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *CreatePartitionsRequest) Decode(d *Decoder, version int16) {
	*r = CreatePartitionsRequest{}
	r.Topics = readArray[CreatePartitionsRequestTopic](d, version)
	r.TimeoutMs = d.Int32()
	r.ValidateOnly = d.Bool()
	d.Tags(&r.UnknownTags, nil)
}

func (t *CreatePartitionsRequestTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	e.Int32(t.Count)
	writeNullableArray(e, t.Assignments, version)
	e.Tags(t.UnknownTags)
}

func (t *CreatePartitionsRequestTopic) decode(d *Decoder, version int16) {
	*t = CreatePartitionsRequestTopic{}
	t.Name = d.String()
	t.Count = d.Int32()
	t.Assignments = readNullableArray[CreatePartitionsRequestTopicAssignment](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (a *CreatePartitionsRequestTopicAssignment) encode(e *Encoder, version int16) {
	e.Int32s(a.BrokerIDs)
	e.Tags(a.UnknownTags)
}

func (a *CreatePartitionsRequestTopicAssignment) decode(d *Decoder, version int16) {
	*a = CreatePartitionsRequestTopicAssignment{}
	a.BrokerIDs = d.Int32s()
	d.Tags(&a.UnknownTags, nil)
}

// CreatePartitionsResponse reports the outcome for each topic.
type CreatePartitionsResponse struct {
	ThrottleTimeMs int32
	Results        []CreatePartitionsResponseResult
	UnknownTags    []TaggedField
}

// CreatePartitionsResponseResult is the result for one topic.
type CreatePartitionsResponseResult struct {
	Name         string
	ErrorCode    int16
	ErrorMessage *string
	UnknownTags  []TaggedField
}

// APIKey implements [Message].
func (*CreatePartitionsResponse) APIKey() int16 { return KeyCreatePartitions }
func (*CreatePartitionsResponse) isResponse()   {}

// Encode implements [Message].
func (r *CreatePartitionsResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	writeArray(e, r.Results, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *CreatePartitionsResponse) Decode(d *Decoder, version int16) {
	*r = CreatePartitionsResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.Results = readArray[CreatePartitionsResponseResult](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *CreatePartitionsResponseResult) encode(e *Encoder, version int16) {
	e.String(t.Name)
	e.Int16(t.ErrorCode)
	e.NullableString(t.ErrorMessage)
	e.Tags(t.UnknownTags)
}

func (t *CreatePartitionsResponseResult) decode(d *Decoder, version int16) {
	*t = CreatePartitionsResponseResult{}
	t.Name = d.String()
	t.ErrorCode = d.Int16()
	t.ErrorMessage = d.NullableString()
	d.Tags(&t.UnknownTags, nil)
}
