package protocol

// Operations of an incremental config change (KIP-339).
const (
	ConfigOpSet      int8 = 0 // set the value
	ConfigOpDelete   int8 = 1 // revert to the default
	ConfigOpAppend   int8 = 2 // add to a list value
	ConfigOpSubtract int8 = 3 // remove from a list value
)

// Resource types of configs (DescribeConfigs, IncrementalAlterConfigs).
const (
	ConfigResourceTopic        int8 = 2
	ConfigResourceBroker       int8 = 4
	ConfigResourceBrokerLogger int8 = 8
	ConfigResourceClientMetric int8 = 16
	ConfigResourceGroup        int8 = 32
)

// IncrementalAlterConfigsRequest changes some config entries of resources,
// leaving the others as they are (unlike AlterConfigs, which replaces them
// all).
type IncrementalAlterConfigsRequest struct {
	Resources    []IncrementalAlterConfigsRequestResource
	ValidateOnly bool
	UnknownTags  []TaggedField
}

// IncrementalAlterConfigsRequestResource is one resource and its changes.
type IncrementalAlterConfigsRequestResource struct {
	ResourceType int8
	ResourceName string
	Configs      []IncrementalAlterConfigsRequestConfig
	UnknownTags  []TaggedField
}

// IncrementalAlterConfigsRequestConfig is one change: an operation
// (ConfigOpSet...) on an entry.
type IncrementalAlterConfigsRequestConfig struct {
	Name            string
	ConfigOperation int8
	Value           *string
	UnknownTags     []TaggedField
}

// APIKey implements [Message].
func (*IncrementalAlterConfigsRequest) APIKey() int16 { return KeyIncrementalAlterConfigs }

// NewResponse implements [Request].
func (*IncrementalAlterConfigsRequest) NewResponse() Response {
	return new(IncrementalAlterConfigsResponse)
}

// Encode implements [Message].
func (r *IncrementalAlterConfigsRequest) Encode(e *Encoder, version int16) {
	writeArray(e, r.Resources, version)
	e.Bool(r.ValidateOnly)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *IncrementalAlterConfigsRequest) Decode(d *Decoder, version int16) {
	*r = IncrementalAlterConfigsRequest{}
	r.Resources = readArray[IncrementalAlterConfigsRequestResource](d, version)
	r.ValidateOnly = d.Bool()
	d.Tags(&r.UnknownTags, nil)
}

func (s *IncrementalAlterConfigsRequestResource) encode(e *Encoder, version int16) {
	e.Int8(s.ResourceType)
	e.String(s.ResourceName)
	writeArray(e, s.Configs, version)
	e.Tags(s.UnknownTags)
}

func (s *IncrementalAlterConfigsRequestResource) decode(d *Decoder, version int16) {
	*s = IncrementalAlterConfigsRequestResource{}
	s.ResourceType = d.Int8()
	s.ResourceName = d.String()
	s.Configs = readArray[IncrementalAlterConfigsRequestConfig](d, version)
	d.Tags(&s.UnknownTags, nil)
}

func (c *IncrementalAlterConfigsRequestConfig) encode(e *Encoder, version int16) {
	e.String(c.Name)
	e.Int8(c.ConfigOperation)
	e.NullableString(c.Value)
	e.Tags(c.UnknownTags)
}

func (c *IncrementalAlterConfigsRequestConfig) decode(d *Decoder, version int16) {
	*c = IncrementalAlterConfigsRequestConfig{}
	c.Name = d.String()
	c.ConfigOperation = d.Int8()
	c.Value = d.NullableString()
	d.Tags(&c.UnknownTags, nil)
}

// IncrementalAlterConfigsResponse gives the outcome for each resource.
type IncrementalAlterConfigsResponse struct {
	ThrottleTimeMs int32
	Responses      []IncrementalAlterConfigsResponseResult
	UnknownTags    []TaggedField
}

// IncrementalAlterConfigsResponseResult is the outcome for one resource.
type IncrementalAlterConfigsResponseResult struct {
	ErrorCode    int16
	ErrorMessage *string
	ResourceType int8
	ResourceName string
	UnknownTags  []TaggedField
}

// APIKey implements [Message].
func (*IncrementalAlterConfigsResponse) APIKey() int16 { return KeyIncrementalAlterConfigs }
func (*IncrementalAlterConfigsResponse) isResponse()   {}

// Encode implements [Message].
func (r *IncrementalAlterConfigsResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	writeArray(e, r.Responses, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *IncrementalAlterConfigsResponse) Decode(d *Decoder, version int16) {
	*r = IncrementalAlterConfigsResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.Responses = readArray[IncrementalAlterConfigsResponseResult](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (s *IncrementalAlterConfigsResponseResult) encode(e *Encoder, version int16) {
	e.Int16(s.ErrorCode)
	e.NullableString(s.ErrorMessage)
	e.Int8(s.ResourceType)
	e.String(s.ResourceName)
	e.Tags(s.UnknownTags)
}

func (s *IncrementalAlterConfigsResponseResult) decode(d *Decoder, version int16) {
	*s = IncrementalAlterConfigsResponseResult{}
	s.ErrorCode = d.Int16()
	s.ErrorMessage = d.NullableString()
	s.ResourceType = d.Int8()
	s.ResourceName = d.String()
	d.Tags(&s.UnknownTags, nil)
}
