package protocol

// DescribeConfigsRequest asks for the configuration of topics, brokers and
// other resources.
type DescribeConfigsRequest struct {
	Resources            []DescribeConfigsRequestResource
	IncludeSynonyms      bool // v1+
	IncludeDocumentation bool // v3+
	UnknownTags          []TaggedField
}

// DescribeConfigsRequestResource is one resource to describe; nil
// ConfigurationKeys asks for every key.
type DescribeConfigsRequestResource struct {
	ResourceType      int8
	ResourceName      string
	ConfigurationKeys []string // nullable
	UnknownTags       []TaggedField
}

// APIKey implements [Message].
func (*DescribeConfigsRequest) APIKey() int16 { return KeyDescribeConfigs }

// NewResponse implements [Request].
func (*DescribeConfigsRequest) NewResponse() Response { return new(DescribeConfigsResponse) }

// Encode implements [Message].
func (r *DescribeConfigsRequest) Encode(e *Encoder, version int16) {
	writeArray(e, r.Resources, version)
	if version >= 1 {
		e.Bool(r.IncludeSynonyms)
	}
	if version >= 3 {
		e.Bool(r.IncludeDocumentation)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DescribeConfigsRequest) Decode(d *Decoder, version int16) {
	*r = DescribeConfigsRequest{}
	r.Resources = readArray[DescribeConfigsRequestResource](d, version)
	if version >= 1 {
		r.IncludeSynonyms = d.Bool()
	}
	if version >= 3 {
		r.IncludeDocumentation = d.Bool()
	}
	d.Tags(&r.UnknownTags, nil)
}

func (s *DescribeConfigsRequestResource) encode(e *Encoder, version int16) {
	e.Int8(s.ResourceType)
	e.String(s.ResourceName)
	e.NullableStrings(s.ConfigurationKeys)
	e.Tags(s.UnknownTags)
}

func (s *DescribeConfigsRequestResource) decode(d *Decoder, version int16) {
	*s = DescribeConfigsRequestResource{}
	s.ResourceType = d.Int8()
	s.ResourceName = d.String()
	s.ConfigurationKeys = d.NullableStrings()
	d.Tags(&s.UnknownTags, nil)
}

// DescribeConfigsResponse holds the configuration of each resource.
type DescribeConfigsResponse struct {
	ThrottleTimeMs int32
	Results        []DescribeConfigsResponseResult
	UnknownTags    []TaggedField
}

// DescribeConfigsResponseResult is the configuration of one resource.
type DescribeConfigsResponseResult struct {
	ErrorCode    int16
	ErrorMessage *string
	ResourceType int8
	ResourceName string
	Configs      []DescribeConfigsResponseResultConfig
	UnknownTags  []TaggedField
}

// DescribeConfigsResponseResultConfig is one configuration entry.
type DescribeConfigsResponseResultConfig struct {
	Name          string
	Value         *string
	ReadOnly      bool
	IsDefault     bool // v0 only
	ConfigSource  int8 // v1+, default -1
	IsSensitive   bool
	Synonyms      []DescribeConfigsResponseResultConfigSynonym // v1+
	ConfigType    int8                                         // v3+
	Documentation *string                                      // v3+
	UnknownTags   []TaggedField
}

// DescribeConfigsResponseResultConfigSynonym is a value the entry falls back
// to, in order of precedence.
type DescribeConfigsResponseResultConfigSynonym struct {
	Name        string
	Value       *string
	Source      int8
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*DescribeConfigsResponse) APIKey() int16 { return KeyDescribeConfigs }
func (*DescribeConfigsResponse) isResponse()   {}

// Encode implements [Message].
func (r *DescribeConfigsResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	writeArray(e, r.Results, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DescribeConfigsResponse) Decode(d *Decoder, version int16) {
	*r = DescribeConfigsResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.Results = readArray[DescribeConfigsResponseResult](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (s *DescribeConfigsResponseResult) encode(e *Encoder, version int16) {
	e.Int16(s.ErrorCode)
	e.NullableString(s.ErrorMessage)
	e.Int8(s.ResourceType)
	e.String(s.ResourceName)
	writeArray(e, s.Configs, version)
	e.Tags(s.UnknownTags)
}

func (s *DescribeConfigsResponseResult) decode(d *Decoder, version int16) {
	*s = DescribeConfigsResponseResult{}
	s.ErrorCode = d.Int16()
	s.ErrorMessage = d.NullableString()
	s.ResourceType = d.Int8()
	s.ResourceName = d.String()
	s.Configs = readArray[DescribeConfigsResponseResultConfig](d, version)
	d.Tags(&s.UnknownTags, nil)
}

func (c *DescribeConfigsResponseResultConfig) encode(e *Encoder, version int16) {
	e.String(c.Name)
	e.NullableString(c.Value)
	e.Bool(c.ReadOnly)
	if version == 0 {
		e.Bool(c.IsDefault)
	}
	if version >= 1 {
		e.Int8(c.ConfigSource)
	}
	e.Bool(c.IsSensitive)
	if version >= 1 {
		writeArray(e, c.Synonyms, version)
	}
	if version >= 3 {
		e.Int8(c.ConfigType)
		e.NullableString(c.Documentation)
	}
	e.Tags(c.UnknownTags)
}

func (c *DescribeConfigsResponseResultConfig) decode(d *Decoder, version int16) {
	*c = DescribeConfigsResponseResultConfig{ConfigSource: -1}
	c.Name = d.String()
	c.Value = d.NullableString()
	c.ReadOnly = d.Bool()
	if version == 0 {
		c.IsDefault = d.Bool()
	}
	if version >= 1 {
		c.ConfigSource = d.Int8()
	}
	c.IsSensitive = d.Bool()
	if version >= 1 {
		c.Synonyms = readArray[DescribeConfigsResponseResultConfigSynonym](d, version)
	}
	if version >= 3 {
		c.ConfigType = d.Int8()
		c.Documentation = d.NullableString()
	}
	d.Tags(&c.UnknownTags, nil)
}

func (s *DescribeConfigsResponseResultConfigSynonym) encode(e *Encoder, version int16) {
	e.String(s.Name)
	e.NullableString(s.Value)
	e.Int8(s.Source)
	e.Tags(s.UnknownTags)
}

func (s *DescribeConfigsResponseResultConfigSynonym) decode(d *Decoder, version int16) {
	*s = DescribeConfigsResponseResultConfigSynonym{}
	s.Name = d.String()
	s.Value = d.NullableString()
	s.Source = d.Int8()
	d.Tags(&s.UnknownTags, nil)
}
