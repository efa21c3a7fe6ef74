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
//
// Every partitioner of this package is made by a New...Partitioner
// function, taking its settings as arguments, and each call makes one
// with state of its own (counters, sticky choices), so that producers do
// not disturb each other. [PartitionerFunc] makes one of a function.
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
// partition's batch (KIP-480): the producer calls BatchClosed then, from
// the goroutine that closed the batch (a Produce call's, or the sender's)
// and without holding any of its locks. It should be quick: the sender
// waits for it.
type BatchClosedNotifier interface {
	BatchClosed(partition int32)
}

// ErrNoKey is returned by partitioners that hash keys when a message has
// none (pykafka raised ValueError).
var ErrNoKey = errors.New("kafka: the partitioner needs a message key")

// NewDefaultPartitioner returns the producer's default partitioner:
// messages with a key go where the Java client puts them (murmur2 of the
// key, see [NewMurmur2Partitioner]), so that Java and Go producers agree;
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

// NewMurmur2Partitioner returns a partitioner that hashes keys as the Java
// client's default partitioner does: murmur2(key) with the sign bit
// cleared, modulo the partition count. Messages without a key go
// round-robin.
func NewMurmur2Partitioner() Partitioner {
	var next atomic.Uint64
	return PartitionerFunc(func(msg Message, n int) (int32, error) {
		if msg.Key == nil {
			return int32((next.Add(1) - 1) % uint64(n)), nil
		}
		return murmur2Partition(msg.Key, n), nil
	})
}

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

// NewRoundRobinPartitioner returns a partitioner that spreads messages
// over the partitions in turn, from partition 0, whatever their keys.
func NewRoundRobinPartitioner() Partitioner {
	var next atomic.Uint64
	return PartitionerFunc(func(_ Message, n int) (int32, error) {
		return int32((next.Add(1) - 1) % uint64(n)), nil
	})
}

// NewRandomPartitioner returns pykafka's RandomPartitioner, which despite
// its name is round-robin: its counter starts at 1, so the first message goes
// to partition 1 (0 with a single partition), then 2, and so on around.
func NewRandomPartitioner() Partitioner {
	var next atomic.Uint64
	return PartitionerFunc(func(_ Message, n int) (int32, error) {
		return int32(next.Add(1) % uint64(n)), nil
	})
}

// NewHashingPartitioner returns pykafka's HashingPartitioner: the
// partition is hash(key) modulo the partition count. A nil hash means
// pykafka's default, the SHA-1 of the key read as one big number, which
// picks the same partitions pykafka did. It is not the Java client's hash:
// use the default partitioner to share topics with Java producers. A
// message without a key gets [ErrNoKey].
func NewHashingPartitioner(hash func(key []byte) uint64) Partitioner {
	return PartitionerFunc(func(msg Message, n int) (int32, error) {
		if msg.Key == nil {
			return 0, fmt.Errorf("kafka: hashing partitioner: %w", ErrNoKey)
		}
		if hash != nil {
			return int32(hash(msg.Key) % uint64(n)), nil
		}
		return int32(sha1Mod(msg.Key, uint64(n))), nil
	})
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

// NewGroupHashingPartitioner returns pykafka's GroupHashingPartitioner: it
// spreads one key over groupSize adjacent partitions, (hash(key) + a random
// number below groupSize) modulo the partition count, to relieve hot keys
// while keeping a key's messages within a few partitions. hash is
// required, and groupSize must be between 1 and the partition count: when
// they are not, or a message has no key, Produce returns the error.
func NewGroupHashingPartitioner(hash func(key []byte) uint64, groupSize int) Partitioner {
	return PartitionerFunc(func(msg Message, n int) (int32, error) {
		switch {
		case hash == nil:
			return 0, errors.New("kafka: group hashing partitioner needs a hash function")
		case groupSize < 1 || groupSize > n:
			return 0, fmt.Errorf("kafka: group hashing partitioner: group size is %d: want 1 to the partition count (%d)", groupSize, n)
		case msg.Key == nil:
			return 0, fmt.Errorf("kafka: group hashing partitioner: %w", ErrNoKey)
		}
		h := hash(msg.Key) % uint64(n)
		return int32((h + uint64(rand.IntN(groupSize))) % uint64(n)), nil
	})
}

// NewManualPartitioner returns a partitioner that sends each message to
// the partition its Partition field names; a partition the topic does not
// have gets [ErrUnknownTopicOrPartition].
func NewManualPartitioner() Partitioner {
	return PartitionerFunc(func(msg Message, n int) (int32, error) {
		if msg.Partition < 0 || int(msg.Partition) >= n {
			return 0, fmt.Errorf("kafka: manual partitioner: message for partition %d, but the topic has %d: %w", msg.Partition, n, ErrUnknownTopicOrPartition)
		}
		return msg.Partition, nil
	})
}
