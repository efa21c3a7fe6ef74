package conformance

import (
	"maps"
	"testing"
	"time"

	kafka "github.com/gokafka/kafka"
)

// TestListOffsets: earliest and latest offsets per partition, before and
// after producing, and offsets by time for a time after every message
// (Kafka: none, which gokafka answers with the latest offset).
func TestListOffsets(t *testing.T) {
	e := newEnv(t)
	tp := e.topic(3)
	ctx := e.ctx()
	zero := map[int32]int64{0: 0, 1: 0, 2: 0}
	for name, f := range map[string]func() (map[int32]int64, error){
		"earliest": func() (map[int32]int64, error) { return tp.EarliestAvailableOffsets(ctx) },
		"latest":   func() (map[int32]int64, error) { return tp.LatestAvailableOffsets(ctx) },
	} {
		got, err := f()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !maps.Equal(got, zero) {
			t.Fatalf("%s of an empty topic: %v", name, got)
		}
	}
	p, err := tp.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	want := map[int32]int64{0: 0, 1: 0, 2: 0}
	for i, r := range produceSync(t, ctx, p, 0, 90) {
		if r.Offset != want[r.Partition] {
			t.Fatalf("message %d stored at p%d@%d, want offset %d", i, r.Partition, r.Offset, want[r.Partition])
		}
		want[r.Partition]++
	}
	latest, err := tp.LatestAvailableOffsets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(latest, want) {
		t.Fatalf("latest %v, want %v", latest, want)
	}
	earliest, err := tp.EarliestAvailableOffsets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(earliest, zero) {
		t.Fatalf("earliest %v after producing", earliest)
	}
	future, err := tp.OffsetsForTime(ctx, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(future, want) {
		t.Fatalf("OffsetsForTime(in an hour) = %v, want the latest offsets %v", future, want)
	}
}

// TestGroupOffsets: a SimpleConsumer in a group commits what it consumed;
// the group's offsets read back (FetchOffsets, Client.FetchGroupOffsets),
// and a new consumer of the group starts exactly there. Explicit
// per-partition commits and the Client's commit call round-trip too.
func TestGroupOffsets(t *testing.T) {
	e := newEnv(t)
	tp := e.topic(3)
	ctx := e.ctx()
	p, err := tp.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	const n = 120
	produceSync(t, ctx, p, 0, n)

	cfg := kafka.SimpleConsumerConfig{ConsumerGroup: "g-offsets", OffsetsChannelBackoff: 50 * time.Millisecond}
	c1, err := tp.SimpleConsumer(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c1.FetchOffsets(ctx); err != nil || len(got) != 0 {
		t.Fatalf("FetchOffsets of a new group: %v, %v", got, err)
	}
	first := consumeN(t, ctx, c1, 50)
	if err := c1.CommitOffsets(ctx); err != nil {
		t.Fatalf("CommitOffsets: %v", err)
	}
	held := c1.HeldOffsets()
	got, err := c1.FetchOffsets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, held) {
		t.Fatalf("FetchOffsets %v after committing HeldOffsets %v", got, held)
	}
	if got, err := e.client.FetchGroupOffsets(ctx, "g-offsets", tp.Name()); err != nil || !maps.Equal(got, held) {
		t.Fatalf("Client.FetchGroupOffsets: %v, %v; want %v", got, err, held)
	}
	c1.Close()

	c2, err := tp.SimpleConsumer(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rest := consumeN(t, ctx, c2, n-len(first))
	checkExactlyOnce(t, append(first, rest...), n)
	expectQuiet(t, c2, 300*time.Millisecond)

	explicit := map[int32]int64{0: 1, 1: 2, 2: 3}
	if err := c2.CommitPartitionOffsets(ctx, explicit); err != nil {
		t.Fatal(err)
	}
	if got, err := c2.FetchOffsets(ctx); err != nil || !maps.Equal(got, explicit) {
		t.Fatalf("FetchOffsets after CommitPartitionOffsets(%v): %v, %v", explicit, got, err)
	}
	c2.Close()
	other := map[int32]int64{0: 4, 2: 5}
	if err := e.client.CommitGroupOffsets(ctx, "g-other", tp.Name(), other); err != nil {
		t.Fatal(err)
	}
	if got, err := e.client.FetchGroupOffsets(ctx, "g-other", tp.Name()); err != nil || !maps.Equal(got, other) {
		t.Fatalf("FetchGroupOffsets(g-other): %v, %v; want %v", got, err, other)
	}
}
