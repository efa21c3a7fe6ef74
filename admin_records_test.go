package kafka_test

import (
	"testing"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
)

func TestDeleteRecords(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "no DeleteRecords")
	topic := b.NewTopic("delete-records", 2)
	kgoProduceN(t, b.Addrs(), topic, 0, 10)
	kgoProduceN(t, b.Addrs(), topic, 1, 10)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	adm := newKadm(t, b.Addrs())
	ctx := testCtx(t)

	p0, p1 := kafka.TopicPartition{Topic: topic, Partition: 0}, kafka.TopicPartition{Topic: topic, Partition: 1}
	res, err := c.DeleteRecords(ctx, map[kafka.TopicPartition]int64{p0: 4, p1: int64(kafka.OffsetLatest)})
	require.NoError(t, err)
	require.Equal(t, map[kafka.TopicPartition]kafka.DeleteRecordsResult{p0: {LowWatermark: 4}, p1: {LowWatermark: 10}}, res)
	starts, err := adm.ListStartOffsets(ctx, topic)
	require.NoError(t, err)
	o, _ := starts.Lookup(topic, 0)
	require.Equal(t, int64(4), o.Offset, "kadm sees our deletion")

	// kadm deletes, ours reads.
	os := kadm.Offsets{}
	os.Add(kadm.Offset{Topic: topic, Partition: 0, At: 6})
	dr, err := adm.DeleteRecords(ctx, os)
	require.NoError(t, err)
	require.NoError(t, dr.Error())
	tp, err := c.Topic(ctx, topic)
	require.NoError(t, err)
	earliest, err := tp.EarliestAvailableOffsets(ctx)
	require.NoError(t, err)
	require.Equal(t, map[int32]int64{0: 6, 1: 10}, earliest)

	// Partial failure: one partition past its end, one that does not
	// exist, one fine.
	missing := kafka.TopicPartition{Topic: topic, Partition: 7}
	res, err = c.DeleteRecords(ctx, map[kafka.TopicPartition]int64{p0: 100, missing: 1, p1: 10})
	require.ErrorIs(t, err, kafka.ErrOffsetOutOfRange)
	require.ErrorIs(t, err, kafka.ErrUnknownTopicOrPartition)
	require.ErrorIs(t, res[p0].Err, kafka.ErrOffsetOutOfRange)
	require.ErrorIs(t, res[missing].Err, kafka.ErrUnknownTopicOrPartition)
	require.Contains(t, res[missing].Err.Error(), topic+"[7]")
	require.NoError(t, res[p1].Err)
	require.Equal(t, int64(10), res[p1].LowWatermark)
}
