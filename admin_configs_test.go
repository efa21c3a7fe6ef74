package kafka_test

import (
	"testing"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
)

func TestTopicConfigs(t *testing.T) {
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "no DescribeConfigs or IncrementalAlterConfigs")
	topic := b.NewTopicWithConfigs("configs", 1, map[string]string{"retention.ms": "3600000", "cleanup.policy": "compact"})
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	adm := newKadm(t, b.Addrs())
	ctx := testCtx(t)

	got, err := c.DescribeConfigs(ctx, kafka.TopicResource(topic))
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, kafka.TopicResource(topic), got[0].Resource)
	e, ok := got[0].Get("retention.ms")
	require.True(t, ok)
	require.Equal(t, "3600000", e.Value)
	require.Equal(t, kafka.ConfigSourceDynamicTopic, e.Source)
	require.False(t, e.Default)
	require.NotEmpty(t, e.Synonyms)
	e, ok = got[0].Get("max.message.bytes")
	require.True(t, ok, "every entry is described, not only the ones set")
	require.NotEqual(t, kafka.ConfigSourceDynamicTopic, e.Source)

	// Ours writes, kadm reads.
	res, err := c.AlterConfigs(ctx, map[kafka.ConfigResource][]kafka.AlterConfigOp{
		kafka.TopicResource(topic): {
			{Op: kafka.ConfigSet, Name: "retention.ms", Value: "7200000"},
			{Op: kafka.ConfigDelete, Name: "cleanup.policy"},
		},
	})
	require.NoError(t, err)
	require.Equal(t, map[kafka.ConfigResource]error{kafka.TopicResource(topic): nil}, res)
	rcs, err := adm.DescribeTopicConfigs(ctx, topic)
	require.NoError(t, err)
	rc, err := rcs.On(topic, nil)
	require.NoError(t, err)
	for _, cfg := range rc.Configs {
		switch cfg.Key {
		case "retention.ms":
			require.Equal(t, "7200000", cfg.MaybeValue())
		case "cleanup.policy":
			require.NotEqual(t, "DYNAMIC_TOPIC_CONFIG", cfg.Source.String(), "deleted: back to the default")
		}
	}

	// kadm writes, ours reads.
	_, err = adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "segment.ms", Value: strp("600000")}}, topic)
	require.NoError(t, err)
	got, err = c.DescribeConfigs(ctx, kafka.TopicResource(topic))
	require.NoError(t, err)
	e, _ = got[0].Get("segment.ms")
	require.Equal(t, "600000", e.Value)
	e, _ = got[0].Get("retention.ms")
	require.Equal(t, "7200000", e.Value, "incremental: entries not named stay")
}

func TestConfigsPartialFailure(t *testing.T) {
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "no DescribeConfigs or IncrementalAlterConfigs")
	topic := b.NewTopic("configs-partial", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	ctx := testCtx(t)
	missing := kafka.TopicResource(b.Name("no-such-topic"))

	got, err := c.DescribeConfigs(ctx, missing, kafka.TopicResource(topic))
	require.ErrorIs(t, err, kafka.ErrUnknownTopicOrPartition)
	require.Contains(t, err.Error(), missing.Name)
	require.Len(t, got, 1, "the topic that exists is described")
	require.Equal(t, topic, got[0].Resource.Name)

	res, err := c.AlterConfigs(ctx, map[kafka.ConfigResource][]kafka.AlterConfigOp{
		kafka.TopicResource(topic): {{Op: kafka.ConfigSet, Name: "retention.ms", Value: "1000000"}},
		missing:                    {{Op: kafka.ConfigSet, Name: "retention.ms", Value: "1000000"}},
	})
	require.ErrorIs(t, err, kafka.ErrUnknownTopicOrPartition)
	require.NoError(t, res[kafka.TopicResource(topic)])
	require.ErrorIs(t, res[missing], kafka.ErrUnknownTopicOrPartition)
	var kerr kafka.Error
	require.ErrorAs(t, res[missing], &kerr)

	_, err = c.DescribeConfigs(ctx, kafka.ConfigResource{Type: kafka.ConfigBroker, Name: "one"})
	require.ErrorIs(t, err, kafka.ErrInvalidRequest)
}

func TestBrokerConfigs(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "changes a broker's dynamic config", kafkatest.NumBrokers(2))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	adm := newKadm(t, cl.Addrs())
	ctx := testCtx(t)
	id := cl.BrokerIDs()[1]

	res, err := c.AlterConfigs(ctx, map[kafka.ConfigResource][]kafka.AlterConfigOp{
		kafka.BrokerResource(id): {{Op: kafka.ConfigSet, Name: "log.retention.ms", Value: "123456"}},
	})
	require.NoError(t, err)
	require.Len(t, res, 1)
	rcs, err := adm.DescribeBrokerConfigs(ctx, id)
	require.NoError(t, err)
	rc, err := rcs.On(kafka.BrokerResource(id).Name, nil)
	require.NoError(t, err)
	found := false
	for _, cfg := range rc.Configs {
		if cfg.Key == "log.retention.ms" {
			found = true
			require.Equal(t, "123456", cfg.MaybeValue())
		}
	}
	require.True(t, found)

	_, err = adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "log.retention.bytes", Value: strp("99999")}}, id)
	require.NoError(t, err)
	got, err := c.DescribeConfigs(ctx, kafka.BrokerResource(id))
	require.NoError(t, err)
	e, ok := got[0].Get("log.retention.bytes")
	require.True(t, ok)
	require.Equal(t, "99999", e.Value)
	e, _ = got[0].Get("log.retention.ms")
	require.Equal(t, "123456", e.Value)
	require.Equal(t, kafka.ConfigSourceDynamicBroker, e.Source)

	_, err = c.DescribeConfigs(ctx, kafka.BrokerResource(99))
	require.ErrorIs(t, err, kafka.ErrBrokerNotAvailable)
}
