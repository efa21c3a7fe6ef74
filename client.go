package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokafka/kafka/internal/backoff"
	"github.com/gokafka/kafka/internal/conn"
	"github.com/gokafka/kafka/protocol"
)

// A Client is a connection to one Kafka cluster, pykafka's KafkaClient: it
// discovers the brokers from the seed hosts, keeps the cluster's metadata
// fresh, and hands out [Topic]s, which make producers and consumers. A
// Client is safe for concurrent use, and producers and consumers of many
// topics share its connections; Close it when done.
type Client struct {
	cfg     Config
	connCfg conn.Config
	log     *slog.Logger
	hooks   hooks
	backoff backoff.Backoff

	meta atomic.Pointer[clusterMeta]

	mu      sync.Mutex
	brokers map[int32]*broker // the live brokers of the last metadata
	seeds   []*broker         // bootstrap connections, the last resort

	coords    coordinatorCache // group coordinators, by group (coordinator.go)
	producers produceEngine    // produce sinks, one per broker (produce_engine.go)
	fetches   fetchEngine      // fetch sources, one per broker (fetch_engine.go)

	refreshMu sync.Mutex // one metadata refresh at a time
	// ctx ends at Close: it stops background work, and its Err says the
	// client is closed.
	ctx       context.Context
	cancel    context.CancelFunc
	closeOnce sync.Once
	bg        sync.WaitGroup
}

// NewClient connects to the cluster: it asks the seed hosts in turn for the
// cluster's metadata until one answers. When none does, the error wraps
// [ErrNoBrokersAvailable] and what each seed answered (so errors.Is also
// finds, say, [ErrSaslAuthenticationFailed] from a wrong password). When
// ctx ends first, the error also wraps ctx's error and says which seed was
// cut off and which were never tried.
func NewClient(ctx context.Context, cfg Config) (*Client, error) {
	cfg, seeds, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := validateHooks(cfg.Hooks); err != nil {
		return nil, err
	}
	connCfg, err := cfg.connConfig()
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:     cfg,
		connCfg: connCfg,
		log:     cfg.Logger,
		hooks:   hooks(cfg.Hooks),
		backoff: backoff.Backoff{Min: cfg.RetryBackoff, Max: 20 * cfg.RetryBackoff},
		brokers: make(map[int32]*broker),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.producers.init(c)
	c.fetches.init(c)
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	for _, addr := range seeds {
		c.seeds = append(c.seeds, newBroker(c, -1, addr))
	}
	if err := c.bootstrap(ctx); err != nil {
		c.Close()
		return nil, err
	}
	c.bg.Add(1)
	go c.refreshLoop()
	return c, nil
}

// bootstrap fetches the first metadata from the seeds, in order. When ctx
// ends first, the error says what each seed did: failed on its own, was cut
// off waiting, or was never tried.
func (c *Client) bootstrap(ctx context.Context) error {
	var failed []error
	for i, s := range c.seeds {
		resp, err := s.fetchMetadata(ctx, nil, false)
		if err == nil {
			c.install(merge(nil, resp, true))
			c.mu.Lock()
			for _, b := range c.brokers {
				if b.addr == s.addr {
					b.adopt(s)
				}
			}
			c.mu.Unlock()
			return nil
		}
		if cerr := contextEnded(ctx); cerr != nil {
			failed = append(failed, fmt.Errorf("seed %s: no answer before the context ended (%w)", s.addr, err))
			for _, rest := range c.seeds[i+1:] {
				failed = append(failed, fmt.Errorf("seed %s: not tried before the context ended", rest.addr))
			}
			return &noBrokersError{tried: failed, ctxErr: cerr}
		}
		failed = append(failed, fmt.Errorf("seed %s: %w", s.addr, err))
	}
	return &noBrokersError{tried: failed}
}

// contextEnded returns why ctx ended, or nil. A deadline that has passed
// counts even before ctx's timer fires: a socket deadline set from it can
// expire first, and the seed that saw it should not be blamed.
func contextEnded(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

// noBrokersError lists what every broker tried answered, and, when the
// caller's context ended the attempt, why.
type noBrokersError struct {
	tried  []error
	ctxErr error // nil unless the context ended first
}

func (e *noBrokersError) Error() string {
	msgs := make([]string, len(e.tried))
	for i, err := range e.tried {
		msgs[i] = err.Error()
	}
	head := ErrNoBrokersAvailable.Error()
	if e.ctxErr != nil {
		head += " before the context ended (" + e.ctxErr.Error() + ")"
	}
	return head + ": " + strings.Join(msgs, "; ")
}

func (e *noBrokersError) Unwrap() []error {
	errs := append([]error{ErrNoBrokersAvailable}, e.tried...)
	if e.ctxErr != nil {
		errs = append(errs, e.ctxErr)
	}
	return errs
}

// install makes m the current metadata and brings the broker pool in line
// with it: new brokers are added, moved ones reopened, departed ones closed.
func (c *Client) install(m *clusterMeta) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.installLocked(m)
}

// installMerged installs resp merged into the current metadata; merging
// under c.mu, a leader a broker's answer named meanwhile (leader hints) is
// not undone by an older view.
func (c *Client) installMerged(resp *protocol.MetadataResponse, full bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.installLocked(merge(c.meta.Load(), resp, full))
}

// installLocked is install with c.mu held.
func (c *Client) installLocked(m *clusterMeta) {
	for id, b := range c.brokers {
		if info, ok := m.brokers[id]; !ok || info.Addr() != b.addr {
			b.close()
			delete(c.brokers, id)
		}
	}
	for id, info := range m.brokers {
		if _, ok := c.brokers[id]; !ok {
			c.brokers[id] = newBroker(c, id, info.Addr())
		}
	}
	c.meta.Store(m)
	c.producers.metaChanged()
	c.fetches.metaChanged()
}

// refresh fetches metadata for topics (nil: every topic) from any broker
// and installs it. Refreshes are serialised; a caller that waited for
// another refresh of everything that finished after it started takes that
// result instead of asking again.
func (c *Client) refresh(ctx context.Context, topics []string, autoCreate bool) error {
	start := time.Now()
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	if topics == nil && c.meta.Load().fetched.After(start) {
		return nil
	}
	var resp *protocol.MetadataResponse
	err := c.anyBroker(ctx, "metadata", func(b *broker) (err error) {
		resp, err = b.fetchMetadata(ctx, topics, autoCreate)
		return err
	})
	if err != nil {
		return err
	}
	c.installMerged(resp, topics == nil)
	return nil
}

// anyBroker runs fn on the known brokers in random order, then on the
// seeds, until one succeeds.
func (c *Client) anyBroker(ctx context.Context, op string, fn func(*broker) error) error {
	if c.isClosed() {
		return ErrClientClosed
	}
	c.mu.Lock()
	candidates := make([]*broker, 0, len(c.brokers)+len(c.seeds))
	for _, b := range c.brokers {
		candidates = append(candidates, b)
	}
	rand.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	candidates = append(candidates, c.seeds...)
	c.mu.Unlock()
	// A broker we are connected to first, as Java's least-loaded node:
	// a new connection costs a dial and an ApiVersions round trip (and
	// a TLS or SASL handshake) before the request itself.
	var connected, others []*broker
	for _, b := range candidates {
		if b.connected() {
			connected = append(connected, b)
		} else {
			others = append(others, b)
		}
	}
	candidates = append(connected, others...)
	var failed []error
	for i, b := range candidates {
		err := fn(b)
		if err == nil {
			return nil
		}
		if cerr := contextEnded(ctx); cerr != nil {
			failed = append(failed, fmt.Errorf("%s: no answer before the context ended (%w)", b.addr, err))
			if rest := len(candidates) - i - 1; rest > 0 {
				failed = append(failed, fmt.Errorf("%d more not tried", rest))
			}
			return &OpError{Op: op, Partition: -1, Broker: -1, Err: &noBrokersError{tried: failed, ctxErr: cerr}}
		}
		if !errors.Is(err, ErrSocketDisconnected) {
			if _, ok := err.(*OpError); ok {
				return err // fn named the operation and the broker already
			}
			return b.opError(op, "", -1, err)
		}
		failed = append(failed, fmt.Errorf("%s: %w", b.addr, err))
	}
	return &OpError{Op: op, Partition: -1, Broker: -1, Err: &noBrokersError{tried: failed}}
}

// refreshLoop refreshes the metadata every MetadataMaxAge until Close.
func (c *Client) refreshLoop() {
	defer c.bg.Done()
	t := time.NewTicker(c.cfg.MetadataMaxAge)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(c.ctx, c.cfg.RequestTimeout)
			if err := c.refresh(ctx, nil, false); err != nil && c.ctx.Err() == nil {
				c.log.Warn("kafka: periodic metadata refresh failed", "err", err)
			}
			cancel()
		}
	}
}

// broker returns the broker with id from the pool.
func (c *Client) broker(id int32) (*broker, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.isClosed() {
		return nil, ErrClientClosed
	}
	b, ok := c.brokers[id]
	if !ok {
		return nil, &OpError{Op: "find broker", Partition: -1, Broker: id, Err: ErrBrokerNotAvailable}
	}
	return b, nil
}

// UpdateCluster refreshes the client's view of the cluster (brokers,
// topics, leaders) now, pykafka's update_cluster. The client also does so
// on its own every Config.MetadataMaxAge and whenever a broker says its view
// is stale.
func (c *Client) UpdateCluster(ctx context.Context) error {
	return c.refresh(ctx, nil, false)
}

// Brokers returns the cluster's live brokers, by ID.
func (c *Client) Brokers() []Broker {
	m := c.meta.Load()
	out := make([]Broker, 0, len(m.brokers))
	for _, b := range m.brokers {
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b Broker) int { return int(a.ID - b.ID) })
	return out
}

// Topics asks the cluster for the names of its topics, sorted. Internal
// topics are left out unless Config.IncludeInternalTopics is set.
func (c *Client) Topics(ctx context.Context) ([]string, error) {
	if err := c.refresh(ctx, nil, false); err != nil {
		return nil, err
	}
	m := c.meta.Load()
	names := make([]string, 0, len(m.topics))
	for name, t := range m.topics {
		if !t.internal || c.cfg.IncludeInternalTopics {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names, nil
}

// TopicsMatching returns the names of the topics re matches, sorted:
// yelp_kafka's search_topics_by_regex. Unlike Python's re.match, re is not
// anchored: write ^ and $ where they are meant.
func (c *Client) TopicsMatching(ctx context.Context, re *regexp.Regexp) ([]string, error) {
	names, err := c.Topics(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(names, func(n string) bool { return !re.MatchString(n) }), nil
}

// Topic returns the topic called name. A topic the cluster does not have is
// an error wrapping [ErrUnknownTopicOrPartition], unless the brokers create
// topics on first use (auto.create.topics.enable), in which case Topic waits
// for it to be created, within ctx.
func (c *Client) Topic(ctx context.Context, name string) (*Topic, error) {
	if err := validTopicName(name); err != nil {
		return nil, &OpError{Op: "topic", Topic: name, Partition: -1, Broker: -1, Err: err}
	}
	if strings.HasPrefix(name, "__") && !c.cfg.IncludeInternalTopics {
		return nil, &OpError{Op: "topic", Topic: name, Partition: -1, Broker: -1,
			Err: fmt.Errorf("%w: internal topics are hidden unless Config.IncludeInternalTopics is set", ErrUnknownTopicOrPartition)}
	}
	err := c.retry(ctx, []string{name}, func() error {
		if t, ok := c.meta.Load().topics[name]; ok && t.err == 0 {
			return nil
		}
		if err := c.refresh(ctx, []string{name}, true); err != nil {
			return err
		}
		t, ok := c.meta.Load().topics[name]
		switch {
		case !ok:
			// The broker would have said LEADER_NOT_AVAILABLE while
			// creating it, so the topic does not exist and will not.
			return &OpError{Op: "topic", Topic: name, Partition: -1, Broker: -1, Err: final{ErrUnknownTopicOrPartition}}
		case t.err != 0:
			return &OpError{Op: "topic", Topic: name, Partition: -1, Broker: -1, Err: t.err}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Topic{client: c, name: name}, nil
}

// validTopicName checks name as Kafka does, so a typo fails here with a
// clear message instead of at the broker.
func validTopicName(name string) error {
	if name == "" || name == "." || name == ".." || len(name) > 249 {
		return fmt.Errorf("%w: %q: a topic name has 1 to 249 characters and is not \".\" or \"..\"", ErrInvalidTopicException, name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("%w: %q: a topic name may only use ASCII letters, digits, '.', '_' and '-'", ErrInvalidTopicException, name)
		}
	}
	return nil
}

// retry runs op until it succeeds, fails with an error that is not
// retriable, or ctx ends, backing off between attempts and refreshing the
// metadata of topics (nil: all; empty: only the brokers). Without a
// deadline on ctx, Config.RequestTimeout bounds the whole, so nothing
// retries forever.
func (c *Client) retry(ctx context.Context, topics []string, op func() error) error {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	var last error // the last attempt's error, when the context had not ended
	for attempt := 0; ; attempt++ {
		if c.isClosed() {
			return ErrClientClosed
		}
		err := op()
		if err != nil && ctx.Err() != nil && last != nil {
			// The context ended during this attempt: the error of the one
			// before says more than "deadline exceeded", as when it ends
			// during the backoff below.
			return cutShort(last, err)
		}
		if err == nil || !IsRetriable(err) || errors.As(err, new(final)) {
			return err
		}
		last = err
		c.log.Debug("kafka: retrying", "attempt", attempt+1, "err", err)
		if backoff.Sleep(ctx, c.backoff.Delay(attempt)) != nil {
			return err // the last real error says more than "deadline exceeded"
		}
		if rerr := c.refresh(ctx, topics, false); rerr != nil && ctx.Err() != nil {
			return err
		}
	}
}

// cutShort is the error of retries whose context ended during an attempt:
// the attempt before's error, which says more than "deadline exceeded",
// with the cut attempt's.
func cutShort(before, cut error) error {
	return fmt.Errorf("%w (the context ended during the next attempt: %v)", before, cut)
}

// bounded returns ctx, limited to Config.RequestTimeout when it has no
// deadline of its own.
func (c *Client) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, c.cfg.RequestTimeout)
}

// final marks an error that retry must return at once, though its kind is
// retriable in general. It is otherwise transparent.
type final struct{ error }

func (f final) Unwrap() error { return f.error }

func (c *Client) isClosed() bool { return c.ctx.Err() != nil }

// Close closes every connection and stops the client's background work.
// Producers and consumers made from the client must be closed first. Close
// is safe to call more than once.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.cancel()
		c.bg.Wait()
		c.mu.Lock()
		for _, b := range c.brokers {
			b.close()
		}
		for _, b := range c.seeds {
			b.close()
		}
		c.mu.Unlock()
	})
	return nil
}
