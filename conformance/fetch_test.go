package conformance

import (
	"context"
	"sync"
	"testing"
	"time"

	kafka "github.com/gokafka/kafka"
)

// TestFetchEngineSharedClient: several consumers on one Client (so on the
// client's shared per-broker fetches) read different topics and different
// partitions of one topic at once, while a producer keeps writing; each
// gets exactly its messages, and a consumer that is not read from does not
// hold the others up.
func TestFetchEngineSharedClient(t *testing.T) {
	e := newEnv(t)
	ctx := e.ctx()
	a, b := e.topic(3), e.topic(3)
	p, err := e.client.Producer(ctx, kafka.ProducerConfig{Linger: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	type reader struct {
		name  string
		topic *kafka.Topic
		parts []int32
		c     *kafka.SimpleConsumer
	}
	readers := []*reader{
		{name: "a-all", topic: a},
		{name: "b-0", topic: b, parts: []int32{0}},
		{name: "b-12", topic: b, parts: []int32{1, 2}},
		{name: "a-all-again", topic: a},
	}
	for _, r := range readers {
		r.c, err = r.topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{Partitions: r.parts, FetchWaitMax: 50 * time.Millisecond, QueuedMaxMessages: 50})
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		defer r.c.Close()
	}
	// A consumer of topic b nobody reads: its queue fills up and must not
	// stall the shared fetches.
	idle, err := b.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{QueuedMaxMessages: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()

	const n = 300
	where := map[string]map[int]kafka.Message{a.Name(): {}, b.Name(): {}}
	var wmu sync.Mutex
	var pwg sync.WaitGroup
	for _, tp := range []*kafka.Topic{a, b} {
		pwg.Go(func() {
			for i := range n {
				m := msg(i)
				m.Topic = tp.Name()
				r, err := p.ProduceSync(ctx, m)
				if err != nil {
					t.Errorf("produce %s %d: %v", tp.Name(), i, err)
					return
				}
				wmu.Lock()
				where[tp.Name()][i] = r
				wmu.Unlock()
			}
		})
	}

	var wg sync.WaitGroup
	results := make([][]kafka.Message, len(readers))
	for k, r := range readers {
		wg.Go(func() {
			want := n
			if r.parts != nil {
				want = -1 // known only when producing is done
			}
			cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			for want < 0 || len(results[k]) < want {
				m, err := r.c.Consume(cctx)
				if err != nil {
					if want < 0 {
						return // partition subsets: counted below
					}
					t.Errorf("%s: Consume after %d: %v", r.name, len(results[k]), err)
					return
				}
				results[k] = append(results[k], m)
				if want < 0 && len(results[k]) == n { // impossible for a subset
					t.Errorf("%s: consumed everything from a subset of partitions", r.name)
					return
				}
				if want < 0 {
					// Stop once the subset's share is in (known after producing).
					pwg.Wait()
					wmu.Lock()
					share := 0
					for _, w := range where[r.topic.Name()] {
						for _, id := range r.parts {
							if w.Partition == id {
								share++
							}
						}
					}
					wmu.Unlock()
					if len(results[k]) == share {
						return
					}
				}
			}
		})
	}
	pwg.Wait()
	wg.Wait()
	if t.Failed() {
		return
	}
	for k, r := range readers {
		got := results[k]
		if r.parts == nil {
			checkExactlyOnce(t, got, n)
		}
		seen := map[int]bool{}
		for _, m := range got {
			if m.Topic != r.topic.Name() {
				t.Fatalf("%s: message of topic %q", r.name, m.Topic)
			}
			i := index(t, m)
			if seen[i] {
				t.Fatalf("%s: message %d twice", r.name, i)
			}
			seen[i] = true
			checkMsg(t, m, i)
			w := where[r.topic.Name()][i]
			if w.Partition != m.Partition || w.Offset != m.Offset {
				t.Fatalf("%s: message %d at p%d@%d, produced to p%d@%d", r.name, i, m.Partition, m.Offset, w.Partition, w.Offset)
			}
		}
		if r.parts != nil {
			share := 0
			for _, w := range where[r.topic.Name()] {
				for _, id := range r.parts {
					if w.Partition == id {
						share++
					}
				}
			}
			if len(got) != share || share == 0 {
				t.Fatalf("%s: %d messages, its partitions %v hold %d", r.name, len(got), r.parts, share)
			}
		}
		t.Logf("%s: %d messages", r.name, len(got))
	}
	// The idle consumer still has its messages waiting, from the start.
	m, err := idle.Consume(ctx)
	if err != nil || m.Offset != 0 {
		t.Fatalf("idle consumer: first message p%d@%d, %v", m.Partition, m.Offset, err)
	}
}
