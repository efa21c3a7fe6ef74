package protocol

import "strconv"

// ErrorCode is a Kafka protocol error code, as carried in the int16
// ErrorCode fields of responses. It implements error, so a code can travel
// up through wrapped errors and be matched with errors.Is.
//
// The constants below cover every code from -1 (UnknownServerError) to the
// newest of Kafka 4.1 (ShareSessionLimitReached, 133). Each is named after
// Kafka's name for the code (Errors.java), in Go CamelCase. A broker newer
// than this package may send a code without a constant: every method works
// on such a code, and Known reports false.
type ErrorCode int16

// Kafka's error codes, from clients/.../common/protocol/Errors.java (Kafka 4.1).
const (
	UnknownServerError                 ErrorCode = -1
	None                               ErrorCode = 0
	OffsetOutOfRange                   ErrorCode = 1
	CorruptMessage                     ErrorCode = 2
	UnknownTopicOrPartition            ErrorCode = 3
	InvalidFetchSize                   ErrorCode = 4
	LeaderNotAvailable                 ErrorCode = 5
	NotLeaderOrFollower                ErrorCode = 6
	RequestTimedOut                    ErrorCode = 7
	BrokerNotAvailable                 ErrorCode = 8
	ReplicaNotAvailable                ErrorCode = 9
	MessageTooLarge                    ErrorCode = 10
	StaleControllerEpoch               ErrorCode = 11
	OffsetMetadataTooLarge             ErrorCode = 12
	NetworkException                   ErrorCode = 13
	CoordinatorLoadInProgress          ErrorCode = 14
	CoordinatorNotAvailable            ErrorCode = 15
	NotCoordinator                     ErrorCode = 16
	InvalidTopicException              ErrorCode = 17
	RecordListTooLarge                 ErrorCode = 18
	NotEnoughReplicas                  ErrorCode = 19
	NotEnoughReplicasAfterAppend       ErrorCode = 20
	InvalidRequiredAcks                ErrorCode = 21
	IllegalGeneration                  ErrorCode = 22
	InconsistentGroupProtocol          ErrorCode = 23
	InvalidGroupID                     ErrorCode = 24
	UnknownMemberID                    ErrorCode = 25
	InvalidSessionTimeout              ErrorCode = 26
	RebalanceInProgress                ErrorCode = 27
	InvalidCommitOffsetSize            ErrorCode = 28
	TopicAuthorizationFailed           ErrorCode = 29
	GroupAuthorizationFailed           ErrorCode = 30
	ClusterAuthorizationFailed         ErrorCode = 31
	InvalidTimestamp                   ErrorCode = 32
	UnsupportedSaslMechanism           ErrorCode = 33
	IllegalSaslState                   ErrorCode = 34
	UnsupportedVersion                 ErrorCode = 35
	TopicAlreadyExists                 ErrorCode = 36
	InvalidPartitions                  ErrorCode = 37
	InvalidReplicationFactor           ErrorCode = 38
	InvalidReplicaAssignment           ErrorCode = 39
	InvalidConfig                      ErrorCode = 40
	NotController                      ErrorCode = 41
	InvalidRequest                     ErrorCode = 42
	UnsupportedForMessageFormat        ErrorCode = 43
	PolicyViolation                    ErrorCode = 44
	OutOfOrderSequenceNumber           ErrorCode = 45
	DuplicateSequenceNumber            ErrorCode = 46
	InvalidProducerEpoch               ErrorCode = 47
	InvalidTxnState                    ErrorCode = 48
	InvalidProducerIDMapping           ErrorCode = 49
	InvalidTransactionTimeout          ErrorCode = 50
	ConcurrentTransactions             ErrorCode = 51
	TransactionCoordinatorFenced       ErrorCode = 52
	TransactionalIDAuthorizationFailed ErrorCode = 53
	SecurityDisabled                   ErrorCode = 54
	OperationNotAttempted              ErrorCode = 55
	KafkaStorageError                  ErrorCode = 56
	LogDirNotFound                     ErrorCode = 57
	SaslAuthenticationFailed           ErrorCode = 58
	UnknownProducerID                  ErrorCode = 59
	ReassignmentInProgress             ErrorCode = 60
	DelegationTokenAuthDisabled        ErrorCode = 61
	DelegationTokenNotFound            ErrorCode = 62
	DelegationTokenOwnerMismatch       ErrorCode = 63
	DelegationTokenRequestNotAllowed   ErrorCode = 64
	DelegationTokenAuthorizationFailed ErrorCode = 65
	DelegationTokenExpired             ErrorCode = 66
	InvalidPrincipalType               ErrorCode = 67
	NonEmptyGroup                      ErrorCode = 68
	GroupIDNotFound                    ErrorCode = 69
	FetchSessionIDNotFound             ErrorCode = 70
	InvalidFetchSessionEpoch           ErrorCode = 71
	ListenerNotFound                   ErrorCode = 72
	TopicDeletionDisabled              ErrorCode = 73
	FencedLeaderEpoch                  ErrorCode = 74
	UnknownLeaderEpoch                 ErrorCode = 75
	UnsupportedCompressionType         ErrorCode = 76
	StaleBrokerEpoch                   ErrorCode = 77
	OffsetNotAvailable                 ErrorCode = 78
	MemberIDRequired                   ErrorCode = 79
	PreferredLeaderNotAvailable        ErrorCode = 80
	GroupMaxSizeReached                ErrorCode = 81
	FencedInstanceID                   ErrorCode = 82
	EligibleLeadersNotAvailable        ErrorCode = 83
	ElectionNotNeeded                  ErrorCode = 84
	NoReassignmentInProgress           ErrorCode = 85
	GroupSubscribedToTopic             ErrorCode = 86
	InvalidRecord                      ErrorCode = 87
	UnstableOffsetCommit               ErrorCode = 88
	ThrottlingQuotaExceeded            ErrorCode = 89
	ProducerFenced                     ErrorCode = 90
	ResourceNotFound                   ErrorCode = 91
	DuplicateResource                  ErrorCode = 92
	UnacceptableCredential             ErrorCode = 93
	InconsistentVoterSet               ErrorCode = 94
	InvalidUpdateVersion               ErrorCode = 95
	FeatureUpdateFailed                ErrorCode = 96
	PrincipalDeserializationFailure    ErrorCode = 97
	SnapshotNotFound                   ErrorCode = 98
	PositionOutOfRange                 ErrorCode = 99
	UnknownTopicID                     ErrorCode = 100
	DuplicateBrokerRegistration        ErrorCode = 101
	BrokerIDNotRegistered              ErrorCode = 102
	InconsistentTopicID                ErrorCode = 103
	InconsistentClusterID              ErrorCode = 104
	TransactionalIDNotFound            ErrorCode = 105
	FetchSessionTopicIDError           ErrorCode = 106
	IneligibleReplica                  ErrorCode = 107
	NewLeaderElected                   ErrorCode = 108
	OffsetMovedToTieredStorage         ErrorCode = 109
	FencedMemberEpoch                  ErrorCode = 110
	UnreleasedInstanceID               ErrorCode = 111
	UnsupportedAssignor                ErrorCode = 112
	StaleMemberEpoch                   ErrorCode = 113
	MismatchedEndpointType             ErrorCode = 114
	UnsupportedEndpointType            ErrorCode = 115
	UnknownControllerID                ErrorCode = 116
	UnknownSubscriptionID              ErrorCode = 117
	TelemetryTooLarge                  ErrorCode = 118
	InvalidRegistration                ErrorCode = 119
	TransactionAbortable               ErrorCode = 120
	InvalidRecordState                 ErrorCode = 121
	ShareSessionNotFound               ErrorCode = 122
	InvalidShareSessionEpoch           ErrorCode = 123
	FencedStateEpoch                   ErrorCode = 124
	InvalidVoterKey                    ErrorCode = 125
	DuplicateVoter                     ErrorCode = 126
	VoterNotFound                      ErrorCode = 127
	InvalidRegularExpression           ErrorCode = 128
	RebootstrapRequired                ErrorCode = 129
	StreamsInvalidTopology             ErrorCode = 130
	StreamsInvalidTopologyEpoch        ErrorCode = 131
	StreamsTopologyFenced              ErrorCode = 132
	ShareSessionLimitReached           ErrorCode = 133
)

// errorInfo is what Kafka says of one error code.
type errorInfo struct {
	name      string // Kafka's name, e.g. "OFFSET_OUT_OF_RANGE"
	message   string // the default message of the code's exception
	retriable bool   // the exception class extends RetriableException
}

// errorTable holds every known code, indexed by code+1: errorTable[0] is
// UnknownServerError (-1) and the last entry is the newest code. The names,
// messages and retriable flags are those Kafka 4.1 publishes in its
// protocol guide, generated from Errors.java and the exception classes.
var errorTable = [...]errorInfo{
	{"UNKNOWN_SERVER_ERROR", "The server experienced an unexpected error when processing the request.", false},
	{"NONE", "", false},
	{"OFFSET_OUT_OF_RANGE", "The requested offset is not within the range of offsets maintained by the server.", false},
	{"CORRUPT_MESSAGE", "This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.", true},
	{"UNKNOWN_TOPIC_OR_PARTITION", "This server does not host this topic-partition.", true},
	{"INVALID_FETCH_SIZE", "The requested fetch size is invalid.", false},
	{"LEADER_NOT_AVAILABLE", "There is no leader for this topic-partition as we are in the middle of a leadership election.", true},
	{"NOT_LEADER_OR_FOLLOWER", "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.", true},
	{"REQUEST_TIMED_OUT", "The request timed out.", true},
	{"BROKER_NOT_AVAILABLE", "The broker is not available.", false},
	{"REPLICA_NOT_AVAILABLE", "The replica is not available for the requested topic-partition. Produce/Fetch requests and other requests intended only for the leader or follower return NOT_LEADER_OR_FOLLOWER if the broker is not a replica of the topic-partition.", true},
	{"MESSAGE_TOO_LARGE", "The request included a message larger than the max message size the server will accept.", false},
	{"STALE_CONTROLLER_EPOCH", "The controller moved to another broker.", false},
	{"OFFSET_METADATA_TOO_LARGE", "The metadata field of the offset request was too large.", false},
	{"NETWORK_EXCEPTION", "The server disconnected before a response was received.", true},
	{"COORDINATOR_LOAD_IN_PROGRESS", "The coordinator is loading and hence can't process requests.", true},
	{"COORDINATOR_NOT_AVAILABLE", "The coordinator is not available.", true},
	{"NOT_COORDINATOR", "This is not the correct coordinator.", true},
	{"INVALID_TOPIC_EXCEPTION", "The request attempted to perform an operation on an invalid topic.", false},
	{"RECORD_LIST_TOO_LARGE", "The request included message batch larger than the configured segment size on the server.", false},
	{"NOT_ENOUGH_REPLICAS", "Messages are rejected since there are fewer in-sync replicas than required.", true},
	{"NOT_ENOUGH_REPLICAS_AFTER_APPEND", "Messages are written to the log, but to fewer in-sync replicas than required.", true},
	{"INVALID_REQUIRED_ACKS", "Produce request specified an invalid value for required acks.", false},
	{"ILLEGAL_GENERATION", "Specified group generation id is not valid.", false},
	{"INCONSISTENT_GROUP_PROTOCOL", "The group member's supported protocols are incompatible with those of existing members or first group member tried to join with empty protocol type or empty protocol list.", false},
	{"INVALID_GROUP_ID", "The group id is invalid.", false},
	{"UNKNOWN_MEMBER_ID", "The coordinator is not aware of this member.", false},
	{"INVALID_SESSION_TIMEOUT", "The session timeout is not within the range allowed by the broker (as configured by group.min.session.timeout.ms and group.max.session.timeout.ms).", false},
	{"REBALANCE_IN_PROGRESS", "The group is rebalancing, so a rejoin is needed.", false},
	{"INVALID_COMMIT_OFFSET_SIZE", "The committing offset data size is not valid.", false},
	{"TOPIC_AUTHORIZATION_FAILED", "Topic authorization failed.", false},
	{"GROUP_AUTHORIZATION_FAILED", "Group authorization failed.", false},
	{"CLUSTER_AUTHORIZATION_FAILED", "Cluster authorization failed.", false},
	{"INVALID_TIMESTAMP", "The timestamp of the message is out of acceptable range.", false},
	{"UNSUPPORTED_SASL_MECHANISM", "The broker does not support the requested SASL mechanism.", false},
	{"ILLEGAL_SASL_STATE", "Request is not valid given the current SASL state.", false},
	{"UNSUPPORTED_VERSION", "The version of API is not supported.", false},
	{"TOPIC_ALREADY_EXISTS", "Topic with this name already exists.", false},
	{"INVALID_PARTITIONS", "Number of partitions is below 1.", false},
	{"INVALID_REPLICATION_FACTOR", "Replication factor is below 1 or larger than the number of available brokers.", false},
	{"INVALID_REPLICA_ASSIGNMENT", "Replica assignment is invalid.", false},
	{"INVALID_CONFIG", "Configuration is invalid.", false},
	{"NOT_CONTROLLER", "This is not the correct controller for this cluster.", true},
	{"INVALID_REQUEST", "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.", false},
	{"UNSUPPORTED_FOR_MESSAGE_FORMAT", "The message format version on the broker does not support the request.", false},
	{"POLICY_VIOLATION", "Request parameters do not satisfy the configured policy.", false},
	{"OUT_OF_ORDER_SEQUENCE_NUMBER", "The broker received an out of order sequence number.", false},
	{"DUPLICATE_SEQUENCE_NUMBER", "The broker received a duplicate sequence number.", false},
	{"INVALID_PRODUCER_EPOCH", "Producer attempted to produce with an old epoch.", false},
	{"INVALID_TXN_STATE", "The producer attempted a transactional operation in an invalid state.", false},
	{"INVALID_PRODUCER_ID_MAPPING", "The producer attempted to use a producer id which is not currently assigned to its transactional id.", false},
	{"INVALID_TRANSACTION_TIMEOUT", "The transaction timeout is larger than the maximum value allowed by the broker (as configured by transaction.max.timeout.ms).", false},
	{"CONCURRENT_TRANSACTIONS", "The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing.", true},
	{"TRANSACTION_COORDINATOR_FENCED", "Indicates that the transaction coordinator sending a WriteTxnMarker is no longer the current coordinator for a given producer.", false},
	{"TRANSACTIONAL_ID_AUTHORIZATION_FAILED", "Transactional Id authorization failed.", false},
	{"SECURITY_DISABLED", "Security features are disabled.", false},
	{"OPERATION_NOT_ATTEMPTED", "The broker did not attempt to execute this operation. This may happen for batched RPCs where some operations in the batch failed, causing the broker to respond without trying the rest.", false},
	{"KAFKA_STORAGE_ERROR", "Disk error when trying to access log file on the disk.", true},
	{"LOG_DIR_NOT_FOUND", "The user-specified log directory is not found in the broker config.", false},
	{"SASL_AUTHENTICATION_FAILED", "SASL Authentication failed.", false},
	{"UNKNOWN_PRODUCER_ID", "This exception is raised by the broker if it could not locate the producer metadata associated with the producerId in question. This could happen if, for instance, the producer's records were deleted because their retention time had elapsed. Once the last records of the producerId are removed, the producer's metadata is removed from the broker, and future appends by the producer will return this exception.", false},
	{"REASSIGNMENT_IN_PROGRESS", "A partition reassignment is in progress.", false},
	{"DELEGATION_TOKEN_AUTH_DISABLED", "Delegation Token feature is not enabled.", false},
	{"DELEGATION_TOKEN_NOT_FOUND", "Delegation Token is not found on server.", false},
	{"DELEGATION_TOKEN_OWNER_MISMATCH", "Specified Principal is not valid Owner/Renewer.", false},
	{"DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", "Delegation Token requests are not allowed on PLAINTEXT/1-way SSL channels and on delegation token authenticated channels.", false},
	{"DELEGATION_TOKEN_AUTHORIZATION_FAILED", "Delegation Token authorization failed.", false},
	{"DELEGATION_TOKEN_EXPIRED", "Delegation Token is expired.", false},
	{"INVALID_PRINCIPAL_TYPE", "Supplied principalType is not supported.", false},
	{"NON_EMPTY_GROUP", "The group is not empty.", false},
	{"GROUP_ID_NOT_FOUND", "The group id does not exist.", false},
	{"FETCH_SESSION_ID_NOT_FOUND", "The fetch session ID was not found.", true},
	{"INVALID_FETCH_SESSION_EPOCH", "The fetch session epoch is invalid.", true},
	{"LISTENER_NOT_FOUND", "There is no listener on the leader broker that matches the listener on which metadata request was processed.", true},
	{"TOPIC_DELETION_DISABLED", "Topic deletion is disabled.", false},
	{"FENCED_LEADER_EPOCH", "The leader epoch in the request is older than the epoch on the broker.", true},
	{"UNKNOWN_LEADER_EPOCH", "The leader epoch in the request is newer than the epoch on the broker.", true},
	{"UNSUPPORTED_COMPRESSION_TYPE", "The requesting client does not support the compression type of given partition.", false},
	{"STALE_BROKER_EPOCH", "Broker epoch has changed.", false},
	{"OFFSET_NOT_AVAILABLE", "The leader high watermark has not caught up from a recent leader election so the offsets cannot be guaranteed to be monotonically increasing.", true},
	{"MEMBER_ID_REQUIRED", "The group member needs to have a valid member id before actually entering a consumer group.", false},
	{"PREFERRED_LEADER_NOT_AVAILABLE", "The preferred leader was not available.", true},
	{"GROUP_MAX_SIZE_REACHED", "The group has reached its maximum size.", false},
	{"FENCED_INSTANCE_ID", "The broker rejected this static consumer since another consumer with the same group.instance.id has registered with a different member.id.", false},
	{"ELIGIBLE_LEADERS_NOT_AVAILABLE", "Eligible topic partition leaders are not available.", true},
	{"ELECTION_NOT_NEEDED", "Leader election not needed for topic partition.", true},
	{"NO_REASSIGNMENT_IN_PROGRESS", "No partition reassignment is in progress.", false},
	{"GROUP_SUBSCRIBED_TO_TOPIC", "Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.", false},
	{"INVALID_RECORD", "This record has failed the validation on broker and hence will be rejected.", false},
	{"UNSTABLE_OFFSET_COMMIT", "There are unstable offsets that need to be cleared.", true},
	{"THROTTLING_QUOTA_EXCEEDED", "The throttling quota has been exceeded.", true},
	{"PRODUCER_FENCED", "There is a newer producer with the same transactionalId which fences the current one.", false},
	{"RESOURCE_NOT_FOUND", "A request illegally referred to a resource that does not exist.", false},
	{"DUPLICATE_RESOURCE", "A request illegally referred to the same resource twice.", false},
	{"UNACCEPTABLE_CREDENTIAL", "Requested credential would not meet criteria for acceptability.", false},
	{"INCONSISTENT_VOTER_SET", "Indicates that the either the sender or recipient of a voter-only request is not one of the expected voters.", false},
	{"INVALID_UPDATE_VERSION", "The given update version was invalid.", false},
	{"FEATURE_UPDATE_FAILED", "Unable to update finalized features due to an unexpected server error.", false},
	{"PRINCIPAL_DESERIALIZATION_FAILURE", "Request principal deserialization failed during forwarding. This indicates an internal error on the broker cluster security setup.", false},
	{"SNAPSHOT_NOT_FOUND", "Requested snapshot was not found.", false},
	{"POSITION_OUT_OF_RANGE", "Requested position is not greater than or equal to zero, and less than the size of the snapshot.", false},
	{"UNKNOWN_TOPIC_ID", "This server does not host this topic ID.", true},
	{"DUPLICATE_BROKER_REGISTRATION", "This broker ID is already in use.", false},
	{"BROKER_ID_NOT_REGISTERED", "The given broker ID was not registered.", false},
	{"INCONSISTENT_TOPIC_ID", "The log's topic ID did not match the topic ID in the request.", true},
	{"INCONSISTENT_CLUSTER_ID", "The clusterId in the request does not match that found on the server.", false},
	{"TRANSACTIONAL_ID_NOT_FOUND", "The transactionalId could not be found.", false},
	{"FETCH_SESSION_TOPIC_ID_ERROR", "The fetch session encountered inconsistent topic ID usage.", true},
	{"INELIGIBLE_REPLICA", "The new ISR contains at least one ineligible replica.", false},
	{"NEW_LEADER_ELECTED", "The AlterPartition request successfully updated the partition state but the leader has changed.", false},
	{"OFFSET_MOVED_TO_TIERED_STORAGE", "The requested offset is moved to tiered storage.", false},
	{"FENCED_MEMBER_EPOCH", "The member epoch is fenced by the group coordinator. The member must abandon all its partitions and rejoin.", false},
	{"UNRELEASED_INSTANCE_ID", "The instance ID is still used by another member in the consumer group. That member must leave first.", false},
	{"UNSUPPORTED_ASSIGNOR", "The assignor or its version range is not supported by the consumer group.", false},
	{"STALE_MEMBER_EPOCH", "The member epoch is stale. The member must retry after receiving its updated member epoch via the ConsumerGroupHeartbeat API.", false},
	{"MISMATCHED_ENDPOINT_TYPE", "The request was sent to an endpoint of the wrong type.", false},
	{"UNSUPPORTED_ENDPOINT_TYPE", "This endpoint type is not supported yet.", false},
	{"UNKNOWN_CONTROLLER_ID", "This controller ID is not known.", false},
	{"UNKNOWN_SUBSCRIPTION_ID", "Client sent a push telemetry request with an invalid or outdated subscription ID.", false},
	{"TELEMETRY_TOO_LARGE", "Client sent a push telemetry request larger than the maximum size the broker will accept.", false},
	{"INVALID_REGISTRATION", "The controller has considered the broker registration to be invalid.", false},
	{"TRANSACTION_ABORTABLE", "The server encountered an error with the transaction. The client can abort the transaction to continue using this transactional ID.", false},
	{"INVALID_RECORD_STATE", "The record state is invalid. The acknowledgement of delivery could not be completed.", false},
	{"SHARE_SESSION_NOT_FOUND", "The share session was not found.", true},
	{"INVALID_SHARE_SESSION_EPOCH", "The share session epoch is invalid.", true},
	{"FENCED_STATE_EPOCH", "The share coordinator rejected the request because the share-group state epoch did not match.", false},
	{"INVALID_VOTER_KEY", "The voter key doesn't match the receiving replica's key.", false},
	{"DUPLICATE_VOTER", "The voter is already part of the set of voters.", false},
	{"VOTER_NOT_FOUND", "The voter is not part of the set of voters.", false},
	{"INVALID_REGULAR_EXPRESSION", "The regular expression is not valid.", false},
	{"REBOOTSTRAP_REQUIRED", "Client metadata is stale. The client should rebootstrap to obtain new metadata.", false},
	{"STREAMS_INVALID_TOPOLOGY", "The supplied topology is invalid.", false},
	{"STREAMS_INVALID_TOPOLOGY_EPOCH", "The supplied topology epoch is invalid.", false},
	{"STREAMS_TOPOLOGY_FENCED", "The supplied topology epoch is outdated.", false},
	{"SHARE_SESSION_LIMIT_REACHED", "The limit of share sessions has been reached.", true},
}

// info returns the table entry of c, or nil if c is not a known code.
func (c ErrorCode) info() *errorInfo {
	i := int(c) + 1
	if i < 0 || i >= len(errorTable) {
		return nil
	}
	return &errorTable[i]
}

// Known reports whether c is one of the codes this package knows, from
// UnknownServerError (-1) to the newest code of Kafka 4.1.
func (c ErrorCode) Known() bool { return c.info() != nil }

// Name returns Kafka's name for c, such as "OFFSET_OUT_OF_RANGE", or
// "UNKNOWN_ERROR_CODE_<n>" if c is not a known code.
func (c ErrorCode) Name() string {
	if e := c.info(); e != nil {
		return e.name
	}
	return "UNKNOWN_ERROR_CODE_" + strconv.Itoa(int(c))
}

// Message returns Kafka's default description of c. It is empty for None and
// for a code this package does not know.
func (c ErrorCode) Message() string {
	if e := c.info(); e != nil {
		return e.message
	}
	return ""
}

// Retriable reports whether Kafka considers c retriable, that is whether the
// exception Kafka's Java client raises for it extends RetriableException.
// It is false for None and for a code this package does not know (the Java
// client treats such a code as UNKNOWN_SERVER_ERROR, which is not
// retriable).
func (c ErrorCode) Retriable() bool {
	if e := c.info(); e != nil {
		return e.retriable
	}
	return false
}

// String returns the name and the number of c, such as
// "OFFSET_OUT_OF_RANGE (1)" or "UNKNOWN_ERROR_CODE_500 (500)".
func (c ErrorCode) String() string {
	return c.Name() + " (" + strconv.Itoa(int(c)) + ")"
}

// Error makes a non-zero code a Go error: "kafka: OFFSET_OUT_OF_RANGE (1):
// The requested offset is not within the range of offsets maintained by the
// server." Codes compare with == (and so with errors.Is).
func (c ErrorCode) Error() string {
	if m := c.Message(); m != "" {
		return "kafka: " + c.String() + ": " + m
	}
	return "kafka: " + c.String()
}

// ErrorCodes returns every known code in ascending order, from
// UnknownServerError (-1) to the newest. The slice is new on each call.
func ErrorCodes() []ErrorCode {
	codes := make([]ErrorCode, len(errorTable))
	for i := range codes {
		codes[i] = ErrorCode(i - 1)
	}
	return codes
}
