package kafka_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// TestFinalFailureDoesNotDuplicate: Produce requests whose batch for one
// partition is refused for good (INVALID_RECORD) make the idempotent
// producer renew its epoch. Batches of other partitions, and later ones
// of the same partition, must still be written exactly once and in order:
// a batch the broker may already hold must not be sent again under the new
// epoch, where the broker cannot recognise it.
func TestFinalFailureDoesNotDuplicate(t *testing.T) {
	t.Parallel()
	const (
		n      = 10_000
		faults = 10
		every  = n / (faults + 1) // reports between two faults
	)
	cl := kafkatest.NeedsKfake(t, "injects errors", kafkatest.Topic("refused", 3))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 5 * time.Millisecond})
	var (
		mu        sync.Mutex
		delivered = map[int32][]int{} // values acknowledged, per partition
		failed    int
		reports   atomic.Int64
		progress  = make(chan struct{}, 1)
	)
	p := newProducer(t, c, "refused", kafka.ProducerConfig{
		Linger:       time.Millisecond,
		RetryBackoff: 5 * time.Millisecond,
		Partitioner:  kafka.NewRoundRobinPartitioner(),
		OnDelivery: func(r kafka.DeliveryReport) {
			mu.Lock()
			if r.Err != nil {
				failed++
			} else {
				v, _ := strconv.Atoi(string(r.Message.Value))
				delivered[r.Message.Partition] = append(delivered[r.Message.Partition], v)
			}
			mu.Unlock()
			if reports.Add(1)%every == 0 {
				select {
				case progress <- struct{}{}:
				default:
				}
			}
		},
	})

	// One fault at a time, each after the previous was hit and more
	// messages were reported, so that they are spread over the run.
	injected := make(chan int, 1)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	go func() {
		hits := 0
		defer func() { injected <- hits }()
		for range faults {
			inj := cl.InjectPartitionError(protocol.KeyProduce, "refused", 0, int16(protocol.InvalidRecord), 1)
			if inj.Wait(ctx, 1) != nil {
				inj.Remove()
				return
			}
			hits++
			select {
			case <-progress:
			case <-ctx.Done():
				return
			}
		}
	}()
	for i := range n {
		require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: []byte(strconv.Itoa(i))}))
	}
	require.ErrorIs(t, p.Flush(testCtx(t)), kafka.ErrInvalidRecord)
	cancel()
	hits := <-injected
	require.Positive(t, hits, "faults were hit")

	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, int64(n), reports.Load(), "one report per message")
	require.Positive(t, failed, "some batches were refused")
	total := 0
	for _, vs := range delivered {
		total += len(vs)
	}
	require.Equal(t, n-failed, total)

	recs := readAll(t, cl.Addrs(), "refused", total)
	stored := map[int32][]int{}
	for _, r := range recs {
		v, err := strconv.Atoi(string(r.Value))
		require.NoError(t, err)
		stored[r.Partition] = append(stored[r.Partition], v)
	}
	for part, vs := range stored {
		seen := map[int]bool{}
		dups, disorder := 0, 0
		for i, v := range vs {
			if seen[v] {
				dups++
			}
			seen[v] = true
			if i > 0 && v <= vs[i-1] {
				disorder++
			}
		}
		require.Zero(t, dups, "partition %d: duplicates", part)
		require.Zero(t, disorder, "partition %d: out of order", part)
		require.Equal(t, fmt.Sprint(delivered[part]), fmt.Sprint(vs), "partition %d holds what was reported delivered", part)
	}
}

// TestUnknownOutcomeSettledBeforeBump: a batch whose request timed out may
// be in the broker's log. When another partition's batch then fails
// (INVALID_RECORD, refused for good) or needs a new epoch (a sequence
// error), the first batch must be sent again under its old identity, where
// the broker recognises it, and not renumbered under a new epoch, where the
// broker would write it a second time.
func TestUnknownOutcomeSettledBeforeBump(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		code   protocol.ErrorCode
		want   error // what the other partition's message ends with
		stored int   // records in the topic at the end
	}{
		{"refused", protocol.InvalidRecord, kafka.ErrInvalidRecord, 4},
		{"sequence", protocol.OutOfOrderSequenceNumber, nil, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := kafkatest.NeedsKfake(t, "delays and moves leaders", kafkatest.Topic("limbo", 2))
			// Partitions on two brokers, so that the delayed connection
			// does not hold up the other partition's requests.
			l0, err := cl.Leader("limbo", 0)
			require.NoError(t, err)
			require.NoError(t, cl.MoveLeader("limbo", 1, (l0+1)%3))
			// The request times out after 1.1s; the broker writes it
			// after 2.5s; the retry comes after a backoff of at least
			// 3.75s (equal jitter on 7.5s), so after that write. (A
			// shorter RequestTimeout, 200ms, let a loaded machine time
			// out the other partition's request too, after the broker
			// had refused it, and its retry went through.)
			c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RequestTimeout: time.Second})
			p := newProducer(t, c, "limbo", kafka.ProducerConfig{
				Partitioner:  kafka.NewManualPartitioner(),
				AckTimeout:   100 * time.Millisecond,
				RetryBackoff: 7500 * time.Millisecond,
			})
			for part := range int32(2) {
				_, err := p.ProduceSync(testCtx(t), kafka.Message{Partition: part, Value: []byte("warm-up")})
				require.NoError(t, err)
			}
			delay := cl.Delay(protocol.KeyProduce, 2500*time.Millisecond, 1)
			limbo := make(chan error, 1)
			go func() {
				msg, err := p.ProduceSync(testCtx(t), kafka.Message{Partition: 0, Value: []byte("once")})
				if err == nil && msg.Offset != 1 {
					err = fmt.Errorf("stored at offset %d, want 1", msg.Offset)
				}
				limbo <- err
			}()
			require.NoError(t, delay.Wait(testCtx(t), 1))
			cl.InjectPartitionError(protocol.KeyProduce, "limbo", 1, int16(tc.code), 1)
			_, err = p.ProduceSync(testCtx(t), kafka.Message{Partition: 1, Value: []byte("other")})
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
			} else {
				require.NoError(t, err)
			}
			require.NoError(t, <-limbo)
			_, err = p.ProduceSync(testCtx(t), kafka.Message{Partition: 0, Value: []byte("after")})
			require.NoError(t, err)

			var got []string
			for _, r := range readAll(t, cl.Addrs(), "limbo", tc.stored) {
				if r.Partition == 0 {
					got = append(got, string(r.Value))
				}
			}
			require.Equal(t, []string{"warm-up", "once", "after"}, got, "partition 0: each message once, in order")
		})
	}
}

// TestProducerIDFailureNamesTheCause: messages that cannot be sent for
// want of a producer ID fail with the reason the brokers gave: at once when
// waiting cannot help, at DeliveryTimeout otherwise.
func TestProducerIDFailureNamesTheCause(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "injects faults", kafkatest.Topic("noid", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})

	denied := cl.InjectFault(kafkatest.Fault{APIs: []int16{protocol.KeyInitProducerID}, TopLevel: true,
		Code: int16(protocol.ClusterAuthorizationFailed), Times: kafkatest.Always})
	p := newProducer(t, c, "noid", kafka.ProducerConfig{RetryBackoff: 10 * time.Millisecond})
	_, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("denied")})
	require.ErrorIs(t, err, kafka.ErrClusterAuthorizationFailed, "failed at once, not at DeliveryTimeout")
	require.Positive(t, denied.Hits())
	denied.Remove()
	msg, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("allowed")})
	require.NoError(t, err, "asked again for the next message")
	require.Equal(t, int64(0), msg.Offset)

	busy := cl.InjectFault(kafkatest.Fault{APIs: []int16{protocol.KeyInitProducerID}, TopLevel: true,
		Code: int16(protocol.CoordinatorNotAvailable), Times: kafkatest.Always})
	defer busy.Remove()
	// DeliveryTimeout ends the message while the producer is still retrying
	// within RequestTimeout: the report names the latest answer even so.
	q := newProducer(t, c, "noid", kafka.ProducerConfig{RetryBackoff: 10 * time.Millisecond, DeliveryTimeout: 2 * time.Second})
	_, err = q.ProduceSync(testCtx(t), kafka.Message{Value: []byte("late")})
	require.ErrorIs(t, err, kafka.ErrRequestTimedOut)
	require.ErrorIs(t, err, kafka.ErrCoordinatorNotAvailable, "the report names why")
}

// TestMessageNotLostToABatchBeingFailed: while the reports of an open batch
// that failed (here: no producer ID could be had) are still being handed
// out, a new message for the partition goes to a new batch, not into the
// failing one, where it would be dropped without a report.
func TestMessageNotLostToABatchBeingFailed(t *testing.T) {
	cl := kafkatest.NeedsKfake(t, "injects faults", kafkatest.Topic("dying", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
	denied := cl.InjectFault(kafkatest.Fault{APIs: []int16{protocol.KeyInitProducerID}, TopLevel: true,
		Code: int16(protocol.ClusterAuthorizationFailed), Times: kafkatest.Always})
	var (
		started = make(chan struct{})
		release = make(chan struct{})
		once    sync.Once
		reports = make(chan kafka.DeliveryReport, 2)
	)
	unblock := func() { once.Do(func() { close(release) }) }
	p := newProducer(t, c, "dying", kafka.ProducerConfig{
		RetryBackoff: 10 * time.Millisecond,
		OnDelivery: func(r kafka.DeliveryReport) {
			if string(r.Message.Value) == "denied" {
				close(started)
				<-release
			}
			reports <- r
		},
	})
	t.Cleanup(unblock) // before the producer's Close, even after a failure

	require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: []byte("denied")}))
	select {
	case <-started:
	case <-testCtx(t).Done():
		t.Fatal("the first message was never reported")
	}
	denied.Remove()
	require.NoError(t, p.Produce(testCtx(t), kafka.Message{Value: []byte("allowed")}))
	unblock()

	first := <-reports
	require.Equal(t, "denied", string(first.Message.Value))
	require.ErrorIs(t, first.Err, kafka.ErrClusterAuthorizationFailed)
	select {
	case r := <-reports:
		require.Equal(t, "allowed", string(r.Message.Value))
		require.NoError(t, r.Err)
	case <-testCtx(t).Done():
		t.Fatal("the second message was lost: no report")
	}
}

// TestLostAnswerPastSequenceIsDelivered: a batch the broker wrote but whose
// answer was lost is sent again, and the broker answers
// OUT_OF_ORDER_SEQUENCE_NUMBER (it no longer recognises the batch as a
// duplicate, having moved past its sequence) while every earlier batch is
// acknowledged. The batch was written: it is reported delivered, at an
// unknown offset (-1), and not renumbered under a new epoch, which would
// write it a second time.
func TestLostAnswerPastSequenceIsDelivered(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "drops an answer and fakes the broker's answer to the retry", kafkatest.Topic("lost", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs(), RetryBackoff: 10 * time.Millisecond})
	p := newProducer(t, c, "lost", kafka.ProducerConfig{
		Partitioner:  kafka.NewManualPartitioner(),
		RetryBackoff: 500 * time.Millisecond, // time to install the fault for the retry
	})
	_, err := p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("warm-up")})
	require.NoError(t, err)

	drop := cl.DropResponse(protocol.KeyProduce, 1)
	done := make(chan error, 1)
	var got kafka.Message
	go func() {
		var err error
		got, err = p.ProduceSync(testCtx(t), kafka.Message{Value: []byte("once")})
		done <- err
	}()
	require.NoError(t, drop.Wait(testCtx(t), 1), "the first attempt was written and its answer dropped")
	ooo := cl.InjectPartitionError(protocol.KeyProduce, "lost", 0, int16(protocol.OutOfOrderSequenceNumber), 1)
	require.NoError(t, <-done)
	require.Equal(t, 1, ooo.Hits(), "the retry met the out-of-order answer")
	require.Equal(t, int64(-1), got.Offset, "stored, where unknown")

	var values []string
	for _, r := range readAll(t, cl.Addrs(), "lost", 2) {
		values = append(values, string(r.Value))
	}
	require.Equal(t, []string{"warm-up", "once"}, values, "each message stored once")
	tp, err := c.Topic(testCtx(t), "lost")
	require.NoError(t, err)
	latest, err := tp.LatestAvailableOffsets(testCtx(t))
	require.NoError(t, err)
	require.Equal(t, int64(2), latest[0], "nothing stored after them")
}
