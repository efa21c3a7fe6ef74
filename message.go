package kafka

import (
	"fmt"
	"strings"
	"time"
)

// A Message is one Kafka record, as produced and as consumed. A consumed
// message's Key, Value and header values share memory with the fetch that
// brought them (which is what makes consuming nearly free of allocations):
// the message owns them, but keeping a few messages for a long time keeps
// their whole fetches in memory; copy what is kept.
type Message struct {
	Topic     string
	Partition int32 // set by the producer's partitioner unless the producer is told otherwise; set on consumed messages
	// Offset is the message's offset, once stored; -1 before. A delivery
	// report may also say -1 in one rare case: the broker's answer was
	// lost, and when the batch was sent again the broker had moved past
	// it, so it is known stored but not where.
	Offset  int64
	Key     []byte
	Value   []byte
	Headers []Header
	// Timestamp is the message's time: when producing, the zero value means
	// "now"; when consuming, the producer's time or the broker's append time,
	// as the topic is configured.
	Timestamp time.Time
	// DeliveryCount is, for a message from a [ShareConsumer], how many
	// times the share group has delivered it, this time included (1 the
	// first time): a handler can give up on a message that keeps failing
	// ([AckReject]). It is 0 for other consumers and ignored when producing.
	DeliveryCount int
}

// A Header is a key and value attached to a message.
type Header struct {
	Key   string
	Value []byte
}

// A TopicPartition names one partition of one topic.
type TopicPartition struct {
	Topic     string
	Partition int32
}

func (tp TopicPartition) compare(o TopicPartition) int {
	if c := strings.Compare(tp.Topic, o.Topic); c != 0 {
		return c
	}
	return int(tp.Partition - o.Partition)
}

// String formats tp as "topic[partition]".
func (tp TopicPartition) String() string { return fmt.Sprintf("%s[%d]", tp.Topic, tp.Partition) }
