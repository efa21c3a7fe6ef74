package kafka_test

import (
	"context"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// A message whose topic's metadata is not known yet waits, held, before it
// joins a batch. These tests check how the end of its transaction deals
// with it: AbortTransaction used to wait for the lookup (and then for the
// batch the message joined, which an aborting transaction never sends)
// until its ctx ended, or, without a deadline, until DeliveryTimeout; and
// the message, placed after the abort, went out with the next transaction.

// leaderNotAvailable makes the cluster answer metadata for topic with
// LEADER_NOT_AVAILABLE, as while a topic is being created, until Remove.
func leaderNotAvailable(cl *kafkatest.Cluster, topic string) *kafkatest.Injection {
	return cl.InjectFault(kafkatest.Fault{APIs: []int16{protocol.KeyMetadata}, Topic: topic,
		Code: int16(kafka.ErrLeaderNotAvailable), Times: kafkatest.Always})
}

// produceHeld produces msg with ProduceSync in a goroutine and returns the
// channel of its outcome.
func produceHeld(ctx context.Context, p *kafka.Producer, msg kafka.Message) <-chan error {
	out := make(chan error, 1)
	go func() {
		_, err := p.ProduceSync(ctx, msg)
		out <- err
	}()
	return out
}

// outcome waits (boundedly) for a produceHeld outcome.
func outcome(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("no outcome for the held message")
		return nil
	}
}

// abortPromptly aborts p's transaction within 10 s (the bug made the
// abort wait for its ctx) and checks the held message's report: aborted.
func abortPromptly(t *testing.T, ctx context.Context, p *kafka.Producer, held <-chan error) {
	t.Helper()
	abortCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, p.AbortTransaction(abortCtx), "the abort waited for the topic's lookup")
	require.ErrorIs(t, outcome(t, held), kafka.ErrTransactionAborted)
}

func TestTransactionAbortWithMessageWaitingForMetadata(t *testing.T) {
	t.Run("topic being created", func(t *testing.T) {
		const known, creating = "txn-held-known", "txn-held-creating"
		cl := kafkatest.NeedsKfake(t, "answers a topic's metadata with LEADER_NOT_AVAILABLE", kafkatest.Topic(known, 1))
		c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
		p := newTxnProducer(t, c, "txn-held-abort", kafka.ProducerConfig{})
		ctx := testCtx(t)

		fault := leaderNotAvailable(cl, creating)
		require.NoError(t, p.BeginTransaction())
		// Written, so the abort has a marker to write too.
		_, err := p.ProduceSync(ctx, kafka.Message{Topic: known, Value: []byte("aborted")})
		require.NoError(t, err)
		held := produceHeld(ctx, p, kafka.Message{Topic: creating, Value: []byte("lost")})
		require.NoError(t, fault.Wait(ctx, 2), "the message waits for its topic")

		// Bounded: the bug made it wait until its ctx ended.
		abortPromptly(t, ctx, p, held)

		// The topic shows up: nothing of the aborted transaction may
		// go out with the next ones.
		fault.Remove()
		require.NoError(t, cl.CreateTopic(creating, 1))
		produceTxn(t, p, known, true, "next")
		produceTxn(t, p, creating, true, "created")
		require.Equal(t, []string{"next"}, readValues(t, cl.Addrs(), known, true, 1))
		require.Equal(t, []string{"created"}, readValues(t, cl.Addrs(), creating, true, 1))
	})

	t.Run("after a commit cut short", func(t *testing.T) {
		const known, creating = "txn-held-known2", "txn-held-creating2"
		cl := kafkatest.NeedsKfake(t, "answers a topic's metadata with LEADER_NOT_AVAILABLE", kafkatest.Topic(known, 1))
		c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
		p := newTxnProducer(t, c, "txn-held-commit-abort", kafka.ProducerConfig{})
		ctx := testCtx(t)

		fault := leaderNotAvailable(cl, creating)
		require.NoError(t, p.BeginTransaction())
		require.NoError(t, p.Produce(ctx, kafka.Message{Topic: known, Value: []byte("aborted")}))
		held := produceHeld(ctx, p, kafka.Message{Topic: creating, Value: []byte("lost")})
		require.NoError(t, fault.Wait(ctx, 2))
		short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancelShort()
		require.ErrorIs(t, p.CommitTransaction(short), context.DeadlineExceeded, "the commit waits for the message's topic")

		abortPromptly(t, ctx, p, held)

		fault.Remove()
		require.NoError(t, cl.CreateTopic(creating, 1))
		produceTxn(t, p, creating, true, "created")
		require.Equal(t, []string{"created"}, readValues(t, cl.Addrs(), creating, true, 1))
		require.Empty(t, readValues(t, cl.Addrs(), known, true, 0))
	})

	t.Run("slow lookup", func(t *testing.T) {
		// The lookup itself hangs: the abort must not wait for it.
		const topic = "txn-held-slow"
		cl := kafkatest.NeedsKfake(t, "delays metadata requests")
		c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
		p := newTxnProducer(t, c, "txn-held-slow", kafka.ProducerConfig{})
		ctx := testCtx(t)
		require.NoError(t, cl.CreateTopic(topic, 1)) // after the client's first metadata

		delay := cl.Delay(protocol.KeyMetadata, time.Minute, kafkatest.Always)
		defer delay.Remove()
		require.NoError(t, p.BeginTransaction())
		held := produceHeld(ctx, p, kafka.Message{Topic: topic, Value: []byte("lost")})
		require.NoError(t, delay.Wait(ctx, 1), "the message's topic is being looked up")

		abortPromptly(t, ctx, p, held)
		require.NoError(t, p.BeginTransaction(), "the producer goes on")
	})
}

func TestTransactionCommitWithMessageWaitingForMetadata(t *testing.T) {
	t.Run("topic created", func(t *testing.T) {
		const known, creating = "txn-held-commit-known", "txn-held-commit-creating"
		cl := kafkatest.NeedsKfake(t, "answers a topic's metadata with LEADER_NOT_AVAILABLE", kafkatest.Topic(known, 1))
		c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
		p := newTxnProducer(t, c, "txn-held-commit", kafka.ProducerConfig{})
		ctx := testCtx(t)

		fault := leaderNotAvailable(cl, creating)
		require.NoError(t, p.BeginTransaction())
		require.NoError(t, p.Produce(ctx, kafka.Message{Topic: known, Value: []byte("k")}))
		require.NoError(t, p.Produce(ctx, kafka.Message{Topic: creating, Value: []byte("v")}))
		require.NoError(t, fault.Wait(ctx, 2))

		// Never without the message: while its topic is unknown the
		// commit waits, within its ctx.
		short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancelShort()
		require.ErrorIs(t, p.CommitTransaction(short), context.DeadlineExceeded)
		fault.Remove()
		require.NoError(t, cl.CreateTopic(creating, 1))
		require.NoError(t, p.CommitTransaction(ctx), "called again, the commit finishes")
		require.Equal(t, []string{"k"}, readValues(t, cl.Addrs(), known, true, 1))
		require.Equal(t, []string{"v"}, readValues(t, cl.Addrs(), creating, true, 1))
	})

	t.Run("lookup given up", func(t *testing.T) {
		const known, creating = "txn-held-timeout-known", "txn-held-timeout-creating"
		cl := kafkatest.NeedsKfake(t, "answers a topic's metadata with LEADER_NOT_AVAILABLE", kafkatest.Topic(known, 1))
		c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
		p := newTxnProducer(t, c, "txn-held-timeout", kafka.ProducerConfig{DeliveryTimeout: time.Second})
		ctx := testCtx(t)

		leaderNotAvailable(cl, creating)
		require.NoError(t, p.BeginTransaction())
		require.NoError(t, p.Produce(ctx, kafka.Message{Topic: known, Value: []byte("k")}))
		require.NoError(t, p.Produce(ctx, kafka.Message{Topic: creating, Value: []byte("v")}))
		requireAbortable(t, p.CommitTransaction(ctx), kafka.ErrRequestTimedOut)
		require.NoError(t, p.AbortTransaction(ctx))
		produceTxn(t, p, known, true, "next")
		require.Equal(t, []string{"next"}, readValues(t, cl.Addrs(), known, true, 1))
	})
}

// TestTransactionAbortWhileProduceWaitsForRoom: a message waiting for its
// topic fills the queue, and another Produce waits for room. Produce held
// the transaction's gate while it waited, so AbortTransaction, which
// takes the gate alone to end the transaction (and would free the room
// by discarding the waiting message), waited for that Produce's ctx,
// whatever its own said.
func TestTransactionAbortWhileProduceWaitsForRoom(t *testing.T) {
	const known, creating = "txn-room-known", "txn-room-creating"
	cl := kafkatest.NeedsKfake(t, "answers a topic's metadata with LEADER_NOT_AVAILABLE", kafkatest.Topic(known, 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
	p := newTxnProducer(t, c, "txn-room-abort", kafka.ProducerConfig{MaxQueuedMessages: 1})
	ctx := testCtx(t)

	fault := leaderNotAvailable(cl, creating)
	require.NoError(t, p.BeginTransaction())
	require.NoError(t, p.Produce(ctx, kafka.Message{Topic: creating, Value: []byte("waiting")}))
	waiting := make(chan error, 1)
	go func() { waiting <- p.Produce(ctx, kafka.Message{Topic: known, Value: []byte("no room")}) }()
	require.NoError(t, fault.Wait(ctx, 2))
	time.Sleep(50 * time.Millisecond) // the second Produce waits for room (if it has not, the test passes anyway)

	aborted := make(chan error, 1)
	go func() {
		abortCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		aborted <- p.AbortTransaction(abortCtx)
	}()
	select {
	case err := <-aborted:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("AbortTransaction waited for a Produce waiting for room, past its own ctx")
	}
	// Room came back with the abort: the waiting Produce finds the
	// transaction ended.
	require.ErrorIs(t, outcome(t, waiting), kafka.ErrNoTransaction)
	fault.Remove()
	produceTxn(t, p, known, true, "next")
	require.Equal(t, []string{"next"}, readValues(t, cl.Addrs(), known, true, 1))
}
