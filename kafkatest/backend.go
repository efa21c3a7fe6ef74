package kafkatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// A Backend is the cluster a backend-agnostic integration test runs against:
// the brokers in KAFKA_BROKERS when that variable is set, otherwise a fresh
// embedded cluster. A test written against a Backend uses only what both
// have: the seed addresses, topics it creates itself, and the offsets a
// group committed. It never assumes an empty cluster: [Backend.NewTopic] and
// [Backend.Name] give names unique to the run (on both backends, so that a
// name the test spells out by hand fails on the embedded cluster too), and
// the topics it creates on a real cluster are deleted when it ends.
//
// A test that needs the embedded cluster's controls (faults, delays, leader
// moves, broker restarts, request counts, Observe, group internals) calls
// [NeedsKfake] instead, which skips it, with its reason, against a real
// cluster. [Summary] counts both kinds.
type Backend struct {
	tb      testing.TB
	addrs   []string
	cluster *Cluster // nil against KAFKA_BROKERS

	adminOnce sync.Once
	admin     *kgo.Client
	adminErr  error
}

// NewBackend returns the backend for a backend-agnostic integration test.
// The options shape the embedded cluster only (NumBrokers, DefaultPartitions,
// BrokerConfig...); against a real cluster they are ignored, so topics are
// made with [Backend.NewTopic], not with the [Topic] option. The embedded
// cluster, if one is started, is closed when tb finishes.
func NewBackend(tb testing.TB, opts ...Option) *Backend {
	tb.Helper()
	b := &Backend{tb: tb}
	if addrs := externalBrokers(); len(addrs) > 0 {
		if Mock() {
			count(tb, &tally.mock)
		} else {
			count(tb, &tally.external)
		}
		b.addrs = addrs
		tb.Cleanup(func() {
			if b.admin != nil {
				b.admin.Close()
			}
		})
		return b
	}
	count(tb, &tally.embedded)
	b.cluster = mustCluster(tb, opts...)
	b.addrs = b.cluster.Addrs()
	return b
}

// NeedsKfake marks a test that needs the embedded cluster's controls, for
// the reason given ("injects faults", "moves leaders"...). Against a real
// cluster (KAFKA_BROKERS set) it skips the test with that reason; otherwise
// it returns a fresh embedded cluster made with opts, closed when tb
// finishes, as [MustCluster] does.
func NeedsKfake(tb testing.TB, why string, opts ...Option) *Cluster {
	tb.Helper()
	if External() {
		count(tb, &tally.skipped)
		tb.Skipf("kafkatest: needs the embedded cluster (%s); %s is set", why, BrokersEnv)
	}
	count(tb, &tally.kfakeOnly)
	return mustCluster(tb, opts...)
}

// Addrs returns the seed addresses of the backend's brokers.
func (b *Backend) Addrs() []string { return slices.Clone(b.addrs) }

// External reports whether the backend is the cluster in KAFKA_BROKERS (a
// real one, or librdkafka's mock: see [Backend.Mock]).
func (b *Backend) External() bool { return b.cluster == nil }

// Mock reports whether the backend is librdkafka's mock cluster, which the
// conformance module serves in KAFKA_BROKERS (see [MockEnv]).
func (b *Backend) Mock() bool { return b.cluster == nil && Mock() }

// runID tells this test binary's names from those of earlier runs against
// the same real cluster.
var runID = func() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}()

var nameSeq atomic.Int64

// Name returns a name for a topic, group or transactional ID made from base
// that no other call, test or earlier run uses: base, a dash, a random ID of
// the run and a sequence number. Keep the result; a second call gives
// another name.
func (b *Backend) Name(base string) string {
	return fmt.Sprintf("%s-%s-%d", base, runID, nameSeq.Add(1))
}

// NewTopic creates a topic named after base (see [Backend.Name]) with the
// given number of partitions and returns its name; it fails the test if it
// cannot. On a real cluster it waits until every partition has a leader,
// and deletes the topic when the test ends.
func (b *Backend) NewTopic(base string, partitions int) string {
	b.tb.Helper()
	return b.NewTopicWithConfigs(base, partitions, nil)
}

// NewTopicWithConfigs is [Backend.NewTopic] with topic configuration entries,
// such as "cleanup.policy": "compact".
func (b *Backend) NewTopicWithConfigs(base string, partitions int, configs map[string]string) string {
	b.tb.Helper()
	name := b.Name(base)
	if err := b.createTopic(name, partitions, configs); err != nil {
		b.tb.Fatal(err)
	}
	return name
}

// Committed returns the offsets group has committed for topic, by
// partition (the next offset to read), or nil if it has committed none
// (or does not exist), on either backend.
func (b *Backend) Committed(group, topic string) (map[int32]int64, error) {
	if b.cluster != nil {
		g, err := b.cluster.Group(group)
		if ke := (*KafkaError)(nil); errors.As(err, &ke) && ke.Code == codeGroupIDNotFound {
			return nil, nil // as OffsetFetch answers for a group that never committed
		}
		if err != nil {
			return nil, err
		}
		return g.Committed[topic], nil
	}
	kc, err := b.adminClient()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The topic's partitions, named in the request: "every topic" (null)
	// needs OffsetFetch v2+, and librdkafka's mock answers it with none.
	mreq := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = kmsg.StringPtr(topic)
	mreq.Topics = append(mreq.Topics, mt)
	mresp, err := mreq.RequestWith(ctx, kc)
	if err != nil {
		return nil, fmt.Errorf("kafkatest: partitions of %q: %w", topic, err)
	}
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	for _, mt := range mresp.Topics {
		if mt.Topic == nil || *mt.Topic != topic {
			continue
		}
		if err := kerr.ErrorForCode(mt.ErrorCode); err != nil {
			return nil, fmt.Errorf("kafkatest: partitions of %q: %w", topic, err)
		}
		rt := kmsg.NewOffsetFetchRequestTopic()
		rt.Topic = topic
		for _, p := range mt.Partitions {
			rt.Partitions = append(rt.Partitions, p.Partition)
		}
		req.Topics = append(req.Topics, rt)
	}
	// The same, in the v8+ form (one group of several): each version
	// writes only its own fields.
	rg := kmsg.NewOffsetFetchRequestGroup()
	rg.Group = group
	for _, rt := range req.Topics {
		gt := kmsg.NewOffsetFetchRequestGroupTopic()
		gt.Topic, gt.Partitions = rt.Topic, rt.Partitions
		rg.Topics = append(rg.Topics, gt)
	}
	req.Groups = append(req.Groups, rg)
	resp, err := req.RequestWith(ctx, kc)
	if err != nil {
		return nil, fmt.Errorf("kafkatest: offsets of group %q: %w", group, err)
	}
	code, topics := resp.ErrorCode, resp.Topics
	for _, g := range resp.Groups { // a broker answering in v8+ form
		if g.Group == group {
			code = g.ErrorCode
			for _, t := range g.Topics {
				rt := kmsg.NewOffsetFetchResponseTopic()
				rt.Topic = t.Topic
				for _, p := range t.Partitions {
					rp := kmsg.NewOffsetFetchResponseTopicPartition()
					rp.Partition, rp.Offset, rp.ErrorCode = p.Partition, p.Offset, p.ErrorCode
					rt.Partitions = append(rt.Partitions, rp)
				}
				topics = append(topics, rt)
			}
		}
	}
	if err := kerr.ErrorForCode(code); err != nil {
		return nil, fmt.Errorf("kafkatest: offsets of group %q: %w", group, err)
	}
	var out map[int32]int64
	for _, t := range topics {
		if t.Topic != topic {
			continue
		}
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return nil, fmt.Errorf("kafkatest: offsets of group %q on %s/%d: %w", group, topic, p.Partition, err)
			}
			if p.Offset < 0 {
				continue
			}
			if out == nil {
				out = make(map[int32]int64)
			}
			out[p.Partition] = p.Offset
		}
	}
	return out, nil
}

// DeleteRecords deletes the records of a partition before offset before,
// which becomes its log start offset, as [Cluster.DeleteRecords] does; on
// a real cluster it sends a DeleteRecords request.
//
// librdkafka's mock cluster has no DeleteRecords: against it the test is
// skipped (see [SkipOnMock]).
func (b *Backend) DeleteRecords(topic string, partition int32, before int64) error {
	if b.cluster != nil {
		return b.cluster.DeleteRecords(topic, partition, before)
	}
	SkipOnMock(b.tb, "no DeleteRecords")
	kc, err := b.adminClient()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := kmsg.NewPtrDeleteRecordsRequest()
	req.TimeoutMillis = 30000
	rt := kmsg.NewDeleteRecordsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewDeleteRecordsRequestTopicPartition()
	rp.Partition, rp.Offset = partition, before
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, kc)
	if err != nil {
		return fmt.Errorf("kafkatest: delete records of %s/%d before %d: %w", topic, partition, before, err)
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return fmt.Errorf("kafkatest: delete records of %s/%d before %d: %w", topic, partition, before, err)
			}
		}
	}
	return nil
}

func (b *Backend) createTopic(name string, partitions int, configs map[string]string) error {
	if b.cluster != nil {
		return b.cluster.CreateTopicWithConfigs(name, partitions, configs)
	}
	kc, err := b.adminClient()
	if err != nil {
		return err
	}
	if Mock() {
		// The mock has no CreateTopics (nor DeleteTopics: its topics go
		// with it): the conformance harness creates the topic with the
		// mock's own API. The wait for leaders below still applies.
		if err := mockCreateTopic(name, partitions, configs); err != nil {
			return err
		}
		return waitForLeaders(kc, name, partitions)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = 30000
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic = name
	rt.NumPartitions = int32(partitions)
	rt.ReplicationFactor = -1 // the broker's default.replication.factor
	for _, k := range slices.Sorted(maps.Keys(configs)) {
		c := kmsg.NewCreateTopicsRequestTopicConfig()
		c.Name = k
		c.Value = kmsg.StringPtr(configs[k])
		rt.Configs = append(rt.Configs, c)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, kc)
	if err != nil {
		return fmt.Errorf("kafkatest: create topic %q: %w", name, err)
	}
	for _, t := range resp.Topics {
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
			return fmt.Errorf("kafkatest: create topic %q: %w", name, err)
		}
	}
	b.tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req := kmsg.NewPtrDeleteTopicsRequest()
		req.TimeoutMillis = 30000
		req.TopicNames = []string{name}
		dt := kmsg.NewDeleteTopicsRequestTopic()
		dt.Topic = kmsg.StringPtr(name)
		req.Topics = []kmsg.DeleteTopicsRequestTopic{dt}
		if _, err := req.RequestWith(ctx, kc); err != nil {
			b.tb.Logf("kafkatest: deleting topic %q: %v", name, err)
		}
	})
	// CreateTopics answers before every broker knows the topic's leaders:
	// wait until metadata shows a leader for each partition.
	return waitForLeaders(kc, name, partitions)
}

// waitForLeaders waits, up to a minute, until metadata shows a leader for
// each of the topic's partitions.
func waitForLeaders(kc *kgo.Client, name string, partitions int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		mreq := kmsg.NewPtrMetadataRequest()
		mt := kmsg.NewMetadataRequestTopic()
		mt.Topic = kmsg.StringPtr(name)
		mreq.Topics = append(mreq.Topics, mt)
		mresp, err := mreq.RequestWith(ctx, kc)
		if err == nil && len(mresp.Topics) == 1 && mresp.Topics[0].ErrorCode == 0 && len(mresp.Topics[0].Partitions) == partitions &&
			!slices.ContainsFunc(mresp.Topics[0].Partitions, func(p kmsg.MetadataResponseTopicPartition) bool {
				return p.ErrorCode != 0 || p.Leader < 0
			}) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kafkatest: topic %q created but its partitions have no leaders yet: %v", name, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (b *Backend) adminClient() (*kgo.Client, error) {
	b.adminOnce.Do(func() {
		opts := []kgo.Opt{kgo.SeedBrokers(b.addrs...)}
		if Mock() {
			// librdkafka 2.0.2's mock answers ApiVersions v3 with a
			// response franz-go cannot read; at Kafka 2.3's versions
			// franz-go sends v2.
			opts = append(opts, kgo.MaxVersions(kversion.V2_3_0()))
		}
		b.admin, b.adminErr = kgo.NewClient(opts...)
		if b.adminErr != nil {
			b.adminErr = fmt.Errorf("kafkatest: admin client of %s: %w", BrokersEnv, b.adminErr)
		}
	})
	return b.admin, b.adminErr
}

// tally counts top-level tests by the backend they asked for.
var tally struct {
	sync.Mutex
	embedded, external, mock, kfakeOnly, skipped, mockSkipped, unclassified map[string]bool
}

func count(tb testing.TB, set *map[string]bool) {
	name, _, _ := strings.Cut(tb.Name(), "/")
	tally.Lock()
	defer tally.Unlock()
	if *set == nil {
		*set = make(map[string]bool)
	}
	(*set)[name] = true
}

// Summary reports, for a test binary's TestMain to print after m.Run, how
// many tests ran on which backend: backend-agnostic ones ([NewBackend]) on
// the embedded cluster, on KAFKA_BROKERS or on librdkafka's mock (those
// [SkipOnMock] skipped there counted apart), kfake-only ones ([NeedsKfake])
// run or skipped, and those that called [MustCluster] directly, declaring
// neither. It is empty if no test asked for a cluster.
func Summary() string {
	tally.Lock()
	defer tally.Unlock()
	unclassified := 0
	for name := range tally.unclassified {
		if !tally.kfakeOnly[name] && !tally.embedded[name] && !tally.skipped[name] && !tally.external[name] && !tally.mock[name] {
			unclassified++
		}
	}
	if len(tally.embedded)+len(tally.external)+len(tally.mock)+len(tally.kfakeOnly)+len(tally.skipped)+unclassified == 0 {
		return ""
	}
	if Mock() {
		ran := 0
		for name := range tally.mock {
			if !tally.mockSkipped[name] {
				ran++
			}
		}
		return fmt.Sprintf("kafkatest: %d backend-agnostic tests ran against librdkafka's mock cluster (%s=%s); %d backend-agnostic tests skipped there (SkipOnMock: an API or behaviour the mock lacks); %d kfake-only tests skipped; %d tests ran on their own embedded cluster (MustCluster)",
			ran, BrokersEnv, strings.Join(externalBrokers(), ","), len(tally.mockSkipped), len(tally.skipped), unclassified)
	}
	if External() {
		return fmt.Sprintf("kafkatest: %d backend-agnostic tests ran against %s=%s; %d kfake-only tests skipped; %d tests ran on their own embedded cluster (MustCluster)",
			len(tally.external), BrokersEnv, strings.Join(externalBrokers(), ","), len(tally.skipped), unclassified)
	}
	return fmt.Sprintf("kafkatest: %d backend-agnostic tests and %d kfake-only tests ran on the embedded cluster; %d others called MustCluster directly (set %s to run the first kind against a real cluster)",
		len(tally.embedded), len(tally.kfakeOnly), unclassified, BrokersEnv)
}
