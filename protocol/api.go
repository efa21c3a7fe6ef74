package protocol

import (
	"fmt"
	"slices"
	"strconv"
)

// A Message is a request or response body that encodes itself at a version.
// Encode and Decode must be called with a version the API supports and an
// Encoder or Decoder whose flexibility matches that version; [AppendRequest],
// [DecodeResponse], [Encode] and [Decode] take care of both.
type Message interface {
	// APIKey returns the Kafka API key of the message.
	APIKey() int16
	// Encode appends the message at version to e.
	Encode(e *Encoder, version int16)
	// Decode reads the message at version from d, replacing every field.
	Decode(d *Decoder, version int16)
}

// A Request is a message a client sends.
type Request interface {
	Message
	// NewResponse returns an empty response of the matching type.
	NewResponse() Response
}

// A Response is a message a broker answers with.
type Response interface {
	Message
	isResponse()
}

// API key numbers of the APIs this package implements.
const (
	KeyProduce                    int16 = 0
	KeyFetch                      int16 = 1
	KeyListOffsets                int16 = 2
	KeyMetadata                   int16 = 3
	KeyOffsetCommit               int16 = 8
	KeyOffsetFetch                int16 = 9
	KeyFindCoordinator            int16 = 10
	KeyJoinGroup                  int16 = 11
	KeyHeartbeat                  int16 = 12
	KeyLeaveGroup                 int16 = 13
	KeySyncGroup                  int16 = 14
	KeyDescribeGroups             int16 = 15
	KeyListGroups                 int16 = 16
	KeySaslHandshake              int16 = 17
	KeyAPIVersions                int16 = 18
	KeyCreateTopics               int16 = 19
	KeyDeleteTopics               int16 = 20
	KeyDeleteRecords              int16 = 21
	KeyInitProducerID             int16 = 22
	KeyOffsetForLeaderEpoch       int16 = 23
	KeyAddPartitionsToTxn         int16 = 24
	KeyAddOffsetsToTxn            int16 = 25
	KeyEndTxn                     int16 = 26
	KeyTxnOffsetCommit            int16 = 28
	KeyDescribeACLs               int16 = 29
	KeyCreateACLs                 int16 = 30
	KeyDeleteACLs                 int16 = 31
	KeyDescribeConfigs            int16 = 32
	KeySaslAuthenticate           int16 = 36
	KeyCreatePartitions           int16 = 37
	KeyDeleteGroups               int16 = 42
	KeyElectLeaders               int16 = 43
	KeyIncrementalAlterConfigs    int16 = 44
	KeyListPartitionReassignments int16 = 46
	KeyOffsetDelete               int16 = 47
	KeyDescribeCluster            int16 = 60
	KeyConsumerGroupHeartbeat     int16 = 68
	KeyConsumerGroupDescribe      int16 = 69
	KeyShareGroupHeartbeat        int16 = 76
	KeyShareGroupDescribe         int16 = 77
	KeyShareFetch                 int16 = 78
	KeyShareAcknowledge           int16 = 79
	KeyDescribeShareGroupOffsets  int16 = 90
	KeyAlterShareGroupOffsets     int16 = 91
	KeyDeleteShareGroupOffsets    int16 = 92
)

// An API describes one Kafka API as this package implements it.
type API struct {
	Key         int16
	Name        string
	MinVersion  int16 // oldest version implemented
	MaxVersion  int16 // newest version implemented (the newest of Kafka 4.1)
	FlexibleMin int16 // first flexible version; -1 if none is flexible
	NewRequest  func() Request
	NewResponse func() Response
}

// Flexible reports whether version uses compact encodings and tagged fields.
func (a *API) Flexible(version int16) bool {
	return a.FlexibleMin >= 0 && version >= a.FlexibleMin
}

// Supports reports whether version is implemented.
func (a *API) Supports(version int16) bool {
	return version >= a.MinVersion && version <= a.MaxVersion
}

// RequestHeaderVersion returns the request header version used with version:
// 2 for flexible versions, 1 otherwise.
func (a *API) RequestHeaderVersion(version int16) int16 {
	if a.Flexible(version) {
		return 2
	}
	return 1
}

// ResponseHeaderVersion returns the response header version used with
// version: 1 for flexible versions, 0 otherwise, and always 0 for APIVersions
// so that a client can read the answer before it knows what the broker
// supports.
func (a *API) ResponseHeaderVersion(version int16) int16 {
	if a.Flexible(version) && a.Key != KeyAPIVersions {
		return 1
	}
	return 0
}

// APIs lists every API this package implements, ordered by key.
var APIs = []API{
	{KeyProduce, "Produce", 0, 13, 9, func() Request { return new(ProduceRequest) }, func() Response { return new(ProduceResponse) }},
	{KeyFetch, "Fetch", 0, 18, 12, func() Request { return new(FetchRequest) }, func() Response { return new(FetchResponse) }},
	{KeyListOffsets, "ListOffsets", 0, 10, 6, func() Request { return new(ListOffsetsRequest) }, func() Response { return new(ListOffsetsResponse) }},
	{KeyMetadata, "Metadata", 0, 13, 9, func() Request { return new(MetadataRequest) }, func() Response { return new(MetadataResponse) }},
	{KeyOffsetCommit, "OffsetCommit", 0, 9, 8, func() Request { return new(OffsetCommitRequest) }, func() Response { return new(OffsetCommitResponse) }},
	{KeyOffsetFetch, "OffsetFetch", 0, 9, 6, func() Request { return new(OffsetFetchRequest) }, func() Response { return new(OffsetFetchResponse) }},
	{KeyFindCoordinator, "FindCoordinator", 0, 6, 3, func() Request { return new(FindCoordinatorRequest) }, func() Response { return new(FindCoordinatorResponse) }},
	{KeyJoinGroup, "JoinGroup", 0, 9, 6, func() Request { return new(JoinGroupRequest) }, func() Response { return new(JoinGroupResponse) }},
	{KeyHeartbeat, "Heartbeat", 0, 4, 4, func() Request { return new(HeartbeatRequest) }, func() Response { return new(HeartbeatResponse) }},
	{KeyLeaveGroup, "LeaveGroup", 0, 5, 4, func() Request { return new(LeaveGroupRequest) }, func() Response { return new(LeaveGroupResponse) }},
	{KeySyncGroup, "SyncGroup", 0, 5, 4, func() Request { return new(SyncGroupRequest) }, func() Response { return new(SyncGroupResponse) }},
	{KeyDescribeGroups, "DescribeGroups", 0, 6, 5, func() Request { return new(DescribeGroupsRequest) }, func() Response { return new(DescribeGroupsResponse) }},
	{KeyListGroups, "ListGroups", 0, 5, 3, func() Request { return new(ListGroupsRequest) }, func() Response { return new(ListGroupsResponse) }},
	{KeySaslHandshake, "SaslHandshake", 0, 1, -1, func() Request { return new(SaslHandshakeRequest) }, func() Response { return new(SaslHandshakeResponse) }},
	{KeyAPIVersions, "ApiVersions", 0, 4, 3, func() Request { return new(APIVersionsRequest) }, func() Response { return new(APIVersionsResponse) }},
	{KeyCreateTopics, "CreateTopics", 0, 7, 5, func() Request { return new(CreateTopicsRequest) }, func() Response { return new(CreateTopicsResponse) }},
	{KeyDeleteTopics, "DeleteTopics", 0, 6, 4, func() Request { return new(DeleteTopicsRequest) }, func() Response { return new(DeleteTopicsResponse) }},
	{KeyDeleteRecords, "DeleteRecords", 0, 2, 2, func() Request { return new(DeleteRecordsRequest) }, func() Response { return new(DeleteRecordsResponse) }},
	{KeyInitProducerID, "InitProducerId", 0, 5, 2, func() Request { return new(InitProducerIDRequest) }, func() Response { return new(InitProducerIDResponse) }},
	{KeyOffsetForLeaderEpoch, "OffsetForLeaderEpoch", 0, 4, 4, func() Request { return new(OffsetForLeaderEpochRequest) }, func() Response { return new(OffsetForLeaderEpochResponse) }},
	{KeyAddPartitionsToTxn, "AddPartitionsToTxn", 0, 5, 3, func() Request { return new(AddPartitionsToTxnRequest) }, func() Response { return new(AddPartitionsToTxnResponse) }},
	{KeyAddOffsetsToTxn, "AddOffsetsToTxn", 0, 4, 3, func() Request { return new(AddOffsetsToTxnRequest) }, func() Response { return new(AddOffsetsToTxnResponse) }},
	{KeyEndTxn, "EndTxn", 0, 5, 3, func() Request { return new(EndTxnRequest) }, func() Response { return new(EndTxnResponse) }},
	{KeyTxnOffsetCommit, "TxnOffsetCommit", 0, 5, 3, func() Request { return new(TxnOffsetCommitRequest) }, func() Response { return new(TxnOffsetCommitResponse) }},
	{KeyDescribeACLs, "DescribeAcls", 0, 3, 2, func() Request { return new(DescribeACLsRequest) }, func() Response { return new(DescribeACLsResponse) }},
	{KeyCreateACLs, "CreateAcls", 0, 3, 2, func() Request { return new(CreateACLsRequest) }, func() Response { return new(CreateACLsResponse) }},
	{KeyDeleteACLs, "DeleteAcls", 0, 3, 2, func() Request { return new(DeleteACLsRequest) }, func() Response { return new(DeleteACLsResponse) }},
	{KeyDescribeConfigs, "DescribeConfigs", 0, 4, 4, func() Request { return new(DescribeConfigsRequest) }, func() Response { return new(DescribeConfigsResponse) }},
	{KeySaslAuthenticate, "SaslAuthenticate", 0, 2, 2, func() Request { return new(SaslAuthenticateRequest) }, func() Response { return new(SaslAuthenticateResponse) }},
	{KeyCreatePartitions, "CreatePartitions", 0, 3, 2, func() Request { return new(CreatePartitionsRequest) }, func() Response { return new(CreatePartitionsResponse) }},
	{KeyDeleteGroups, "DeleteGroups", 0, 2, 2, func() Request { return new(DeleteGroupsRequest) }, func() Response { return new(DeleteGroupsResponse) }},
	{KeyElectLeaders, "ElectLeaders", 0, 2, 2, func() Request { return new(ElectLeadersRequest) }, func() Response { return new(ElectLeadersResponse) }},
	{KeyIncrementalAlterConfigs, "IncrementalAlterConfigs", 0, 1, 1, func() Request { return new(IncrementalAlterConfigsRequest) }, func() Response { return new(IncrementalAlterConfigsResponse) }},
	{KeyListPartitionReassignments, "ListPartitionReassignments", 0, 0, 0, func() Request { return new(ListPartitionReassignmentsRequest) }, func() Response { return new(ListPartitionReassignmentsResponse) }},
	{KeyOffsetDelete, "OffsetDelete", 0, 0, -1, func() Request { return new(OffsetDeleteRequest) }, func() Response { return new(OffsetDeleteResponse) }},
	{KeyDescribeCluster, "DescribeCluster", 0, 2, 0, func() Request { return new(DescribeClusterRequest) }, func() Response { return new(DescribeClusterResponse) }},
	{KeyConsumerGroupHeartbeat, "ConsumerGroupHeartbeat", 0, 1, 0, func() Request { return new(ConsumerGroupHeartbeatRequest) }, func() Response { return new(ConsumerGroupHeartbeatResponse) }},
	{KeyConsumerGroupDescribe, "ConsumerGroupDescribe", 0, 1, 0, func() Request { return new(ConsumerGroupDescribeRequest) }, func() Response { return new(ConsumerGroupDescribeResponse) }},
	// Share groups (KIP-932): v0 of 76-79 was early access in 4.0, never
	// advertised; 4.1 serves v1. (4.2's ShareFetch/ShareAcknowledge v2 and
	// DescribeShareGroupOffsets v1 are encoded too, but not negotiated.)
	{KeyShareGroupHeartbeat, "ShareGroupHeartbeat", 1, 1, 0, func() Request { return new(ShareGroupHeartbeatRequest) }, func() Response { return new(ShareGroupHeartbeatResponse) }},
	{KeyShareGroupDescribe, "ShareGroupDescribe", 1, 1, 0, func() Request { return new(ShareGroupDescribeRequest) }, func() Response { return new(ShareGroupDescribeResponse) }},
	{KeyShareFetch, "ShareFetch", 1, 1, 0, func() Request { return new(ShareFetchRequest) }, func() Response { return new(ShareFetchResponse) }},
	{KeyShareAcknowledge, "ShareAcknowledge", 1, 1, 0, func() Request { return new(ShareAcknowledgeRequest) }, func() Response { return new(ShareAcknowledgeResponse) }},
	{KeyDescribeShareGroupOffsets, "DescribeShareGroupOffsets", 0, 0, 0, func() Request { return new(DescribeShareGroupOffsetsRequest) }, func() Response { return new(DescribeShareGroupOffsetsResponse) }},
	{KeyAlterShareGroupOffsets, "AlterShareGroupOffsets", 0, 0, 0, func() Request { return new(AlterShareGroupOffsetsRequest) }, func() Response { return new(AlterShareGroupOffsetsResponse) }},
	{KeyDeleteShareGroupOffsets, "DeleteShareGroupOffsets", 0, 0, 0, func() Request { return new(DeleteShareGroupOffsetsRequest) }, func() Response { return new(DeleteShareGroupOffsetsResponse) }},
}

// LookupAPI returns the API with key, or nil if this package does not
// implement it.
func LookupAPI(key int16) *API {
	i, ok := slices.BinarySearchFunc(APIs, key, func(a API, k int16) int { return int(a.Key) - int(k) })
	if !ok {
		return nil
	}
	return &APIs[i]
}

// APIName returns the name of the API with key, as Kafka's schemas spell
// it ("Fetch"), or "API <key>" for a key this package does not implement.
func APIName(key int16) string {
	if api := LookupAPI(key); api != nil {
		return api.Name
	}
	return "API " + strconv.Itoa(int(key))
}

// ErrUnsupportedVersion is wrapped by errors about an API key or version this
// package does not implement.
var ErrUnsupportedVersion = fmt.Errorf("protocol: unsupported API version")

// apiFor returns the API of m after checking version is implemented.
func apiFor(m Message, version int16) (*API, error) {
	api := LookupAPI(m.APIKey())
	if api == nil {
		return nil, fmt.Errorf("%w: API key %d is not implemented", ErrUnsupportedVersion, m.APIKey())
	}
	if !api.Supports(version) {
		return nil, fmt.Errorf("%w: %s v%d (implemented: v%d to v%d)", ErrUnsupportedVersion, api.Name, version, api.MinVersion, api.MaxVersion)
	}
	return api, nil
}

// Encode appends the body of m at version to dst, without header or size.
func Encode(dst []byte, m Message, version int16) ([]byte, error) {
	api, err := apiFor(m, version)
	if err != nil {
		return dst, err
	}
	e := Encoder{buf: dst, flexible: api.Flexible(version)}
	m.Encode(&e, version)
	if e.err != nil {
		return dst, fmt.Errorf("encoding %s v%d: %w", messageName(api, m), version, e.err)
	}
	return e.buf, nil
}

// Decode reads the body of m at version from b, which must hold exactly one
// message body: trailing bytes are an error. It suits requests and bodies this
// package encoded; responses from brokers go through [DecodeResponse], which
// tolerates trailing bytes.
func Decode(b []byte, m Message, version int16) error {
	_, err := decodeBody(b, m, version, true)
	return err
}

// decodeBody decodes m at version from b and returns how many bytes followed
// its last field. When exact is set, such bytes are an error.
func decodeBody(b []byte, m Message, version int16, exact bool) (trailing int, err error) {
	api, err := apiFor(m, version)
	if err != nil {
		return 0, err
	}
	d := getDecoder(b, api.Flexible(version))
	defer putDecoder(d)
	m.Decode(d, version)
	trailing = d.Remaining()
	if exact && d.err == nil && trailing != 0 {
		d.Fail("%d bytes left over", trailing)
	}
	if d.err != nil {
		return 0, fmt.Errorf("decoding %s v%d: %w", messageName(api, m), version, d.err)
	}
	return trailing, nil
}

// messageName names m for errors, as "MetadataRequest" or "FetchResponse".
func messageName(api *API, m Message) string {
	if _, ok := m.(Request); ok {
		return api.Name + "Request"
	}
	return api.Name + "Response"
}
