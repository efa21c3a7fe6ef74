package kafka_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestTransactionProduceRefusalFailsTransaction: a message that Produce
// refuses inside a transaction, returning the error instead of queueing
// the message, fails the transaction (abortable), as the Java client's
// send does with the errors it meets while taking a record: the
// transaction cannot commit without the message, and an application that
// goes on to CommitTransaction anyway must not commit the rest. Such a
// commit used to succeed. AbortTransaction then lets the next transaction
// go on.
func TestTransactionProduceRefusalFailsTransaction(t *testing.T) {
	badKey := errors.New("no partition for this key")
	byKey := kafka.PartitionerFunc(func(m kafka.Message, _ int) (int32, error) {
		if string(m.Key) == "bad" {
			return 0, badKey
		}
		return 0, nil
	})
	full := kafka.ProducerConfig{MaxQueuedMessages: 1}
	fullFailFast := kafka.ProducerConfig{MaxQueuedMessages: 1, FailOnQueueFull: true}
	for _, tc := range []struct {
		name    string
		cfg     kafka.ProducerConfig
		fill    bool // a message waiting for its topic fills the queue first
		produce func(ctx context.Context, p *kafka.Producer, topic string) error
		cause   error
	}{
		{"queue full", fullFailFast, true, func(ctx context.Context, p *kafka.Producer, topic string) error {
			return p.Produce(ctx, kafka.Message{Topic: topic, Value: []byte("no room")})
		}, kafka.ErrProducerQueueFull},
		{"no room before the deadline", full, true, func(ctx context.Context, p *kafka.Producer, topic string) error {
			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			return p.Produce(short, kafka.Message{Topic: topic, Value: []byte("no room")})
		}, context.DeadlineExceeded},
		{"canceled while waiting for room", full, true, func(ctx context.Context, p *kafka.Producer, topic string) error {
			canceled, cancel := context.WithCancel(ctx)
			cancel()
			_, err := p.ProduceSync(canceled, kafka.Message{Topic: topic, Value: []byte("no room")})
			return err
		}, context.Canceled},
		{"partitioner", kafka.ProducerConfig{Partitioner: byKey}, false, func(ctx context.Context, p *kafka.Producer, topic string) error {
			return p.Produce(ctx, kafka.Message{Topic: topic, Key: []byte("bad"), Value: []byte("no partition")})
		}, badKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const topic, creating = "txn-refusal", "txn-refusal-creating"
			cl := kafkatest.NeedsKfake(t, "a topic's metadata held back", kafkatest.Topic(topic, 1))
			c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
			p := newTxnProducer(t, c, "txn-refusal", tc.cfg)
			ctx := testCtx(t)
			leaderNotAvailable(cl, creating)

			require.NoError(t, p.BeginTransaction())
			if tc.fill {
				// Taken, and waiting for its topic: with
				// MaxQueuedMessages 1 the queue is full.
				require.NoError(t, p.Produce(ctx, kafka.Message{Topic: creating, Value: []byte("waiting")}))
			} else {
				_, err := p.ProduceSync(ctx, kafka.Message{Topic: topic, Value: []byte("written")})
				require.NoError(t, err)
			}
			err := tc.produce(ctx, p, topic)
			requireAbortable(t, err, tc.cause)
			requireAbortable(t, p.CommitTransaction(ctx), tc.cause)
			require.NoError(t, p.AbortTransaction(ctx))

			produceTxn(t, p, topic, true, "next")
			require.Equal(t, []string{"next"}, readValues(t, cl.Addrs(), topic, true, 1))
		})
	}
}

// TestTransactionProduceMisuseLeavesTransaction: an error about the call
// itself (a message without a topic, for a Client producer) is returned
// and leaves the transaction as it was, as the Java client's
// IllegalArgumentException for a record without a topic does: the
// transaction commits.
func TestTransactionProduceMisuseLeavesTransaction(t *testing.T) {
	const topic = "txn-misuse"
	cl := kafkatest.NeedsKfake(t, "a transactional producer", kafkatest.Topic(topic, 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	p := newTxnProducer(t, c, "txn-misuse", kafka.ProducerConfig{})
	ctx := testCtx(t)
	require.NoError(t, p.BeginTransaction())
	require.NoError(t, p.Produce(ctx, kafka.Message{Topic: topic, Value: []byte("kept")}))
	err := p.Produce(ctx, kafka.Message{Value: []byte("no topic")})
	require.ErrorIs(t, err, kafka.ErrNoTopic)
	var te *kafka.TransactionError
	require.False(t, errors.As(err, &te), "%v", err)
	require.NoError(t, p.CommitTransaction(ctx))
	require.Equal(t, []string{"kept"}, readValues(t, cl.Addrs(), topic, true, 1))
}
