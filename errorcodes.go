package kafka

import "github.com/gokafka/kafka/protocol"

// One error per Kafka error code, named after Kafka's own name for it
// (Errors.java) in Go CamelCase. A broker's answer reaches the caller as one
// of these, wrapped in an [*OpError] saying where it happened:
//
//	if errors.Is(err, kafka.ErrOffsetOutOfRange) { ... }
//
// A code newer than this package is still an [Error] value (its Name is
// "UNKNOWN_ERROR_CODE_<n>"); it is never a crash.
const (
	ErrUnknownServerError                 Error = protocol.UnknownServerError                 // -1 UNKNOWN_SERVER_ERROR
	ErrOffsetOutOfRange                   Error = protocol.OffsetOutOfRange                   // 1 OFFSET_OUT_OF_RANGE
	ErrCorruptMessage                     Error = protocol.CorruptMessage                     // 2 CORRUPT_MESSAGE
	ErrUnknownTopicOrPartition            Error = protocol.UnknownTopicOrPartition            // 3 UNKNOWN_TOPIC_OR_PARTITION
	ErrInvalidFetchSize                   Error = protocol.InvalidFetchSize                   // 4 INVALID_FETCH_SIZE
	ErrLeaderNotAvailable                 Error = protocol.LeaderNotAvailable                 // 5 LEADER_NOT_AVAILABLE
	ErrNotLeaderOrFollower                Error = protocol.NotLeaderOrFollower                // 6 NOT_LEADER_OR_FOLLOWER
	ErrRequestTimedOut                    Error = protocol.RequestTimedOut                    // 7 REQUEST_TIMED_OUT
	ErrBrokerNotAvailable                 Error = protocol.BrokerNotAvailable                 // 8 BROKER_NOT_AVAILABLE
	ErrReplicaNotAvailable                Error = protocol.ReplicaNotAvailable                // 9 REPLICA_NOT_AVAILABLE
	ErrMessageTooLarge                    Error = protocol.MessageTooLarge                    // 10 MESSAGE_TOO_LARGE
	ErrStaleControllerEpoch               Error = protocol.StaleControllerEpoch               // 11 STALE_CONTROLLER_EPOCH
	ErrOffsetMetadataTooLarge             Error = protocol.OffsetMetadataTooLarge             // 12 OFFSET_METADATA_TOO_LARGE
	ErrNetworkException                   Error = protocol.NetworkException                   // 13 NETWORK_EXCEPTION
	ErrCoordinatorLoadInProgress          Error = protocol.CoordinatorLoadInProgress          // 14 COORDINATOR_LOAD_IN_PROGRESS
	ErrCoordinatorNotAvailable            Error = protocol.CoordinatorNotAvailable            // 15 COORDINATOR_NOT_AVAILABLE
	ErrNotCoordinator                     Error = protocol.NotCoordinator                     // 16 NOT_COORDINATOR
	ErrInvalidTopicException              Error = protocol.InvalidTopicException              // 17 INVALID_TOPIC_EXCEPTION
	ErrRecordListTooLarge                 Error = protocol.RecordListTooLarge                 // 18 RECORD_LIST_TOO_LARGE
	ErrNotEnoughReplicas                  Error = protocol.NotEnoughReplicas                  // 19 NOT_ENOUGH_REPLICAS
	ErrNotEnoughReplicasAfterAppend       Error = protocol.NotEnoughReplicasAfterAppend       // 20 NOT_ENOUGH_REPLICAS_AFTER_APPEND
	ErrInvalidRequiredAcks                Error = protocol.InvalidRequiredAcks                // 21 INVALID_REQUIRED_ACKS
	ErrIllegalGeneration                  Error = protocol.IllegalGeneration                  // 22 ILLEGAL_GENERATION
	ErrInconsistentGroupProtocol          Error = protocol.InconsistentGroupProtocol          // 23 INCONSISTENT_GROUP_PROTOCOL
	ErrInvalidGroupID                     Error = protocol.InvalidGroupID                     // 24 INVALID_GROUP_ID
	ErrUnknownMemberID                    Error = protocol.UnknownMemberID                    // 25 UNKNOWN_MEMBER_ID
	ErrInvalidSessionTimeout              Error = protocol.InvalidSessionTimeout              // 26 INVALID_SESSION_TIMEOUT
	ErrRebalanceInProgress                Error = protocol.RebalanceInProgress                // 27 REBALANCE_IN_PROGRESS
	ErrInvalidCommitOffsetSize            Error = protocol.InvalidCommitOffsetSize            // 28 INVALID_COMMIT_OFFSET_SIZE
	ErrTopicAuthorizationFailed           Error = protocol.TopicAuthorizationFailed           // 29 TOPIC_AUTHORIZATION_FAILED
	ErrGroupAuthorizationFailed           Error = protocol.GroupAuthorizationFailed           // 30 GROUP_AUTHORIZATION_FAILED
	ErrClusterAuthorizationFailed         Error = protocol.ClusterAuthorizationFailed         // 31 CLUSTER_AUTHORIZATION_FAILED
	ErrInvalidTimestamp                   Error = protocol.InvalidTimestamp                   // 32 INVALID_TIMESTAMP
	ErrUnsupportedSaslMechanism           Error = protocol.UnsupportedSaslMechanism           // 33 UNSUPPORTED_SASL_MECHANISM
	ErrIllegalSaslState                   Error = protocol.IllegalSaslState                   // 34 ILLEGAL_SASL_STATE
	ErrUnsupportedVersion                 Error = protocol.UnsupportedVersion                 // 35 UNSUPPORTED_VERSION
	ErrTopicAlreadyExists                 Error = protocol.TopicAlreadyExists                 // 36 TOPIC_ALREADY_EXISTS
	ErrInvalidPartitions                  Error = protocol.InvalidPartitions                  // 37 INVALID_PARTITIONS
	ErrInvalidReplicationFactor           Error = protocol.InvalidReplicationFactor           // 38 INVALID_REPLICATION_FACTOR
	ErrInvalidReplicaAssignment           Error = protocol.InvalidReplicaAssignment           // 39 INVALID_REPLICA_ASSIGNMENT
	ErrInvalidConfig                      Error = protocol.InvalidConfig                      // 40 INVALID_CONFIG
	ErrNotController                      Error = protocol.NotController                      // 41 NOT_CONTROLLER
	ErrInvalidRequest                     Error = protocol.InvalidRequest                     // 42 INVALID_REQUEST
	ErrUnsupportedForMessageFormat        Error = protocol.UnsupportedForMessageFormat        // 43 UNSUPPORTED_FOR_MESSAGE_FORMAT
	ErrPolicyViolation                    Error = protocol.PolicyViolation                    // 44 POLICY_VIOLATION
	ErrOutOfOrderSequenceNumber           Error = protocol.OutOfOrderSequenceNumber           // 45 OUT_OF_ORDER_SEQUENCE_NUMBER
	ErrDuplicateSequenceNumber            Error = protocol.DuplicateSequenceNumber            // 46 DUPLICATE_SEQUENCE_NUMBER
	ErrInvalidProducerEpoch               Error = protocol.InvalidProducerEpoch               // 47 INVALID_PRODUCER_EPOCH
	ErrInvalidTxnState                    Error = protocol.InvalidTxnState                    // 48 INVALID_TXN_STATE
	ErrInvalidProducerIDMapping           Error = protocol.InvalidProducerIDMapping           // 49 INVALID_PRODUCER_ID_MAPPING
	ErrInvalidTransactionTimeout          Error = protocol.InvalidTransactionTimeout          // 50 INVALID_TRANSACTION_TIMEOUT
	ErrConcurrentTransactions             Error = protocol.ConcurrentTransactions             // 51 CONCURRENT_TRANSACTIONS
	ErrTransactionCoordinatorFenced       Error = protocol.TransactionCoordinatorFenced       // 52 TRANSACTION_COORDINATOR_FENCED
	ErrTransactionalIDAuthorizationFailed Error = protocol.TransactionalIDAuthorizationFailed // 53 TRANSACTIONAL_ID_AUTHORIZATION_FAILED
	ErrSecurityDisabled                   Error = protocol.SecurityDisabled                   // 54 SECURITY_DISABLED
	ErrOperationNotAttempted              Error = protocol.OperationNotAttempted              // 55 OPERATION_NOT_ATTEMPTED
	ErrKafkaStorageError                  Error = protocol.KafkaStorageError                  // 56 KAFKA_STORAGE_ERROR
	ErrLogDirNotFound                     Error = protocol.LogDirNotFound                     // 57 LOG_DIR_NOT_FOUND
	ErrSaslAuthenticationFailed           Error = protocol.SaslAuthenticationFailed           // 58 SASL_AUTHENTICATION_FAILED
	ErrUnknownProducerID                  Error = protocol.UnknownProducerID                  // 59 UNKNOWN_PRODUCER_ID
	ErrReassignmentInProgress             Error = protocol.ReassignmentInProgress             // 60 REASSIGNMENT_IN_PROGRESS
	ErrDelegationTokenAuthDisabled        Error = protocol.DelegationTokenAuthDisabled        // 61 DELEGATION_TOKEN_AUTH_DISABLED
	ErrDelegationTokenNotFound            Error = protocol.DelegationTokenNotFound            // 62 DELEGATION_TOKEN_NOT_FOUND
	ErrDelegationTokenOwnerMismatch       Error = protocol.DelegationTokenOwnerMismatch       // 63 DELEGATION_TOKEN_OWNER_MISMATCH
	ErrDelegationTokenRequestNotAllowed   Error = protocol.DelegationTokenRequestNotAllowed   // 64 DELEGATION_TOKEN_REQUEST_NOT_ALLOWED
	ErrDelegationTokenAuthorizationFailed Error = protocol.DelegationTokenAuthorizationFailed // 65 DELEGATION_TOKEN_AUTHORIZATION_FAILED
	ErrDelegationTokenExpired             Error = protocol.DelegationTokenExpired             // 66 DELEGATION_TOKEN_EXPIRED
	ErrInvalidPrincipalType               Error = protocol.InvalidPrincipalType               // 67 INVALID_PRINCIPAL_TYPE
	ErrNonEmptyGroup                      Error = protocol.NonEmptyGroup                      // 68 NON_EMPTY_GROUP
	ErrGroupIDNotFound                    Error = protocol.GroupIDNotFound                    // 69 GROUP_ID_NOT_FOUND
	ErrFetchSessionIDNotFound             Error = protocol.FetchSessionIDNotFound             // 70 FETCH_SESSION_ID_NOT_FOUND
	ErrInvalidFetchSessionEpoch           Error = protocol.InvalidFetchSessionEpoch           // 71 INVALID_FETCH_SESSION_EPOCH
	ErrListenerNotFound                   Error = protocol.ListenerNotFound                   // 72 LISTENER_NOT_FOUND
	ErrTopicDeletionDisabled              Error = protocol.TopicDeletionDisabled              // 73 TOPIC_DELETION_DISABLED
	ErrFencedLeaderEpoch                  Error = protocol.FencedLeaderEpoch                  // 74 FENCED_LEADER_EPOCH
	ErrUnknownLeaderEpoch                 Error = protocol.UnknownLeaderEpoch                 // 75 UNKNOWN_LEADER_EPOCH
	ErrUnsupportedCompressionType         Error = protocol.UnsupportedCompressionType         // 76 UNSUPPORTED_COMPRESSION_TYPE
	ErrStaleBrokerEpoch                   Error = protocol.StaleBrokerEpoch                   // 77 STALE_BROKER_EPOCH
	ErrOffsetNotAvailable                 Error = protocol.OffsetNotAvailable                 // 78 OFFSET_NOT_AVAILABLE
	ErrMemberIDRequired                   Error = protocol.MemberIDRequired                   // 79 MEMBER_ID_REQUIRED
	ErrPreferredLeaderNotAvailable        Error = protocol.PreferredLeaderNotAvailable        // 80 PREFERRED_LEADER_NOT_AVAILABLE
	ErrGroupMaxSizeReached                Error = protocol.GroupMaxSizeReached                // 81 GROUP_MAX_SIZE_REACHED
	ErrFencedInstanceID                   Error = protocol.FencedInstanceID                   // 82 FENCED_INSTANCE_ID
	ErrEligibleLeadersNotAvailable        Error = protocol.EligibleLeadersNotAvailable        // 83 ELIGIBLE_LEADERS_NOT_AVAILABLE
	ErrElectionNotNeeded                  Error = protocol.ElectionNotNeeded                  // 84 ELECTION_NOT_NEEDED
	ErrNoReassignmentInProgress           Error = protocol.NoReassignmentInProgress           // 85 NO_REASSIGNMENT_IN_PROGRESS
	ErrGroupSubscribedToTopic             Error = protocol.GroupSubscribedToTopic             // 86 GROUP_SUBSCRIBED_TO_TOPIC
	ErrInvalidRecord                      Error = protocol.InvalidRecord                      // 87 INVALID_RECORD
	ErrUnstableOffsetCommit               Error = protocol.UnstableOffsetCommit               // 88 UNSTABLE_OFFSET_COMMIT
	ErrThrottlingQuotaExceeded            Error = protocol.ThrottlingQuotaExceeded            // 89 THROTTLING_QUOTA_EXCEEDED
	ErrProducerFenced                     Error = protocol.ProducerFenced                     // 90 PRODUCER_FENCED
	ErrResourceNotFound                   Error = protocol.ResourceNotFound                   // 91 RESOURCE_NOT_FOUND
	ErrDuplicateResource                  Error = protocol.DuplicateResource                  // 92 DUPLICATE_RESOURCE
	ErrUnacceptableCredential             Error = protocol.UnacceptableCredential             // 93 UNACCEPTABLE_CREDENTIAL
	ErrInconsistentVoterSet               Error = protocol.InconsistentVoterSet               // 94 INCONSISTENT_VOTER_SET
	ErrInvalidUpdateVersion               Error = protocol.InvalidUpdateVersion               // 95 INVALID_UPDATE_VERSION
	ErrFeatureUpdateFailed                Error = protocol.FeatureUpdateFailed                // 96 FEATURE_UPDATE_FAILED
	ErrPrincipalDeserializationFailure    Error = protocol.PrincipalDeserializationFailure    // 97 PRINCIPAL_DESERIALIZATION_FAILURE
	ErrSnapshotNotFound                   Error = protocol.SnapshotNotFound                   // 98 SNAPSHOT_NOT_FOUND
	ErrPositionOutOfRange                 Error = protocol.PositionOutOfRange                 // 99 POSITION_OUT_OF_RANGE
	ErrUnknownTopicID                     Error = protocol.UnknownTopicID                     // 100 UNKNOWN_TOPIC_ID
	ErrDuplicateBrokerRegistration        Error = protocol.DuplicateBrokerRegistration        // 101 DUPLICATE_BROKER_REGISTRATION
	ErrBrokerIDNotRegistered              Error = protocol.BrokerIDNotRegistered              // 102 BROKER_ID_NOT_REGISTERED
	ErrInconsistentTopicID                Error = protocol.InconsistentTopicID                // 103 INCONSISTENT_TOPIC_ID
	ErrInconsistentClusterID              Error = protocol.InconsistentClusterID              // 104 INCONSISTENT_CLUSTER_ID
	ErrTransactionalIDNotFound            Error = protocol.TransactionalIDNotFound            // 105 TRANSACTIONAL_ID_NOT_FOUND
	ErrFetchSessionTopicIDError           Error = protocol.FetchSessionTopicIDError           // 106 FETCH_SESSION_TOPIC_ID_ERROR
	ErrIneligibleReplica                  Error = protocol.IneligibleReplica                  // 107 INELIGIBLE_REPLICA
	ErrNewLeaderElected                   Error = protocol.NewLeaderElected                   // 108 NEW_LEADER_ELECTED
	ErrOffsetMovedToTieredStorage         Error = protocol.OffsetMovedToTieredStorage         // 109 OFFSET_MOVED_TO_TIERED_STORAGE
	ErrFencedMemberEpoch                  Error = protocol.FencedMemberEpoch                  // 110 FENCED_MEMBER_EPOCH
	ErrUnreleasedInstanceID               Error = protocol.UnreleasedInstanceID               // 111 UNRELEASED_INSTANCE_ID
	ErrUnsupportedAssignor                Error = protocol.UnsupportedAssignor                // 112 UNSUPPORTED_ASSIGNOR
	ErrStaleMemberEpoch                   Error = protocol.StaleMemberEpoch                   // 113 STALE_MEMBER_EPOCH
	ErrMismatchedEndpointType             Error = protocol.MismatchedEndpointType             // 114 MISMATCHED_ENDPOINT_TYPE
	ErrUnsupportedEndpointType            Error = protocol.UnsupportedEndpointType            // 115 UNSUPPORTED_ENDPOINT_TYPE
	ErrUnknownControllerID                Error = protocol.UnknownControllerID                // 116 UNKNOWN_CONTROLLER_ID
	ErrUnknownSubscriptionID              Error = protocol.UnknownSubscriptionID              // 117 UNKNOWN_SUBSCRIPTION_ID
	ErrTelemetryTooLarge                  Error = protocol.TelemetryTooLarge                  // 118 TELEMETRY_TOO_LARGE
	ErrInvalidRegistration                Error = protocol.InvalidRegistration                // 119 INVALID_REGISTRATION
	ErrTransactionAbortable               Error = protocol.TransactionAbortable               // 120 TRANSACTION_ABORTABLE
	ErrInvalidRecordState                 Error = protocol.InvalidRecordState                 // 121 INVALID_RECORD_STATE
	ErrShareSessionNotFound               Error = protocol.ShareSessionNotFound               // 122 SHARE_SESSION_NOT_FOUND
	ErrInvalidShareSessionEpoch           Error = protocol.InvalidShareSessionEpoch           // 123 INVALID_SHARE_SESSION_EPOCH
	ErrFencedStateEpoch                   Error = protocol.FencedStateEpoch                   // 124 FENCED_STATE_EPOCH
	ErrInvalidVoterKey                    Error = protocol.InvalidVoterKey                    // 125 INVALID_VOTER_KEY
	ErrDuplicateVoter                     Error = protocol.DuplicateVoter                     // 126 DUPLICATE_VOTER
	ErrVoterNotFound                      Error = protocol.VoterNotFound                      // 127 VOTER_NOT_FOUND
	ErrInvalidRegularExpression           Error = protocol.InvalidRegularExpression           // 128 INVALID_REGULAR_EXPRESSION
	ErrRebootstrapRequired                Error = protocol.RebootstrapRequired                // 129 REBOOTSTRAP_REQUIRED
	ErrStreamsInvalidTopology             Error = protocol.StreamsInvalidTopology             // 130 STREAMS_INVALID_TOPOLOGY
	ErrStreamsInvalidTopologyEpoch        Error = protocol.StreamsInvalidTopologyEpoch        // 131 STREAMS_INVALID_TOPOLOGY_EPOCH
	ErrStreamsTopologyFenced              Error = protocol.StreamsTopologyFenced              // 132 STREAMS_TOPOLOGY_FENCED
	ErrShareSessionLimitReached           Error = protocol.ShareSessionLimitReached           // 133 SHARE_SESSION_LIMIT_REACHED
)

// Names pykafka and older Kafka releases used for the same codes, so code
// and habits carried over from them keep working.
const (
	ErrNotLeaderForPartition        = ErrNotLeaderOrFollower       // pykafka NotLeaderForPartition
	ErrUnknown                      = ErrUnknownServerError        // pykafka UnknownError
	ErrInvalidMessage               = ErrCorruptMessage            // pykafka InvalidMessageError
	ErrInvalidMessageSize           = ErrInvalidFetchSize          // pykafka InvalidMessageSize
	ErrMessageSizeTooLarge          = ErrMessageTooLarge           // pykafka MessageSizeTooLarge
	ErrGroupLoadInProgress          = ErrCoordinatorLoadInProgress // pykafka GroupLoadInProgress
	ErrGroupCoordinatorNotAvailable = ErrCoordinatorNotAvailable   // pykafka GroupCoordinatorNotAvailable
	ErrNotCoordinatorForGroup       = ErrNotCoordinator            // pykafka NotCoordinatorForGroup
	ErrInvalidTopic                 = ErrInvalidTopicException     // pykafka InvalidTopic
)
