package protocol

// CreateTopicsRequest asks the controller to create topics, with a partition
// count and replication factor or an explicit replica assignment.
type CreateTopicsRequest struct {
	Topics       []CreateTopicsRequestTopic
	TimeoutMs    int32 // default 60000
	ValidateOnly bool  // v1+
	UnknownTags  []TaggedField
}

// CreateTopicsRequestTopic is one topic to create.
type CreateTopicsRequestTopic struct {
	Name              string
	NumPartitions     int32
	ReplicationFactor int16
	Assignments       []CreateTopicsRequestTopicAssignment
	Configs           []CreateTopicsRequestTopicConfig
	UnknownTags       []TaggedField
}

// CreateTopicsRequestTopicAssignment places one partition on brokers.
type CreateTopicsRequestTopicAssignment struct {
	PartitionIndex int32
	BrokerIDs      []int32
	UnknownTags    []TaggedField
}

// CreateTopicsRequestTopicConfig is one topic configuration to set.
type CreateTopicsRequestTopicConfig struct {
	Name        string
	Value       *string
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*CreateTopicsRequest) APIKey() int16 { return KeyCreateTopics }

// NewResponse implements [Request].
func (*CreateTopicsRequest) NewResponse() Response { return new(CreateTopicsResponse) }

// Encode implements [Message].
func (r *CreateTopicsRequest) Encode(e *Encoder, version int16) {
	writeArray(e, r.Topics, version)
	e.Int32(r.TimeoutMs)
	if version >= 1 {
		e.Bool(r.ValidateOnly)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *CreateTopicsRequest) Decode(d *Decoder, version int16) {
	*r = CreateTopicsRequest{TimeoutMs: 60000}
	r.Topics = readArray[CreateTopicsRequestTopic](d, version)
	r.TimeoutMs = d.Int32()
	if version >= 1 {
		r.ValidateOnly = d.Bool()
	}
	d.Tags(&r.UnknownTags, nil)
}

func (t *CreateTopicsRequestTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	e.Int32(t.NumPartitions)
	e.Int16(t.ReplicationFactor)
	writeArray(e, t.Assignments, version)
	writeArray(e, t.Configs, version)
	e.Tags(t.UnknownTags)
}

func (t *CreateTopicsRequestTopic) decode(d *Decoder, version int16) {
	*t = CreateTopicsRequestTopic{}
	t.Name = d.String()
	t.NumPartitions = d.Int32()
	t.ReplicationFactor = d.Int16()
	t.Assignments = readArray[CreateTopicsRequestTopicAssignment](d, version)
	t.Configs = readArray[CreateTopicsRequestTopicConfig](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (a *CreateTopicsRequestTopicAssignment) encode(e *Encoder, version int16) {
	e.Int32(a.PartitionIndex)
	e.Int32s(a.BrokerIDs)
	e.Tags(a.UnknownTags)
}

func (a *CreateTopicsRequestTopicAssignment) decode(d *Decoder, version int16) {
	*a = CreateTopicsRequestTopicAssignment{}
	a.PartitionIndex = d.Int32()
	a.BrokerIDs = d.Int32s()
	d.Tags(&a.UnknownTags, nil)
}

func (c *CreateTopicsRequestTopicConfig) encode(e *Encoder, version int16) {
	e.String(c.Name)
	e.NullableString(c.Value)
	e.Tags(c.UnknownTags)
}

func (c *CreateTopicsRequestTopicConfig) decode(d *Decoder, version int16) {
	*c = CreateTopicsRequestTopicConfig{}
	c.Name = d.String()
	c.Value = d.NullableString()
	d.Tags(&c.UnknownTags, nil)
}

// CreateTopicsResponse reports the outcome of each topic creation and, from
// v5, the created topic's partitions, replication factor and configuration.
type CreateTopicsResponse struct {
	ThrottleTimeMs int32 // v2+
	Topics         []CreateTopicsResponseTopic
	UnknownTags    []TaggedField
}

// CreateTopicsResponseTopic is the result for one topic.
type CreateTopicsResponseTopic struct {
	Name                 string
	TopicID              UUID // v7+
	ErrorCode            int16
	ErrorMessage         *string                           // v1+
	TopicConfigErrorCode int16                             // tag 0, v5+
	NumPartitions        int32                             // v5+, default -1
	ReplicationFactor    int16                             // v5+, default -1
	Configs              []CreateTopicsResponseTopicConfig // v5+, nullable
	UnknownTags          []TaggedField
}

// CreateTopicsResponseTopicConfig is one configuration of a created topic.
type CreateTopicsResponseTopicConfig struct {
	Name         string
	Value        *string
	ReadOnly     bool
	ConfigSource int8 // default -1
	IsSensitive  bool
	UnknownTags  []TaggedField
}

// APIKey implements [Message].
func (*CreateTopicsResponse) APIKey() int16 { return KeyCreateTopics }
func (*CreateTopicsResponse) isResponse()   {}

// Encode implements [Message].
func (r *CreateTopicsResponse) Encode(e *Encoder, version int16) {
	if version >= 2 {
		e.Int32(r.ThrottleTimeMs)
	}
	writeArray(e, r.Topics, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *CreateTopicsResponse) Decode(d *Decoder, version int16) {
	*r = CreateTopicsResponse{}
	if version >= 2 {
		r.ThrottleTimeMs = d.Int32()
	}
	r.Topics = readArray[CreateTopicsResponseTopic](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (t *CreateTopicsResponseTopic) encode(e *Encoder, version int16) {
	e.String(t.Name)
	if version >= 7 {
		e.UUID(t.TopicID)
	}
	e.Int16(t.ErrorCode)
	if version >= 1 {
		e.NullableString(t.ErrorMessage)
	}
	if version >= 5 {
		e.Int32(t.NumPartitions)
		e.Int16(t.ReplicationFactor)
		writeNullableArray(e, t.Configs, version)
	}
	if !e.Flexible() {
		return
	}
	n := 0
	if t.TopicConfigErrorCode != 0 {
		n++
	}
	e.TagCount(n, t.UnknownTags)
	if t.TopicConfigErrorCode != 0 {
		e.Tag(0, func(e *Encoder) { e.Int16(t.TopicConfigErrorCode) })
	}
	e.UnknownTags(t.UnknownTags)
}

func (t *CreateTopicsResponseTopic) decode(d *Decoder, version int16) {
	*t = CreateTopicsResponseTopic{NumPartitions: -1, ReplicationFactor: -1}
	t.Name = d.String()
	if version >= 7 {
		t.TopicID = d.UUID()
	}
	t.ErrorCode = d.Int16()
	if version >= 1 {
		t.ErrorMessage = d.NullableString()
	}
	if version >= 5 {
		t.NumPartitions = d.Int32()
		t.ReplicationFactor = d.Int16()
		t.Configs = readNullableArray[CreateTopicsResponseTopicConfig](d, version)
	}
	d.Tags(&t.UnknownTags, func(tag uint32, fd *Decoder) bool {
		switch tag {
		case 0:
			t.TopicConfigErrorCode = fd.Int16()
		default:
			return false
		}
		return true
	})
}

func (c *CreateTopicsResponseTopicConfig) encode(e *Encoder, version int16) {
	e.String(c.Name)
	e.NullableString(c.Value)
	e.Bool(c.ReadOnly)
	e.Int8(c.ConfigSource)
	e.Bool(c.IsSensitive)
	e.Tags(c.UnknownTags)
}

func (c *CreateTopicsResponseTopicConfig) decode(d *Decoder, version int16) {
	*c = CreateTopicsResponseTopicConfig{ConfigSource: -1}
	c.Name = d.String()
	c.Value = d.NullableString()
	c.ReadOnly = d.Bool()
	c.ConfigSource = d.Int8()
	c.IsSensitive = d.Bool()
	d.Tags(&c.UnknownTags, nil)
}
