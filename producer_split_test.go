package kafka_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestBatchOverBrokerLimitIsSplit: a topic whose max.message.bytes is far
// below BatchBytes refuses the producer's batches as too large; they are
// split until they fit, and every message arrives once, in order, even
// though the application overwrote its buffer after each Produce.
func TestBatchOverBrokerLimitIsSplit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  kafka.ProducerConfig
	}{
		{"idempotent", kafka.ProducerConfig{}},
		{"plain", kafka.ProducerConfig{DisableIdempotence: true, RequiredAcks: kafka.AcksLeader}},
		{"zstd", kafka.ProducerConfig{Compression: kafka.CompressionZstd}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := kafkatest.NewBackend(t)
			kafkatest.SkipOnMock(t, "no topic configs (max.message.bytes)")
			name := b.NewTopicWithConfigs("small", 1, map[string]string{"max.message.bytes": "20000"})
			c := newClient(t, kafka.Config{Hosts: b.Addrs()})
			var (
				mu      sync.Mutex
				reports []kafka.DeliveryReport
			)
			cfg := tc.cfg
			cfg.Linger = 200 * time.Millisecond // one big batch first
			cfg.OnDelivery = func(r kafka.DeliveryReport) {
				mu.Lock()
				reports = append(reports, r)
				mu.Unlock()
			}
			p := newProducer(t, c, name, cfg)
			const n = 300
			r := rand.New(rand.NewPCG(1, 2))
			buf := make([]byte, 1000)
			sent := make([][]byte, n)
			for i := range n {
				for j := range buf {
					buf[j] = byte(r.Uint32()) // random, so that zstd cannot make the batch fit
				}
				copy(buf, fmt.Sprintf("%04d", i))
				sent[i] = bytes.Clone(buf)
				require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: buf}))
			}
			big := make([]byte, 30000)
			for j := range big {
				big[j] = byte(r.Uint32())
			}
			require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: big}))
			require.Error(t, p.Flush(testCtx(t)), "the one message over the limit fails")

			mu.Lock()
			defer mu.Unlock()
			require.Len(t, reports, n+1)
			failed := 0
			for _, rep := range reports {
				if rep.Err != nil {
					failed++
					require.ErrorIs(t, rep.Err, kafka.ErrMessageTooLarge)
					require.Len(t, rep.Message.Value, 30000)
				}
			}
			require.Equal(t, 1, failed)
			recs := readAll(t, b.Addrs(), name, n)
			require.Len(t, recs, n, "each message once")
			for i, rec := range recs {
				require.Equal(t, sent[i], rec.Value, "message %d in order and intact", i)
			}
		})
	}
}
