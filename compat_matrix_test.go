package kafka_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The compatibility matrix: every feature of the library against kafkatest
// clusters that emulate older Kafka releases (kfake capped with franz-go's
// kversion tables), with and without Config.BrokerVersion. The result is
// docs/compatibility.md, between the markers below: with
// GOKAFKA_WRITE_MATRIX=1 the test writes it, otherwise it checks that the
// document still says what the test found.

const (
	matrixDoc   = "docs/compatibility.md"
	matrixBegin = "<!-- matrix:begin (written by TestCompatibilityMatrix; do not edit by hand) -->"
	matrixEnd   = "<!-- matrix:end -->"
	matrixEnv   = "GOKAFKA_WRITE_MATRIX"
)

// matrixReleases are the releases the matrix covers, oldest first.
var matrixReleases = []string{"0.11", "1.0", "1.1", "2.0", "2.1", "2.4", "2.8", "3.0", "3.5", "3.7", "4.0"}

// A matrixRow is one cluster release and one client configuration.
type matrixRow struct {
	release string // the cluster's Kafka release
	pin     string // Config.BrokerVersion, "" to negotiate
}

// matrixEnvT is what one row's checks share.
type matrixEnvT struct {
	client  *kafka.Client
	addrs   []string
	prefix  string    // topic and group names of this row
	start   time.Time // before anything was produced
	mu      sync.Mutex
	written []string // values acknowledged by the codec checks
}

func (e *matrixEnvT) name(s string) string { return e.prefix + s }

// seed writes value to the codecs topic with franz-go.
func (e *matrixEnvT) seed(ctx context.Context, value string) error {
	k, err := kgo.NewClient(kgo.SeedBrokers(e.addrs...))
	if err != nil {
		return err
	}
	defer k.Close()
	return k.ProduceSync(ctx, &kgo.Record{Topic: e.name("codecs"), Value: []byte(value)}).FirstErr()
}

// A matrixCheck is one column: a feature, the release it needs, and how to
// try it.
type matrixCheck struct {
	col  string
	need string // the oldest release with the feature
	run  func(ctx context.Context, e *matrixEnvT) error
}

func produceCheck(codec kafka.Compression, need string) matrixCheck {
	return matrixCheck{col: "produce " + codec.String(), need: need, run: func(ctx context.Context, e *matrixEnvT) error {
		tp, err := e.client.Topic(ctx, e.name("codecs"))
		if err != nil {
			return err
		}
		p, err := tp.Producer(ctx, kafka.ProducerConfig{Compression: codec, Linger: time.Millisecond})
		if err != nil {
			return err
		}
		defer p.Close()
		var vals []string
		for i := range 3 {
			v := fmt.Sprintf("%s-%d", codec, i)
			if _, err := p.ProduceSync(ctx, kafka.Message{Value: []byte(v)}); err != nil {
				return err
			}
			vals = append(vals, v)
		}
		e.mu.Lock()
		e.written = append(e.written, vals...)
		e.mu.Unlock()
		return nil
	}}
}

var matrixChecks = []matrixCheck{
	produceCheck(kafka.CompressionNone, "0.11"),
	produceCheck(kafka.CompressionGzip, "0.11"),
	produceCheck(kafka.CompressionSnappy, "0.11"),
	produceCheck(kafka.CompressionLZ4, "0.11"),
	produceCheck(kafka.CompressionZstd, "2.1"),
	{col: "consume", need: "0.11", run: func(ctx context.Context, e *matrixEnvT) error {
		tp, err := e.client.Topic(ctx, e.name("codecs"))
		if err != nil {
			return err
		}
		c, err := tp.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{AutoOffsetReset: kafka.OffsetEarliest, FetchWaitMax: 50 * time.Millisecond})
		if err != nil {
			return err
		}
		defer c.Close()
		e.mu.Lock()
		want := strings.Join(e.written, " ")
		n := len(e.written)
		e.mu.Unlock()
		if n == 0 {
			// Our producer could not write (a pinned pre-0.11 table):
			// consume what an independent client wrote.
			if err := e.seed(ctx, "seeded"); err != nil {
				return err
			}
			want, n = "seeded", 1
		}
		var got []string
		for range n {
			m, err := c.Consume(ctx)
			if err != nil {
				return err
			}
			got = append(got, string(m.Value))
		}
		if strings.Join(got, " ") != want {
			return fmt.Errorf("consumed %q, want %q", got, want)
		}
		return nil
	}},
	{col: "group offsets", need: "0.11", run: func(ctx context.Context, e *matrixEnvT) error {
		tp, err := e.client.Topic(ctx, e.name("codecs"))
		if err != nil {
			return err
		}
		cfg := kafka.SimpleConsumerConfig{ConsumerGroup: e.name("offsets")}
		c, err := tp.SimpleConsumer(ctx, cfg)
		if err != nil {
			return err
		}
		err = c.CommitPartitionOffsets(ctx, map[int32]int64{0: 2})
		c.Close()
		if err != nil {
			return err
		}
		c, err = tp.SimpleConsumer(ctx, cfg)
		if err != nil {
			return err
		}
		defer c.Close()
		got, err := c.FetchOffsets(ctx)
		if err != nil {
			return err
		}
		if got[0] != 2 {
			return fmt.Errorf("fetched offsets %v, want partition 0 at 2", got)
		}
		return nil
	}},
	{col: "balanced consumer", need: "0.11", run: func(ctx context.Context, e *matrixEnvT) error {
		tp, err := e.client.Topic(ctx, e.name("codecs"))
		if err != nil {
			return err
		}
		bc, err := tp.BalancedConsumer(ctx, kafka.BalancedConsumerConfig{
			ConsumerGroup:     e.name("balanced"),
			AutoOffsetReset:   kafka.OffsetEarliest,
			FetchWaitMax:      50 * time.Millisecond,
			HeartbeatInterval: 100 * time.Millisecond,
			SessionTimeout:    6 * time.Second,
			RebalanceTimeout:  3 * time.Second,
			RebalanceBackoff:  50 * time.Millisecond,
		})
		if err != nil {
			return err
		}
		defer bc.Close()
		if _, err := bc.Consume(ctx); err != nil {
			return err
		}
		return bc.CommitOffsets(ctx)
	}},
	{col: "offsets by time", need: "0.11", run: func(ctx context.Context, e *matrixEnvT) error {
		tp, err := e.client.Topic(ctx, e.name("codecs"))
		if err != nil {
			return err
		}
		got, err := tp.OffsetsForTime(ctx, e.start)
		if err != nil {
			return err
		}
		if o, ok := got[0]; !ok || o != 0 {
			return fmt.Errorf("offsets for the time before the first message: %v, want partition 0 at 0", got)
		}
		return nil
	}},
	{col: "create topic", need: "0.11", run: func(ctx context.Context, e *matrixEnvT) error {
		return e.client.CreateTopic(ctx, e.name("made"), kafka.TopicConfig{Partitions: 1})
	}},
	{col: "create partitions", need: "1.0", run: func(ctx context.Context, e *matrixEnvT) error {
		return e.client.CreatePartitions(ctx, e.name("grow"), 2)
	}},
	{col: "delete topic", need: "0.11", run: func(ctx context.Context, e *matrixEnvT) error {
		return e.client.DeleteTopic(ctx, e.name("doomed"))
	}},
}

// matrixSentinels name the typed errors a cell may report.
var matrixSentinels = []struct {
	name string
	err  error
}{
	{"ErrUnsupportedCompressionType", kafka.ErrUnsupportedCompressionType},
	{"ErrUnsupportedVersion", kafka.ErrUnsupportedVersion},
	{"ErrInvalidRequest", kafka.ErrInvalidRequest},
	{"ErrSocketDisconnected", kafka.ErrSocketDisconnected},
	{"context.DeadlineExceeded", context.DeadlineExceeded},
}

var (
	needsRE  = regexp.MustCompile(`needs Kafka (\d+\.\d+(?:\.\d+)?) or newer`)
	addrRE   = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	closedRE = regexp.MustCompile(`closed the connection without answering (\w+)`)
)

// matrixCell turns a check's outcome into a table cell that does not
// change from run to run.
func matrixCell(err error) string {
	if err == nil {
		return "ok"
	}
	var name string
	for _, s := range matrixSentinels {
		if errors.Is(err, s.err) {
			name = s.name
			break
		}
	}
	if m := needsRE.FindStringSubmatch(err.Error()); m != nil && name != "" {
		return fmt.Sprintf("needs Kafka ≥ %s (%s)", m[1], name)
	}
	if m := closedRE.FindStringSubmatch(err.Error()); m != nil && name == "ErrSocketDisconnected" {
		return fmt.Sprintf("broker closed the connection on %s (%s)", m[1], name)
	}
	msg := addrRE.ReplaceAllString(err.Error(), "BROKER")
	msg = strings.ReplaceAll(msg, "|", `\|`)
	if name != "" {
		return fmt.Sprintf("fails: %s (%s)", msg, name)
	}
	return "fails: " + msg
}

// matrixVersions records every version of every API a client sends.
type matrixVersions struct {
	mu   sync.Mutex
	used map[string]map[int16]bool
}

func (r *matrixVersions) OnBrokerRequest(e kafka.BrokerRequestEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.used == nil {
		r.used = make(map[string]map[int16]bool)
	}
	if r.used[e.API] == nil {
		r.used[e.API] = make(map[int16]bool)
	}
	r.used[e.API][e.Version] = true
}

// advertised asks the cluster, with franz-go, which versions it serves.
func advertised(t *testing.T, cl *kafkatest.Cluster) map[int16]int16 {
	k, err := kgo.NewClient(kgo.SeedBrokers(cl.Addrs()...))
	require.NoError(t, err)
	defer k.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := kmsg.NewPtrApiVersionsRequest().RequestWith(ctx, k)
	require.NoError(t, err)
	out := make(map[int16]int16, len(resp.ApiKeys))
	for _, k := range resp.ApiKeys {
		out[k.ApiKey] = k.MaxVersion
	}
	return out
}

// checkVersions fails unless every request went out at the newest version
// both the client and the cluster speak.
func checkVersions(t *testing.T, rec *matrixVersions, served map[int16]int16) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.NotEmpty(t, rec.used)
	for key := int16(0); key < 200; key++ {
		api := protocol.LookupAPI(key)
		if api == nil || rec.used[api.Name] == nil {
			continue
		}
		want := min(api.MaxVersion, served[key])
		for v := range rec.used[api.Name] {
			require.Equal(t, want, v, "%s: the cluster serves up to v%d, the client up to v%d", api.Name, served[key], api.MaxVersion)
		}
	}
}

// runMatrixRow runs every check against one cluster configuration.
func runMatrixRow(t *testing.T, cl *kafkatest.Cluster, row matrixRow, prefix string, served map[int16]int16) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rec := &matrixVersions{}
	if row.pin == "" || strings.HasPrefix(row.pin, row.release) {
		defer checkVersions(t, rec, served)
	}
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: cl.Addrs(), BrokerVersion: row.pin, RequestTimeout: 5 * time.Second, Hooks: []kafka.Hook{rec}})
	if err != nil {
		cells := make([]string, len(matrixChecks))
		for i := range cells {
			cells[i] = matrixCell(fmt.Errorf("NewClient: %w", err))
		}
		return cells
	}
	defer client.Close()
	e := &matrixEnvT{client: client, addrs: cl.Addrs(), prefix: prefix, start: time.Now().Add(-time.Second)}
	cells := make([]string, len(matrixChecks))
	for i, ch := range matrixChecks {
		t.Run(ch.col, func(t *testing.T) {
			// Generous: a cell that fails backs off between attempts,
			// seconds on a loaded machine; one that hangs still shows.
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			err := ch.run(cctx, e)
			cells[i] = matrixCell(err)
			t.Log(cells[i])
			if row.pin != "" && !strings.HasPrefix(row.pin, row.release) {
				// A pin that does not match the cluster: recorded, and
				// judged only on failing without hanging.
				require.NotErrorIs(t, err, context.DeadlineExceeded)
				return
			}
			if olderRelease(row.release, ch.need) {
				require.Error(t, err, "%s needs Kafka %s: it must fail on %s", ch.col, ch.need, row.release)
				require.Equal(t, fmt.Sprintf("needs Kafka ≥ %s", ch.need), strings.SplitN(cells[i], " (", 2)[0],
					"the error must name the release needed: %v", err)
			} else {
				require.NoError(t, err)
			}
		})
	}
	return cells
}

// olderRelease reports whether release a predates b ("major.minor").
func olderRelease(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range 2 {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return false
}

func TestCompatibilityMatrix(t *testing.T) {
	if kafkatest.External() {
		// Skipped here, not only in the subtests: the table below needs
		// every row.
		kafkatest.NeedsKfake(t, "emulates each Kafka release by capping the versions it serves (MaxVersions)")
	}
	t.Parallel()
	var rows []matrixRow
	for _, r := range matrixReleases {
		rows = append(rows, matrixRow{release: r}, matrixRow{release: r, pin: r})
	}
	// The pinned tables (brokers before 0.10) against the oldest cluster
	// kfake can emulate: it cannot serve their versions, but the failure
	// must be clear.
	rows = append(rows, matrixRow{release: "0.11", pin: "0.9.0"}, matrixRow{release: "0.11", pin: "0.8.2"})

	results := make([][]string, len(rows))
	t.Run("releases", func(t *testing.T) {
		for _, r := range matrixReleases {
			t.Run(r, func(t *testing.T) {
				t.Parallel()
				var opts []kafkatest.Option
				opts = append(opts, kafkatest.NumBrokers(1), kafkatest.Version(r))
				for i, row := range rows {
					if row.release != r {
						continue
					}
					p := fmt.Sprintf("r%d-", i)
					opts = append(opts, kafkatest.Topic(p+"codecs", 1), kafkatest.Topic(p+"grow", 1), kafkatest.Topic(p+"doomed", 1))
				}
				cl := kafkatest.NeedsKfake(t, "emulates each Kafka release by capping the versions it serves (MaxVersions)", opts...)
				served := advertised(t, cl)
				var wg sync.WaitGroup
				for i, row := range rows {
					if row.release != r {
						continue
					}
					name := "negotiated"
					if row.pin != "" {
						name = "BrokerVersion=" + row.pin
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						t.Run(name, func(t *testing.T) {
							results[i] = runMatrixRow(t, cl, row, fmt.Sprintf("r%d-", i), served)
						})
					}()
				}
				wg.Wait()
			})
		}
	})
	if t.Failed() {
		t.Log("\n" + renderMatrix(rows, results))
		return
	}
	table := renderMatrix(rows, results)
	doc, err := os.ReadFile(matrixDoc)
	require.NoError(t, err)
	i, j := bytes.Index(doc, []byte(matrixBegin)), bytes.Index(doc, []byte(matrixEnd))
	require.True(t, i >= 0 && j > i, "%s lacks the matrix markers", matrixDoc)
	updated := string(doc[:i+len(matrixBegin)]) + "\n" + table + string(doc[j:])
	if os.Getenv(matrixEnv) != "" {
		require.NoError(t, os.WriteFile(matrixDoc, []byte(updated), 0o644))
		return
	}
	require.Equal(t, updated, string(doc), "%s is stale: run %s=1 go test -run TestCompatibilityMatrix .", matrixDoc, matrixEnv)
}

// renderMatrix writes the results as Markdown: a table with a row per
// release (negotiated versions, and whether pinning Config.BrokerVersion to
// that release changed anything), then a table of the pre-0.10 pins.
func renderMatrix(rows []matrixRow, results [][]string) string {
	var b strings.Builder
	header := func(first, last string) {
		b.WriteString("| " + first + " |")
		for _, ch := range matrixChecks {
			b.WriteString(" " + ch.col + " |")
		}
		if last != "" {
			b.WriteString(" " + last + " |")
		}
		b.WriteString("\n|" + strings.Repeat(" --- |", len(matrixChecks)+1))
		if last != "" {
			b.WriteString(" --- |")
		}
		b.WriteString("\n")
	}
	pinned := func(release, pin string) []string {
		for i, row := range rows {
			if row.release == release && row.pin == pin {
				return results[i]
			}
		}
		return nil
	}
	header("Kafka", "BrokerVersion pinned to the release")
	for i, row := range rows {
		if row.pin != "" {
			continue
		}
		b.WriteString("| " + row.release + " |")
		for _, cell := range results[i] {
			b.WriteString(" " + cell + " |")
		}
		var diffs []string
		for j, cell := range pinned(row.release, row.release) {
			if cell != results[i][j] {
				diffs = append(diffs, matrixChecks[j].col+": "+cell)
			}
		}
		same := "same (negotiates)"
		if len(diffs) > 0 {
			same = strings.Join(diffs, "; ")
		}
		b.WriteString(" " + same + " |\n")
	}
	b.WriteString("\nPinned to the tables of brokers before 0.10, against the Kafka 0.11 cluster:\n\n")
	header("BrokerVersion", "")
	for i, row := range rows {
		if row.pin == "" || strings.HasPrefix(row.pin, row.release) {
			continue
		}
		b.WriteString(`| "` + row.pin + `" |`)
		for _, cell := range results[i] {
			b.WriteString(" " + cell + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestZstdNeedsKafka21: below Produce v7 the producer fails zstd batches at
// once with ErrUnsupportedCompressionType naming the release needed, both
// to ProduceSync and to Flush, and keeps working for the other partitions'
// producers (kfake would have stored the batches, a real broker refused or
// misread them).
func TestZstdNeedsKafka21(t *testing.T) {
	t.Parallel()
	cl := kafkatest.NeedsKfake(t, "emulates Kafka 2.0 (MaxVersions: Produce below v7)", kafkatest.NumBrokers(1), kafkatest.Version("2.0"), kafkatest.Topic("z", 1))
	c := newClient(t, kafka.Config{Hosts: cl.Addrs()})
	ctx := testCtx(t)
	tp, err := c.Topic(ctx, "z")
	require.NoError(t, err)

	p, err := tp.Producer(ctx, kafka.ProducerConfig{Compression: kafka.CompressionZstd})
	require.NoError(t, err)
	defer p.Close()
	_, err = p.ProduceSync(ctx, kafka.Message{Value: []byte("a")})
	require.ErrorIs(t, err, kafka.ErrUnsupportedCompressionType)
	require.ErrorContains(t, err, "zstd compression needs Kafka 2.1 or newer")
	require.False(t, kafka.IsRetriable(err))
	for range 3 {
		require.NoError(t, p.Produce(ctx, kafka.Message{Value: []byte("b")}))
	}
	err = p.Flush(ctx)
	require.ErrorIs(t, err, kafka.ErrUnsupportedCompressionType)

	g, err := tp.Producer(ctx, kafka.ProducerConfig{Compression: kafka.CompressionGzip})
	require.NoError(t, err)
	defer g.Close()
	m, err := g.ProduceSync(ctx, kafka.Message{Value: []byte("c")})
	require.NoError(t, err)
	require.Equal(t, int64(0), m.Offset, "nothing of the zstd producer's was stored")
}
