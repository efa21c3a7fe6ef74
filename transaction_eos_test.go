package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestTransactionExactlyOnce: a group of three members reads an input
// topic, and writes each message to an output topic in transactions that
// carry the group's offsets (SendOffsetsToTransaction), while faults fall:
// errors on Produce, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit
// and EndTxn (retriable ones, and ones that fail the transaction), dropped
// connections, coordinators moved, and members killed (their clients
// closed mid-transaction) and restarted. The output, read committed with
// franz-go, holds each input message exactly once. CI size: 1,500
// messages and at least 40 faults; GOKAFKA_LONG=1: 100,000 messages and
// at least 500 faults.
func TestTransactionExactlyOnce(t *testing.T) {
	t.Parallel()
	n, faults, budget := 1_500, 40, 90*time.Second
	if os.Getenv("GOKAFKA_LONG") != "" {
		n, faults, budget = 100_000, 500, 10*time.Minute
	}
	cl := kafkatest.NeedsKfake(t, "injects faults into the transaction APIs, moves coordinators",
		kafkatest.Topic("eos-in", 6), kafkatest.Topic("eos-out", 6))
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()

	setup := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	in := newProducer(t, setup, "eos-in", kafka.ProducerConfig{})
	for i := range n {
		require.NoError(t, in.Produce(ctx, kafka.Message{Key: []byte(strconv.Itoa(i)), Value: []byte(strconv.Itoa(i))}))
	}
	require.NoError(t, in.Flush(ctx))

	var stats eosStats
	stop := make(chan struct{})
	var wg sync.WaitGroup
	members := make([]*eosMember, 3)
	for i := range members {
		members[i] = &eosMember{t: t, addrs: cl.Addrs(), id: fmt.Sprintf("eos-%d", i), stats: &stats}
		members[i].start(ctx)
		wg.Go(func() { members[i].run(ctx, stop) })
	}

	// Faults, one after the other once the previous hit, and kills.
	txnAPIs := []int16{protocol.KeyProduce, protocol.KeyAddPartitionsToTxn, protocol.KeyAddOffsetsToTxn,
		protocol.KeyTxnOffsetCommit, protocol.KeyEndTxn}
	codes := []protocol.ErrorCode{protocol.CoordinatorNotAvailable, protocol.NotCoordinator,
		protocol.ConcurrentTransactions, protocol.UnknownServerError, protocol.CoordinatorLoadInProgress}
	injected := 0
	faultsDone := make(chan struct{})
	go func() {
		defer close(faultsDone)
		for i := 0; ctx.Err() == nil; i++ {
			select {
			case <-stop:
				return
			default:
			}
			var inj *kafkatest.Injection
			switch i % 10 {
			case 3:
				inj = cl.DropConnection(txnAPIs[i%len(txnAPIs)], 1)
			case 6:
				if err := cl.MoveCoordinators(); err != nil {
					t.Errorf("moving coordinators: %v", err)
					return
				}
				injected++
				continue
			case 9:
				if i%40 != 9 {
					continue // a kill stalls the group for a session timeout
				}
				members[i%3].kill()
				injected++
				continue
			default:
				api := txnAPIs[i%len(txnAPIs)]
				inj = cl.InjectFault(kafkatest.Fault{APIs: []int16{api}, Code: int16(codes[i%len(codes)]),
					TopLevel: api == protocol.KeyEndTxn || api == protocol.KeyAddOffsetsToTxn})
			}
			wctx, wcancel := context.WithTimeout(ctx, 2*time.Second)
			if inj.Wait(wctx, 1) == nil {
				injected++
			}
			inj.Remove()
			wcancel()
		}
	}()

	// Done when the group has committed every input message.
	for {
		committed, err := setup.FetchGroupOffsets(ctx, "eos", "eos-in")
		if err == nil {
			var sum int64
			for _, o := range committed {
				sum += o
			}
			if sum == int64(n) && injected >= faults {
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the group did not commit %d messages in %v (%d faults; %s)", n, budget, injected, stats.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	close(stop)
	<-faultsDone
	wg.Wait()
	for _, m := range members {
		m.close()
	}
	t.Logf("%d messages through %d faults; %s", n, injected, stats.String())

	seen := make(map[string]int, n)
	for _, v := range readCommittedValues(t, cl.Addrs(), "eos-out", n) {
		seen[v]++
	}
	var lost, twice []string
	for i := range n {
		switch k := seen[strconv.Itoa(i)]; {
		case k == 0:
			lost = append(lost, strconv.Itoa(i))
		case k > 1:
			twice = append(twice, strconv.Itoa(i))
		}
	}
	require.Empty(t, lost, "input messages missing from the committed output")
	require.Empty(t, twice, "input messages in the committed output more than once")
	require.Len(t, seen, n)
}

// readCommittedValues reads topic's committed records with franz-go until
// it has n, then for a moment more.
func readCommittedValues(t *testing.T, addrs []string, topic string, n int) []string {
	t.Helper()
	k, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	require.NoError(t, err)
	defer k.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []string
	for len(out) < n {
		fs := k.PollFetches(ctx)
		require.NoError(t, ctx.Err(), "read %d of %d records", len(out), n)
		fs.EachRecord(func(r *kgo.Record) { out = append(out, string(r.Value)) })
	}
	extra, cancel2 := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel2()
	k.PollFetches(extra).EachRecord(func(r *kgo.Record) { out = append(out, string(r.Value)) })
	return out
}

type eosStats struct {
	commits, aborts, fatal, kills atomic.Int64
}

func (s *eosStats) String() string {
	return fmt.Sprintf("%d transactions committed, %d aborted, %d producers fenced or failed, %d members killed",
		s.commits.Load(), s.aborts.Load(), s.fatal.Load(), s.kills.Load())
}

// eosMember is one member of the exactly-once group: its own Client, a
// BalancedConsumer and a transactional producer with a fixed ID.
type eosMember struct {
	t     *testing.T
	addrs []string
	id    string
	stats *eosStats

	mu sync.Mutex
	c  *kafka.Client
	bc *kafka.BalancedConsumer
	p  *kafka.Producer
}

func (m *eosMember) start(ctx context.Context) {
	for ctx.Err() == nil {
		c, err := kafka.NewClient(ctx, kafka.Config{Hosts: m.addrs, RetryBackoff: 10 * time.Millisecond})
		if err != nil {
			continue
		}
		tp, err := c.Topic(ctx, "eos-in")
		var bc *kafka.BalancedConsumer
		if err == nil {
			bc, err = tp.BalancedConsumer(ctx, groupConfig("eos"))
		}
		var p *kafka.Producer
		if err == nil {
			p, err = c.Producer(ctx, kafka.ProducerConfig{TransactionalID: m.id, TransactionTimeout: 3 * time.Second, RetryBackoff: 10 * time.Millisecond})
		}
		if err != nil {
			c.Close()
			continue
		}
		m.mu.Lock()
		m.c, m.bc, m.p = c, bc, p
		m.mu.Unlock()
		return
	}
}

// kill closes the member's client under its feet, as a crash would: no
// abort, no leave; then it starts again with the same transactional ID,
// which fences what is left of the old one.
func (m *eosMember) kill() {
	m.mu.Lock()
	c := m.c
	m.mu.Unlock()
	c.Close()
	m.stats.kills.Add(1)
}

func (m *eosMember) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.p.Close()
	m.bc.Close()
	m.c.Close()
}

func (m *eosMember) current() (*kafka.Client, *kafka.BalancedConsumer, *kafka.Producer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.c, m.bc, m.p
}

// run is the consume-transform-produce loop, until stop.
func (m *eosMember) run(ctx context.Context, stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		default:
		}
		c, bc, p := m.current()
		err := m.cycle(ctx, bc, p)
		if err == nil {
			continue
		}
		var te *kafka.TransactionError
		switch {
		case errors.Is(err, kafka.ErrClientClosed) || errors.Is(err, kafka.ErrProducerStopped) || errors.Is(err, kafka.ErrConsumerStopped):
			// Killed: start again.
			p.Close()
			bc.Close()
			c.Close()
			m.start(ctx)
		case errors.As(err, &te) && te.Fatal:
			m.stats.fatal.Add(1)
			p.Close()
			np, err := c.Producer(ctx, kafka.ProducerConfig{TransactionalID: m.id, TransactionTimeout: 3 * time.Second, RetryBackoff: 10 * time.Millisecond})
			if err != nil {
				bc.Close()
				c.Close()
				m.start(ctx)
				continue
			}
			m.mu.Lock()
			m.p = np
			m.mu.Unlock()
			_ = bc.RewindToCommitted(ctx)
		default:
			if m.stats.aborts.Add(1) <= 3 {
				m.t.Logf("%s: aborting after: %v", m.id, err)
			}
			if aerr := p.AbortTransaction(ctx); aerr != nil && !errors.Is(aerr, kafka.ErrNoTransaction) {
				continue // fatal or killed: the next cycle's error says which
			}
			_ = bc.RewindToCommitted(ctx) // while rebalancing, the next assignment starts from the commits
		}
	}
}

// cycle is one transaction: up to 50 messages or 50 ms of input.
func (m *eosMember) cycle(ctx context.Context, bc *kafka.BalancedConsumer, p *kafka.Producer) error {
	if err := p.BeginTransaction(); err != nil {
		return err
	}
	got := 0
	for got < 50 {
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		msg, err := bc.Consume(cctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
		if err != nil {
			return err
		}
		if err := p.Produce(ctx, kafka.Message{Topic: "eos-out", Key: msg.Key, Value: msg.Value}); err != nil {
			return err
		}
		got++
	}
	if got == 0 {
		return p.AbortTransaction(ctx)
	}
	if err := p.SendOffsetsToTransaction(ctx, bc); err != nil {
		return err
	}
	if err := p.CommitTransaction(ctx); err != nil {
		return err
	}
	m.stats.commits.Add(1)
	return nil
}
