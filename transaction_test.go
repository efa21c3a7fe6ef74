package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

// newTxnProducer makes a transactional producer for any topic.
func newTxnProducer(t *testing.T, c *kafka.Client, id string, cfg kafka.ProducerConfig) *kafka.Producer {
	t.Helper()
	cfg.TransactionalID = id
	p, err := c.Producer(testCtx(t), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}

// produceTxn writes values to topic's partition 0 in one transaction and
// commits it, or writes them and aborts it.
func produceTxn(t *testing.T, p *kafka.Producer, topic string, commit bool, values ...string) {
	t.Helper()
	ctx := testCtx(t)
	require.NoError(t, p.BeginTransaction())
	for _, v := range values {
		require.NoError(t, p.Produce(ctx, kafka.Message{Topic: topic, Value: []byte(v)}))
	}
	if commit {
		require.NoError(t, p.CommitTransaction(ctx))
		return
	}
	// Written before the abort: the log holds them, marked aborted.
	require.NoError(t, p.Flush(ctx))
	require.NoError(t, p.AbortTransaction(ctx))
}

// readValues reads topic with franz-go until it has want records, then
// for a moment more, and returns the values in offset order (one
// partition) or arrival order.
func readValues(t *testing.T, addrs []string, topic string, committed bool, want int) []string {
	t.Helper()
	opts := []kgo.Opt{kgo.SeedBrokers(addrs...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}
	if committed {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	k, err := kgo.NewClient(opts...)
	require.NoError(t, err)
	defer k.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []string
	for len(out) < want {
		fs := k.PollFetches(ctx)
		require.NoError(t, ctx.Err(), "read %d of %d records: %v", len(out), want, out)
		fs.EachError(func(_ string, _ int32, err error) { require.NoError(t, err) })
		fs.EachRecord(func(r *kgo.Record) { out = append(out, string(r.Value)) })
	}
	extra, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	k.PollFetches(extra).EachRecord(func(r *kgo.Record) { out = append(out, string(r.Value)) })
	return out
}

func values(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

// TestTransactionVisibility: committed transactions are seen by a
// read-committed franz-go consumer, aborted ones never; read-uncommitted
// sees both; our own consumers agree, and skip the control batches.
func TestTransactionVisibility(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "librdkafka 2.0.2's mock writes no transaction markers")
	topic := b.NewTopic("txn-visible", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	p := newTxnProducer(t, c, b.Name("txn-visible"), kafka.ProducerConfig{})

	produceTxn(t, p, topic, true, values("a", 5)...)
	produceTxn(t, p, topic, false, values("b", 7)...)
	produceTxn(t, p, topic, true, values("c", 3)...)

	committed := slices.Concat(values("a", 5), values("c", 3))
	all := slices.Concat(values("a", 5), values("b", 7), values("c", 3))
	require.Equal(t, committed, readValues(t, b.Addrs(), topic, true, len(committed)), "franz-go read_committed")
	require.Equal(t, all, readValues(t, b.Addrs(), topic, false, len(all)), "franz-go read_uncommitted")

	for _, iso := range []kafka.IsolationLevel{kafka.ReadCommitted, kafka.ReadUncommitted} {
		want := all
		if iso == kafka.ReadCommitted {
			want = committed
		}
		tp, err := c.Topic(testCtx(t), topic)
		require.NoError(t, err)
		sc, err := tp.SimpleConsumer(testCtx(t), kafka.SimpleConsumerConfig{IsolationLevel: iso, ConsumerTimeout: time.Second})
		require.NoError(t, err)
		var got []string
		for {
			m, err := sc.Consume(testCtx(t))
			if errors.Is(err, kafka.ErrConsumerTimeout) {
				break
			}
			require.NoError(t, err)
			got = append(got, string(m.Value))
		}
		sc.Close()
		require.Equal(t, want, got, "gokafka at isolation %v", iso)
	}
}

// TestTransactionFencing: a second producer with the same transactional
// ID fences the first, whose commit fails with an error errors.Is
// matches and that names the ID; every later call fails the same way,
// and nothing of its open transaction becomes visible.
func TestTransactionFencing(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "librdkafka 2.0.2's mock writes no transaction markers")
	topic := b.NewTopic("txn-fenced", 1)
	id := b.Name("fenced")
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	first := newTxnProducer(t, c, id, kafka.ProducerConfig{})
	ctx := testCtx(t)

	require.NoError(t, first.BeginTransaction())
	for _, v := range values("zombie", 4) {
		_, err := first.ProduceSync(ctx, kafka.Message{Topic: topic, Value: []byte(v)})
		require.NoError(t, err)
	}
	second := newTxnProducer(t, c, id, kafka.ProducerConfig{})

	err := first.CommitTransaction(ctx)
	require.Error(t, err)
	require.ErrorIs(t, err, kafka.ErrProducerFenced)
	var te *kafka.TransactionError
	require.ErrorAs(t, err, &te)
	require.True(t, te.Fatal)
	require.Contains(t, err.Error(), id)
	require.ErrorIs(t, first.BeginTransaction(), kafka.ErrProducerFenced, "fenced for good")
	require.ErrorIs(t, first.AbortTransaction(ctx), kafka.ErrProducerFenced)

	produceTxn(t, second, topic, true, values("live", 3)...)
	require.Equal(t, values("live", 3), readValues(t, b.Addrs(), topic, true, 3))
}

// TestTransactionRules: the state machine refuses what the protocol
// forbids, with errors that say why.
func TestTransactionRules(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "librdkafka 2.0.2's mock writes no transaction markers")
	topic := b.NewTopic("txn-rules", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	ctx := testCtx(t)

	plain, err := c.Producer(ctx, kafka.ProducerConfig{})
	require.NoError(t, err)
	defer plain.Close()
	require.ErrorIs(t, plain.BeginTransaction(), kafka.ErrNoTransaction)

	_, err = c.Producer(ctx, kafka.ProducerConfig{TransactionalID: "x", DisableIdempotence: true})
	require.ErrorContains(t, err, "idempotent")
	_, err = c.Producer(ctx, kafka.ProducerConfig{TransactionalID: "x", RequiredAcks: kafka.AcksLeader})
	require.ErrorContains(t, err, "AcksAll")

	p := newTxnProducer(t, c, b.Name("rules"), kafka.ProducerConfig{})
	require.ErrorIs(t, p.Produce(ctx, kafka.Message{Topic: topic, Value: []byte("early")}), kafka.ErrNoTransaction)
	require.ErrorIs(t, p.CommitTransaction(ctx), kafka.ErrNoTransaction)
	require.ErrorIs(t, p.AbortTransaction(ctx), kafka.ErrNoTransaction)
	require.NoError(t, p.BeginTransaction())
	require.ErrorIs(t, p.BeginTransaction(), kafka.ErrTransactionInProgress)
	require.NoError(t, p.CommitTransaction(ctx), "an empty transaction commits")

	// Messages not yet sent when the transaction aborts are reported
	// aborted.
	lingering := newTxnProducer(t, c, b.Name("linger"), kafka.ProducerConfig{Linger: time.Hour, DeliveryReports: true})
	require.NoError(t, lingering.BeginTransaction())
	for _, v := range values("never", 3) {
		require.NoError(t, lingering.Produce(ctx, kafka.Message{Topic: topic, Value: []byte(v)}))
	}
	require.NoError(t, lingering.AbortTransaction(ctx))
	for range 3 {
		r := <-lingering.DeliveryReports()
		require.ErrorIs(t, r.Err, kafka.ErrTransactionAborted)
	}
	produceTxn(t, lingering, topic, true, "after")
	require.Equal(t, []string{"after"}, readValues(t, b.Addrs(), topic, true, 1))
}

// TestTransactionCloseAborts: Close aborts the open transaction.
func TestTransactionCloseAborts(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "librdkafka 2.0.2's mock writes no transaction markers")
	topic := b.NewTopic("txn-close", 1)
	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	ctx := testCtx(t)
	p, err := c.Producer(ctx, kafka.ProducerConfig{TransactionalID: b.Name("close")})
	require.NoError(t, err)
	require.NoError(t, p.BeginTransaction())
	_, err = p.ProduceSync(ctx, kafka.Message{Topic: topic, Value: []byte("open")})
	require.NoError(t, err)
	require.NoError(t, p.Close())

	next := newTxnProducer(t, c, b.Name("close-next"), kafka.ProducerConfig{})
	produceTxn(t, next, topic, true, "done")
	require.Equal(t, []string{"done"}, readValues(t, b.Addrs(), topic, true, 1))
	require.Equal(t, []string{"open", "done"}, readValues(t, b.Addrs(), topic, false, 2))
}

// TestTransactionInteropFranzGo: a franz-go transactional producer's
// output is read by our read-committed consumer: committed records only.
func TestTransactionInteropFranzGo(t *testing.T) {
	t.Parallel()
	b := kafkatest.NewBackend(t)
	kafkatest.SkipOnMock(t, "librdkafka 2.0.2's mock writes no transaction markers")
	topic := b.NewTopic("txn-franz", 1)
	k, err := kgo.NewClient(kgo.SeedBrokers(b.Addrs()...), kgo.TransactionalID(b.Name("franz")), kgo.DefaultProduceTopic(topic))
	require.NoError(t, err)
	defer k.Close()
	ctx := testCtx(t)
	for i, commit := range []bool{true, false, true} {
		require.NoError(t, k.BeginTransaction())
		for j := range 3 {
			require.NoError(t, k.ProduceSync(ctx, &kgo.Record{Value: fmt.Appendf(nil, "%d-%d", i, j)}).FirstErr())
		}
		require.NoError(t, k.EndTransaction(ctx, kgo.TransactionEndTry(commit)))
	}

	c := newClient(t, kafka.Config{Hosts: b.Addrs()})
	tp, err := c.Topic(ctx, topic)
	require.NoError(t, err)
	sc, err := tp.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{IsolationLevel: kafka.ReadCommitted, ConsumerTimeout: time.Second})
	require.NoError(t, err)
	defer sc.Close()
	var got []string
	for {
		m, err := sc.Consume(ctx)
		if errors.Is(err, kafka.ErrConsumerTimeout) {
			break
		}
		require.NoError(t, err)
		got = append(got, string(m.Value))
	}
	require.Equal(t, "0-0 0-1 0-2 2-0 2-1 2-2", strings.Join(got, " "))
}

// TestTransactionSequenceErrorBumpsEpoch: a batch refused with
// OUT_OF_ORDER_SEQUENCE_NUMBER fails its transaction (abortable, not
// fatal); the abort gets the producer a new epoch (KIP-360), and the next
// transaction commits.
func TestTransactionSequenceErrorBumpsEpoch(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "injects a sequence error", kafkatest.Topic("txn-bump", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	ctx := testCtx(t)
	p := newTxnProducer(t, c, "bump", kafka.ProducerConfig{})
	inits := cl.Requests(protocol.KeyInitProducerID)

	require.NoError(t, p.BeginTransaction())
	inj := cl.InjectError(protocol.KeyProduce, int16(protocol.OutOfOrderSequenceNumber), 1)
	_, err := p.ProduceSync(ctx, kafka.Message{Topic: "txn-bump", Value: []byte("refused")})
	require.ErrorIs(t, err, kafka.ErrOutOfOrderSequenceNumber)
	inj.Remove()
	err = p.CommitTransaction(ctx)
	var te *kafka.TransactionError
	require.ErrorAs(t, err, &te)
	require.False(t, te.Fatal, "a sequence error is abortable: %v", err)
	require.ErrorIs(t, p.Produce(ctx, kafka.Message{Topic: "txn-bump", Value: []byte("x")}), kafka.ErrOutOfOrderSequenceNumber,
		"a failed transaction takes nothing more")
	require.NoError(t, p.AbortTransaction(ctx))
	require.Equal(t, inits+1, cl.Requests(protocol.KeyInitProducerID), "the abort asked for a new epoch")

	produceTxn(t, p, "txn-bump", true, "after")
	require.Equal(t, []string{"after"}, readValues(t, cl.Addrs(), "txn-bump", true, 1))
}
