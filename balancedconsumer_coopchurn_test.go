package kafka_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestNoLossUnderChurnCooperative is TestNoLossUnderChurn under
// cooperative-sticky, with members killed as well: 12 partitions, members
// closed and started in turn, and two killed (their client closed under
// them: no commit, no LeaveGroup; the group notices after the session
// timeout). Every message is consumed; duplicates are counted by cause:
// those a killed member had consumed (its work since its last automatic
// commit), those of a live member the group dropped (its heartbeats late
// on a loaded machine: PartitionsLostCallback says so) or whose Close
// could not commit (the same at-least-once redo), and the others, which with TaskDone and cooperative rebalancing
// can only be a message in hand (consumed, not yet marked done) when its
// partition was given up. (A member closed in the middle of a rebalance
// it had not heard the end of once added hundreds here under load: its
// commit was refused with ILLEGAL_GENERATION; Close now rejoins that
// rebalance to commit, see TestCooperativeCloseMidRebalanceCommits.)
// 8,000 messages; GOKAFKA_LONG=1: 200,000.
func TestNoLossUnderChurnCooperative(t *testing.T) {
	t.Parallel()
	n, churns := 8_000, 6
	if os.Getenv("GOKAFKA_LONG") != "" {
		n, churns = 200_000, 40
	}
	cl := kafkatest.NeedsKfake(t, "lowers group.min.session.timeout.ms for the killed members", kafkatest.Topic("coop-churn", 12), shortSessions)
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	p := newProducer(t, c, "coop-churn", kafka.ProducerConfig{})
	for i := range n {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Key: []byte(fmt.Sprint(i % 1000)), Value: []byte(fmt.Sprint(i))}))
	}
	require.NoError(t, p.Flush(testCtx(t)))

	var mu sync.Mutex
	by := make(map[string][]string, n) // message -> the members that consumed it
	killed := map[string]bool{}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cfg := coopConfig("coop-churners")
	cfg.SessionTimeout = time.Second
	next := 0
	dropped := map[string]bool{} // members the group dropped (a session that expired under load)
	start := func(client *kafka.Client) (*kafka.BalancedConsumer, string) {
		name := fmt.Sprint("m", next)
		next++
		tp, err := client.Topic(testCtx(t), "coop-churn")
		require.NoError(t, err)
		mcfg := cfg
		mcfg.PartitionsLostCallback = func(context.Context, map[kafka.TopicPartition]int64) {
			mu.Lock()
			dropped[name] = true
			mu.Unlock()
		}
		bc, err := tp.BalancedConsumer(testCtx(t), mcfg)
		require.NoError(t, err)
		go func() {
			for {
				msg, err := bc.Consume(ctx)
				if err != nil {
					return // closed
				}
				mu.Lock()
				by[string(msg.Value)] = append(by[string(msg.Value)], name)
				mu.Unlock()
				if msg.Offset%10 == 0 {
					// Some work: consuming lasts through the churn, so
					// that members come and go with work in hand.
					time.Sleep(2 * time.Millisecond)
				}
				bc.TaskDone(msg)
			}
		}()
		return bc, name
	}
	type member struct {
		bc     *kafka.BalancedConsumer
		client *kafka.Client // its own, for the ones to be killed
		name   string
	}
	var members []member
	for range 3 {
		bc, name := start(c)
		members = append(members, member{bc: bc, name: name})
	}
	done := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(by)
	}
	for churn := 0; (done() < n || churn < churns) && ctx.Err() == nil; churn++ {
		time.Sleep(150 * time.Millisecond)
		if churn >= churns {
			continue
		}
		i := churn % len(members)
		if m := members[i]; m.client != nil {
			m.client.Close() // killed: no commit, no leave
			mu.Lock()
			killed[m.name] = true
			mu.Unlock()
		} else if err := m.bc.Close(); err != nil {
			// Its last commit failed (a rebalance it could not catch
			// up with in time on a loaded machine): at-least-once, as
			// for a member the group dropped.
			t.Logf("closing %s: %v", m.name, err)
			mu.Lock()
			dropped[m.name] = true
			mu.Unlock()
		}
		if churn%4 == 1 {
			// The next member of this slot will be killed.
			vc, err := kafka.NewClient(testCtx(t), kafka.Config{Hosts: cl.Addrs()})
			require.NoError(t, err)
			bc, name := start(vc)
			members[i] = member{bc: bc, client: vc, name: name}
		} else {
			bc, name := start(c)
			members[i] = member{bc: bc, name: name}
		}
	}
	require.Equal(t, n, done(), "every message consumed at least once")
	mu.Lock()
	var fromKilled, fromDropped, others int
	for _, who := range by {
		if len(who) < 2 {
			continue
		}
		k, d := false, false
		for _, m := range who {
			k = k || killed[m]
			d = d || dropped[m] && !killed[m]
		}
		switch {
		case k:
			fromKilled += len(who) - 1
		case d:
			// A live member the group dropped (its heartbeats late on
			// a loaded machine) lost its partitions with its work since
			// the last commit: at-least-once, as for a killed one.
			fromDropped += len(who) - 1
		default:
			others += len(who) - 1
		}
	}
	nKilled, nDropped := len(killed), 0
	for m := range dropped {
		if !killed[m] {
			nDropped++
		}
	}
	mu.Unlock()
	t.Logf("%d messages, %d churns, %d members killed, %d others dropped by the group or closed without a commit: %d consumed twice after a kill, %d after a drop, %d otherwise",
		n, churns, nKilled, nDropped, fromKilled, fromDropped, others)
	require.Positive(t, nKilled)
	// At most the message in hand per partition given up (12 partitions,
	// a few moves per churn), far below what an unclean handover costs.
	require.LessOrEqual(t, others, 12*churns, "duplicates besides the killed members' only from messages in hand")
	for _, m := range members {
		m.bc.Close()
		if m.client != nil {
			m.client.Close()
		}
	}
}
