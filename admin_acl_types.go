package kafka

import (
	"fmt"
	"strconv"
	"strings"
)

// The enums of ACL bindings, with Kafka's numbering. Each zero value is
// Kafka's UNKNOWN, which an [ACLFilter] reads as "any" and brokers refuse in
// an [ACL]. Their String methods give Kafka's names (TOPIC, PREFIXED,
// DESCRIBE_CONFIGS, ALLOW), which the Parse functions read back, in any
// case and with - or _.

// ACLResourceType is the kind of resource an ACL protects.
type ACLResourceType int8

// The ACL resource types.
const (
	ACLResourceAny             ACLResourceType = 1 // filters only
	ACLResourceTopic           ACLResourceType = 2
	ACLResourceGroup           ACLResourceType = 3
	ACLResourceCluster         ACLResourceType = 4 // its one name is "kafka-cluster"
	ACLResourceTransactionalID ACLResourceType = 5
	ACLResourceDelegationToken ACLResourceType = 6
	ACLResourceUser            ACLResourceType = 7
)

// ACLPatternType says how an ACL's resource name matches resources.
type ACLPatternType int8

// The ACL pattern types.
const (
	ACLPatternAny      ACLPatternType = 1 // filters only: any pattern type
	ACLPatternMatch    ACLPatternType = 2 // filters only: the ACLs that apply to the named resource (literal, wildcard or prefix)
	ACLPatternLiteral  ACLPatternType = 3 // the name is the resource's, or "*" for every resource
	ACLPatternPrefixed ACLPatternType = 4 // the name is a prefix of the resources'
)

// ACLOperation is what an ACL allows or denies.
type ACLOperation int8

// The ACL operations.
const (
	ACLOperationAny             ACLOperation = 1 // filters only
	ACLOperationAll             ACLOperation = 2
	ACLOperationRead            ACLOperation = 3
	ACLOperationWrite           ACLOperation = 4
	ACLOperationCreate          ACLOperation = 5
	ACLOperationDelete          ACLOperation = 6
	ACLOperationAlter           ACLOperation = 7
	ACLOperationDescribe        ACLOperation = 8
	ACLOperationClusterAction   ACLOperation = 9
	ACLOperationDescribeConfigs ACLOperation = 10
	ACLOperationAlterConfigs    ACLOperation = 11
	ACLOperationIdempotentWrite ACLOperation = 12
	ACLOperationCreateTokens    ACLOperation = 13
	ACLOperationDescribeTokens  ACLOperation = 14
	ACLOperationTwoPhaseCommit  ACLOperation = 15
)

// ACLPermission says whether an ACL allows or denies.
type ACLPermission int8

// The ACL permissions.
const (
	ACLPermissionAny   ACLPermission = 1 // filters only
	ACLPermissionDeny  ACLPermission = 2
	ACLPermissionAllow ACLPermission = 3
)

var (
	aclResourceNames   = []string{"UNKNOWN", "ANY", "TOPIC", "GROUP", "CLUSTER", "TRANSACTIONAL_ID", "DELEGATION_TOKEN", "USER"}
	aclPatternNames    = []string{"UNKNOWN", "ANY", "MATCH", "LITERAL", "PREFIXED"}
	aclOperationNames  = []string{"UNKNOWN", "ANY", "ALL", "READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE", "CLUSTER_ACTION", "DESCRIBE_CONFIGS", "ALTER_CONFIGS", "IDEMPOTENT_WRITE", "CREATE_TOKENS", "DESCRIBE_TOKENS", "TWO_PHASE_COMMIT"}
	aclPermissionNames = []string{"UNKNOWN", "ANY", "DENY", "ALLOW"}
)

func enumName(names []string, v int8) string {
	if v >= 0 && int(v) < len(names) {
		return names[v]
	}
	return strconv.Itoa(int(v))
}

// parseEnum finds s among names, in any case and with - for _.
func parseEnum(what string, names []string, s string) (int8, error) {
	norm := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", "_"))
	for i, n := range names {
		if i > 0 && n == norm {
			return int8(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown ACL %s %q (one of %s)", ErrInvalidRequest, what, s, strings.ToLower(strings.Join(names[1:], ", ")))
}

// String returns Kafka's name of t, e.g. "TOPIC".
func (t ACLResourceType) String() string { return enumName(aclResourceNames, int8(t)) }

// String returns Kafka's name of p, e.g. "PREFIXED".
func (p ACLPatternType) String() string { return enumName(aclPatternNames, int8(p)) }

// String returns Kafka's name of o, e.g. "DESCRIBE_CONFIGS".
func (o ACLOperation) String() string { return enumName(aclOperationNames, int8(o)) }

// String returns Kafka's name of p, e.g. "ALLOW".
func (p ACLPermission) String() string { return enumName(aclPermissionNames, int8(p)) }

// ParseACLResourceType reads a resource type ("topic", "GROUP",
// "transactional-id"...).
func ParseACLResourceType(s string) (ACLResourceType, error) {
	v, err := parseEnum("resource type", aclResourceNames, s)
	return ACLResourceType(v), err
}

// ParseACLPatternType reads a pattern type ("literal", "prefixed"...).
func ParseACLPatternType(s string) (ACLPatternType, error) {
	v, err := parseEnum("pattern type", aclPatternNames, s)
	return ACLPatternType(v), err
}

// ParseACLOperation reads an operation ("read", "describe-configs"...).
func ParseACLOperation(s string) (ACLOperation, error) {
	v, err := parseEnum("operation", aclOperationNames, s)
	return ACLOperation(v), err
}

// ParseACLPermission reads a permission ("allow", "deny", "any").
func ParseACLPermission(s string) (ACLPermission, error) {
	v, err := parseEnum("permission", aclPermissionNames, s)
	return ACLPermission(v), err
}
