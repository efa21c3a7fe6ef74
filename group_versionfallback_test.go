package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// versionBreaker makes a kfake cluster behave like a broker that advertises
// group API versions it cannot read (as librdkafka 2.11's mock does), and
// records the version of every group request it receives, in order.
type versionBreaker struct {
	cl *kfake.Cluster
	mu sync.Mutex
	// seen lists, per API key, the versions received, in order.
	seen map[int16][]int16
}

func newVersionBreaker(t *testing.T, opts ...kfake.Opt) *versionBreaker {
	t.Helper()
	cl, err := kfake.NewCluster(opts...)
	require.NoError(t, err)
	t.Cleanup(cl.Close)
	return &versionBreaker{cl: cl, seen: map[int16][]int16{}}
}

// breakFrom makes requests with key at version from or newer fail: the
// connection is closed (answer nil), or answer's response is written. times
// limits how many (-1: all).
func (v *versionBreaker) breakFrom(key kmsg.Key, from int16, times int, answer func(kmsg.Request) kmsg.Response) {
	v.cl.ControlKey(int16(key), func(req kmsg.Request) (kmsg.Response, error, bool) {
		v.cl.KeepControl()
		v.mu.Lock()
		v.seen[int16(key)] = append(v.seen[int16(key)], req.GetVersion())
		broken := req.GetVersion() >= from && times != 0
		if broken && times > 0 {
			times--
		}
		v.mu.Unlock()
		switch {
		case !broken:
			return nil, nil, false // handled as usual
		case answer == nil:
			return nil, errors.New("versionBreaker: cannot read this version"), true // closes the connection
		default:
			return answer(req), nil, true
		}
	})
}

func (v *versionBreaker) versions(key kmsg.Key) []int16 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.seen[int16(key)])
}

// warnings is a slog.Handler that keeps the warnings logged.
type warnings struct {
	mu   sync.Mutex
	apis []string // the "api" attribute of each version fallback warning
	msgs []string // every warning, with its attributes
}

func (w *warnings) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler           { return w }
func (w *warnings) WithGroup(string) slog.Handler                { return w }
func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	api := ""
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "api" {
			api = a.Value.String()
		}
		return true
	})
	if strings.Contains(r.Message, "cannot read a version") {
		w.apis = append(w.apis, api)
	}
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool { msg += fmt.Sprintf(" %s=%v", a.Key, a.Value); return true })
	w.msgs = append(w.msgs, msg)
	return nil
}

func (w *warnings) list() ([]string, []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.apis), slices.Clone(w.msgs)
}

// requireFallback checks that a broker's first two requests of key came
// above fallback, closed on, and every later one at fallback.
func requireFallback(t *testing.T, key kmsg.Key, got []int16, fallback int16) {
	t.Helper()
	require.GreaterOrEqual(t, len(got), 3, "%v: versions %v", key, got)
	require.Greater(t, got[0], fallback, "%v: versions %v", key, got)
	require.Equal(t, got[0], got[1], "%v: once more at the same version after the first close: %v", key, got)
	for _, v := range got[2:] {
		require.Equal(t, fallback, v, "%v: versions %v", key, got)
	}
}

// TestGroupVersionFallback: against a broker that closes the connection on
// JoinGroup v6+ and SyncGroup v4+, and answers LeaveGroup v3+ in v2's
// shape (librdkafka 2.11's mock, issue 15), a group still forms: after two
// closed JoinGroups the group APIs step down together to their last
// old-shape versions (JoinGroup v5, SyncGroup v3, LeaveGroup v2), one
// warning says so, and the members consume every message exactly once and
// leave cleanly.
func TestGroupVersionFallback(t *testing.T) {
	t.Parallel()
	if kafkatest.External() {
		t.Skip("breaks group API versions through kfake controls; KAFKA_BROKERS is set")
	}
	const topic, parts, n = "fallback", 4, 200
	v := newVersionBreaker(t, kfake.NumBrokers(1), kfake.SeedTopics(parts, topic))
	v.breakFrom(kmsg.JoinGroup, 6, -1, nil)
	v.breakFrom(kmsg.SyncGroup, 4, -1, nil)
	v.breakFrom(kmsg.LeaveGroup, 3, -1, leaveShapeV2)
	var warned warnings
	c := newClient(t, kafka.Config{Hosts: v.cl.ListenAddrs(), Logger: slog.New(&warned)})

	// One member first, so that the versions each request came at are in
	// a known order; the second uses the capped versions from the start.
	a := newBalanced(t, c, topic, groupConfig("g"))
	waitAssignment(t, parts, a)
	b := newBalanced(t, c, topic, groupConfig("g"))
	owned := waitAssignment(t, parts, a, b)
	requireFallback(t, kmsg.JoinGroup, v.versions(kmsg.JoinGroup), 5)
	// SyncGroup and LeaveGroup were capped with JoinGroup: never sent
	// above their fallbacks (librdkafka 2.11's mock crashes on SyncGroup v4).
	syncs := v.versions(kmsg.SyncGroup)
	require.NotEmpty(t, syncs)
	for _, ver := range syncs {
		require.Equal(t, int16(3), ver, "SyncGroup versions %v", syncs)
	}

	tp, err := c.Topic(testCtx(t), topic)
	require.NoError(t, err)
	p, err := tp.Producer(testCtx(t), kafka.ProducerConfig{DeliveryReports: true})
	require.NoError(t, err)
	defer p.Close()
	produced := produceN(t, p, n, time.Now())

	// Both consume until every message arrived; each must come from a
	// partition of its own consumer, and once.
	ctx, cancel := context.WithTimeout(testCtx(t), 20*time.Second)
	defer cancel()
	var mu sync.Mutex
	got := map[string]int{}
	var wrong []string
	var wg sync.WaitGroup
	for i, bc := range []*kafka.BalancedConsumer{a, b} {
		wg.Go(func() {
			for {
				msg, err := bc.Consume(ctx)
				if err != nil {
					return // ctx ended: all were consumed, or the check below fails
				}
				mu.Lock()
				got[string(msg.Value)]++
				if !slices.Contains(owned[i], msg.Partition) {
					wrong = append(wrong, fmt.Sprintf("%s from partition %d, not of consumer %d %v", msg.Value, msg.Partition, i, owned[i]))
				}
				if len(got) == n {
					cancel() // and let the other see it: a duplicate after this is not caught, one before is
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, got, n, "every message consumed")
	for val, k := range got {
		require.Equal(t, 1, k, "message %s consumed %d times", val, k)
		require.Contains(t, produced, val)
	}
	require.Empty(t, wrong)
	for i, bc := range []*kafka.BalancedConsumer{a, b} {
		quiet, stop := context.WithTimeout(testCtx(t), 300*time.Millisecond)
		msg, err := bc.Consume(quiet)
		stop()
		require.Error(t, err, "consumer %d got %s again", i, msg.Value)
	}

	// b leaves at v2, and a takes every partition.
	require.NoError(t, b.Close())
	require.Equal(t, []int16{2}, v.versions(kmsg.LeaveGroup))
	waitAssignment(t, parts, a)

	apis, msgs := warned.list()
	require.Equal(t, []string{"JoinGroup"}, apis, "one warning: %q", msgs)
	require.Contains(t, msgs[0], "SyncGroup v3")
	require.Contains(t, msgs[0], "LeaveGroup v2")
}

// leaveShapeV2 answers a LeaveGroup as librdkafka 2.11's mock does one of
// v3+: read as v2 (the member ID taken from the members array's bytes, so
// not found), answered without v3's members.
func leaveShapeV2(kmsg.Request) kmsg.Response {
	resp := kmsg.NewPtrLeaveGroupResponse()
	resp.Version = 2
	resp.ErrorCode = int16(protocol.UnknownMemberID)
	return resp
}

// TestGroupVersionFallbackOnUndecodableAnswer: a LeaveGroup answered with
// bytes that do not decode at the version sent is sent again at v2 at
// once, so the member does leave.
func TestGroupVersionFallbackOnUndecodableAnswer(t *testing.T) {
	if kafkatest.External() {
		t.Skip("answers through a kfake control; KAFKA_BROKERS is set")
	}
	v := newVersionBreaker(t, kfake.NumBrokers(1), kfake.SeedTopics(2, "leave"))
	v.breakFrom(kmsg.LeaveGroup, 3, -1, leaveShapeV2)
	var warned warnings
	c := newClient(t, kafka.Config{Hosts: v.cl.ListenAddrs(), Logger: slog.New(&warned)})
	a := newBalanced(t, c, "leave", groupConfig("g"))
	b := newBalanced(t, c, "leave", groupConfig("g"))
	waitAssignment(t, 2, a, b)
	require.NoError(t, b.Close())
	leaves := v.versions(kmsg.LeaveGroup)
	require.Len(t, leaves, 2, "one LeaveGroup above v2, then one at v2: %v", leaves)
	require.Greater(t, leaves[0], int16(2))
	require.Equal(t, int16(2), leaves[1])
	waitAssignment(t, 2, a) // b left: a has both at once, not after b's session timeout
	apis, msgs := warned.list()
	require.Equal(t, []string{"LeaveGroup"}, apis, "%q", msgs)
}

// TestGroupVersionNotCappedByOneClose: a broker that closes one JoinGroup
// connection (as one that restarts may) does not cost the member its
// newest version: it joins again at the same version, and nothing is
// logged.
func TestGroupVersionNotCappedByOneClose(t *testing.T) {
	if kafkatest.External() {
		t.Skip("closes a connection through a kfake control; KAFKA_BROKERS is set")
	}
	v := newVersionBreaker(t, kfake.NumBrokers(1), kfake.SeedTopics(2, "once"))
	v.breakFrom(kmsg.JoinGroup, 6, 1, nil)
	var warned warnings
	c := newClient(t, kafka.Config{Hosts: v.cl.ListenAddrs(), Logger: slog.New(&warned)})
	a := newBalanced(t, c, "once", groupConfig("g"))
	waitAssignment(t, 2, a)
	joins := v.versions(kmsg.JoinGroup)
	require.GreaterOrEqual(t, len(joins), 2, "closed once, then joined: %v", joins)
	for _, ver := range joins {
		require.Equal(t, joins[0], ver, "every JoinGroup at the newest version: %v", joins)
	}
	require.Greater(t, joins[0], int16(5))
	apis, msgs := warned.list()
	require.Empty(t, apis, "no version fallback: %q", msgs)
}
