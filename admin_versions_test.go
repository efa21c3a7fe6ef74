package kafka_test

import (
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kversion"
)

// TestAdminOlderBrokers runs each admin call against brokers emulating
// older Kafka releases: each must use the newest version both sides speak
// (so the oldest and newest encodings meet a broker) and work.
func TestAdminOlderBrokers(t *testing.T) {
	t.Parallel()
	for _, release := range []struct {
		name string
		kv   *kversion.Versions
	}{{"2.4", kversion.V2_4_0()}, {"2.8", kversion.V2_8_0()}, {"4.1", kversion.V4_1_0()}} {
		t.Run(release.name, func(t *testing.T) {
			cl := kafkatest.NeedsKfake(t, "emulates older Kafka releases", kafkatest.Version(release.name), kafkatest.Topic("old", 2))
			rec := &versionRecorder{}
			c := newClient(t, kafka.Config{Hosts: cl.Addrs(), Hooks: []kafka.Hook{rec}})
			ctx := testCtx(t)
			produceAt(t, cl, "old", 0, time.UnixMilli(1_000_000), "x")
			produceAt(t, cl, "old", 0, time.UnixMilli(1_000_001), "y")

			_, err := c.AlterConfigs(ctx, map[kafka.ConfigResource][]kafka.AlterConfigOp{
				kafka.TopicResource("old"): {{Op: kafka.ConfigSet, Name: "retention.ms", Value: "1000000"}}})
			require.NoError(t, err)
			got, err := c.DescribeConfigs(ctx, kafka.TopicResource("old"))
			require.NoError(t, err)
			e, _ := got[0].Get("retention.ms")
			require.Equal(t, "1000000", e.Value)
			res, err := c.DeleteRecords(ctx, map[kafka.TopicPartition]int64{{Topic: "old", Partition: 0}: 1})
			require.NoError(t, err)
			require.Equal(t, int64(1), res[kafka.TopicPartition{Topic: "old", Partition: 0}].LowWatermark)
			_, err = c.DescribeCluster(ctx)
			require.NoError(t, err)
			_, err = c.CreateACLs(ctx, kafka.ACL{ResourceType: kafka.ACLResourceTopic, ResourceName: "old", Principal: "User:a",
				Operation: kafka.ACLOperationRead, Permission: kafka.ACLPermissionAllow})
			require.NoError(t, err)
			acls, err := c.DescribeACLs(ctx, kafka.ACLFilter{})
			require.NoError(t, err)
			require.Len(t, acls, 1)
			deleted, err := c.DeleteACLs(ctx, kafka.ACLFilter{Principal: "User:a"})
			require.NoError(t, err)
			require.Len(t, deleted, 1)
			_, err = c.ElectLeaders(ctx, kafka.ElectPreferred, kafka.TopicPartition{Topic: "old", Partition: 1})
			require.NoError(t, err)
			_, err = c.ListPartitionReassignments(ctx)
			require.NoError(t, err)
			require.NoError(t, c.CommitGroupOffsets(ctx, "g", "old", map[int32]int64{0: 1, 1: 0}))
			lag, err := c.GroupLag(ctx, "g")
			require.NoError(t, err)
			require.Equal(t, int64(1), lag[kafka.TopicPartition{Topic: "old", Partition: 0}].Lag)
			_, err = c.DeleteGroupOffsets(ctx, "g", kafka.TopicPartition{Topic: "old", Partition: 1})
			require.NoError(t, err)
			_, err = c.DeleteGroups(ctx, "g")
			require.NoError(t, err)

			keys := []int16{protocol.KeyIncrementalAlterConfigs, protocol.KeyDescribeConfigs, protocol.KeyDeleteRecords,
				protocol.KeyCreateACLs, protocol.KeyDescribeACLs, protocol.KeyDeleteACLs, protocol.KeyElectLeaders,
				protocol.KeyListPartitionReassignments, protocol.KeyOffsetDelete, protocol.KeyDeleteGroups}
			if release.name != "2.4" {
				keys = append(keys, protocol.KeyDescribeCluster)
			}
			for _, key := range keys {
				api := protocol.LookupAPI(key)
				theirs, ok := release.kv.LookupMaxKeyVersion(key)
				require.True(t, ok, api.Name)
				rec.mu.Lock()
				used, asked := rec.used[api.Name]
				rec.mu.Unlock()
				require.True(t, asked, "%s not sent", api.Name)
				require.Equal(t, min(api.MaxVersion, theirs), used, "%s against %s", api.Name, release.name)
			}
		})
	}
}
