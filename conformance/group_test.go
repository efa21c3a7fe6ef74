package conformance

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	kafka "github.com/gokafka/kafka"
)

// TestBalancedConsumerGroup: two BalancedConsumers (each on its own client)
// join one group at the mock's coordinator and split the 6 partitions
// between them with no overlap; then each consumes only its partitions, and
// together they consume every message exactly once.
// It also records the JoinGroup and SyncGroup versions gokafka sent, which
// must be within what the mock advertised (TestVersionsCappedByBroker).
func TestBalancedConsumerGroup(t *testing.T) {
	m := startMock(t)
	e := &env{t: t, mock: m, client: newClient(t, m, nil)}
	tp := e.topic(6)
	// Longer than e.ctx: the split below may take two join rounds.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg := kafka.BalancedConsumerConfig{
		ConsumerGroup:     "g-balanced",
		HeartbeatInterval: 200 * time.Millisecond,
		SessionTimeout:    6 * time.Second,
		RebalanceTimeout:  6 * time.Second,
		RebalanceBackoff:  100 * time.Millisecond,
		AutoCommitEnable:  true,
	}
	var reqs [2]requests
	var members [2]*kafka.BalancedConsumer
	for i := range members {
		c := newClient(t, m, func(cfg *kafka.Config) { cfg.Hooks = []kafka.Hook{&reqs[i]} })
		ti, err := c.Topic(ctx, tp.Name())
		if err != nil {
			t.Fatal(err)
		}
		if members[i], err = ti.BalancedConsumer(ctx, cfg); err != nil {
			t.Fatalf("member %d: %v", i, err)
		}
		defer members[i].Close()
	}

	var assigned [2][]int32
	// Both members hold partitions, none held twice, all six held: once both
	// have joined, the assignment is a split of the topic. Usually within
	// 4 s; when the second member joins after the first's group formed, the
	// mock holds the rejoin for seconds more (9 s in 1 run of 8 here; more
	// than 10 s once under -race in CI).
	deadline := time.Now().Add(30 * time.Second)
	for {
		a, b := members[0].Partitions(), members[1].Partitions()
		all := append(slices.Clone(a), b...)
		slices.Sort(all)
		if len(a) > 0 && len(b) > 0 && slices.Equal(all, []int32{0, 1, 2, 3, 4, 5}) {
			t.Logf("assignment: %v / %v", a, b)
			assigned = [2][]int32{a, b}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("assignment %v / %v is not a split of 6 partitions", a, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	p, err := tp.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	const n = 600
	for i := range n {
		if err := p.Produce(ctx, msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	// Consume until everything has come, from both members at once.
	var (
		mu  sync.Mutex
		got []kafka.Message
		per [2]int
	)
	cctx, cancel := context.WithTimeout(ctx, 25*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i, c := range members {
		wg.Go(func() {
			for {
				msg, err := c.Consume(cctx)
				if err != nil {
					mu.Lock()
					done := len(got) >= n
					mu.Unlock()
					if !done {
						errs <- err
					}
					return
				}
				if !slices.Contains(assigned[i], msg.Partition) {
					errs <- fmt.Errorf("member %d got p%d@%d, not in its assignment %v", i, msg.Partition, msg.Offset, assigned[i])
					return
				}
				mu.Lock()
				got = append(got, msg)
				per[i]++
				if len(got) >= n {
					cancel()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Consume after %d of %d messages (per member %v): %v", len(got), n, per, err)
	}
	checkExactlyOnce(t, got, n)

	t.Logf("messages per member %v", per)
	if per[0] == 0 || per[1] == 0 {
		t.Fatalf("messages per member %v: one member consumed nothing", per)
	}
	for i := range reqs {
		jv, jfail := reqs[i].versions("JoinGroup")
		sv, _ := reqs[i].versions("SyncGroup")
		if len(jv) == 0 || jfail > 0 {
			t.Fatalf("member %d: JoinGroup versions %v, %d failed at the transport", i, jv, jfail)
		}
		t.Logf("member %d sent JoinGroup %v, SyncGroup %v (version: count)", i, jv, sv)
	}
	// Nothing more: each message went to one member only.
	for _, c := range members {
		expectQuiet(t, c, 200*time.Millisecond)
	}
}
