package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokafka/kafka/internal/backoff"
	"github.com/gokafka/kafka/protocol/compress"
)

// Compression is the codec a producer compresses batches with.
type Compression int8

// Compression codecs, pykafka's CompressionType plus zstd (Kafka 2.1+).
const (
	CompressionNone   Compression = Compression(compress.None)
	CompressionGzip   Compression = Compression(compress.Gzip)
	CompressionSnappy Compression = Compression(compress.Snappy)
	CompressionLZ4    Compression = Compression(compress.LZ4)
	CompressionZstd   Compression = Compression(compress.Zstd)
)

// String returns the codec's name as Kafka spells it: "none", "gzip", ...
func (c Compression) String() string { return compress.Codec(c).String() }

// Acks is how many replicas must have a message before the broker
// acknowledges it (pykafka's required_acks).
type Acks int8

// The zero value, AcksAll, is Kafka's modern default; pykafka's was
// AcksLeader, which loses messages when a leader fails before its followers
// copy them.
const (
	AcksAll    Acks = iota // every in-sync replica (Kafka's -1); needed for idempotence
	AcksLeader             // the leader alone (Kafka's 1)
	AcksNone               // no acknowledgement at all (Kafka's 0): offsets are unknown and errors unseen
)

func (a Acks) wire() int16 {
	switch a {
	case AcksLeader:
		return 1
	case AcksNone:
		return 0
	}
	return -1
}

// ProducerConfig configures a [Producer]. Zero fields take the default
// each documents; where pykafka's default was unsafe or slow, the default
// is Kafka's modern one and the field says so.
type ProducerConfig struct {
	// Partitioner picks each message's partition. Default:
	// NewDefaultPartitioner() (murmur2 of the key, as the Java client, and
	// sticky batches for messages without a key). pykafka's default was
	// round-robin: NewRandomPartitioner().
	Partitioner Partitioner

	// Compression compresses batches. Default none.
	Compression Compression
	// CompressionLevel is the codec's level; 0 is the codec's default.
	CompressionLevel int

	// RequiredAcks: see [Acks]. Default AcksAll (pykafka: 1).
	RequiredAcks Acks
	// AckTimeout is how long the broker may wait for replicas before it
	// answers (pykafka's ack_timeout_ms). Default 10s.
	AckTimeout time.Duration

	// DisableIdempotence turns off the idempotent producer. With it on (the
	// default, and only with AcksAll), brokers drop the duplicates retries
	// would otherwise make and keep each partition's messages in order.
	// pykafka had no idempotence.
	DisableIdempotence bool

	// MaxRetries bounds how often a batch is retried after a retriable
	// error. Default 0: retry until DeliveryTimeout, as Kafka's Java client
	// does; pykafka retried 3 times, and then dropped the message.
	// [NoRetries] (any negative value) reports a batch failed at its first
	// error. Batches an idempotent producer must renumber after a sequence
	// error are sent again all the same: that is not a retry of theirs.
	MaxRetries int
	// RetryBackoff is the first wait before a retry; it grows with each
	// attempt. Default 100ms.
	RetryBackoff time.Duration
	// DeliveryTimeout bounds the time from Produce to a report: a message
	// not acknowledged by then is reported failed. Default 2 minutes.
	DeliveryTimeout time.Duration

	// MaxQueuedMessages caps the messages produced but not yet reported.
	// Default 100,000 (pykafka's, which counted per broker).
	MaxQueuedMessages int
	// MaxBufferedBytes caps the bytes of records the producer holds,
	// from Produce until their batch has its answer: the Java client's
	// buffer.memory, and like it counted per producer. Default 32 MiB. A
	// message larger than the whole budget is taken when nothing else is
	// buffered. Produce waits for room (or fails, with FailOnQueueFull)
	// when either this or MaxQueuedMessages is reached.
	MaxBufferedBytes int
	// FailOnQueueFull makes Produce return ErrProducerQueueFull when
	// MaxQueuedMessages (or MaxBufferedBytes) are queued. By default Produce waits for room,
	// within its context, as pykafka's block_on_queue_full=True did.
	FailOnQueueFull bool
	// MinQueuedMessages sends a partition's batch as soon as it holds this
	// many messages, without waiting for Linger. Default 0: batches go when
	// full (BatchBytes) or when Linger has passed. (pykafka: 70,000.)
	MinQueuedMessages int
	// Linger is how long a batch waits for more messages before it is
	// sent. Default 5ms; pykafka's linger_ms was 5s, which made every
	// quiet producer 5 seconds late.
	Linger time.Duration
	// BatchBytes caps one partition's batch. Default 1 MiB.
	BatchBytes int
	// MaxRequestSize caps a produce request (and so any one message).
	// Default 1,000,012 bytes, pykafka's and Kafka's.
	MaxRequestSize int

	// PendingTimeout is how long Close waits for queued messages to be
	// delivered before it reports them failed. Default 30s (pykafka: 5s).
	PendingTimeout time.Duration

	// DeliveryReports turns on the DeliveryReports channel (pykafka's
	// delivery_reports). The application must then read it to the end: a
	// message keeps its place in the queue (MaxQueuedMessages) until its
	// report has been read, so a producer whose reports are not read
	// ends up waiting for room. Reports wait in a list that grows only as
	// far as the reader lags behind.
	DeliveryReports bool
	// TransactionalID makes the producer transactional (exactly-once):
	// its messages are written in transactions, which BeginTransaction
	// opens and CommitTransaction or AbortTransaction end, and which
	// read-committed consumers see whole or not at all. The ID names the
	// producer across restarts: making a producer with it fences any
	// earlier one (an instance that is being replaced, or a zombie), and
	// aborts its open transaction. A transactional producer is idempotent,
	// with AcksAll. Default "": not transactional. (Java's
	// transactional.id; pykafka had no transactions.)
	TransactionalID string
	// TransactionTimeout is how long the coordinator lets a transaction
	// stay open before it aborts it, fencing the producer's epoch: the
	// Java client's transaction.timeout.ms. It must not exceed the
	// brokers' transaction.max.timeout.ms (15 minutes by default).
	// Default 60s.
	TransactionTimeout time.Duration

	// OnDelivery, when set, is called with every report, from the
	// producer's goroutines: it must be quick and safe for concurrent use.
	// A partition's reports come in the order its messages were stored,
	// and its next batch is sent once the calls for the previous one have
	// returned, so OnDelivery must not wait for another message's delivery:
	// not call ProduceSync, Flush, Close, CommitTransaction or
	// AbortTransaction (each waits for deliveries, some perhaps behind the
	// very call making it). Hand such work to another goroutine.
	OnDelivery func(DeliveryReport)
}

// ErrTopicMismatch is returned by [Producer.Produce] and
// [Producer.ProduceSync] of a producer made by [Topic.Producer] for a
// message whose Topic names another topic: such a producer writes to its
// own topic only.
var ErrTopicMismatch = errors.New("kafka: message for another topic than the producer's")

// ErrNoTopic is returned by [Producer.Produce] and [Producer.ProduceSync]
// of a producer made by [Client.Producer] for a message that names no
// topic: such a producer writes to any topic, so each message must say
// which.
var ErrNoTopic = errors.New("kafka: message names no topic")

// NoRetries, as ProducerConfig.MaxRetries, fails a batch at its first
// error instead of retrying it.
const NoRetries = -1

// A DeliveryReport is the outcome of one produced message: on success Err
// is nil and Message.Partition and Message.Offset say where it was stored.
type DeliveryReport struct {
	Message Message
	Err     error
}

const (
	defaultAckTimeout      = 10 * time.Second
	defaultDeliveryTimeout = 2 * time.Minute
	defaultMaxQueued       = 100_000
	defaultMaxBuffered     = 32 << 20
	defaultLinger          = 5 * time.Millisecond
	defaultBatchBytes      = 1 << 20
	defaultMaxRequestSize  = 1_000_012
	defaultPendingTimeout  = 30 * time.Second
	defaultTxnTimeout      = time.Minute
)

func (cfg ProducerConfig) withDefaults() ProducerConfig {
	setDefault(&cfg.AckTimeout, defaultAckTimeout)
	setDefault(&cfg.RetryBackoff, defaultRetryBackoff)
	setDefault(&cfg.DeliveryTimeout, defaultDeliveryTimeout)
	setDefault(&cfg.MaxQueuedMessages, defaultMaxQueued)
	setDefault(&cfg.MaxBufferedBytes, defaultMaxBuffered)
	setDefault(&cfg.Linger, defaultLinger)
	setDefault(&cfg.BatchBytes, defaultBatchBytes)
	setDefault(&cfg.MaxRequestSize, defaultMaxRequestSize)
	setDefault(&cfg.PendingTimeout, defaultPendingTimeout)
	setDefault(&cfg.TransactionTimeout, defaultTxnTimeout)
	cfg.BatchBytes = min(cfg.BatchBytes, cfg.MaxRequestSize)
	if cfg.Partitioner == nil {
		cfg.Partitioner = NewDefaultPartitioner()
	}
	if cfg.RequiredAcks != AcksAll {
		cfg.DisableIdempotence = true
	}
	return cfg
}

// checkTransactional refuses settings a transactional producer cannot
// have.
func (cfg ProducerConfig) checkTransactional() error {
	switch {
	case cfg.DisableIdempotence:
		return fmt.Errorf("kafka: ProducerConfig.TransactionalID %q: a transactional producer is idempotent: leave DisableIdempotence false", cfg.TransactionalID)
	case cfg.RequiredAcks != AcksAll:
		return fmt.Errorf("kafka: ProducerConfig.TransactionalID %q: a transactional producer needs RequiredAcks AcksAll", cfg.TransactionalID)
	case cfg.TransactionTimeout < 0:
		return fmt.Errorf("kafka: ProducerConfig.TransactionTimeout %v is negative", cfg.TransactionTimeout)
	}
	return nil
}

// setDefault sets *v to def when it is zero or negative.
func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// A Producer sends messages to Kafka, pykafka's Producer: messages are
// batched per partition, compressed, and handed to the Client's produce
// sinks, one per broker, which carry the batches of every producer of the
// Client in shared requests, several in flight per broker. Every message
// Produce accepts ends in exactly one delivery report; none is dropped
// silently. A Producer is safe for concurrent use, and cheap: it runs no
// goroutine of its own (but one to hand over delivery reports, when
// DeliveryReports is set).
//
// [Topic.Producer] makes a producer for one topic; [Client.Producer] one
// for any topic, each message naming its own.
type Producer struct {
	client *Client
	topic  string // the Topic producer's; "" for a Client producer
	cfg    ProducerConfig
	wire   wireKey

	reports  *reportQueue // nil unless ProducerConfig.DeliveryReports
	failures failureTally // reports off: failures for the next Flush or Close

	mu     sync.Mutex
	topics atomic.Pointer[map[string]*topicQueues] // copy-on-write, under mu
	queues []*partQueue                            // every partition queue, under mu
	closed bool
	// closing is closed, for Produce to read without the lock.
	closing atomic.Bool

	keepMsgs    bool // reports go to the application: every message is kept for its report
	recordHooks bool // the client has a ProduceRecordHook (hooks are fixed at NewClient)
	room        room
	spare       spareBatches
	backoff     backoff.Backoff // between a batch's attempts: RetryBackoff, growing
	idem        *idempotence    // nil when not idempotent
	txn         *transactions   // nil when not transactional

	quit    chan struct{} // closed by Close: waits for room end
	bg      sync.WaitGroup
	stopped chan struct{} // Close has finished

	// afterComplete is nil but in tests, which set it before the first
	// message: complete calls it last, with the batch's outcome, once
	// the batches it reported are out, so that a test can hold the
	// goroutine that settled a batch there and check what the batch's
	// waiters see meanwhile.
	afterComplete func(err error)
}

// Producer makes a producer for the topic: messages may leave Topic empty,
// and a message naming another topic is refused with [ErrTopicMismatch].
// It does no network I/O, so it works while no broker answers: an
// idempotent producer asks for its producer ID in the background, with
// backoff, and sends nothing before it has one. Its messages wait
// meanwhile, within DeliveryTimeout; an answer no waiting can change (an
// authorization failure, a broker too old for idempotence) fails them at
// once. A transactional producer (TransactionalID) is the exception: it
// registers its ID with the transaction coordinator within ctx, fencing
// any earlier producer of the ID, and returns a fatal *TransactionError
// if it cannot.
func (t *Topic) Producer(ctx context.Context, cfg ProducerConfig) (*Producer, error) {
	return t.client.newProducer(ctx, t.name, cfg)
}

// Producer makes a producer for any topic of the cluster: each message
// names its topic in Message.Topic, and one without is refused with
// [ErrNoTopic]. Topics are looked up as their first messages arrive (and
// created, where the cluster creates topics on first use), without holding
// up messages for other topics; a topic that does not exist fails its
// messages with [ErrUnknownTopicOrPartition] after a few lookups, or at
// DeliveryTimeout. Batches of different topics share requests. Otherwise
// it is a producer as [Topic.Producer] makes: ctx is used only by a
// transactional producer, to register its TransactionalID.
func (c *Client) Producer(ctx context.Context, cfg ProducerConfig) (*Producer, error) {
	return c.newProducer(ctx, "", cfg)
}

func (c *Client) newProducer(ctx context.Context, topic string, cfg ProducerConfig) (*Producer, error) {
	if cfg.TransactionalID != "" {
		if err := cfg.checkTransactional(); err != nil {
			return nil, err
		}
	}
	cfg = cfg.withDefaults()
	p := &Producer{
		client:  c,
		topic:   topic,
		cfg:     cfg,
		wire:    wireKey{acks: cfg.RequiredAcks.wire(), timeoutMs: int32(cfg.AckTimeout / time.Millisecond)},
		room:    newRoom(cfg.MaxQueuedMessages, cfg.MaxBufferedBytes),
		backoff: backoff.Backoff{Min: cfg.RetryBackoff, Max: 20 * cfg.RetryBackoff},
		quit:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	p.spare.init(cfg.MaxBufferedBytes)
	p.recordHooks = hasHook[ProduceRecordHook](c.hooks)
	p.keepMsgs = cfg.DeliveryReports || cfg.OnDelivery != nil || p.recordHooks
	empty := map[string]*topicQueues{}
	p.topics.Store(&empty)
	if cfg.DeliveryReports {
		p.reports = newReportQueue()
		go p.reports.handOver(p.room.giveMessages)
	}
	if !cfg.DisableIdempotence {
		p.idem = newIdempotence(c)
	}
	if cfg.TransactionalID != "" {
		p.txn = newTransactions(p)
		if err := p.txn.initProducerID(ctx, false); err != nil {
			p.txn.cancel()
			if p.reports != nil {
				p.reports.close()
			}
			return nil, &TransactionError{TransactionalID: cfg.TransactionalID, Op: "init", Fatal: true, Err: err}
		}
	}
	p.wire.txnID = cfg.TransactionalID
	return p, nil
}

// Produce queues msg and returns; the outcome arrives later as a
// [DeliveryReport]. When the queue is full it waits for room within ctx,
// or returns [ErrProducerQueueFull] if FailOnQueueFull is set. It returns
// [ErrProducerStopped] after Close, [ErrTopicMismatch] or [ErrNoTopic]
// when msg's topic is wrong for the producer (see [Topic.Producer] and
// [Client.Producer]), and the partitioner's error. Key, Value and Headers
// are copied before Produce returns, so their memory may be reused at
// once; the report carries msg as given.
//
// In a transaction, a message Produce refuses after the transaction took
// it in (the partitioner's error, ErrProducerQueueFull, or ctx ending
// while Produce waits for room, by deadline or cancel alike) fails the
// transaction, as the Java client's send does: Produce returns an
// abortable *TransactionError wrapping the cause, and CommitTransaction
// then fails with it, so that no transaction commits without a message
// it was asked to hold. Errors about the call itself (ErrNoTopic,
// ErrTopicMismatch, ErrNoTransaction, ErrProducerStopped) leave the
// transaction as it was.
func (p *Producer) Produce(ctx context.Context, msg Message) error {
	return p.produceHooked(ctx, msg, nil)
}

// ProduceSync produces msg and waits for its acknowledgement, returning the
// message as stored, with its partition and offset set. Its report goes
// only to the caller, not to the DeliveryReports channel or OnDelivery.
// When ctx ends first, ProduceSync returns ctx's error, though the message
// may still be delivered (in a transaction, the commit still waits for
// it). A message it cannot queue fails the transaction as with Produce.
func (p *Producer) ProduceSync(ctx context.Context, msg Message) (Message, error) {
	done := make(chan DeliveryReport, 1)
	if err := p.produceHooked(ctx, msg, done); err != nil {
		return msg, err
	}
	select {
	case r := <-done:
		return r.Message, r.Err
	case <-ctx.Done():
		return msg, ctx.Err()
	}
}

// DeliveryReports returns the channel of delivery reports, one per
// produced message, when ProducerConfig.DeliveryReports is set; it is
// closed after the last report, once Close has been called. Without
// DeliveryReports the channel is closed from the start; failures then
// reach Flush, Close and OnDelivery.
func (p *Producer) DeliveryReports() <-chan DeliveryReport {
	if p.reports == nil {
		closed := make(chan DeliveryReport)
		close(closed)
		return closed
	}
	return p.reports.ch
}

// Flush sends every queued message without waiting for Linger, and waits
// until each has its report or ctx ends. When reports are off, it returns
// every delivery failure since the previous Flush: a [*DeliveryError] per
// partition and cause, with the count of messages, joined with
// [errors.Join], so that errors.Is matches each cause.
func (p *Producer) Flush(ctx context.Context) error {
	if err := p.flush(ctx); err != nil {
		return err
	}
	return p.failures.take()
}

// flush sends every queued message and waits for their reports, and for
// messages still waiting for their topic's metadata.
func (p *Producer) flush(ctx context.Context) error {
	for {
		waits, held := p.sealAll()
		p.client.producers.wakeSinks()
		for _, w := range waits {
			select {
			case <-w:
			case <-ctx.Done():
				return ctx.Err()
			case <-p.client.ctx.Done():
				return ErrClientClosed // nothing more will be sent
			}
		}
		if !held {
			return nil
		}
		// Messages wait for their topic: look again shortly, once the
		// lookup has placed them in batches or failed them.
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Close stops the producer: it sends what is queued, waits up to
// PendingTimeout for it to be acknowledged, and reports every message it
// could not deliver as failed with ErrProducerStopped. A transactional
// producer first aborts its open transaction, if any. The DeliveryReports
// channel is closed after its last report. When reports are off, Close
// returns every delivery failure since the last Flush, as Flush does.
// Close is safe to call more than once.
func (p *Producer) Close() error {
	p.mu.Lock()
	already := p.closed
	p.closed = true
	p.closing.Store(true)
	p.mu.Unlock()
	if already {
		<-p.stopped
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.cfg.PendingTimeout)
	var txnErr error
	if p.txn != nil {
		txnErr = p.txn.closeOpen(ctx)
	}
	err := p.flush(ctx)
	cancel()
	if err != nil {
		err = fmt.Errorf("%w: messages not delivered within PendingTimeout (%v)", ErrProducerStopped, p.cfg.PendingTimeout)
	}
	err = errors.Join(txnErr, err)
	close(p.quit)
	p.client.producers.unregister(p)
	p.failAll(ErrProducerStopped)
	p.bg.Wait()
	if p.reports != nil {
		p.reports.close()
	}
	close(p.stopped)
	return errors.Join(err, p.failures.take())
}

// report delivers the outcome of one message. A message keeps its queue
// slot until its report is handed over, so that unread reports hold the
// producer back instead of growing without bound; it returns whether the
// slot was freed (else the report hand-over frees it).
func (p *Producer) report(r DeliveryReport, waiting chan DeliveryReport) bool {
	if p.recordHooks {
		p.client.hooks.produceRecordDone(r)
	}
	if waiting != nil {
		waiting <- r
		return true
	}
	if r.Err != nil && p.reports == nil {
		p.failures.add(r.Message.Topic, r.Message.Partition, r.Err)
		if p.cfg.OnDelivery == nil {
			p.client.log.Error("kafka: message not delivered", "topic", r.Message.Topic, "partition", r.Message.Partition, "err", r.Err)
		}
	}
	if p.cfg.OnDelivery != nil {
		p.cfg.OnDelivery(r)
	}
	if p.reports != nil {
		p.reports.push(r) // the slot is freed when the report is read
		return false
	}
	return true
}

// isClosed reports whether Close was called.
func (p *Producer) isClosed() bool { return p.closing.Load() }
