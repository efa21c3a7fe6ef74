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

// TestTopicPatternFollowsTopics: a group subscribed by TopicPattern
// consumes the matching topics and not the others; a matching topic
// created while the group runs is picked up and consumed (within
// MetadataMaxAge and a rebalance); a matching topic deleted is dropped
// from the assignment, and no error about it reaches Consume. Under
// eager (range) and cooperative-sticky rebalancing.
func TestTopicPatternFollowsTopics(t *testing.T) {
	t.Parallel()
	for _, protocol := range []kafka.Assignor{kafka.RangeAssignor{}, kafka.CooperativeStickyAssignor{}} {
		t.Run(protocol.Name(), func(t *testing.T) {
			b := kafkatest.NewBackend(t)
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
			cfg := groupConfig(b.Name("pattern-" + protocol.Name()))
			cfg.TopicPattern = regexp.MustCompile(`^` + regexp.QuoteMeta(pt.prefix) + `\.`)
			cfg.MembershipProtocol = protocol
			cfg.AutoCommitEnable = true
			cfg.AutoCommitInterval = 50 * time.Millisecond
			cfg.PartitionCheckInterval = 200 * time.Millisecond
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
					if len(bc.Assignment()) == 0 {
						return false // still rebalancing
					}
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
		})
	}
}

// patternTopics are the topics of a TopicPattern test: a and gone match
// the pattern from the start, new is created while the group runs, and
// other does not match. Their names start with a prefix unique to the run
// (a real cluster holds other topics, and those of earlier runs).
type patternTopics struct {
	t                           *testing.T
	c                           *kafka.Client
	prefix, a, gone, new, other string
}

// newPatternTopics creates a (2 partitions), gone (2) and other (2) with
// c's CreateTopic, and deletes them and new when the test ends.
func newPatternTopics(t *testing.T, b *kafkatest.Backend, c *kafka.Client) *patternTopics {
	t.Helper()
	kafkatest.SkipOnMock(t, "no CreateTopics or DeleteTopics")
	prefix := b.Name("pat")
	pt := &patternTopics{t: t, c: c, prefix: prefix, a: prefix + ".a", gone: prefix + ".gone", new: prefix + ".new", other: b.NewTopic("other", 2)}
	t.Cleanup(func() {
		for _, topic := range []string{pt.a, pt.gone, pt.new} {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_ = c.DeleteTopic(ctx, topic) // gone, and new if the test failed early, may be missing
			cancel()
		}
	})
	pt.create(pt.a, 2)
	pt.create(pt.gone, 2)
	return pt
}

// create creates topic with partitions partitions.
func (pt *patternTopics) create(topic string, partitions int32) {
	pt.t.Helper()
	require.NoError(pt.t, pt.c.CreateTopic(testCtx(pt.t), topic, kafka.TopicConfig{Partitions: partitions}))
}
