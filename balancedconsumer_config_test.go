package kafka_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// TestBalancedCommitRetries: OffsetsCommitMaxRetries bounds the retries of
// the balanced consumer's commits; 0 means the default 5, a negative value
// none.
func TestBalancedCommitRetries(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "injects commit errors", kafkatest.Topic("retries", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	for i, tc := range []struct {
		retries, failures int // configured; commits answered with an error
		wantErr           bool
	}{
		{retries: -1, failures: 1, wantErr: true},
		{retries: 0, failures: 5, wantErr: false},
		{retries: 0, failures: 6, wantErr: true},
		{retries: 1, failures: 3, wantErr: true},
	} {
		cfg := groupConfig(fmt.Sprint("retries-", i))
		cfg.OffsetsCommitMaxRetries = tc.retries
		cfg.OffsetsChannelBackoff = time.Millisecond
		bc := newBalanced(t, c, "retries", cfg)
		waitAssignment(t, 1, bc)
		inj := cl.InjectError(protocol.KeyOffsetCommit, int16(protocol.CoordinatorLoadInProgress), tc.failures)
		err := bc.CommitPartitionOffsets(testCtx(t), map[int32]int64{0: 1})
		attempts := inj.Hits()
		inj.Remove()
		require.NoError(t, bc.Close())
		if tc.wantErr {
			require.ErrorIs(t, err, kafka.ErrCoordinatorLoadInProgress, "%+v", tc)
		} else {
			require.NoError(t, err, "%+v", tc)
		}
		retries := max(tc.retries, 0)
		if tc.retries == 0 {
			retries = 5
		}
		require.Equal(t, min(tc.failures, retries+1), attempts, "%+v: one attempt and the retries", tc)
	}
}
