package kafka

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// A Partitioner picks a message's partition among numPartitions, whose IDs
// are 0 to numPartitions-1. It must be safe for concurrent use. An error is
// returned to the caller of Produce.
type Partitioner interface {
	Partition(msg Message, numPartitions int) (int32, error)
}

// PartitionerFunc adapts a function to a [Partitioner], as pykafka
// accepted any callable.
type PartitionerFunc func(msg Message, numPartitions int) (int32, error)

// Partition implements [Partitioner].
func (f PartitionerFunc) Partition(msg Message, numPartitions int) (int32, error) {
	return f(msg, numPartitions)
}

// BatchClosedNotifier is implemented by partitioners that stick to one
// partition for messages without a key until the producer closes that
// partition's batch (KIP-480): the producer calls BatchClosed then, with
// the partition's queue locked, so it must be quick and must not produce.
type BatchClosedNotifier interface {
	BatchClosed(partition int32)
}

// ErrNoKey is returned by partitioners that hash keys when a message has
// none (pykafka raised ValueError).
var ErrNoKey = errors.New("kafka: the partitioner needs a message key")

// NewDefaultPartitioner returns the producer's default partitioner:
// messages with a key go where the Java client puts them (murmur2 of the
// key, see [Murmur2Partitioner]), so that Java and Go producers agree;
// messages without one stick to a partition until its batch is sent, then
// move on, which makes bigger batches than round-robin (Kafka's sticky
// partitioner, KIP-480).
func NewDefaultPartitioner() Partitioner { return &stickyPartitioner{current: -1} }

type stickyPartitioner struct {
	mu      sync.Mutex
	current int32 // -1: pick one
	last    int32 // the previous pick, avoided by the next
}

func (s *stickyPartitioner) Partition(msg Message, n int) (int32, error) {
	if msg.Key != nil {
		return murmur2Partition(msg.Key, n), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current < 0 || int(s.current) >= n {
		s.current = rand.Int32N(int32(n))
		if n > 1 && s.current == s.last {
			s.current = (s.current + 1) % int32(n)
		}
		s.last = s.current
	}
	return s.current, nil
}

// BatchClosed moves unkeyed messages to another partition once the one
// they stuck to has sent its batch.
func (s *stickyPartitioner) BatchClosed(partition int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if partition == s.current {
		s.current = -1
	}
}

// Murmur2Partitioner hashes keys as the Java client's default partitioner
// does: murmur2(key) with the sign bit cleared, modulo the partition count.
// Messages without a key go round-robin.
var Murmur2Partitioner Partitioner = PartitionerFunc(func(msg Message, n int) (int32, error) {
	if msg.Key == nil {
		return int32(roundRobin.Add(1) % uint64(n)), nil
	}
	return murmur2Partition(msg.Key, n), nil
})

var roundRobin atomic.Uint64

func murmur2Partition(key []byte, n int) int32 {
	return int32(uint32(murmur2(key)&0x7fffffff) % uint32(n))
}

// murmur2 is the 32-bit MurmurHash2 with the seed Kafka uses, as Kafka's
// Utils.murmur2 computes it.
func murmur2(data []byte) int32 {
	const (
		seed = 0x9747b28c
		m    = 0x5bd1e995
		r    = 24
	)
	length := len(data)
	h := uint32(seed) ^ uint32(length)
	for len(data) >= 4 {
		k := uint32(data[0]) | uint32(data[1])<<8 | uint32(data[2])<<16 | uint32(data[3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
		data = data[4:]
	}
	switch len(data) {
	case 3:
		h ^= uint32(data[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}

// NewRoundRobinPartitioner spreads messages over the partitions in turn,
// whatever their keys.
func NewRoundRobinPartitioner() Partitioner {
	var next atomic.Uint64
	return PartitionerFunc(func(_ Message, n int) (int32, error) {
		return int32((next.Add(1) - 1) % uint64(n)), nil
	})
}

// NewRandomPartitioner is pykafka's RandomPartitioner, which despite its
// name is round-robin: its counter starts at 1, so the first message goes
// to partition 1 (0 with a single partition), then 2, and so on around.
func NewRandomPartitioner() Partitioner {
	var next atomic.Uint64
	return PartitionerFunc(func(_ Message, n int) (int32, error) {
		return int32(next.Add(1) % uint64(n)), nil
	})
}

// HashingPartitioner is pykafka's HashingPartitioner: the partition is
// hash(key) modulo the partition count. Hash nil means pykafka's default,
// the SHA-1 of the key read as one big number, which picks the same
// partitions pykafka did. It is not the Java client's hash: use the default
// partitioner to share topics with Java producers.
type HashingPartitioner struct {
	Hash func(key []byte) uint64
}

// Partition implements [Partitioner].
func (h HashingPartitioner) Partition(msg Message, n int) (int32, error) {
	if msg.Key == nil {
		return 0, fmt.Errorf("HashingPartitioner: %w", ErrNoKey)
	}
	if h.Hash != nil {
		return int32(h.Hash(msg.Key) % uint64(n)), nil
	}
	return int32(sha1Mod(msg.Key, uint64(n))), nil
}

// sha1Mod computes int(sha1(key).hexdigest(), 16) % n, as pykafka did,
// folding the digest's bytes into the remainder one at a time.
func sha1Mod(key []byte, n uint64) uint64 {
	sum := sha1.Sum(key)
	var rem uint64
	for _, b := range sum {
		rem = (rem<<8 | uint64(b)) % n // n < 2^32, so this never overflows
	}
	return rem
}

// GroupHashingPartitioner is pykafka's GroupHashingPartitioner: it spreads
// one key over GroupSize adjacent partitions, (hash(key) + a random number
// below GroupSize) modulo the partition count, to relieve hot keys while
// keeping a key's messages within a few partitions. Hash is required;
// GroupSize must be between 1 and the partition count.
type GroupHashingPartitioner struct {
	Hash      func(key []byte) uint64
	GroupSize int
}

// Partition implements [Partitioner].
func (g GroupHashingPartitioner) Partition(msg Message, n int) (int32, error) {
	switch {
	case g.Hash == nil:
		return 0, errors.New("kafka: GroupHashingPartitioner needs a Hash function")
	case g.GroupSize < 1 || g.GroupSize > n:
		return 0, fmt.Errorf("kafka: GroupHashingPartitioner.GroupSize is %d: want 1 to the partition count (%d)", g.GroupSize, n)
	case msg.Key == nil:
		return 0, fmt.Errorf("GroupHashingPartitioner: %w", ErrNoKey)
	}
	h := g.Hash(msg.Key) % uint64(n)
	return int32((h + uint64(rand.IntN(g.GroupSize))) % uint64(n)), nil
}

// ManualPartitioner sends each message to the partition its Partition
// field names.
var ManualPartitioner Partitioner = PartitionerFunc(func(msg Message, n int) (int32, error) {
	if msg.Partition < 0 || int(msg.Partition) >= n {
		return 0, fmt.Errorf("kafka: ManualPartitioner: message for partition %d, but the topic has %d: %w", msg.Partition, n, ErrUnknownTopicOrPartition)
	}
	return msg.Partition, nil
})
