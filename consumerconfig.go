package kafka

import (
	"errors"
	"fmt"
	"time"
)

// IsolationLevel says whether a consumer sees records of transactions that
// are still open or were aborted.
type IsolationLevel int8

const (
	// ReadUncommitted (the default) returns every record.
	ReadUncommitted IsolationLevel = iota
	// ReadCommitted returns only records of committed transactions (and
	// records written outside transactions), up to the last stable offset.
	ReadCommitted
)

// SimpleConsumerConfig configures a [SimpleConsumer]. Each field is a
// pykafka get_simple_consumer keyword; zero fields take pykafka's defaults.
type SimpleConsumerConfig struct {
	// ConsumerGroup names the group whose committed offsets the consumer
	// starts from and commits to. Empty: no group; the consumer starts at
	// AutoOffsetReset and cannot commit.
	ConsumerGroup string
	// Partitions limits the consumer to these partitions; nil means all.
	// A non-nil empty slice is an error: it would consume nothing.
	Partitions []int32
	// FetchMessageMaxBytes caps the bytes fetched per partition per
	// request. Default 1 MiB. A larger message still comes through (Kafka
	// returns a first batch whole, whatever its size).
	FetchMessageMaxBytes int
	// NumConsumerFetchers is pykafka's num_consumer_fetchers, kept so
	// that configurations carry over.
	//
	// Deprecated: fetching belongs to the Client, which sends one fetch
	// at a time per broker for all its consumers; the field is ignored.
	NumConsumerFetchers int
	// AutoCommitEnable commits HeldOffsets every AutoCommitInterval and on
	// Close. Default false.
	AutoCommitEnable bool
	// AutoCommitInterval is the time between automatic commits. Default 60s.
	AutoCommitInterval time.Duration
	// AutoCommitMessages, with AutoCommitEnable, commits as well after
	// every this many messages (yelp_kafka's auto_commit_interval_messages).
	// Default 0: by AutoCommitInterval alone.
	AutoCommitMessages int
	// QueuedMaxMessages caps the fetched messages held per partition
	// before fetching pauses. Default 10,000 (pykafka's default was 2000).
	//
	// A partition is fetched again while it holds fewer, so that it holds
	// at most QueuedMaxMessages-1 messages plus one fetch
	// (FetchMessageMaxBytes). Each held message costs 128 bytes beside its
	// key, value and headers, which alias the fetched response (a
	// response is kept while any message from it is). At the default that
	// is about 1.3 MB of messages plus their payloads per partition: some
	// 2.5 MB for 100-byte values, some 11 MB for 1 KiB ones, so set it
	// lower for many partitions of large messages. At 2000, a partition of
	// small messages holds less than one fetch's worth, and consuming
	// stalls waiting for the next fetch: the default keeps several
	// fetches' worth of small messages queued.
	QueuedMaxMessages int
	// FetchMinBytes is how much data a broker waits for before it answers
	// a fetch. Default 1.
	FetchMinBytes int
	// FetchWaitMax is how long a broker may wait for FetchMinBytes.
	// Default 100ms.
	FetchWaitMax time.Duration
	// OffsetsChannelBackoff is the first wait between retries of offset
	// commits and fetches. Default 1s.
	OffsetsChannelBackoff time.Duration
	// OffsetsCommitMaxRetries bounds the retries of an offset commit or
	// fetch. 0 means the default, 5; a negative value means no retries
	// (one attempt).
	OffsetsCommitMaxRetries int
	// AutoOffsetReset is where a partition starts when its group has no
	// committed offset, when ResetOffsetOnStart is set, and when the
	// position is out of range. Default OffsetEarliest.
	AutoOffsetReset OffsetType
	// ConsumerTimeout makes Consume return ErrConsumerTimeout after this
	// long without a message. Default 0: wait (pykafka's -1).
	ConsumerTimeout time.Duration
	// ResetOffsetOnStart starts every partition at AutoOffsetReset even
	// when the group has committed offsets.
	ResetOffsetOnStart bool
	// IsolationLevel: ReadUncommitted (default) or ReadCommitted.
	IsolationLevel IsolationLevel
}

const (
	defaultFetchMessageMaxBytes = 1 << 20
	defaultAutoCommitInterval   = 60 * time.Second
	defaultQueuedMaxMessages    = 10_000
	defaultFetchWaitMax         = 100 * time.Millisecond
	defaultOffsetsBackoff       = time.Second
	defaultOffsetsRetries       = 5
)

func (cfg SimpleConsumerConfig) withDefaults() (SimpleConsumerConfig, error) {
	setDefault(&cfg.FetchMessageMaxBytes, defaultFetchMessageMaxBytes)
	setDefault(&cfg.AutoCommitInterval, defaultAutoCommitInterval)
	setDefault(&cfg.QueuedMaxMessages, defaultQueuedMaxMessages)
	setDefault(&cfg.FetchMinBytes, 1)
	setDefault(&cfg.FetchWaitMax, defaultFetchWaitMax)
	setDefault(&cfg.OffsetsChannelBackoff, defaultOffsetsBackoff)
	switch {
	case cfg.OffsetsCommitMaxRetries == 0:
		cfg.OffsetsCommitMaxRetries = defaultOffsetsRetries
	case cfg.OffsetsCommitMaxRetries < 0:
		cfg.OffsetsCommitMaxRetries = 0 // the first attempt only
	}
	if cfg.Partitions != nil && len(cfg.Partitions) == 0 {
		return cfg, errNoPartitions
	}
	cfg.AutoOffsetReset = offsetResetOrDefault(cfg.AutoOffsetReset)
	if !isOffsetType(cfg.AutoOffsetReset) {
		return cfg, fmt.Errorf("kafka: SimpleConsumerConfig.AutoOffsetReset is %d: want OffsetEarliest or OffsetLatest", cfg.AutoOffsetReset)
	}
	if cfg.IsolationLevel != ReadUncommitted && cfg.IsolationLevel != ReadCommitted {
		return cfg, fmt.Errorf("kafka: SimpleConsumerConfig.IsolationLevel is %d: want ReadUncommitted or ReadCommitted", cfg.IsolationLevel)
	}
	return cfg, nil
}

// errNoPartitions rejects a non-nil, empty SimpleConsumerConfig.Partitions,
// which would otherwise make a consumer that silently consumes nothing.
var errNoPartitions = errors.New("kafka: SimpleConsumerConfig.Partitions is empty: list at least one partition, or leave it nil for all")

// fetchOptions are the fetcher's settings from a consumer's configuration
// (with defaults applied); both consumers build their fetchers from it.
func (cfg SimpleConsumerConfig) fetchOptions() fetchOptions {
	return fetchOptions{
		maxBytes:  cfg.FetchMessageMaxBytes,
		minBytes:  cfg.FetchMinBytes,
		maxWait:   cfg.FetchWaitMax,
		queued:    cfg.QueuedMaxMessages,
		isolation: int8(cfg.IsolationLevel),
		reset:     cfg.AutoOffsetReset,
		group:     cfg.ConsumerGroup,
	}
}
