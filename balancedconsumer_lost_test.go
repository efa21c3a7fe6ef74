package kafka_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// TestPartitionsLostCallback: a member the group drops (here: a heartbeat
// answered ILLEGAL_GENERATION, or FENCED_MEMBER_EPOCH under KIP-848) has
// lost its partitions: PartitionsLostCallback hears of them, not
// PreRebalanceCallback, and nothing is committed for them; the member
// rejoins and gets them back. Under each rebalance protocol.
func TestPartitionsLostCallback(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		cfg   func(string) kafka.BalancedConsumerConfig
		api   int16
		code  protocol.ErrorCode
		kip48 bool
	}{
		{"eager", groupConfig, protocol.KeyHeartbeat, protocol.IllegalGeneration, false},
		{"cooperative", coopConfig, protocol.KeyHeartbeat, protocol.IllegalGeneration, false},
		{"KIP-848", kip848Config, protocol.KeyConsumerGroupHeartbeat, protocol.FencedMemberEpoch, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			topic := "lost-" + tc.name
			why := "answers a heartbeat " + tc.code.String()
			var cl *kafkatest.Cluster
			if tc.kip48 {
				cl = kip848Cluster(t, why, kafkatest.Topic(topic, 4))
			} else {
				cl = kafkatest.NeedsKfake(t, why, kafkatest.Topic(topic, 4))
			}
			c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
			p := newProducer(t, c, topic, kafka.ProducerConfig{})
			for i := range 40 {
				require.NoError(t, p.Produce(testCtx(t), kafka.Message{Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprint(i))}))
			}
			require.NoError(t, p.Flush(testCtx(t)))

			var mu sync.Mutex
			var revoked, lost []map[kafka.TopicPartition]int64
			cfg := tc.cfg(topic)
			cfg.TrackTaskDone = true
			cfg.AutoCommitEnable, cfg.AutoCommitInterval = true, time.Hour // only revocations and Close commit
			cfg.PreRebalanceCallback = func(_ context.Context, r map[kafka.TopicPartition]int64) {
				mu.Lock()
				revoked = append(revoked, r)
				mu.Unlock()
			}
			cfg.PartitionsLostCallback = func(_ context.Context, l map[kafka.TopicPartition]int64) {
				mu.Lock()
				lost = append(lost, l)
				mu.Unlock()
			}
			bc := newBalanced(t, c, topic, cfg)
			for range 40 {
				msg, err := bc.Consume(testCtx(t))
				require.NoError(t, err)
				bc.TaskDone(msg)
			}
			waitAssignment(t, 4, bc)
			commits := cl.Requests(protocol.KeyOffsetCommit)

			inj := cl.InjectFault(kafkatest.Fault{APIs: []int16{tc.api}, Group: topic, TopLevel: true, Code: int16(tc.code)})
			require.NoError(t, inj.Wait(testCtx(t), 1))
			require.Eventually(t, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(lost) == 1 && len(bc.Partitions()) == 4
			}, 20*time.Second, 10*time.Millisecond, "the partitions are lost, then assigned again")
			mu.Lock()
			gotLost, gotRevoked := lost[0], len(revoked)
			mu.Unlock()
			require.Len(t, gotLost, 4, "PartitionsLostCallback hears of every partition")
			var reached int64
			for _, o := range gotLost {
				reached += o
			}
			require.Equal(t, int64(40), reached, "where the member had got to: every message done")
			require.Zero(t, gotRevoked, "PreRebalanceCallback does not hear of lost partitions")
			require.Equal(t, commits, cl.Requests(protocol.KeyOffsetCommit), "nothing committed for lost partitions")
		})
	}
}
