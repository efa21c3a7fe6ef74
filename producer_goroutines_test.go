package kafka_test

import (
	"bytes"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestTopicProducersShareGoroutines: 40 Topic producers, for 40 topics of
// 3 partitions on 3 brokers, each having produced and flushed, add far
// fewer goroutines than 40 × 3, and closing them gives every one back.
//
// The bound is 20: with produce sinks owned by the Client, goroutines grow
// with brokers, not with producers, so 40 producers should add next to
// none once the Client's sinks and connections exist (the warm-up below
// makes them). One goroutine per producer, 40, is what the engine of
// issue 13 removes; 20 leaves room for a few goroutines of the Client's
// own that start late, without letting a per-producer one pass.
func TestTopicProducersShareGoroutines(t *testing.T) {
	const (
		producers = 40
		bound     = 20
	)
	opts := []kafkatest.Option{kafkatest.Topic("warm-up", 3)}
	for i := range producers {
		opts = append(opts, kafkatest.Topic(fmt.Sprintf("many-%02d", i), 3))
	}
	cl := kafkatest.NeedsKfake(t, "moves leaders", opts...)
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	ctx := testCtx(t)
	topics := make([]*kafka.Topic, producers)
	for i := range producers {
		var err error
		topics[i], err = c.Topic(ctx, fmt.Sprintf("many-%02d", i))
		require.NoError(t, err)
	}

	// Warm-up: a producer writes to a partition on every broker, so that
	// the Client's connections (and sinks) exist before the count starts.
	for p, id := range cl.BrokerIDs() {
		require.NoError(t, cl.MoveLeader("warm-up", int32(p), id))
	}
	warm := newProducer(t, c, "warm-up", kafka.ProducerConfig{Partitioner: kafka.NewManualPartitioner()})
	for p := range int32(3) {
		_, err := warm.ProduceSync(ctx, kafka.Message{Partition: p, Value: []byte("warm-up")})
		require.NoError(t, err)
	}
	require.NoError(t, warm.Close())
	base := stableGoroutines()

	ps := make([]*kafka.Producer, producers)
	for i, topic := range topics {
		p, err := topic.Producer(ctx, kafka.ProducerConfig{})
		require.NoError(t, err)
		t.Cleanup(func() { p.Close() })
		ps[i] = p
		for k := range 3 {
			require.NoError(t, p.Produce(ctx, kafka.Message{Key: []byte(fmt.Sprint(k)), Value: []byte("v")}))
		}
	}
	for _, p := range ps {
		require.NoError(t, p.Flush(ctx))
	}
	// Requests and lookups may leave goroutines that end on their own:
	// wait, up to 10 seconds, for the count to come under the bound.
	added := goroutinesUntil(func(n int) bool { return n-base < bound }) - base
	t.Logf("%d producers added %d goroutines (baseline %d)", producers, added, base)
	if added >= bound {
		t.Fatalf("%d producers added %d goroutines, want fewer than %d\n%s", producers, added, bound, goroutineSummary())
	}

	for _, p := range ps {
		require.NoError(t, p.Close())
	}
	// Near the baseline: a goroutine a request left may still be ending.
	after := goroutinesUntil(func(n int) bool { return n <= base+2 })
	if after > base+2 {
		t.Fatalf("after closing the producers: %d goroutines, %d before they were made\n%s", after, base, goroutineSummary())
	}
}

// stableGoroutines waits, up to 5 seconds, for the goroutine count to stay
// the same for 100ms (earlier tests' clients and clusters may still be
// winding down), and returns it.
func stableGoroutines() int {
	n := runtime.NumGoroutine()
	same := 0
	for deadline := time.Now().Add(5 * time.Second); same < 5 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		if m := runtime.NumGoroutine(); m == n {
			same++
		} else {
			n, same = m, 0
		}
	}
	return n
}

// goroutinesUntil polls the goroutine count, up to 10 seconds, until ok
// accepts it, and returns the last count.
func goroutinesUntil(ok func(int) bool) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(10 * time.Second); !ok(n) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

// goroutineSummary counts the running goroutines by the function each
// was started with, most first.
func goroutineSummary() string {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	counts := map[string]int{}
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		origin := "?"
		if i := bytes.LastIndex(g, []byte("created by ")); i >= 0 {
			origin, _, _ = strings.Cut(string(g[i+len("created by "):]), "\n")
			origin, _, _ = strings.Cut(origin, " in goroutine")
		}
		counts[origin]++
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b string) int { return counts[b] - counts[a] })
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, "%4d %s\n", counts[k], k)
	}
	return sb.String()
}
