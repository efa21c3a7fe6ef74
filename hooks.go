package kafka

import "time"

// A Hook receives events for metrics, in the spirit of yelp_kafka's metrics
// responder: list hooks in [Config.Hooks], each implementing any of the
// interfaces below. Hooks are called synchronously from the client's
// goroutines, so they must be quick and safe for concurrent use; the core
// module depends on no metrics library.
type Hook any

// BrokerConnectHook is told about every connection attempt to a broker.
type BrokerConnectHook interface {
	OnBrokerConnect(BrokerConnectEvent)
}

// BrokerConnectEvent describes one connection attempt.
type BrokerConnectEvent struct {
	Broker   int32 // -1 for a seed whose ID is not known yet
	Addr     string
	Duration time.Duration // dial, TLS, SASL and APIVersions
	Err      error         // nil when connected
}

// BrokerRequestHook is told about every request a broker answered, or
// failed to answer.
type BrokerRequestHook interface {
	OnBrokerRequest(BrokerRequestEvent)
}

// BrokerRequestEvent describes one request and its outcome.
type BrokerRequestEvent struct {
	Broker  int32
	Addr    string
	API     string // the Kafka API's name, e.g. "Metadata"
	Version int16
	Latency time.Duration // from sending to the decoded response
	Err     error         // a transport or decoding error; error codes inside the response are not counted here
}

// hooks fans events out to the hooks that want them.
type hooks []Hook

// emit calls fn with every hook of kind H.
func emit[H any](hs hooks, fn func(H)) {
	for _, h := range hs {
		if h, ok := h.(H); ok {
			fn(h)
		}
	}
}

// ProduceBatchHook is told about every batch the producer finished with:
// delivered, or failed for good.
type ProduceBatchHook interface {
	OnProduceBatch(ProduceBatchEvent)
}

// ProduceBatchEvent describes one finished batch.
type ProduceBatchEvent struct {
	Topic     string
	Partition int32
	Messages  int
	Bytes     int           // the batch as sent, compressed
	Retries   int           // attempts that failed before this outcome
	Latency   time.Duration // from the batch's first message to the outcome
	Err       error         // nil when delivered
}

// FetchBatchHook is told about every partition's share of a fetch response
// that brought messages.
type FetchBatchHook interface {
	OnFetchBatch(FetchBatchEvent)
}

// FetchBatchEvent describes the messages one fetch brought for a partition.
type FetchBatchEvent struct {
	Topic     string
	Partition int32
	Messages  int
	Bytes     int   // the records as received, compressed
	Lag       int64 // messages left behind the high watermark after these
}
