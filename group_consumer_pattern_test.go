package kafka_test

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/stretchr/testify/require"
)

// TestConsumerProtocolTopicPattern: under KIP-848, TopicPattern goes to the
// broker as the subscribed regex (matching anywhere in a name, as Go's
// regexp does): the matching topics are consumed and not the others, a
// matching topic created while the group runs is assigned and consumed,
// and a deleted one leaves the assignment with no error reaching Consume.
func TestConsumerProtocolTopicPattern(t *testing.T) {
	t.Parallel()
	b := kip848Backend(t)
	c := newClient(t, kafka.Config{Hosts: b.Addrs(), MetadataMaxAge: 200 * time.Millisecond})
	pt := newPatternTopics(t, b, c)
	produce := func(topic, value string) {
		p := newProducer(t, c, topic, kafka.ProducerConfig{})
		_, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte(value)})
		require.NoError(t, err)
	}
	for _, topic := range []string{pt.a, pt.gone, pt.other} {
		produce(topic, topic+"-1")
	}
	var mu sync.Mutex
	got := map[string]bool{}
	var errs []error
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	cfg := kip848Config(b.Name("pattern848"))
	cfg.TopicPattern = regexp.MustCompile(regexp.QuoteMeta(pt.prefix) + `\.`) // unanchored; "other" does not match
	cfg.AutoCommitEnable, cfg.AutoCommitInterval = true, 50*time.Millisecond
	var members []*kafka.BalancedConsumer
	for range 2 {
		bc := newBalanced(t, c, pt.a, cfg)
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
	require.Eventually(t, has(pt.a+"-1", pt.gone+"-1"), 20*time.Second, 10*time.Millisecond, "the matching topics are consumed")

	pt.create(pt.new, 3)
	produce(pt.new, pt.new+"-1")
	require.Eventually(t, has(pt.new+"-1"), 20*time.Second, 10*time.Millisecond, "a topic created while the group runs is consumed")

	require.NoError(t, c.DeleteTopic(testCtx(t), pt.gone))
	require.Eventually(t, func() bool {
		byTopic := map[string]int{}
		for _, bc := range members {
			for _, tp := range bc.Assignment() {
				byTopic[tp.Topic]++
			}
		}
		return byTopic[pt.gone] == 0 && byTopic[pt.new] == 3 && byTopic[pt.a] == 2
	}, 20*time.Second, 20*time.Millisecond, "the deleted topic leaves the assignment")
	produce(pt.new, pt.new+"-2")
	produce(pt.a, pt.a+"-2")
	require.Eventually(t, has(pt.new+"-2", pt.a+"-2"), 20*time.Second, 10*time.Millisecond, "consuming goes on")
	time.Sleep(300 * time.Millisecond) // a commit or two after the deletion
	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, errs, "no error about the deleted topic reaches Consume")
	require.False(t, got[pt.other+"-1"], "a topic the pattern does not match is not consumed")
}
