package kafka

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
)

// ledger records which member holds each partition, failing the test when
// a member takes a partition another still holds.
type ledger struct {
	t      *testing.T
	mu     sync.Mutex
	holder map[TopicPartition]string
	events []string
}

func newLedger(t *testing.T) *ledger { return &ledger{t: t, holder: map[TopicPartition]string{}} }

// handler is one member's partitionHandler writing to the ledger.
type ledgerHandler struct {
	l    *ledger
	name string
	lost int // partitions revoked as lost
}

func (h *ledgerHandler) revokePartitions(_ context.Context, lost bool, tps []TopicPartition) {
	h.l.mu.Lock()
	defer h.l.mu.Unlock()
	for _, tp := range tps {
		if h.l.holder[tp] != h.name {
			h.l.t.Errorf("%s revokes %v, held by %q", h.name, tp, h.l.holder[tp])
		}
		delete(h.l.holder, tp)
		if lost {
			h.lost++
		}
	}
	h.l.events = append(h.l.events, fmt.Sprintf("%s revoke lost=%v %v", h.name, lost, tps))
}

func (h *ledgerHandler) assignPartitions(_ context.Context, tps []TopicPartition) error {
	h.l.mu.Lock()
	defer h.l.mu.Unlock()
	for _, tp := range tps {
		if other, ok := h.l.holder[tp]; ok {
			h.l.t.Errorf("%s takes %v, still held by %s", h.name, tp, other)
		}
		h.l.holder[tp] = h.name
	}
	h.l.events = append(h.l.events, fmt.Sprintf("%s assign %v", h.name, tps))
	return nil
}

// held returns how many partitions each member holds.
func (l *ledger) held() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for _, who := range l.holder {
		out[who]++
	}
	return out
}

// kip848Heartbeats makes the embedded cluster's KIP-848 heartbeats fast
// (Kafka's default interval is 5 s).
var kip848Heartbeats = kafkatest.BrokerConfig("group.consumer.heartbeat.interval.ms", "100")

// kip848Cluster is an embedded cluster with fast KIP-848 heartbeats, for a
// test that injects faults into them.
func kip848Cluster(t *testing.T, opts ...kafkatest.Option) *kafkatest.Cluster {
	opts = append([]kafkatest.Option{kip848Heartbeats}, opts...)
	return kafkatest.NeedsKfake(t, "injects faults into KIP-848 heartbeats", opts...)
}

func startMember(t *testing.T, ctx context.Context, c *Client, group, topic string, h partitionHandler) (m *consumerMember, stop func()) {
	m = &consumerMember{client: c, group: group, topics: []string{topic}, rebalance: 10 * time.Second,
		session: 10 * time.Second, backoff: 50 * time.Millisecond, h: h,
		onError: func(err error) { t.Logf("member error: %v", err) }}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.run(ctx)
	}()
	return m, func() {
		cancel()
		<-done
	}
}

func waitHeld(t *testing.T, l *ledger, want map[string]int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !mapsEqual(l.held(), want) {
		if time.Now().After(deadline) {
			l.mu.Lock()
			t.Fatalf("held %v, want %v; events %v", l.held(), want, l.events)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestConsumerMemberSplitsAndLeaves: two members split six partitions,
// neither ever taking one the other holds; when one leaves, the other
// gets them all.
func TestConsumerMemberSplitsAndLeaves(t *testing.T) {
	t.Parallel()
	kb := kafkatest.NewBackend(t, kip848Heartbeats)
	kafkatest.SkipOnMock(t, "KIP-848 consumer groups: librdkafka 2.0.2's mock has no ConsumerGroupHeartbeat")
	topic, group := kb.NewTopic("t848", 6), kb.Name("g")
	ctx := context.Background()
	c, err := NewClient(ctx, Config{Hosts: kb.Addrs()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l := newLedger(t)
	a, stopA := startMember(t, ctx, c, group, topic, &ledgerHandler{l: l, name: "a"})
	defer stopA()
	waitHeld(t, l, map[string]int{"a": 6})
	b, stopB := startMember(t, ctx, c, group, topic, &ledgerHandler{l: l, name: "b"})
	waitHeld(t, l, map[string]int{"a": 3, "b": 3})
	if id, epoch := a.membership(); id == "" || epoch < 1 {
		t.Errorf("a's membership %q %d", id, epoch)
	}
	stopB()
	l.mu.Lock()
	var bHeld []TopicPartition
	for tp, who := range l.holder {
		if who == "b" {
			bHeld = append(bHeld, tp)
		}
	}
	l.mu.Unlock()
	(&ledgerHandler{l: l, name: "b"}).revokePartitions(ctx, false, bHeld)
	if err := b.leave(ctx); err != nil {
		t.Fatal(err)
	}
	waitHeld(t, l, map[string]int{"a": 6})
}

// TestConsumerMemberFenced: FENCED_MEMBER_EPOCH loses the partitions
// (revoked as lost) and the member rejoins and gets them back.
func TestConsumerMemberFenced(t *testing.T) {
	t.Parallel()
	for _, code := range []int16{int16(protocol.FencedMemberEpoch), int16(protocol.UnknownMemberID)} {
		t.Run(Error(code).Error(), func(t *testing.T) {
			cl := kip848Cluster(t, kafkatest.Topic("t848", 4))
			ctx := context.Background()
			c, err := NewClient(ctx, Config{Hosts: cl.Addrs()})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			l := newLedger(t)
			h := &ledgerHandler{l: l, name: "a"}
			m, stop := startMember(t, ctx, c, "g", "t848", h)
			defer stop()
			waitHeld(t, l, map[string]int{"a": 4})
			id, _ := m.membership()
			inj := cl.InjectFault(kafkatest.Fault{APIs: []int16{protocol.KeyConsumerGroupHeartbeat}, Group: "g", TopLevel: true, Code: code})
			if err := inj.Wait(ctx, 1); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(20 * time.Second)
			for {
				l.mu.Lock()
				lost, n := h.lost, len(l.holder)
				l.mu.Unlock()
				if lost == 4 && n == 4 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("lost %d, holds %d; events %v", lost, n, l.events)
				}
				time.Sleep(10 * time.Millisecond)
			}
			newID, _ := m.membership()
			if newID != id {
				t.Errorf("member ID %q after %q: a member keeps its ID (KIP-1082)", newID, id)
			}
		})
	}
}

// TestConsumerMemberCoordinatorErrors: coordinator moves and loads are
// retried without losing the partitions.
func TestConsumerMemberCoordinatorErrors(t *testing.T) {
	t.Parallel()
	cl := kip848Cluster(t, kafkatest.Topic("t848", 2))
	ctx := context.Background()
	c, err := NewClient(ctx, Config{Hosts: cl.Addrs()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l := newLedger(t)
	h := &ledgerHandler{l: l, name: "a"}
	inj := cl.InjectError(protocol.KeyConsumerGroupHeartbeat, int16(protocol.CoordinatorLoadInProgress), 2)
	_, stop := startMember(t, ctx, c, "g", "t848", h)
	defer stop()
	waitHeld(t, l, map[string]int{"a": 2})
	for _, code := range []protocol.ErrorCode{protocol.NotCoordinator, protocol.CoordinatorNotAvailable, protocol.CoordinatorLoadInProgress} {
		inj = cl.InjectError(protocol.KeyConsumerGroupHeartbeat, int16(code), 2)
		if err := inj.Wait(ctx, 2); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	l.mu.Lock()
	defer l.mu.Unlock()
	if h.lost != 0 || len(l.holder) != 2 || len(l.events) != 1 {
		t.Errorf("lost %d, events %v", h.lost, l.events)
	}
	if !slices.Contains([]int{1}, len(l.events)) {
		t.Errorf("events %v", l.events)
	}
}
