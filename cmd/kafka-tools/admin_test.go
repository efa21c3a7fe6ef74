package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestConfigsCommands(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	kafkatest.SkipOnMock(t, "no DescribeConfigs or IncrementalAlterConfigs")
	topic := uniqueTopic("cfg")
	ok(t, tool(t, brokers, "", "create_topic", topic, "-p", "1", "-c", `{"retention.ms":"3600000"}`))

	out := ok(t, tool(t, brokers, "", "describe_configs", "topic", topic, "--non_default"))
	require.Regexp(t, `(?m)^retention\.ms\s+3600000\s+DYNAMIC_TOPIC_CONFIG\s+false$`, out)

	out = ok(t, tool(t, brokers, "", "alter_configs", "topic", topic, "--set", "retention.ms=7200000", "--set", "segment.ms=600000", "--delete", "cleanup.policy"))
	require.Contains(t, out, "applied 3 config changes to topic")
	var described struct {
		Configs []struct {
			Name, Value, Source string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(ok(t, tool(t, brokers, "", "describe_configs", "topic", topic, "-json"))), &described))
	values := map[string]string{}
	for _, c := range described.Configs {
		values[c.Name] = c.Value
	}
	require.Equal(t, "7200000", values["retention.ms"])
	require.Equal(t, "600000", values["segment.ms"])

	require.Equal(t, exitNotFound, tool(t, brokers, "", "describe_configs", "topic", uniqueTopic("none")).code)
	require.Equal(t, exitUsage, tool(t, brokers, "", "describe_configs", "table", "x").code)
	require.Equal(t, exitUsage, tool(t, brokers, "", "alter_configs", "topic", topic).code, "nothing to change")
	require.Equal(t, exitUsage, tool(t, brokers, "", "alter_configs", "topic", topic, "--set", "novalue").code)
}

func TestDeleteRecordsAndGroupCommands(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	kafkatest.SkipOnMock(t, "no DeleteRecords or DeleteGroups")
	topic := uniqueTopic("delrec")
	ok(t, tool(t, brokers, "", "create_topic", topic, "-p", "2"))
	ok(t, tool(t, brokers, strings.Repeat("m\n", 10), "produce", topic, "--partition", "0"))
	ok(t, tool(t, brokers, strings.Repeat("m\n", 4), "produce", topic, "--partition", "1"))

	out := ok(t, tool(t, brokers, "", "delete_records", topic, "3", "--partitions", "0"))
	require.Regexp(t, `(?m)^0\s+3\s+-$`, out)
	out = ok(t, tool(t, brokers, "", "print_offsets", topic, "EARLIEST"))
	require.Regexp(t, `(?m)^0\s+3\n1\s+0\n$`, out)
	var res struct {
		Partitions []struct {
			Partition    int32 `json:"partition"`
			LowWatermark int64 `json:"low_watermark"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(ok(t, tool(t, brokers, "", "delete_records", topic, "LATEST", "-json"))), &res))
	require.Len(t, res.Partitions, 2)
	require.EqualValues(t, 10, res.Partitions[0].LowWatermark)
	require.EqualValues(t, 4, res.Partitions[1].LowWatermark)

	group := uniqueTopic("delgroup")
	ok(t, tool(t, brokers, "", "reset_offsets", topic, group, "LATEST"))
	out = ok(t, tool(t, brokers, "", "delete_group", group, "--topic", topic, "--partitions", "1"))
	require.Contains(t, out, "on 1 partition of")
	out = ok(t, tool(t, brokers, "", "print_consumer_lag", topic, group))
	require.Regexp(t, `(?m)^1\s+-\s+4\s+-`, out, "partition 1's offset is gone")
	out = ok(t, tool(t, brokers, "", "delete_group", group))
	require.Equal(t, "deleted group "+group+"\n", out)
	r := tool(t, brokers, "", "delete_group", group)
	require.Equal(t, exitNotFound, r.code, r.stderr)
	require.Contains(t, r.stderr, group)
}

func TestDescribeClusterCommand(t *testing.T) {
	cl := kafkatest.MustCluster(t, kafkatest.NumBrokers(2))
	out := ok(t, tool(t, cl.Addrs(), "", "describe_cluster"))
	require.Regexp(t, `(?m)^Cluster ID: \S+$`, out)
	require.Regexp(t, `(?m)^Controller: \d+$`, out)
	var d struct {
		ClusterID string `json:"cluster_id"`
		Brokers   []struct {
			ID   int32  `json:"id"`
			Host string `json:"host"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(ok(t, tool(t, cl.Addrs(), "", "describe_cluster", "-json"))), &d))
	require.NotEmpty(t, d.ClusterID)
	require.Len(t, d.Brokers, 2)
	require.Equal(t, cl.BrokerIDs()[0], d.Brokers[0].ID)
}

func TestACLsCommand(t *testing.T) {
	cl := kafkatest.MustCluster(t)
	b := cl.Addrs()
	out := ok(t, tool(t, b, "", "acls", "create", "--resource_type", "topic", "--resource_name", "payments", "--principal", "User:alice", "--operation", "read"))
	require.Contains(t, out, "created 1 ACL")
	ok(t, tool(t, b, "", "acls", "create", "--resource_type", "group", "--resource_name", "billing-", "--pattern", "prefixed",
		"--principal", "User:bob", "--operation", "describe", "--permission", "deny"))
	out = ok(t, tool(t, b, "", "acls", "list"))
	require.Regexp(t, `(?m)^TOPIC\s+payments\s+LITERAL\s+User:alice\s+\*\s+READ\s+ALLOW$`, out)
	require.Regexp(t, `(?m)^GROUP\s+billing-\s+PREFIXED\s+User:bob\s+\*\s+DESCRIBE\s+DENY$`, out)
	var listed []map[string]string
	require.NoError(t, json.Unmarshal([]byte(ok(t, tool(t, b, "", "acls", "list", "--principal", "User:bob", "-json"))), &listed))
	require.Len(t, listed, 1)
	require.Equal(t, "billing-", listed[0]["resource_name"])

	require.Equal(t, exitUsage, tool(t, b, "", "acls", "delete").code, "no filter: would delete everything")
	require.Equal(t, exitUsage, tool(t, b, "", "acls", "create", "--resource_type", "topic").code)
	require.Equal(t, exitUsage, tool(t, b, "", "acls", "list", "--operation", "fly").code)
	out = ok(t, tool(t, b, "", "acls", "delete", "--principal", "User:alice"))
	require.Contains(t, out, "deleted 1 ACL")
	out = ok(t, tool(t, b, "", "acls", "list"))
	require.NotContains(t, out, "alice")
	require.Contains(t, out, "bob")
}

func TestConsumerGroupKinds(t *testing.T) {
	cl := kafkatest.MustCluster(t, kafkatest.Topic("kinds", 2))
	b := cl.Addrs()
	ok(t, tool(t, b, "m\nm\nm\n", "produce", "kinds", "--partition", "0"))
	ok(t, tool(t, b, "", "reset_offsets", "kinds", "classic-group", "1"))
	k, err := kgo.NewClient(kgo.SeedBrokers(b...), kgo.ConsumerGroup("new-group"), kgo.ConsumeTopics("kinds"), kgo.ClientID("kip848"),
		kgo.ServerSideBalancer(), kgo.Balancers(kgo.RangeBalancer()), kgo.DisableAutoCommit())
	require.NoError(t, err)
	defer k.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go k.PollFetches(ctx)
	require.Eventually(t, func() bool {
		return regexp.MustCompile(`(?m)^new-group\s+Stable\s+\S+\s+consumer\s+1\s+consumer$`).MatchString(tool(t, b, "", "print_managed_consumer_groups").stdout)
	}, 20*time.Second, 50*time.Millisecond, "the KIP-848 group is listed with its type")
	out := ok(t, tool(t, b, "", "print_managed_consumer_groups"))
	require.Regexp(t, `(?m)^classic-group\s+Empty\s+-\s+\S+\s+0\s+classic$`, out)
	require.Contains(t, ok(t, tool(t, b, "", "print_managed_consumer_groups", "kinds")), "new-group", "its assignment names the topic")

	out = ok(t, tool(t, b, "", "print_consumer_lag", "kinds", "new-group"))
	require.Regexp(t, `(?m)^0\s+-\s+3\s+-\s+\S+\s+kip848\s`, out, "the owner of a KIP-848 group's partition")
}
