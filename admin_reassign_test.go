package kafka_test

import (
	"testing"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestListPartitionReassignments(t *testing.T) {
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "no ListPartitionReassignments")
	topic := b.NewTopic("reassign", 2)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	adm := newKadm(t, b.Addrs())
	ctx := testCtx(t)

	got, err := c.ListPartitionReassignments(ctx)
	require.NoError(t, err)
	require.Empty(t, got, "nothing is being reassigned")
	got, err = c.ListPartitionReassignments(ctx, kafka.TopicPartition{Topic: topic, Partition: 1})
	require.NoError(t, err)
	require.Empty(t, got)
	theirs, err := adm.ListPartitionReassignments(ctx, kadm.TopicsSet{topic: {0: {}, 1: {}}})
	require.NoError(t, err)
	require.Empty(t, theirs, "kadm agrees")
}

// TestListPartitionReassignmentsInProgress answers with a reassignment in
// progress, which kfake never has, through a kfake control: the request
// sent and the answer decoded are both checked.
func TestListPartitionReassignmentsInProgress(t *testing.T) {
	if kafkatest.External() {
		t.Skip("answers through a kfake control; KAFKA_BROKERS is set")
	}
	cl, err := kfake.NewCluster(kfake.NumBrokers(1))
	require.NoError(t, err)
	t.Cleanup(cl.Close)
	var asked []kmsg.ListPartitionReassignmentsRequestTopic
	cl.ControlKey(int16(kmsg.ListPartitionReassignments), func(req kmsg.Request) (kmsg.Response, error, bool) {
		cl.KeepControl()
		r := req.(*kmsg.ListPartitionReassignmentsRequest)
		asked = r.Topics
		resp := r.ResponseKind().(*kmsg.ListPartitionReassignmentsResponse)
		p := kmsg.NewListPartitionReassignmentsResponseTopicPartition()
		p.Partition, p.Replicas, p.AddingReplicas, p.RemovingReplicas = 3, []int32{1, 2, 3}, []int32{3}, []int32{1}
		rt := kmsg.NewListPartitionReassignmentsResponseTopic()
		rt.Topic, rt.Partitions = "moving", []kmsg.ListPartitionReassignmentsResponseTopicPartition{p}
		resp.Topics = append(resp.Topics, rt)
		return resp, nil, true
	})
	c := newClient(t, kafka.Config{Hosts: cl.ListenAddrs()})
	got, err := c.ListPartitionReassignments(testCtx(t), kafka.TopicPartition{Topic: "moving", Partition: 3}, kafka.TopicPartition{Topic: "moving", Partition: 3})
	require.NoError(t, err)
	require.Equal(t, map[kafka.TopicPartition]kafka.Reassignment{
		{Topic: "moving", Partition: 3}: {Replicas: []int32{1, 2, 3}, AddingReplicas: []int32{3}, RemovingReplicas: []int32{1}},
	}, got)
	require.Len(t, asked, 1)
	require.Equal(t, "moving", asked[0].Topic)
	require.Equal(t, []int32{3}, asked[0].Partitions, "asked once per partition")
}

func TestElectLeaders(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "kfake moves the leader on an election", kafkatest.NumBrokers(3), kafkatest.Topic("elect", 2))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	adm := newKadm(t, cl.Addrs())
	ctx := testCtx(t)

	before, err := cl.Leader("elect", 0)
	require.NoError(t, err)
	p0 := kafka.TopicPartition{Topic: "elect", Partition: 0}
	res, err := c.ElectLeaders(ctx, kafka.ElectPreferred, p0)
	require.NoError(t, err)
	require.Equal(t, map[kafka.TopicPartition]error{p0: nil}, res)
	after, err := cl.Leader("elect", 0)
	require.NoError(t, err)
	require.NotEqual(t, before, after, "the controller ran the election")

	theirs, err := adm.ElectLeaders(ctx, kadm.ElectPreferredReplica, kadm.TopicsSet{"elect": {1: {}}})
	require.NoError(t, err)
	require.NoError(t, theirs["elect"][1].Err)

	res, err = c.ElectLeaders(ctx, kafka.ElectUnclean, kafka.TopicPartition{Topic: "no-such-topic", Partition: 0})
	require.ErrorIs(t, err, kafka.ErrUnknownTopicOrPartition)
	require.Len(t, res, 1)

	all, err := c.ElectLeaders(ctx, kafka.ElectPreferred)
	require.NoError(t, err)
	require.Contains(t, all, kafka.TopicPartition{Topic: "elect", Partition: 1}, "no partitions named: every partition")
}
