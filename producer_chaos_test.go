package kafka_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// TestProduceChaos: an idempotent producer with default settings writes
// while faults of every kind kafkatest has fall without pause: errors on
// Produce (some answered after the broker appended), connections dropped
// before and after the broker acted, answers cut short, leader moves, and
// brokers removed, restarted and added. Read back with franz-go, nothing
// is lost or written twice, each partition keeps its order, and every
// message has exactly one report, a success at the offset it was stored.
//
// Two goroutines produce, each to partitions of its own, so that each
// partition's sequence is the order of its Produce calls. They keep pace
// with the faults (a message waits until enough faults were installed), so
// that the faults are spread over the run and their number is reached
// whatever the machine's speed. CI size: 20,000 messages and 60 faults;
// GOKAFKA_LONG=1: 200,000 messages and at least 1,000 faults.
func TestProduceChaos(t *testing.T) {
	t.Parallel()
	const partitions = 6
	n, faults, budget := 20_000, 60, time.Minute
	if os.Getenv("GOKAFKA_LONG") != "" {
		n, faults, budget = 200_000, 1_000, 10*time.Minute
	}
	// Installs the producers wait for: one more than faults, with a
	// margin, as the last one installed may find no request left to hit.
	installs := faults + faults/10 + 2
	require.GreaterOrEqual(t, n/2/installs, partitions, "each goroutine writes to every partition of its own between two faults")

	cl := kafkatest.NeedsKfake(t, "injects produce errors, dropped and truncated answers, leader moves and broker restarts", kafkatest.Topic("chaos", partitions))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
	reports := newChaosReports(partitions, n)
	p := newProducer(t, c, "chaos", kafka.ProducerConfig{
		Partitioner:  kafka.NewManualPartitioner(),
		RetryBackoff: 10 * time.Millisecond, // many retries: keep the test short
		OnDelivery:   reports.add,
	})
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()

	start := time.Now()
	ch := &chaos{t: t, cl: cl, topic: "chaos", partitions: partitions, rng: rand.New(rand.NewPCG(1, 2))}
	faultsCtx, stopFaults := context.WithCancel(ctx)
	faultsDone := make(chan struct{})
	go func() {
		defer close(faultsDone)
		ch.run(faultsCtx)
	}()

	produced := make([]int, partitions) // per partition, once the producers are done
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for g := range 2 {
		wg.Go(func() {
			mine := []int32{int32(g), int32(g + 2), int32(g + 4)}
			next := make([]int, len(mine))
			for j := range n / 2 {
				if err := ch.installed.wait(ctx, installs*j/(n/2)); err != nil {
					errs <- fmt.Errorf("waiting for fault %d: %w", installs*j/(n/2), err)
					return
				}
				k := j % len(mine)
				key := chaosKey(mine[k], next[k])
				next[k]++
				if err := p.Produce(ctx, kafka.Message{Partition: mine[k], Key: key, Value: key}); err != nil {
					errs <- fmt.Errorf("Produce %s: %w", key, err)
					return
				}
			}
			for k, part := range mine {
				produced[part] = next[k]
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	require.NoError(t, p.Flush(ctx))
	elapsed := time.Since(start)
	stopFaults()
	<-faultsDone
	ch.restore()
	t.Logf("%d messages in %v through %s", n, elapsed.Round(time.Millisecond), ch.summary())
	require.GreaterOrEqual(t, ch.total(), faults, "faults injected")

	recs := readTopics(t, cl.Addrs(), []string{"chaos"}, n)
	stored := make([][]int64, partitions) // per partition, the offset of each sequence number read, in the order read
	logs := make([][]int, partitions)     // per partition, the sequence numbers read, in offset order
	for _, r := range recs {
		part, seq, err := parseChaosKey(r.Key)
		if err != nil {
			t.Fatalf("record at %d/%d: %v", r.Partition, r.Offset, err)
		}
		if part != r.Partition {
			t.Fatalf("%s stored in partition %d", r.Key, r.Partition)
		}
		logs[part] = append(logs[part], seq)
		stored[part] = append(stored[part], r.Offset)
	}
	for part := range int32(partitions) {
		checkPartitionLog(t, part, logs[part], produced[part])
	}
	reports.check(t, produced, logs, stored)
	require.NoError(t, p.Close())
}

func chaosKey(partition int32, seq int) []byte {
	return []byte(fmt.Sprintf("%d/%d", partition, seq))
}

func parseChaosKey(key []byte) (int32, int, error) {
	ps, ss, ok := strings.Cut(string(key), "/")
	part, err1 := strconv.Atoi(ps)
	seq, err2 := strconv.Atoi(ss)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("key %q is not partition/sequence", key)
	}
	return int32(part), seq, nil
}

// checkPartitionLog checks that a partition holds the sequence numbers 0
// to produced-1, each once and in order, and says what is wrong if not.
func checkPartitionLog(t *testing.T, part int32, log []int, produced int) {
	t.Helper()
	ok := len(log) == produced
	for i, seq := range log {
		if seq != i {
			ok = false
			break
		}
	}
	if ok {
		return
	}
	times := make([]int, produced)
	var outOfOrder, unknown []int
	for i, seq := range log {
		if seq < 0 || seq >= produced {
			unknown = append(unknown, seq)
			continue
		}
		times[seq]++
		if i > 0 && seq <= log[i-1] {
			outOfOrder = append(outOfOrder, i)
		}
	}
	var lost, twice []int
	for seq, k := range times {
		switch {
		case k == 0:
			lost = append(lost, seq)
		case k > 1:
			twice = append(twice, seq)
		}
	}
	t.Errorf("partition %d: %d records for %d messages: lost %d %v, stored more than once %d %v, out of order at %d places %v, unknown %v",
		part, len(log), produced, len(lost), head(lost), len(twice), head(twice), len(outOfOrder), head(outOfOrder), head(unknown))
}

func head(s []int) []int { return s[:min(len(s), 10)] }

// chaosReports records the delivery reports of TestProduceChaos.
type chaosReports struct {
	mu    sync.Mutex
	parts [][]chaosReport // by partition and sequence number
	last  []int           // per partition, the sequence number of the last report
	bad   []string        // the first problems seen
	nbad  int
}

type chaosReport struct {
	count  int
	offset int64
	err    error
}

func newChaosReports(partitions, n int) *chaosReports {
	r := &chaosReports{parts: make([][]chaosReport, partitions), last: make([]int, partitions)}
	for i := range partitions {
		r.parts[i] = make([]chaosReport, n/partitions+1)
		r.last[i] = -1
	}
	return r
}

func (r *chaosReports) add(d kafka.DeliveryReport) {
	part, seq, err := parseChaosKey(d.Message.Key)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil:
		r.problem("report for an unknown message: %v", err)
	case part != d.Message.Partition || int(part) >= len(r.parts) || seq >= len(r.parts[part]):
		r.problem("report for %s at partition %d", d.Message.Key, d.Message.Partition)
	default:
		e := &r.parts[part][seq]
		e.count++
		e.offset, e.err = d.Message.Offset, d.Err
		// The documented order of OnDelivery: a partition's reports
		// in the order its messages were stored.
		if seq <= r.last[part] {
			r.problem("partition %d: report for %d after the report for %d", part, seq, r.last[part])
		}
		r.last[part] = seq
	}
}

func (r *chaosReports) problem(format string, args ...any) {
	r.nbad++
	if len(r.bad) < 10 {
		r.bad = append(r.bad, fmt.Sprintf(format, args...))
	}
}

// check asserts one successful report per message, at the offset it was
// read at (or at -1, unknown: see the case below).
func (r *chaosReports) check(t *testing.T, produced []int, logs [][]int, stored [][]int64) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for part, n := range produced {
		offsets := make(map[int]int64, len(logs[part]))
		for i, seq := range logs[part] {
			offsets[seq] = stored[part][i]
		}
		for seq := range n {
			e := r.parts[part][seq]
			switch {
			case e.count != 1:
				r.problem("%d/%d: %d reports", part, seq, e.count)
			case e.err != nil:
				r.problem("%d/%d: reported failed: %v", part, seq, e.err)
			case e.offset == -1:
				// Delivered, at an offset the broker never said: its answer
				// was lost and the broker had moved past its sequence when
				// it was sent again (see sink.settle). Stored once is
				// checked above; the report may not name the offset.
			case e.offset != offsets[seq]:
				r.problem("%d/%d: reported at offset %d, stored at %d", part, seq, e.offset, offsets[seq])
			}
		}
	}
	if r.nbad > 0 {
		t.Errorf("%d problems with the delivery reports, the first:\n%s", r.nbad, strings.Join(r.bad, "\n"))
	}
}

// counter is a count that can be waited for.
type counter struct {
	mu sync.Mutex
	n  int
	ch chan struct{} // closed and replaced on every add
}

func (c *counter) add() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if c.ch != nil {
		close(c.ch)
		c.ch = nil
	}
}

func (c *counter) wait(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		if c.n >= n {
			c.mu.Unlock()
			return nil
		}
		if c.ch == nil {
			c.ch = make(chan struct{})
		}
		ch := c.ch
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// chaos injects faults into a cluster, one after the other, each once the
// previous has been applied, until its context ends.
type chaos struct {
	t          *testing.T
	cl         *kafkatest.Cluster
	topic      string
	partitions int
	rng        *rand.Rand // run's goroutine only

	installed counter // faults installed, and cluster changes made

	mu         sync.Mutex
	injections map[string][]*kafkatest.Injection // by kind
	changes    map[string]int                    // cluster changes made, by kind
	removed    []int32                           // brokers removed, to restart
	added      []int32                           // brokers added, to remove
}

// run installs faults until ctx ends.
func (ch *chaos) run(ctx context.Context) {
	ch.injections = make(map[string][]*kafkatest.Injection)
	ch.changes = make(map[string]int)
	produce := []int16{protocol.KeyProduce}
	errorOn := func(code protocol.ErrorCode) func() *kafkatest.Injection {
		return func() *kafkatest.Injection {
			return ch.cl.InjectFault(kafkatest.Fault{APIs: produce, Code: int16(code)})
		}
	}
	partitionError := func(code protocol.ErrorCode) func() *kafkatest.Injection {
		return func() *kafkatest.Injection {
			p := ch.rng.Int32N(int32(ch.partitions))
			return ch.cl.InjectFault(kafkatest.Fault{APIs: produce, Topic: ch.topic, Partitions: []int32{p}, Code: int16(code)})
		}
	}
	type step struct {
		kind   string
		inject func() *kafkatest.Injection // a fault for the next request it matches
		change func() error                // or a change to the cluster
	}
	steps := []step{
		{kind: "NOT_LEADER_OR_FOLLOWER", inject: errorOn(protocol.NotLeaderOrFollower)},
		{kind: "connection dropped before the broker acted", inject: func() *kafkatest.Injection { return ch.cl.DropConnection(protocol.KeyProduce, 1) }},
		{kind: "REQUEST_TIMED_OUT (after the append)", inject: errorOn(protocol.RequestTimedOut)},
		{kind: "leader moved", change: ch.moveLeader},
		{kind: "connection dropped after the broker acted", inject: func() *kafkatest.Injection { return ch.cl.DropResponse(protocol.KeyProduce, 1) }},
		{kind: "NOT_ENOUGH_REPLICAS_AFTER_APPEND", inject: errorOn(protocol.NotEnoughReplicasAfterAppend)},
		{kind: "broker removed", change: ch.removeBroker},
		{kind: "answer truncated", inject: func() *kafkatest.Injection { return ch.cl.TruncateResponse(protocol.KeyProduce, 1) }},
		{kind: "LEADER_NOT_AVAILABLE on one partition", inject: partitionError(protocol.LeaderNotAvailable)},
		{kind: "leaders shuffled", change: ch.cl.ShuffleLeaders},
		{kind: "NOT_ENOUGH_REPLICAS", inject: errorOn(protocol.NotEnoughReplicas)},
		{kind: "broker restarted", change: ch.restartBroker},
		{kind: "connection dropped after the broker acted", inject: func() *kafkatest.Injection { return ch.cl.DropResponse(protocol.KeyProduce, 1) }},
		{kind: "NOT_LEADER_OR_FOLLOWER on one partition", inject: partitionError(protocol.NotLeaderOrFollower)},
		{kind: "broker added", change: ch.addBroker},
		{kind: "KAFKA_STORAGE_ERROR", inject: errorOn(protocol.KafkaStorageError)},
		{kind: "answer truncated", inject: func() *kafkatest.Injection { return ch.cl.TruncateResponse(protocol.KeyProduce, 1) }},
		{kind: "added broker removed", change: ch.removeAddedBroker},
		{kind: "UNKNOWN_TOPIC_OR_PARTITION", inject: errorOn(protocol.UnknownTopicOrPartition)},
		{kind: "connection dropped before the broker acted", inject: func() *kafkatest.Injection { return ch.cl.DropConnection(protocol.KeyProduce, 1) }},
	}
	for i := 0; ctx.Err() == nil; i++ {
		s := steps[i%len(steps)]
		if s.change != nil {
			if err := s.change(); err != nil {
				ch.t.Errorf("%s: %v", s.kind, err)
				return
			}
			ch.mu.Lock()
			ch.changes[s.kind]++
			ch.mu.Unlock()
			ch.installed.add()
			continue
		}
		inj := s.inject()
		ch.mu.Lock()
		ch.injections[s.kind] = append(ch.injections[s.kind], inj)
		ch.mu.Unlock()
		ch.installed.add()
		if inj.Wait(ctx, 1) != nil {
			return
		}
	}
}

func (ch *chaos) moveLeader() error {
	p := ch.rng.Int32N(int32(ch.partitions))
	leader, err := ch.cl.Leader(ch.topic, p)
	if err != nil {
		return err
	}
	others := slices.DeleteFunc(ch.cl.BrokerIDs(), func(id int32) bool { return id == leader })
	if len(others) == 0 {
		return nil
	}
	return ch.cl.MoveLeader(ch.topic, p, others[ch.rng.IntN(len(others))])
}

// removeBroker stops one of the brokers the cluster started with, unless
// one is already down.
func (ch *chaos) removeBroker() error {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if len(ch.removed) > 0 {
		return nil
	}
	var original []int32
	for _, id := range ch.cl.BrokerIDs() {
		if id < 3 {
			original = append(original, id)
		}
	}
	if len(original) < 2 {
		return nil
	}
	id := original[ch.rng.IntN(len(original))]
	if err := ch.cl.RemoveBroker(id); err != nil {
		return err
	}
	ch.removed = append(ch.removed, id)
	return nil
}

// restartBroker brings back the removed broker, on its address; if its
// port was taken meanwhile, a new broker takes its place.
func (ch *chaos) restartBroker() error {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	for _, id := range ch.removed {
		if err := ch.cl.RestartBroker(id); err != nil {
			ch.t.Logf("restarting broker %d: %v; adding a new one", id, err)
			if _, err := ch.cl.AddBroker(); err != nil {
				return err
			}
		}
	}
	ch.removed = nil
	return nil
}

func (ch *chaos) addBroker() error {
	id, err := ch.cl.AddBroker()
	if err != nil {
		return err
	}
	ch.mu.Lock()
	ch.added = append(ch.added, id)
	ch.mu.Unlock()
	return nil
}

func (ch *chaos) removeAddedBroker() error {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	for _, id := range ch.added {
		if err := ch.cl.RemoveBroker(id); err != nil {
			return err
		}
	}
	ch.added = nil
	return nil
}

// restore removes the faults left and restarts a removed broker.
func (ch *chaos) restore() {
	ch.mu.Lock()
	for _, injs := range ch.injections {
		for _, inj := range injs {
			inj.Remove()
		}
	}
	ch.mu.Unlock()
	if err := ch.restartBroker(); err != nil {
		ch.t.Errorf("restarting the removed broker: %v", err)
	}
}

// total is the number of faults applied: injections hit and cluster
// changes made.
func (ch *chaos) total() int {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	n := 0
	for _, injs := range ch.injections {
		for _, inj := range injs {
			n += inj.Hits()
		}
	}
	for _, k := range ch.changes {
		n += k
	}
	return n
}

func (ch *chaos) summary() string {
	total := ch.total()
	ch.mu.Lock()
	defer ch.mu.Unlock()
	var parts []string
	for kind, injs := range ch.injections {
		hits := 0
		for _, inj := range injs {
			hits += inj.Hits()
		}
		parts = append(parts, fmt.Sprintf("%s %d", kind, hits))
	}
	for kind, k := range ch.changes {
		parts = append(parts, fmt.Sprintf("%s %d", kind, k))
	}
	slices.Sort(parts)
	return fmt.Sprintf("%d faults (%s)", total, strings.Join(parts, ", "))
}
