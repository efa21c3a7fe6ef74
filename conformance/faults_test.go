package conformance

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	kafka "github.com/gokafka/kafka"
)

// collect consumes from c in the background until stop is called, and
// returns what it got and the errors Consume reported on the way. A
// retriable error (a leader unreachable: the consumer reports it and goes
// on fetching, as pykafka raised SocketDisconnectedError) is noted and
// consuming continues; any other error fails t.
func collect(t *testing.T, c consumer) (stop func() ([]kafka.Message, []error)) {
	ctx, cancel := context.WithCancel(context.Background())
	var (
		mu   sync.Mutex
		got  []kafka.Message
		errs []error
		wg   sync.WaitGroup
	)
	wg.Go(func() {
		for {
			m, err := c.Consume(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				if !kafka.IsRetriable(err) {
					t.Errorf("Consume after %d messages: %v", len(got), err)
					return
				}
				continue
			}
			mu.Lock()
			got = append(got, m)
			mu.Unlock()
		}
	})
	return func() ([]kafka.Message, []error) {
		cancel()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return got, errs
	}
}

// waitCount waits until count() reaches n or d passes.
func waitCount(t *testing.T, d time.Duration, n int, count func() int) {
	t.Helper()
	deadline := time.Now().Add(d)
	for count() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d after %v", count(), n, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestBrokerDownUp: while a producer writes and a consumer reads, the mock
// takes a partition leader down (its connections closed, new ones refused)
// for 1.5s and brings it back; the mock does not move leadership, so that
// broker's partitions wait for it. Every message is delivered, and consumed
// exactly once, in order per partition.
func TestBrokerDownUp(t *testing.T) {
	e := newEnv(t)
	tp := e.topic(6)
	ctx := e.ctx()
	victim := tp.Partitions()[0].Leader
	onVictim := 0
	for _, p := range tp.Partitions() {
		if p.Leader == victim {
			onVictim++
		}
	}
	c, err := tp.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{FetchWaitMax: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stop := collect(t, c)

	p, err := tp.Producer(ctx, kafka.ProducerConfig{DeliveryReports: true, RetryBackoff: 50 * time.Millisecond, Linger: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var reports []kafka.DeliveryReport
	var rwg sync.WaitGroup
	rwg.Go(func() {
		for r := range p.DeliveryReports() {
			reports = append(reports, r)
		}
	})

	const n = 600
	for i := range n {
		if i == 200 {
			if err := e.mock.BrokerDown(victim); err != nil {
				t.Fatal(err)
			}
			time.AfterFunc(1500*time.Millisecond, func() {
				if err := e.mock.BrokerUp(victim); err != nil {
					t.Error(err)
				}
			})
		}
		if err := p.Produce(ctx, msg(i)); err != nil {
			t.Fatalf("Produce(%d): %v", i, err)
		}
		time.Sleep(3 * time.Millisecond) // spread over the outage
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	p.Close()
	rwg.Wait()
	if len(reports) != n {
		t.Fatalf("%d delivery reports for %d messages", len(reports), n)
	}
	for _, r := range reports {
		if r.Err != nil {
			t.Fatalf("message %q: %v", r.Message.Key, r.Err)
		}
	}
	latest, err := tp.LatestAvailableOffsets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, o := range latest {
		total += int(o)
	}
	if total != n {
		t.Fatalf("the partitions hold %d messages (%v), %d were produced: duplicates or loss", total, latest, n)
	}
	held := func() int {
		s := 0
		for _, o := range c.HeldOffsets() {
			s += int(o)
		}
		return s
	}
	waitCount(t, 15*time.Second, n, held)
	got, errs := stop()
	checkExactlyOnce(t, got, n)
	for _, err := range errs {
		if !errors.Is(err, kafka.ErrSocketDisconnected) {
			t.Errorf("Consume reported %v, want an ErrSocketDisconnected", err)
		}
	}
	t.Logf("broker %d (leader of %d of 6 partitions) down for 1.5s: %d produced, %d consumed exactly once; Consume reported %d retriable errors meanwhile", victim, onVictim, n, len(got), len(errs))
}

// TestRTT: with every broker answering 150ms late (the mock's round-trip
// delay), producing and consuming still work exactly, and the delay shows in
// the produce latency, which proves the requests went through the delayed
// brokers.
func TestRTT(t *testing.T) {
	e := newEnv(t)
	tp := e.topic(3)
	ctx := e.ctx()
	const rtt = 150 * time.Millisecond
	for id := int32(1); id <= numBrokers; id++ {
		if err := e.mock.SetRTT(id, int(rtt/time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	p, err := tp.Producer(ctx, kafka.ProducerConfig{Linger: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	start := time.Now()
	produceSync(t, ctx, p, 0, 1)
	if d := time.Since(start); d < rtt {
		t.Fatalf("ProduceSync took %v, less than the brokers' RTT %v", d, rtt)
	}
	const n = 300
	for i := 1; i < n; i++ {
		if err := p.Produce(ctx, msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := tp.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checkExactlyOnce(t, consumeN(t, ctx, c, n), n)
	expectQuiet(t, c, 2*rtt)
}
