package kafka

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"time"
)

// A SimpleConsumer reads a topic's partitions (all, or the ones configured)
// without group membership: pykafka's SimpleConsumer. Messages are fetched
// ahead from each partition's leader in parallel, up to QueuedMaxMessages
// per partition. A consumer with a ConsumerGroup starts from the group's
// committed offsets, following the pykafka guide's rules (see
// [OffsetType]), and commits with CommitOffsets. Its methods are safe for
// concurrent use.
type SimpleConsumer struct {
	client *Client
	topic  *Topic
	cfg    SimpleConsumerConfig
	parts  []int32 // sorted
	f      *fetcher

	commitMu sync.Mutex // one commit at a time
	commits  *commitCounter
	bg       sync.WaitGroup
	quit     chan struct{}
	once     sync.Once
}

// SimpleConsumer makes a consumer of the topic and positions each of its
// partitions (committed offset or AutoOffsetReset, as the guide says)
// before returning.
func (t *Topic) SimpleConsumer(ctx context.Context, cfg SimpleConsumerConfig) (*SimpleConsumer, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	all := t.partitionIDs()
	parts := all
	if cfg.Partitions != nil {
		parts = slices.Clone(cfg.Partitions)
		slices.Sort(parts)
		parts = slices.Compact(parts)
		for _, p := range parts {
			if !slices.Contains(all, p) {
				return nil, &OpError{Op: "simple consumer", Topic: t.name, Partition: p, Broker: -1, Err: ErrUnknownTopicOrPartition}
			}
		}
	}
	c := &SimpleConsumer{client: t.client, topic: t, cfg: cfg, parts: parts, quit: make(chan struct{}), commits: newCommitCounter(cfg.AutoCommitMessages)}
	c.f = newFetcher(t.client, c.tps(parts), cfg.fetchOptions())
	if err := c.start(ctx, parts); err != nil {
		c.f.close()
		return nil, err
	}
	if cfg.AutoCommitEnable && cfg.ConsumerGroup != "" {
		c.bg.Add(1)
		go c.autoCommit()
	}
	return c, nil
}

// start positions each partition: the offset-reset engine applied to the
// committed offsets and the logs' bounds.
func (c *SimpleConsumer) start(ctx context.Context, parts []int32) error {
	var committed map[int32]int64
	bounds, err := c.f.startBounds(ctx, c.tps(parts), func() (err error) {
		if c.cfg.ConsumerGroup != "" && !c.cfg.ResetOffsetOnStart {
			committed, err = c.FetchOffsets(ctx)
		}
		return err
	})
	if err != nil {
		return err
	}
	start := make(map[TopicPartition]int64, len(parts))
	for _, p := range parts {
		var cp *int64
		if o, ok := committed[p]; ok {
			cp = &o
		}
		tp := TopicPartition{c.topic.name, p}
		start[tp] = startOffset(cp, c.cfg.AutoOffsetReset, c.cfg.ResetOffsetOnStart, bounds[tp])
	}
	c.f.seek(start)
	c.f.run()
	return nil
}

// Consume returns the next message. It waits until one arrives, ctx ends,
// ConsumerTimeout passes ([ErrConsumerTimeout]) or the consumer is closed
// ([ErrConsumerStopped]). A fetch problem the consumer cannot get past on
// its own, such as the leaders staying unreachable (an error wrapping
// [ErrSocketDisconnected] or [ErrNoBrokersAvailable]), is returned once;
// the guide's advice then holds: make a new consumer.
func (c *SimpleConsumer) Consume(ctx context.Context) (msg Message, err error) {
	ct := newConsumerTimer(c.cfg.ConsumerTimeout)
	defer ct.stop()
	if err = c.f.next(ctx, &ct, &msg); err == nil {
		c.commits.consumed()
	}
	return msg, err
}

// Messages iterates over messages as Consume returns them. Iteration ends
// after yielding an error: ErrConsumerTimeout, ErrConsumerStopped, ctx's
// error or a fetch problem.
func (c *SimpleConsumer) Messages(ctx context.Context) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		for {
			msg, err := c.Consume(ctx)
			if !yield(msg, err) || err != nil {
				return
			}
		}
	}
}

// HeldOffsets returns, per partition, the offset of the next message
// Consume will return: the last consumed offset plus one, which is what
// CommitOffsets commits.
func (c *SimpleConsumer) HeldOffsets() map[int32]int64 {
	held := c.f.held()
	out := make(map[int32]int64, len(held))
	for tp, o := range held {
		out[tp.Partition] = o
	}
	return out
}

// Partitions returns the consumer's partitions, sorted.
func (c *SimpleConsumer) Partitions() []int32 { return slices.Clone(c.parts) }

// tps names parts of the consumer's topic.
func (c *SimpleConsumer) tps(parts []int32) []TopicPartition {
	out := make([]TopicPartition, len(parts))
	for i, p := range parts {
		out[i] = TopicPartition{c.topic.name, p}
	}
	return out
}

// CommitOffsets commits HeldOffsets to the consumer group. Failures, after
// OffsetsCommitMaxRetries retries, are returned, never only logged.
func (c *SimpleConsumer) CommitOffsets(ctx context.Context) error {
	return c.CommitPartitionOffsets(ctx, c.HeldOffsets())
}

// CommitPartitionOffsets commits the given offsets (next offsets to read)
// to the consumer group.
func (c *SimpleConsumer) CommitPartitionOffsets(ctx context.Context, offsets map[int32]int64) error {
	if c.cfg.ConsumerGroup == "" {
		return &OpError{Op: "commit offsets", Topic: c.topic.name, Partition: -1, Broker: -1, Err: errNoGroup}
	}
	c.commitMu.Lock()
	defer c.commitMu.Unlock()
	return c.client.commitOffsets(ctx, commitRequest{
		group: c.cfg.ConsumerGroup, generation: -1, topic: c.topic.name, offsets: offsets,
		retries: c.cfg.OffsetsCommitMaxRetries, backoff: c.cfg.OffsetsChannelBackoff,
	})
}

// errNoGroup is wrapped by offset calls on a consumer without a group.
var errNoGroup = errors.New("kafka: the consumer has no ConsumerGroup")

// FetchOffsets returns the group's committed offsets (next offsets to read)
// for the consumer's partitions; partitions with none are left out.
func (c *SimpleConsumer) FetchOffsets(ctx context.Context) (map[int32]int64, error) {
	if c.cfg.ConsumerGroup == "" {
		return nil, &OpError{Op: "fetch offsets", Topic: c.topic.name, Partition: -1, Broker: -1, Err: errNoGroup}
	}
	return c.client.fetchCommitted(ctx, c.cfg.ConsumerGroup, c.topic.name, c.parts,
		c.cfg.OffsetsCommitMaxRetries, c.cfg.OffsetsChannelBackoff)
}

// ResetOffsets moves partitions to new positions: offsets maps a partition
// to the next offset to read, or to OffsetEarliest or OffsetLatest. nil
// moves every partition to AutoOffsetReset. Messages already fetched for
// those partitions are dropped; an offset outside the log moves to
// AutoOffsetReset, as a fetch would.
func (c *SimpleConsumer) ResetOffsets(ctx context.Context, offsets map[int32]int64) error {
	if offsets == nil {
		offsets = make(map[int32]int64, len(c.parts))
		for _, p := range c.parts {
			offsets[p] = c.cfg.AutoOffsetReset
		}
	}
	to := make(map[TopicPartition]int64, len(offsets))
	for p, o := range offsets {
		if !slices.Contains(c.parts, p) {
			return &OpError{Op: "reset offsets", Topic: c.topic.name, Partition: p, Broker: -1,
				Err: fmt.Errorf("%w: not one of the consumer's partitions", ErrUnknownTopicOrPartition)}
		}
		to[TopicPartition{c.topic.name, p}] = o
	}
	return c.f.reset(ctx, to)
}

// autoCommit commits every AutoCommitInterval, and after every
// AutoCommitMessages messages, until Close.
func (c *SimpleConsumer) autoCommit() {
	defer c.bg.Done()
	t := time.NewTicker(c.cfg.AutoCommitInterval)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
		case <-c.commits.due:
		}
		ctx, cancel := context.WithTimeout(c.client.ctx, c.client.cfg.RequestTimeout)
		if err := c.CommitOffsets(ctx); err != nil {
			c.f.fail(err) // the next Consume returns it
		}
		cancel()
	}
}

// Close stops fetching and, with AutoCommitEnable, commits HeldOffsets,
// returning a commit failure. Later calls return ErrConsumerStopped.
func (c *SimpleConsumer) Close() error {
	err := ErrConsumerStopped
	c.once.Do(func() {
		close(c.quit)
		c.bg.Wait()
		c.f.close()
		err = nil
		if c.cfg.AutoCommitEnable && c.cfg.ConsumerGroup != "" {
			ctx, cancel := context.WithTimeout(context.Background(), c.client.cfg.RequestTimeout)
			defer cancel()
			err = c.CommitOffsets(ctx)
		}
	})
	return err
}
