package protocol

// The three ACL APIs share their resource and binding fields. Values of the
// int8 enums (resource type, pattern type, operation, permission type) are
// Kafka's: see [ACLResourceTopic] and the constants around it.

// Resource types of ACL bindings (org.apache.kafka.common.resource.ResourceType).
const (
	ACLResourceUnknown         int8 = 0
	ACLResourceAny             int8 = 1
	ACLResourceTopic           int8 = 2
	ACLResourceGroup           int8 = 3
	ACLResourceCluster         int8 = 4
	ACLResourceTransactionalID int8 = 5
	ACLResourceDelegationToken int8 = 6
	ACLResourceUser            int8 = 7
)

// Pattern types of ACL resource names (org.apache.kafka.common.resource.PatternType).
const (
	ACLPatternUnknown  int8 = 0
	ACLPatternAny      int8 = 1
	ACLPatternMatch    int8 = 2
	ACLPatternLiteral  int8 = 3
	ACLPatternPrefixed int8 = 4
)

// DescribeACLsRequest asks for the ACL bindings that match a filter.
type DescribeACLsRequest struct {
	ResourceTypeFilter int8
	ResourceNameFilter *string
	PatternTypeFilter  int8 // v1+, default 3 (literal)
	PrincipalFilter    *string
	HostFilter         *string
	Operation          int8
	PermissionType     int8
	UnknownTags        []TaggedField
}

// APIKey implements [Message].
func (*DescribeACLsRequest) APIKey() int16 { return KeyDescribeACLs }

// NewResponse implements [Request].
func (*DescribeACLsRequest) NewResponse() Response { return new(DescribeACLsResponse) }

// Encode implements [Message].
func (r *DescribeACLsRequest) Encode(e *Encoder, version int16) {
	e.Int8(r.ResourceTypeFilter)
	e.NullableString(r.ResourceNameFilter)
	if version >= 1 {
		e.Int8(r.PatternTypeFilter)
	}
	e.NullableString(r.PrincipalFilter)
	e.NullableString(r.HostFilter)
	e.Int8(r.Operation)
	e.Int8(r.PermissionType)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DescribeACLsRequest) Decode(d *Decoder, version int16) {
	*r = DescribeACLsRequest{PatternTypeFilter: ACLPatternLiteral}
	r.ResourceTypeFilter = d.Int8()
	r.ResourceNameFilter = d.NullableString()
	if version >= 1 {
		r.PatternTypeFilter = d.Int8()
	}
	r.PrincipalFilter = d.NullableString()
	r.HostFilter = d.NullableString()
	r.Operation = d.Int8()
	r.PermissionType = d.Int8()
	d.Tags(&r.UnknownTags, nil)
}

// DescribeACLsResponse lists the matching bindings, grouped by resource.
type DescribeACLsResponse struct {
	ThrottleTimeMs int32
	ErrorCode      int16
	ErrorMessage   *string
	Resources      []DescribeACLsResponseResource
	UnknownTags    []TaggedField
}

// DescribeACLsResponseResource is one resource and its bindings.
type DescribeACLsResponseResource struct {
	ResourceType int8
	ResourceName string
	PatternType  int8 // v1+, default 3 (literal)
	ACLs         []DescribeACLsResponseACL
	UnknownTags  []TaggedField
}

// DescribeACLsResponseACL is one binding of a resource.
type DescribeACLsResponseACL struct {
	Principal      string
	Host           string
	Operation      int8
	PermissionType int8
	UnknownTags    []TaggedField
}

// APIKey implements [Message].
func (*DescribeACLsResponse) APIKey() int16 { return KeyDescribeACLs }
func (*DescribeACLsResponse) isResponse()   {}

// Encode implements [Message].
func (r *DescribeACLsResponse) Encode(e *Encoder, version int16) {
	e.Int32(r.ThrottleTimeMs)
	e.Int16(r.ErrorCode)
	e.NullableString(r.ErrorMessage)
	writeArray(e, r.Resources, version)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *DescribeACLsResponse) Decode(d *Decoder, version int16) {
	*r = DescribeACLsResponse{}
	r.ThrottleTimeMs = d.Int32()
	r.ErrorCode = d.Int16()
	r.ErrorMessage = d.NullableString()
	r.Resources = readArray[DescribeACLsResponseResource](d, version)
	d.Tags(&r.UnknownTags, nil)
}

func (s *DescribeACLsResponseResource) encode(e *Encoder, version int16) {
	e.Int8(s.ResourceType)
	e.String(s.ResourceName)
	if version >= 1 {
		e.Int8(s.PatternType)
	}
	writeArray(e, s.ACLs, version)
	e.Tags(s.UnknownTags)
}

func (s *DescribeACLsResponseResource) decode(d *Decoder, version int16) {
	*s = DescribeACLsResponseResource{PatternType: ACLPatternLiteral}
	s.ResourceType = d.Int8()
	s.ResourceName = d.String()
	if version >= 1 {
		s.PatternType = d.Int8()
	}
	s.ACLs = readArray[DescribeACLsResponseACL](d, version)
	d.Tags(&s.UnknownTags, nil)
}

func (a *DescribeACLsResponseACL) encode(e *Encoder, version int16) {
	e.String(a.Principal)
	e.String(a.Host)
	e.Int8(a.Operation)
	e.Int8(a.PermissionType)
	e.Tags(a.UnknownTags)
}

func (a *DescribeACLsResponseACL) decode(d *Decoder, version int16) {
	*a = DescribeACLsResponseACL{}
	a.Principal = d.String()
	a.Host = d.String()
	a.Operation = d.Int8()
	a.PermissionType = d.Int8()
	d.Tags(&a.UnknownTags, nil)
}
