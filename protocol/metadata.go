package protocol

import "math"

// MetadataRequest asks a broker for the cluster's brokers and for the
// partitions, leaders and replicas of some or all topics.
type MetadataRequest struct {
	Topics                             []MetadataRequestTopic // nullable v1+ (null = all topics)
	AllowAutoTopicCreation             bool                   // v4+, default true
	IncludeClusterAuthorizedOperations bool                   // v8-v10
	IncludeTopicAuthorizedOperations   bool                   // v8+
	UnknownTags                        []TaggedField
}

// MetadataRequestTopic names one topic to describe, by name or (v10+) by ID.
type MetadataRequestTopic struct {
	TopicID     UUID    // v10+
	Name        *string // nullable v10+
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*MetadataRequest) APIKey() int16 { return KeyMetadata }

// NewResponse implements [Request].
func (*MetadataRequest) NewResponse() Response { return new(MetadataResponse) }

// Encode implements [Message].
func (r *MetadataRequest) Encode(e *Encoder, version int16) {
	if version >= 1 {
		writeNullableArray(e, r.Topics, version)
	} else {
		writeArray(e, r.Topics, version)
	}
	if version >= 4 {
		e.Bool(r.AllowAutoTopicCreation)
	}
	if version >= 8 && version <= 10 {
		e.Bool(r.IncludeClusterAuthorizedOperations)
	}
	if version >= 8 {
		e.Bool(r.IncludeTopicAuthorizedOperations)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *MetadataRequest) Decode(d *Decoder, version int16) {
	*r = MetadataRequest{AllowAutoTopicCreation: true}
	if version >= 1 {
		r.Topics = readNullableArray[MetadataRequestTopic](d, version)
	} else {
		r.Topics = readArray[MetadataRequestTopic](d, version)
	}
	if version >= 4 {
		r.AllowAutoTopicCreation = d.Bool()
	}
	if version >= 8 && version <= 10 {
		r.IncludeClusterAuthorizedOperations = d.Bool()
	}
	if version >= 8 {
		r.IncludeTopicAuthorizedOperations = d.Bool()
	}
	d.Tags(&r.UnknownTags, nil)
}

func (t *MetadataRequestTopic) encode(e *Encoder, version int16) {
	if version >= 10 {
		e.UUID(t.TopicID)
	}
	e.StringPtr(t.Name, version >= 10)
	e.Tags(t.UnknownTags)
}

func (t *MetadataRequestTopic) decode(d *Decoder, version int16) {
	*t = MetadataRequestTopic{}
	if version >= 10 {
		t.TopicID = d.UUID()
		t.Name = d.NullableString()
	} else {
		name := d.String()
		t.Name = &name
	}
	d.Tags(&t.UnknownTags, nil)
}

// MetadataResponse describes the cluster's brokers and the requested topics
// with their partitions' leaders and replicas.
type MetadataResponse struct {
	ThrottleTimeMs              int32 // v3+
	Brokers                     []MetadataResponseBroker
	ClusterID                   *string // v2+
	ControllerID                int32   // v1+, default -1
	Topics                      []MetadataResponseTopic
	ClusterAuthorizedOperations int32 // v8-v10, default -2147483648
	ErrorCode                   int16 // v13+
	UnknownTags                 []TaggedField
}

// MetadataResponseBroker is one live broker and where to reach it.
type MetadataResponseBroker struct {
	NodeID      int32
	Host        string
	Port        int32
	Rack        *string // v1+
	UnknownTags []TaggedField
}

// MetadataResponseTopic is one topic's metadata.
type MetadataResponseTopic struct {
	ErrorCode                 int16
	Name                      *string // nullable v12+
	TopicID                   UUID    // v10+
	IsInternal                bool    // v1+
	Partitions                []MetadataResponseTopicPartition
	TopicAuthorizedOperations int32 // v8+, default -2147483648
	UnknownTags               []TaggedField
}

// MetadataResponseTopicPartition is one partition's leader and replicas.
type MetadataResponseTopicPartition struct {
	ErrorCode       int16
	PartitionIndex  int32
	LeaderID        int32
	LeaderEpoch     int32 // v7+, default -1
	ReplicaNodes    []int32
	IsrNodes        []int32
	OfflineReplicas []int32 // v5+
	UnknownTags     []TaggedField
}

// APIKey implements [Message].
func (*MetadataResponse) APIKey() int16 { return KeyMetadata }
func (*MetadataResponse) isResponse()   {}

// Encode implements [Message].
func (r *MetadataResponse) Encode(e *Encoder, version int16) {
	if version >= 3 {
		e.Int32(r.ThrottleTimeMs)
	}
	writeArray(e, r.Brokers, version)
	if version >= 2 {
		e.NullableString(r.ClusterID)
	}
	if version >= 1 {
		e.Int32(r.ControllerID)
	}
	writeArray(e, r.Topics, version)
	if version >= 8 && version <= 10 {
		e.Int32(r.ClusterAuthorizedOperations)
	}
	if version >= 13 {
		e.Int16(r.ErrorCode)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *MetadataResponse) Decode(d *Decoder, version int16) {
	*r = MetadataResponse{ControllerID: -1, ClusterAuthorizedOperations: math.MinInt32}
	if version >= 3 {
		r.ThrottleTimeMs = d.Int32()
	}
	r.Brokers = readArray[MetadataResponseBroker](d, version)
	if version >= 2 {
		r.ClusterID = d.NullableString()
	}
	if version >= 1 {
		r.ControllerID = d.Int32()
	}
	r.Topics = readArray[MetadataResponseTopic](d, version)
	if version >= 8 && version <= 10 {
		r.ClusterAuthorizedOperations = d.Int32()
	}
	if version >= 13 {
		r.ErrorCode = d.Int16()
	}
	d.Tags(&r.UnknownTags, nil)
}

func (b *MetadataResponseBroker) encode(e *Encoder, version int16) {
	e.Int32(b.NodeID)
	e.String(b.Host)
	e.Int32(b.Port)
	if version >= 1 {
		e.NullableString(b.Rack)
	}
	e.Tags(b.UnknownTags)
}

func (b *MetadataResponseBroker) decode(d *Decoder, version int16) {
	*b = MetadataResponseBroker{}
	b.NodeID = d.Int32()
	b.Host = d.String()
	b.Port = d.Int32()
	if version >= 1 {
		b.Rack = d.NullableString()
	}
	d.Tags(&b.UnknownTags, nil)
}

func (t *MetadataResponseTopic) encode(e *Encoder, version int16) {
	e.Int16(t.ErrorCode)
	e.StringPtr(t.Name, version >= 12)
	if version >= 10 {
		e.UUID(t.TopicID)
	}
	if version >= 1 {
		e.Bool(t.IsInternal)
	}
	writeArray(e, t.Partitions, version)
	if version >= 8 {
		e.Int32(t.TopicAuthorizedOperations)
	}
	e.Tags(t.UnknownTags)
}

func (t *MetadataResponseTopic) decode(d *Decoder, version int16) {
	*t = MetadataResponseTopic{TopicAuthorizedOperations: math.MinInt32}
	t.ErrorCode = d.Int16()
	if version >= 12 {
		t.Name = d.NullableString()
	} else {
		name := d.String()
		t.Name = &name
	}
	if version >= 10 {
		t.TopicID = d.UUID()
	}
	if version >= 1 {
		t.IsInternal = d.Bool()
	}
	t.Partitions = readArray[MetadataResponseTopicPartition](d, version)
	if version >= 8 {
		t.TopicAuthorizedOperations = d.Int32()
	}
	d.Tags(&t.UnknownTags, nil)
}

func (p *MetadataResponseTopicPartition) encode(e *Encoder, version int16) {
	e.Int16(p.ErrorCode)
	e.Int32(p.PartitionIndex)
	e.Int32(p.LeaderID)
	if version >= 7 {
		e.Int32(p.LeaderEpoch)
	}
	e.Int32s(p.ReplicaNodes)
	e.Int32s(p.IsrNodes)
	if version >= 5 {
		e.Int32s(p.OfflineReplicas)
	}
	e.Tags(p.UnknownTags)
}

func (p *MetadataResponseTopicPartition) decode(d *Decoder, version int16) {
	*p = MetadataResponseTopicPartition{LeaderEpoch: -1}
	p.ErrorCode = d.Int16()
	p.PartitionIndex = d.Int32()
	p.LeaderID = d.Int32()
	if version >= 7 {
		p.LeaderEpoch = d.Int32()
	}
	p.ReplicaNodes = d.Int32s()
	p.IsrNodes = d.Int32s()
	if version >= 5 {
		p.OfflineReplicas = d.Int32s()
	}
	d.Tags(&p.UnknownTags, nil)
}
