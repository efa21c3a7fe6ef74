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
	for _, protocol := range []kafka.Assignor{kafka.RangeAssignor{}, kafka.CooperativeStickyAssignor{}} {
		t.Run(protocol.Name(), func(t *testing.T) {
			cl := kafkatest.NeedsKfake(t, "creates and deletes topics while the group runs",
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
			cfg := groupConfig("pattern-" + protocol.Name())
			cfg.TopicPattern = regexp.MustCompile(`^pat\.`)
			cfg.MembershipProtocol = protocol
			cfg.AutoCommitEnable = true
			cfg.AutoCommitInterval = 50 * time.Millisecond
			cfg.PartitionCheckInterval = 200 * time.Millisecond
			for range 2 {
				bc := newBalanced(t, c, "pat.a", cfg)
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
				g, err := cl.Group("pattern-" + protocol.Name())
				if err != nil {
					return false
				}
				newParts := 0
				for _, m := range g.Members {
					if len(m.Assignment["pat.gone"]) > 0 {
						return false
					}
					newParts += len(m.Assignment["pat.new"])
				}
				return g.State == "Stable" && len(g.Members) == 2 && newParts == 3
			}, 20*time.Second, 20*time.Millisecond, "the deleted topic leaves the assignment")
			produce("pat.new", "pat.new-2")
			produce("pat.a", "pat.a-2")
			require.Eventually(t, has("pat.new-2", "pat.a-2"), 20*time.Second, 10*time.Millisecond, "consuming goes on")
			time.Sleep(300 * time.Millisecond) // a commit or two after the deletion
			mu.Lock()
			defer mu.Unlock()
			require.Empty(t, errs, "no error about the deleted topic reaches Consume")
			require.False(t, got["other-1"], "a topic the pattern does not match is not consumed")
		})
	}
}
