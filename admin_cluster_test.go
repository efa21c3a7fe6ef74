package kafka_test

import (
	"testing"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

func TestDescribeCluster(t *testing.T) {
	b := kafkatest.NewBackend(t, kafkatest.NumBrokers(3))
	kafkatest.SkipOnMock(t, "no DescribeCluster")
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	adm := newKadm(t, b.Addrs())
	ctx := testCtx(t)

	d, err := c.DescribeCluster(ctx)
	require.NoError(t, err)
	meta, err := adm.BrokerMetadata(ctx)
	require.NoError(t, err)
	require.Equal(t, meta.Cluster, d.ClusterID)
	require.NotEmpty(t, d.ClusterID)
	require.Equal(t, meta.Brokers.NodeIDs(), brokerIDs(d.Brokers))
	for i, mb := range meta.Brokers {
		require.Equal(t, mb.Host, d.Brokers[i].Host)
		require.Equal(t, mb.Port, d.Brokers[i].Port)
		if mb.Rack != nil {
			require.Equal(t, *mb.Rack, d.Brokers[i].Rack)
		}
	}
	require.Contains(t, brokerIDs(d.Brokers), d.ControllerID)
	require.Empty(t, d.Fenced)
}

func TestDescribeClusterOldBroker(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "emulates Kafka 2.7, before DescribeCluster", kafkatest.Version("2.7"), kafkatest.NumBrokers(2))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	d, err := c.DescribeCluster(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, cl.BrokerIDs(), brokerIDs(d.Brokers))
	require.NotEmpty(t, d.ClusterID)
	require.Nil(t, d.Fenced, "the metadata does not say")
}

func brokerIDs(bs []kafka.Broker) []int32 {
	var ids []int32
	for _, b := range bs {
		ids = append(ids, b.ID)
	}
	return ids
}
