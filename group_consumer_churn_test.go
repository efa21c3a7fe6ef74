package kafka_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestConsumerProtocolChurn is the churn test under KIP-848: members join,
// leave and are killed (their client closed under them: no commit, no
// leave, so the broker drops them after its session timeout) while the
// group consumes; nothing is lost, and duplicates come from killed members'
// uncommitted work, plus at most the one message in hand at each
// revocation of a live member. GOKAFKA_LONG=1 runs 200,000 messages.
func TestConsumerProtocolChurn(t *testing.T) {
	t.Parallel()
	n, churns := 4000, 6
	if longRun() {
		n, churns = 200_000, 30
	}
	cl := kip848Cluster(t, "lowers group.consumer.session.timeout.ms, so that killed members are dropped quickly",
		kafkatest.Topic("churn848", 12), kafkatest.BrokerConfig("group.consumer.session.timeout.ms", "1000"))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	p := newProducer(t, c, "churn848", kafka.ProducerConfig{})
	for i := range n {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Key: []byte(fmt.Sprint(i % 1000)), Value: []byte(fmt.Sprint(i))}))
	}
	require.NoError(t, p.Flush(testCtx(t)))

	// About 3.5 members consume the n messages over the churn's span.
	var pace atomic.Int64 // per message while the churn goes on, then 0
	pace.Store(int64(float64(churns) * float64(250*time.Millisecond) * 3.5 / float64(n)))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Second)
	defer cancel()
	var mu sync.Mutex
	first := make(map[string]string, n) // who consumed each message first
	seen := make(map[string]int, n)
	revokes := map[string]int{}
	killed := map[string]bool{}
	dropped := map[string]bool{} // fenced or expired (a loaded machine can starve heartbeats)
	type member struct {
		name string
		bc   *kafka.BalancedConsumer
		c    *kafka.Client // its own, for killing
		stop context.CancelFunc
		done chan struct{}
	}
	next := 0
	start := func() *member {
		next++
		m := &member{name: fmt.Sprint("m", next), done: make(chan struct{})}
		cfg := kip848Config("churn848")
		cfg.TrackTaskDone, cfg.AutoCommitEnable, cfg.AutoCommitInterval = true, true, 100*time.Millisecond
		cfg.SessionTimeout = time.Second
		cfg.PreRebalanceCallback = func(_ context.Context, r map[kafka.TopicPartition]int64) {
			mu.Lock()
			revokes[m.name]++
			mu.Unlock()
		}
		var err error
		logger := slog.New(&droppedHandler{drop: func() {
			mu.Lock()
			dropped[m.name] = true
			mu.Unlock()
		}})
		m.c, err = kafka.NewClient(ctx, kafka.Config{Hosts: cl.Addrs(), Logger: logger})
		require.NoError(t, err)
		m.bc = newBalanced(t, m.c, "churn848", cfg)
		mctx, stop := context.WithCancel(ctx)
		m.stop = stop
		go func() {
			defer close(m.done)
			handled := 0
			// Consume hands out what it holds even with mctx ended:
			// once stopped, the member takes (and marks done) nothing more.
			for mctx.Err() == nil {
				msg, err := m.bc.Consume(mctx)
				if err != nil {
					continue // a membership failure is reported once: go on
				}
				mu.Lock()
				v := string(msg.Value)
				if seen[v] == 0 {
					first[v] = m.name
				}
				seen[v]++
				mu.Unlock()
				m.bc.TaskDone(msg)
				if handled++; handled%50 == 0 { // so that the churn happens while consuming
					time.Sleep(50 * time.Duration(pace.Load()))
				}
			}
		}()
		return m
	}
	leave := func(m *member) {
		m.stop()
		<-m.done
		m.bc.Close()
		m.c.Close()
	}
	kill := func(m *member) {
		mu.Lock()
		killed[m.name] = true
		mu.Unlock()
		m.c.Close() // no commit, no leave: what it handled since its last commit is redone
		m.stop()
		<-m.done
		m.bc.Close()
	}
	consumed := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(seen)
	}
	members := []*member{start(), start(), start()}
	kills, leaves, joins := 0, 0, 3
	for i := range churns {
		time.Sleep(250 * time.Millisecond)
		switch i % 3 {
		case 0: // one leaves, one joins
			leave(members[0])
			members[0] = start()
			leaves++
			joins++
		case 1: // one more joins
			members = append(members, start())
			joins++
		case 2: // one is killed, and a new one takes its place
			j := len(members) - 1
			kill(members[j])
			members[j] = start()
			kills++
			joins++
		}
	}
	atEnd := consumed()
	pace.Store(0)
	waitFor(t, ctx, func() bool { return consumed() == n }, func() string {
		g, _ := cl.Group("churn848")
		var held []string
		for _, m := range members {
			id, epoch := m.bc.Membership()
			held = append(held, fmt.Sprintf("%s %s@%d %v", m.name, id, epoch, m.bc.Partitions()))
		}
		return fmt.Sprintf("consumed %d of %d; members %v; group %+v", consumed(), n, held, g)
	})
	for _, m := range members {
		leave(m)
	}
	mu.Lock()
	defer mu.Unlock()
	fromKills, fromDropped, fromRevokes, liveRevokes := 0, 0, 0, 0
	for v, k := range seen {
		switch who := first[v]; {
		case killed[who]:
			fromKills += k - 1
		case dropped[who]:
			fromDropped += k - 1
		default:
			fromRevokes += k - 1
		}
	}
	for who, k := range revokes {
		if !killed[who] && !dropped[who] {
			liveRevokes += k
		}
	}
	t.Logf("%d messages (%d left when the churn ended), 0 lost; %d joins, %d leaves, %d kills, %d members fenced by the broker; %d processed twice: %d first handled by killed members (uncommitted work), %d by fenced ones, %d by live ones (%d revocations)",
		n, n-atEnd, joins, leaves, kills, len(dropped), fromKills+fromDropped+fromRevokes, fromKills, fromDropped, fromRevokes, liveRevokes)
	require.Len(t, seen, n, "every message processed")
	require.LessOrEqual(t, fromRevokes, liveRevokes, "a live member's revocation redoes at most the message in hand")
}

// droppedHandler calls drop when its client logs that its member lost its
// partitions to the broker (fenced, or heartbeats failing past the
// session), as a heavily loaded test machine may cause.
type droppedHandler struct{ drop func() }

func (h *droppedHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *droppedHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *droppedHandler) WithGroup(string) slog.Handler            { return h }
func (h *droppedHandler) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "fenced from the group") || strings.Contains(r.Message, "past the session timeout") {
		h.drop()
	}
	return nil
}
