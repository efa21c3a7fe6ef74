package protocol

// DescribeClusterRequest asks any broker for the cluster's ID, controller
// and brokers (KIP-700).
type DescribeClusterRequest struct {
	IncludeClusterAuthorizedOperations bool
	EndpointType                       int8 // v1+, default 1 (brokers); 2 asks for controllers
	IncludeFencedBrokers               bool // v2+
	UnknownTags                        []TaggedField
}

// APIKey implements [Message].
func (*DescribeClusterRequest) APIKey() int16 { return KeyDescribeCluster }

// NewResponse implements [Request].
func (*DescribeClusterRequest) NewResponse() Response { return new(DescribeClusterResponse) }

// Encode implements [Message].
func (r *DescribeClusterRequest) Encode(e *Encoder, version int16) {
	e.Bool(r.IncludeClusterAuthorizedOperations)
	if version >= 1 {
		e.Int8(r.EndpointType)
	}
	if version >= 2 {
		e.Bool(r.IncludeFencedBrokers)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DescribeClusterRequest) Decode(d *Decoder, version int16) {
	*r = DescribeClusterRequest{EndpointType: 1}
	r.IncludeClusterAuthorizedOperations = d.Bool()
	if version >= 1 {
		r.EndpointType = d.Int8()
	}
	if version >= 2 {
		r.IncludeFencedBrokers = d.Bool()
	}
	d.Tags(&r.UnknownTags, nil)
}

// DescribeClusterResponse describes the cluster.
type DescribeClusterResponse struct {
	ThrottleTimeMs              int32
	ErrorCode                   int16
	ErrorMessage                *string
	EndpointType                int8 // v1+, default 1
	ClusterID                   string
	ControllerID                int32 // default -1
	Brokers                     []DescribeClusterResponseBroker
	ClusterAuthorizedOperations int32 // default -2147483648
	UnknownTags                 []TaggedField
}

// DescribeClusterResponseBroker is one broker (or controller, by
// EndpointType).
type DescribeClusterResponseBroker struct {
	BrokerID    int32
	Host        string
	Port        int32
	Rack        *string
	IsFenced    bool // v2+
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*DescribeClusterResponse) APIKey() int16 { return KeyDescribeCluster }
func (*DescribeClusterResponse) isResponse()   {}

// Encode implements [Message].
func (r *DescribeClusterResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	e.Int16(r.ErrorCode)
	e.NullableString(r.ErrorMessage)
	if version >= 1 {
		e.Int8(r.EndpointType)
	}
	e.String(r.ClusterID)
	e.Int32(r.ControllerID)
	writeArray(e, r.Brokers, version)
	e.Int32(r.ClusterAuthorizedOperations)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DescribeClusterResponse) Decode(d *Decoder, version int16) {
	*r = DescribeClusterResponse{EndpointType: 1, ControllerID: -1, ClusterAuthorizedOperations: -2147483648}
	r.ThrottleTimeMs = d.Int32()
	r.ErrorCode = d.Int16()
	r.ErrorMessage = d.NullableString()
	if version >= 1 {
		r.EndpointType = d.Int8()
	}
	r.ClusterID = d.String()
	r.ControllerID = d.Int32()
	r.Brokers = readArray[DescribeClusterResponseBroker](d, version)
	r.ClusterAuthorizedOperations = d.Int32()
	d.Tags(&r.UnknownTags, nil)
}

func (b *DescribeClusterResponseBroker) encode(e *Encoder, version int16) {
	e.Int32(b.BrokerID)
	e.String(b.Host)
	e.Int32(b.Port)
	e.NullableString(b.Rack)
	if version >= 2 {
		e.Bool(b.IsFenced)
	}
	e.Tags(b.UnknownTags)
}

func (b *DescribeClusterResponseBroker) decode(d *Decoder, version int16) {
	*b = DescribeClusterResponseBroker{}
	b.BrokerID = d.Int32()
	b.Host = d.String()
	b.Port = d.Int32()
	b.Rack = d.NullableString()
	if version >= 2 {
		b.IsFenced = d.Bool()
	}
	d.Tags(&b.UnknownTags, nil)
}
