package kafka

// TEMP shim until the partitioners land.

import "sync/atomic"

type Partitioner interface {
	Partition(msg *Message, numPartitions int) (int32, error)
}

type BatchClosedNotifier interface{ BatchClosed(partition int32) }

type rr struct{ n atomic.Int64 }

func (r *rr) Partition(msg *Message, n int) (int32, error) { return int32(r.n.Add(1) % int64(n)), nil }

func NewDefaultPartitioner() Partitioner { return &rr{} }
