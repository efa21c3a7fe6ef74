package kafka_test

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestConsumerProtocolTopicPattern: under KIP-848, TopicPattern goes to the
// broker as the subscribed regex (matching anywhere in a name, as Go's
// regexp does): the matching topics are consumed and not the others, a
// matching topic created while the group runs is assigned and consumed,
// and a deleted one leaves the assignment with no error reaching Consume.
func TestConsumerProtocolTopicPattern(t *testing.T) {
	cl := kip848Cluster(t, "creates and deletes topics while the group runs",
		kafkatest.Topic("pat.a", 2), kafkatest.Topic("pat.gone", 2), kafkatest.Topic("other", 2))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), MetadataMaxAge: 200 * time.Millisecond})
	produce := func(topic, value string) {
		p := newProducer(t, c, topic, kafka.ProducerConfig{})
		_, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte(value)})
		require.NoError(t, err)
	}
	for _, topic := range []string{"pat.a", "pat.gone", "other"} {
		produce(topic, topic+"-1")
	}
	var mu sync.Mutex
	got := map[string]bool{}
	var errs []error
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	cfg := kip848Config("pattern848")
	cfg.TopicPattern = regexp.MustCompile(`pat\.`) // unanchored: "other" does not match
	cfg.AutoCommitEnable, cfg.AutoCommitInterval = true, 50*time.Millisecond
	var members []*kafka.BalancedConsumer
	for range 2 {
		bc := newBalanced(t, c, "pat.a", cfg)
		members = append(members, bc)
		go func() {
			for {
				msg, err := bc.Consume(ctx)
				if ctx.Err() != nil || err == kafka.ErrConsumerStopped {
					return
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					got[string(msg.Value)] = true
				}
				mu.Unlock()
			}
		}()
	}
	has := func(values ...string) func() bool {
		return func() bool {
			mu.Lock()
			defer mu.Unlock()
			for _, v := range values {
				if !got[v] {
					return false
				}
			}
			return true
		}
	}
	require.Eventually(t, has("pat.a-1", "pat.gone-1"), 20*time.Second, 10*time.Millisecond, "the matching topics are consumed")

	require.NoError(t, c.CreateTopic(testCtx(t), "pat.new", kafka.TopicConfig{Partitions: 3}))
	produce("pat.new", "pat.new-1")
	require.Eventually(t, has("pat.new-1"), 20*time.Second, 10*time.Millisecond, "a topic created while the group runs is consumed")

	require.NoError(t, c.DeleteTopic(testCtx(t), "pat.gone"))
	require.Eventually(t, func() bool {
		byTopic := map[string]int{}
		for _, bc := range members {
			for _, tp := range bc.Assignment() {
				byTopic[tp.Topic]++
			}
		}
		return byTopic["pat.gone"] == 0 && byTopic["pat.new"] == 3 && byTopic["pat.a"] == 2
	}, 20*time.Second, 20*time.Millisecond, "the deleted topic leaves the assignment")
	produce("pat.new", "pat.new-2")
	produce("pat.a", "pat.a-2")
	require.Eventually(t, has("pat.new-2", "pat.a-2"), 20*time.Second, 10*time.Millisecond, "consuming goes on")
	time.Sleep(300 * time.Millisecond) // a commit or two after the deletion
	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, errs, "no error about the deleted topic reaches Consume")
	require.False(t, got["other-1"], "a topic the pattern does not match is not consumed")
}
