package kafka_test

import (
	"testing"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
)

func TestACLs(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "needs an authorizer; kfake keeps ACLs without SASL")
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	adm := newKadm(t, cl.Addrs())
	ctx := testCtx(t)

	read := kafka.ACL{ResourceType: kafka.ACLResourceTopic, ResourceName: "payments", Principal: "User:alice",
		Operation: kafka.ACLOperationRead, Permission: kafka.ACLPermissionAllow}
	prefixed := kafka.ACL{ResourceType: kafka.ACLResourceGroup, ResourceName: "billing-", PatternType: kafka.ACLPatternPrefixed,
		Principal: "User:bob", Host: "10.0.0.1", Operation: kafka.ACLOperationRead, Permission: kafka.ACLPermissionDeny}
	bad := kafka.ACL{ResourceType: kafka.ACLResourceTopic, ResourceName: "x", Principal: "User:eve", Permission: kafka.ACLPermissionAllow} // no operation

	res, err := c.CreateACLs(ctx, read, prefixed, bad)
	require.ErrorIs(t, err, kafka.ErrInvalidRequest)
	readStored := read
	readStored.PatternType, readStored.Host = kafka.ACLPatternLiteral, "*"
	require.NoError(t, res[readStored])
	require.NoError(t, res[prefixed])
	badStored := bad
	badStored.PatternType, badStored.Host = kafka.ACLPatternLiteral, "*"
	require.ErrorIs(t, res[badStored], kafka.ErrInvalidRequest)

	// kadm reads what ours created.
	described, err := adm.DescribeACLs(ctx, kadm.NewACLs().Topics("payments").ResourcePatternType(kadm.ACLPatternAny).Operations(kadm.OpAny).Allow().AllowHosts())
	require.NoError(t, err)
	require.Len(t, described, 1)
	require.NoError(t, described[0].Err)
	require.Len(t, described[0].Described, 1)
	require.Equal(t, "User:alice", described[0].Described[0].Principal)

	// kadm creates, ours reads.
	_, err = adm.CreateACLs(ctx, kadm.NewACLs().Topics("audit").Allow("User:carol").Operations(kadm.OpWrite).ResourcePatternType(kadm.ACLPatternLiteral))
	require.NoError(t, err)
	all, err := c.DescribeACLs(ctx, kafka.ACLFilter{})
	require.NoError(t, err)
	carol := kafka.ACL{ResourceType: kafka.ACLResourceTopic, ResourceName: "audit", PatternType: kafka.ACLPatternLiteral,
		Principal: "User:carol", Host: "*", Operation: kafka.ACLOperationWrite, Permission: kafka.ACLPermissionAllow}
	require.ElementsMatch(t, []kafka.ACL{readStored, prefixed, carol}, all)

	topics, err := c.DescribeACLs(ctx, kafka.ACLFilter{ResourceType: kafka.ACLResourceTopic, Permission: kafka.ACLPermissionAllow})
	require.NoError(t, err)
	require.Equal(t, []kafka.ACL{carol, readStored}, topics, "sorted by resource name")
	// (kfake does not implement the MATCH pattern filter, so it is not
	// checked here.)
	prefixes, err := c.DescribeACLs(ctx, kafka.ACLFilter{ResourceType: kafka.ACLResourceGroup, PatternType: kafka.ACLPatternPrefixed})
	require.NoError(t, err)
	require.Equal(t, []kafka.ACL{prefixed}, prefixes)

	deleted, err := c.DeleteACLs(ctx, kafka.ACLFilter{Principal: "User:carol"}, kafka.ACLFilter{ResourceType: kafka.ACLResourceGroup})
	require.NoError(t, err)
	require.Equal(t, []kafka.ACL{carol, prefixed}, deleted)
	left, err := adm.DescribeACLs(ctx, kadm.NewACLs().AnyResource().ResourcePatternType(kadm.ACLPatternAny).Operations(kadm.OpAny).Allow().AllowHosts().Deny().DenyHosts())
	require.NoError(t, err)
	var principals []string
	for _, r := range left {
		for _, d := range r.Described {
			principals = append(principals, d.Principal)
		}
	}
	require.Equal(t, []string{"User:alice"}, principals, "kadm sees what is left")
}

func TestACLEnums(t *testing.T) {
	op, err := kafka.ParseACLOperation("describe-configs")
	require.NoError(t, err)
	require.Equal(t, kafka.ACLOperationDescribeConfigs, op)
	require.Equal(t, "DESCRIBE_CONFIGS", op.String())
	rt, err := kafka.ParseACLResourceType("Transactional_ID")
	require.NoError(t, err)
	require.Equal(t, kafka.ACLResourceTransactionalID, rt)
	_, err = kafka.ParseACLPermission("maybe")
	require.ErrorContains(t, err, "allow")
	_, err = kafka.ParseACLPatternType("unknown")
	require.Error(t, err, "UNKNOWN is not a value to ask for")
}
