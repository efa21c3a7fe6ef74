package kafka

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestMurmur2JavaVectors checks murmur2 against Kafka's own test vectors
// (UtilsTest.testMurmur2).
func TestMurmur2JavaVectors(t *testing.T) {
	for in, want := range map[string]int32{
		"21":                         -973932308,
		"foobar":                     -790332482,
		"a-little-bit-long-string":   -985981536,
		"a-little-bit-longer-string": -1486304829,
		"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
		"abc": 479470107,
	} {
		require.Equal(t, want, murmur2([]byte(in)), "murmur2(%q)", in)
	}
}

// TestDefaultPartitionerMatchesJava compares keyed placement with
// franz-go's Kafka-compatible partitioner, for random keys and counts.
func TestDefaultPartitionerMatchesJava(t *testing.T) {
	ours := NewDefaultPartitioner()
	theirs := kgo.StickyKeyPartitioner(nil).ForTopic("t")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		key := make([]byte, rng.IntN(40))
		for i := range key {
			key[i] = byte(rng.UintN(256))
		}
		n := 1 + rng.IntN(100)
		got, err := ours.Partition(Message{Key: key}, n)
		require.NoError(t, err)
		require.Equal(t, int32(theirs.Partition(&kgo.Record{Key: key}, n)), got, "key %x over %d", key, n)
	}
}

func TestStickyPartitionerForUnkeyed(t *testing.T) {
	p := NewDefaultPartitioner()
	first, _ := p.Partition(Message{}, 6)
	for range 100 {
		got, _ := p.Partition(Message{}, 6)
		require.Equal(t, first, got, "sticks until the batch closes")
	}
	seen := map[int32]bool{first: true}
	prev := first
	for range 200 {
		p.(BatchClosedNotifier).BatchClosed(prev)
		next, _ := p.Partition(Message{}, 6)
		require.NotEqual(t, prev, next, "moves on when its batch closed")
		seen[next], prev = true, next
	}
	require.Len(t, seen, 6, "every partition gets batches")
	p.(BatchClosedNotifier).BatchClosed((prev + 1) % 6)
	same, _ := p.Partition(Message{}, 6)
	require.Equal(t, prev, same, "another partition's batch does not move it")

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range 1000 {
				part, err := p.Partition(Message{}, 6)
				if err != nil || part < 0 || part >= 6 {
					t.Errorf("partition %d, %v", part, err)
				}
				if i%10 == 0 {
					p.(BatchClosedNotifier).BatchClosed(part)
				}
			}
		})
	}
	wg.Wait()
}

func TestPykafkaRandomPartitionerIsRoundRobinFromOne(t *testing.T) {
	p := NewRandomPartitioner()
	var got []int32
	for range 7 {
		part, _ := p.Partition(Message{Key: []byte("ignored")}, 3)
		got = append(got, part)
	}
	require.Equal(t, []int32{1, 2, 0, 1, 2, 0, 1}, got)
	rr := NewRoundRobinPartitioner()
	got = got[:0]
	for range 4 {
		part, _ := rr.Partition(Message{}, 3)
		got = append(got, part)
	}
	require.Equal(t, []int32{0, 1, 2, 0}, got)
}

// TestHashingPartitionerMatchesPykafka computes pykafka's
// int(sha1(key).hexdigest(), 16) % n with big integers.
func TestHashingPartitionerMatchesPykafka(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		key := []byte(fmt.Sprint(rng.Uint64()))
		n := 1 + rng.IntN(1000)
		sum := sha1.Sum(key)
		want := new(big.Int).Mod(new(big.Int).SetBytes(sum[:]), big.NewInt(int64(n)))
		got, err := NewHashingPartitioner(nil).Partition(Message{Key: key}, n)
		require.NoError(t, err)
		require.Equal(t, want.Int64(), int64(got))
	}
	custom := NewHashingPartitioner(func(k []byte) uint64 { return uint64(len(k)) })
	got, _ := custom.Partition(Message{Key: []byte("abcde")}, 3)
	require.Equal(t, int32(2), got)
	_, err := NewHashingPartitioner(nil).Partition(Message{}, 3)
	require.ErrorIs(t, err, ErrNoKey)
}

func TestGroupHashingPartitioner(t *testing.T) {
	hash := func(k []byte) uint64 { return 7 }
	g := NewGroupHashingPartitioner(hash, 3)
	seen := map[int32]bool{}
	for range 500 {
		got, err := g.Partition(Message{Key: []byte("k")}, 8)
		require.NoError(t, err)
		seen[got] = true
	}
	require.Equal(t, map[int32]bool{7: true, 0: true, 1: true}, seen, "hash 7 spread over 3 adjacent partitions, wrapping")
	_, err := NewGroupHashingPartitioner(hash, 9).Partition(Message{Key: []byte("k")}, 8)
	require.ErrorContains(t, err, "group size is 9")
	_, err = NewGroupHashingPartitioner(nil, 1).Partition(Message{Key: []byte("k")}, 8)
	require.ErrorContains(t, err, "needs a hash function")
	_, err = g.Partition(Message{}, 8)
	require.True(t, errors.Is(err, ErrNoKey))
}

// TestMurmur2Partitioner: keys as the Java client; messages without a key
// round-robin from partition 0, with a counter of each partitioner's own.
func TestMurmur2Partitioner(t *testing.T) {
	p := NewMurmur2Partitioner()
	got, err := p.Partition(Message{Key: []byte("abc")}, 7)
	require.NoError(t, err)
	require.Equal(t, murmur2Partition([]byte("abc"), 7), got)
	for _, q := range []Partitioner{p, NewMurmur2Partitioner()} {
		var seq []int32
		for range 4 {
			got, err := q.Partition(Message{}, 3)
			require.NoError(t, err)
			seq = append(seq, got)
		}
		require.Equal(t, []int32{0, 1, 2, 0}, seq)
	}
}

func TestManualPartitioner(t *testing.T) {
	manual := NewManualPartitioner()
	got, err := manual.Partition(Message{Partition: 2}, 3)
	require.NoError(t, err)
	require.Equal(t, int32(2), got)
	_, err = manual.Partition(Message{Partition: 3}, 3)
	require.ErrorIs(t, err, ErrUnknownTopicOrPartition)
	_, err = manual.Partition(Message{Partition: -1}, 3)
	require.Error(t, err)
}

func BenchmarkDefaultPartitionerKeyed(b *testing.B) {
	p := NewDefaultPartitioner()
	msg := Message{Key: []byte("customer-12345")}
	b.ReportAllocs()
	for b.Loop() {
		p.Partition(msg, 12)
	}
}

func BenchmarkDefaultPartitionerUnkeyed(b *testing.B) {
	p := NewDefaultPartitioner()
	b.ReportAllocs()
	for b.Loop() {
		p.Partition(Message{}, 12)
	}
}
