package kafka

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// A Hook receives events for metrics, in the spirit of yelp_kafka's metrics
// responder: list hooks in [Config.Hooks], each implementing one or more of
// the interfaces below ([BrokerConnectHook], [BrokerRequestHook],
// [RequestErrorHook], [ProduceBatchHook], [FetchBatchHook],
// [TruncationHook], and for tracing [ProduceRecordHook] and
// [ConsumeRecordHook]); NewClient
// refuses a hook that implements none of them ([ErrInvalidHook]). Hooks are
// called synchronously from the client's goroutines, so they must be quick
// and safe for concurrent use; the core module depends on no metrics
// library.
type Hook any

// ErrInvalidHook is wrapped by NewClient's error for a hook in
// Config.Hooks that is nil or implements none of the hook interfaces (a
// method with a misspelt name or a wrong signature, most likely): it would
// never be called.
var ErrInvalidHook = errors.New("kafka: invalid hook")

// hookKind is one hook interface: its name, and a test for it.
type hookKind struct {
	name string
	is   func(Hook) bool
}

func kindOf[H any]() hookKind {
	return hookKind{name: reflect.TypeFor[H]().Name(), is: func(h Hook) bool { _, ok := h.(H); return ok }}
}

// hookKinds lists every hook interface, for validateHooks.
var hookKinds = []hookKind{
	kindOf[BrokerConnectHook](),
	kindOf[BrokerRequestHook](),
	kindOf[RequestErrorHook](),
	kindOf[ProduceBatchHook](),
	kindOf[FetchBatchHook](),
	kindOf[TruncationHook](),
	kindOf[ProduceRecordHook](),
	kindOf[ConsumeRecordHook](),
}

// validateHooks checks that every hook implements at least one hook
// interface.
func validateHooks(hs []Hook) error {
	for i, h := range hs {
		if h == nil {
			return fmt.Errorf("%w: Config.Hooks[%d] is nil", ErrInvalidHook, i)
		}
		if !slices.ContainsFunc(hookKinds, func(k hookKind) bool { return k.is(h) }) {
			names := make([]string, len(hookKinds))
			for j, k := range hookKinds {
				names[j] = k.name
			}
			return fmt.Errorf("%w: Config.Hooks[%d] (%T) implements none of the hook interfaces (%s)",
				ErrInvalidHook, i, h, strings.Join(names, ", "))
		}
	}
	return nil
}

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

// RequestErrorHook is told about every error the consumers' Fetch requests
// and the producers' Produce requests meet, whether the client retries it or
// gives up: an error of the request as a whole (a lost connection, an error
// code at the response's top level) and each partition's error code in the
// response (NOT_LEADER_OR_FOLLOWER, OFFSET_OUT_OF_RANGE, ...) or undecodable
// records. It is where per-error
// counters come from (errors.Is(e.Err, kafka.ErrNotLeaderForPartition)).
type RequestErrorHook interface {
	OnRequestError(RequestErrorEvent)
}

// RequestErrorEvent describes one error a request met.
type RequestErrorEvent struct {
	API       string // the Kafka API's name: "Fetch" or "Produce"
	Broker    int32  // -1 when the request found no broker to go to
	Topic     string // "" for an error of the request as a whole
	Partition int32  // -1 for an error of the request as a whole
	// Err is the error, as an *OpError where the client makes one: it
	// wraps the Kafka error code (errors.Is(Err, kafka.ErrOffsetOutOfRange))
	// or the transport's error (ErrSocketDisconnected).
	Err error
}

// hooks fans events out to the hooks that want them.
type hooks []Hook

// requestError tells the RequestErrorHooks about e.
func (hs hooks) requestError(e RequestErrorEvent) {
	emit(hs, func(h RequestErrorHook) { h.OnRequestError(e) })
}

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
// that brought messages. It is told before the messages can be consumed, so
// a count kept by the hook covers every message Consume has returned.
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

// TruncationHook is told when a consumer finds that a partition's log was
// truncated under it (KIP-320): the partition's leader changed and the new
// leader's log ends, for the leader epoch of the last records fetched,
// before the consumer's position. Those records were lost by the cluster
// (written to a leader that failed before its followers had them, with
// unclean leader election or acks below all). The consumer goes back to
// the offset where the logs diverge and reads on from there: the records
// it finds at To and after are the leader's, and may differ from those
// already handed out at the same offsets. Kafka's Java consumer does the
// same when auto.offset.reset is set; the event (and a Warn log line) says
// it happened.
type TruncationHook interface {
	OnTruncation(TruncationEvent)
}

// TruncationEvent describes one truncation a consumer found.
type TruncationEvent struct {
	Topic     string
	Partition int32
	From      int64 // the position the consumer had fetched up to
	To        int64 // where the leader's log diverges: fetching resumes here
}

// ProduceRecordHook is told about every message given to Produce or
// ProduceSync, before the producer takes it, and once more with its
// outcome. It is the place for tracing (a span per message, its context
// written into the message's headers) and for anything else that must see
// or mark each message.
//
// OnProduceRecord gets the caller's context and the message, with its
// Topic set, and may change the message: typically it adds headers. It
// must replace msg.Headers rather than write into the caller's slice (use
// append(slices.Clip(msg.Headers), ...)), since the caller may reuse it.
//
// Every OnProduceRecord is followed by exactly one OnProduceRecordDone with
// the message's outcome: delivered (err nil; Partition, Offset and
// Timestamp set as stored), failed for good, or refused by Produce (err is
// what Produce returned). OnProduceRecordDone is called from the producer's
// goroutines (or Produce's caller, for a message it refuses or fails at
// once), in each partition's order, before the message's delivery
// report is handed out; like OnDelivery it must be quick and must not wait
// for another message's delivery.
//
// The message's delivery report (and ProduceSync's result) carries the
// message as the hooks left it, headers included.
//
// With a ProduceRecordHook the producer keeps every message until its
// outcome, as it does for delivery reports; without one, Produce pays for
// none of this.
type ProduceRecordHook interface {
	OnProduceRecord(ctx context.Context, msg *Message)
	OnProduceRecordDone(msg Message, err error)
}

// ConsumeRecordHook is told about every message a consumer's Consume (or
// Messages) hands to the application, just before it returns it: where a
// tracing hook starts the message's processing span, whose parent is the
// context found in the message's headers.
type ConsumeRecordHook interface {
	OnConsumeRecord(ctx context.Context, e ConsumeRecordEvent)
}

// ConsumeRecordEvent describes one message handed to the application.
type ConsumeRecordEvent struct {
	Message Message
	Group   string // the consumer's ConsumerGroup, "" without one
}

// hasHook reports whether one of hs is of kind H.
func hasHook[H any](hs hooks) bool {
	for _, h := range hs {
		if _, ok := h.(H); ok {
			return true
		}
	}
	return false
}

// produceHooked is produce, with the ProduceRecordHooks told about msg.
// Without one it is produce (one bool read, whatever other hooks there
// are), and msg stays on the stack.
func (p *Producer) produceHooked(ctx context.Context, msg Message, waiting chan DeliveryReport) error {
	if !p.recordHooks {
		return p.produce(ctx, msg, waiting)
	}
	return p.produceWithRecordHooks(ctx, msg, waiting)
}

// produceWithRecordHooks runs the ProduceRecordHooks on msg, produces it,
// and tells them when Produce refuses it: its report will never come.
func (p *Producer) produceWithRecordHooks(ctx context.Context, msg Message, waiting chan DeliveryReport) error {
	if msg.Topic == "" {
		msg.Topic = p.topic // produce checks a mismatch
	}
	emit(p.client.hooks, func(h ProduceRecordHook) { h.OnProduceRecord(ctx, &msg) })
	err := p.produce(ctx, msg, waiting)
	if err != nil {
		emit(p.client.hooks, func(h ProduceRecordHook) { h.OnProduceRecordDone(msg, err) })
	}
	return err
}

// produceRecordDone tells the ProduceRecordHooks about a message's report.
func (hs hooks) produceRecordDone(r DeliveryReport) {
	emit(hs, func(h ProduceRecordHook) { h.OnProduceRecordDone(r.Message, r.Err) })
}

// consumeRecord tells the ConsumeRecordHooks about a message handed out.
func (hs hooks) consumeRecord(ctx context.Context, msg Message, group string) {
	emit(hs, func(h ConsumeRecordHook) { h.OnConsumeRecord(ctx, ConsumeRecordEvent{Message: msg, Group: group}) })
}
