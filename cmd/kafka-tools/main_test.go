package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

// result is what one kafka-tools run printed and returned.
type result struct {
	stdout, stderr string
	code           int
}

// tool runs kafka-tools in-process against brokers, as a shell would.
func tool(t *testing.T, brokers []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return toolCtx(ctx, brokers, stdin, &bytes.Buffer{}, args...)
}

func toolCtx(ctx context.Context, brokers []string, stdin string, stderr writerString, args ...string) result {
	var stdout bytes.Buffer
	if brokers != nil {
		args = append([]string{"-b", strings.Join(brokers, ",")}, args...)
	}
	code := run(ctx, args, strings.NewReader(stdin), &stdout, stderr)
	return result{stdout.String(), stderr.String(), code}
}

type writerString interface {
	Write([]byte) (int, error)
	String() string
}

// syncBuffer is a buffer one goroutine writes while another reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ok requires a successful run and returns its output.
func ok(t *testing.T, r result) string {
	t.Helper()
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	return r.stdout
}

// uniqueTopic names a topic no earlier run left behind on a real cluster.
func uniqueTopic(name string) string {
	return fmt.Sprintf("%s-%d", name, time.Now().UnixNano())
}

func TestUsage(t *testing.T) {
	r := tool(t, nil, "")
	require.Equal(t, exitUsage, r.code)
	require.Contains(t, r.stderr, "no command given")

	r = tool(t, nil, "", "help")
	require.Equal(t, exitOK, r.code)
	for _, c := range commands {
		require.Contains(t, r.stdout, c.name)
	}
	require.Contains(t, r.stdout, "--sasl_mechanism")

	r = tool(t, nil, "", "help", "create_topic")
	require.Equal(t, exitOK, r.code)
	require.Contains(t, r.stdout, "-p, --num_partitions")
	r = tool(t, nil, "", "create_topic", "-h")
	require.Equal(t, exitOK, r.code)
	require.Contains(t, r.stdout, "-r, --replication_factor")

	r = tool(t, nil, "", "--version")
	require.Equal(t, exitOK, r.code)
	require.Contains(t, r.stdout, "gokafka")

	for _, args := range [][]string{
		{"nope"},
		{"--nope", "print_topics"},
		{"desc_topic"},
		{"desc_topic", "a", "b"},
		{"print_consumer_lag", "t"},
		{"print_topics", "--bogus"},
		{"create_topic", "t", "-p", "many"},
		{"print_topics", "--sasl_username", "u"},
		{"print_topics", "--sasl_mechanism", "GSSAPI", "--sasl_username", "u"},
		{"print_topics", "--tls_ca", "/does/not/exist"},
		{"print_topics", "--tls_cert", "x.pem"},
		{"help", "nope"},
	} {
		r := tool(t, nil, "", args...)
		require.Equal(t, exitUsage, r.code, "%q: %s", args, r.stderr)
		require.NotEmpty(t, r.stderr, "%q says why", args)
	}

	r = tool(t, []string{"127.0.0.1:1"}, "", "print_topics")
	require.Equal(t, exitFailed, r.code)
	require.Contains(t, r.stderr, "no brokers available")
}

func TestTopicLifecycle(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := uniqueTopic("life")

	out := ok(t, tool(t, brokers, "", "create_topic", topic, "-p", "3", "-r", "1", "-c", `{"retention.ms":"86400000"}`))
	require.Contains(t, out, "created topic "+topic)

	r := tool(t, brokers, "", "create_topic", topic, "-p", "3")
	require.Equal(t, exitFailed, r.code)
	require.Contains(t, r.stderr, "TOPIC_ALREADY_EXISTS")
	ok(t, tool(t, brokers, "", "create_topic", topic, "--if_not_exists"))

	out = ok(t, tool(t, brokers, "", "print_topics"))
	require.Regexp(t, `(?m)^TOPIC\s+PARTITIONS\s+REPLICATION$`, out)
	require.Regexp(t, `(?m)^`+topic+`\s+3\s+1$`, out)

	var topics []struct {
		Topic             string
		Partitions        int
		ReplicationFactor int `json:"replication_factor"`
	}
	require.NoError(t, json.Unmarshal([]byte(ok(t, tool(t, brokers, "", "print_topics", "-json"))), &topics))
	found := false
	for _, tp := range topics {
		if tp.Topic == topic {
			found = true
			require.Equal(t, 3, tp.Partitions)
			require.Equal(t, 1, tp.ReplicationFactor)
		}
	}
	require.True(t, found, "print_topics -json lists %s", topic)

	out = ok(t, tool(t, brokers, "", "desc_topic", topic))
	require.Contains(t, out, "Partitions: 3\nReplication factor: 1\n")
	require.Regexp(t, `(?m)^PARTITION\s+LEADER\s+REPLICAS\s+ISR$`, out)
	require.Regexp(t, `(?m)^2\s+\d+\s+\d+\s+\d+$`, out)

	var desc struct {
		Topic      string
		Partitions []partitionJSON
	}
	// Flags after the argument, as pykafka's argparse allowed.
	require.NoError(t, json.Unmarshal([]byte(ok(t, tool(t, brokers, "", "desc_topic", topic, "--json"))), &desc))
	require.Equal(t, topic, desc.Topic)
	require.Len(t, desc.Partitions, 3)
	for i, p := range desc.Partitions {
		require.EqualValues(t, i, p.Partition)
		require.Equal(t, []int32{p.Leader}, p.Replicas)
		require.Equal(t, []int32{p.Leader}, p.ISR)
		require.Equal(t, []int32{}, p.OfflineReplicas)
	}

	out = ok(t, tool(t, brokers, "", "delete_topic", topic))
	require.Contains(t, out, "deleted topic "+topic)
	require.Equal(t, exitNotFound, tool(t, brokers, "", "desc_topic", topic).code)
	require.Equal(t, exitNotFound, tool(t, brokers, "", "delete_topic", topic).code)
	require.Contains(t, ok(t, tool(t, brokers, "", "delete_topic", topic, "--if_exists")), "does not exist")
	require.Equal(t, exitNotFound, tool(t, brokers, "", "print_offsets", topic, "LATEST").code)
}

func TestCreateTopicBadJSON(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	for _, args := range [][]string{
		{"-a", `{"0":[]}`},
		{"-a", `[[0,"x"]]`},
		{"-a", `nonsense`},
		{"-c", `{"retention.ms":{"nested":1}}`},
		{"-c", `[[1,"x"]]`},
	} {
		r := tool(t, brokers, "", append([]string{"create_topic", uniqueTopic("bad")}, args...)...)
		require.Equal(t, exitUsage, r.code, "%q: %s", args, r.stderr)
	}
}

func TestParseAssignmentForms(t *testing.T) {
	want := map[int32][]int32{0: {1, 2}, 1: {2, 3}}
	for _, s := range []string{`{"0":[1,2],"1":[2,3]}`, `[[1,2],[2,3]]`, `[[0,[1,2]],[1,[2,3]]]`} {
		got, err := parseAssignment(s)
		require.NoError(t, err, s)
		require.Equal(t, want, got, s)
	}
	got, err := parseConfigEntries(`[["retention.ms", 1000], ["cleanup.policy", "compact"]]`)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"retention.ms": "1000", "cleanup.policy": "compact"}, got)
}

func TestProduceAndConsume(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := uniqueTopic("pc")
	ok(t, tool(t, brokers, "", "create_topic", topic, "-p", "3"))

	var in strings.Builder
	for i := range 30 {
		fmt.Fprintf(&in, "key-%d:value %d\r\n", i, i)
	}
	in.WriteString("no-separator") // a last line without a line end
	out := ok(t, tool(t, brokers, in.String(), "produce", topic, "-k", ":", "--compression", "zstd"))
	require.Contains(t, out, "produced 31 messages")

	// An independent client reads what produce wrote.
	k, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	require.NoError(t, err)
	defer k.Close()
	written := make(map[string]string)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for len(written) < 31 && ctx.Err() == nil {
		k.PollFetches(ctx).EachRecord(func(r *kgo.Record) { written[string(r.Value)] = string(r.Key) })
	}
	require.Len(t, written, 31)
	require.Equal(t, "key-7", written["value 7"])
	require.Equal(t, "", written["no-separator"])

	// consume_topic reads them back, from the start, as JSON lines.
	out = ok(t, tool(t, brokers, "", "consume_topic", topic, "--offset", "EARLIEST", "-l", "31", "-json"))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 31)
	read := make(map[string]string)
	for _, line := range lines {
		var m messageJSON
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		require.Equal(t, topic, m.Topic)
		require.NotNil(t, m.Value)
		key := ""
		if m.Key != nil {
			key = *m.Key
		}
		read[*m.Value] = key
	}
	require.Equal(t, written, read)

	// Text output is the values, one per line; a partition filter and an
	// idle timeout with no limit end the run on their own.
	out = ok(t, tool(t, brokers, "", "consume_topic", topic, "--offset", "EARLIEST", "-l", "0",
		"--partitions", "0", "--consumer_timeout_ms", "500"))
	var p0 int
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		require.Contains(t, written, line)
		p0++
	}
	offsets := ok(t, tool(t, brokers, "", "print_offsets", topic, "LATEST", "-json"))
	var po struct {
		Partitions []struct{ Partition, Offset int64 }
	}
	require.NoError(t, json.Unmarshal([]byte(offsets), &po))
	require.Len(t, po.Partitions, 3)
	require.EqualValues(t, po.Partitions[0].Offset, p0, "partition 0 holds what --partitions 0 printed")

	// An exact start offset on every partition.
	out = ok(t, tool(t, brokers, "", "consume_topic", topic, "--offset", fmt.Sprint(po.Partitions[0].Offset-1),
		"--partitions", "0", "-l", "1", "-json"))
	var last messageJSON
	require.NoError(t, json.Unmarshal([]byte(out), &last))
	require.Equal(t, po.Partitions[0].Offset-1, last.Offset)

	require.Equal(t, exitNotFound, tool(t, brokers, "", "consume_topic", topic, "--partitions", "7").code)
	require.Equal(t, exitNotFound, tool(t, brokers, "x", "produce", topic, "--partition", "7").code)
	require.Equal(t, exitNotFound, tool(t, brokers, "x", "produce", uniqueTopic("missing")).code)
	require.Equal(t, exitUsage, tool(t, brokers, "x", "produce", topic, "--acks", "2").code)
	require.Equal(t, exitUsage, tool(t, brokers, "x", "produce", topic, "--compression", "brotli").code)
	require.Equal(t, exitUsage, tool(t, brokers, "", "consume_topic", topic, "--offset", "yesterday").code)
}

func TestConsumeBinaryAsBase64(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := uniqueTopic("bin")
	ok(t, tool(t, brokers, "", "create_topic", topic, "-p", "1"))
	k, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	require.NoError(t, err)
	defer k.Close()
	rec := &kgo.Record{Topic: topic, Value: []byte{0xff, 0x00, 0xfe},
		Headers: []kgo.RecordHeader{{Key: "h", Value: []byte("text")}, {Key: "b", Value: []byte{0xc3}}}}
	require.NoError(t, k.ProduceSync(context.Background(), rec).FirstErr())

	out := ok(t, tool(t, brokers, "", "consume_topic", topic, "--offset", "EARLIEST", "-l", "1", "-json"))
	var m messageJSON
	require.NoError(t, json.Unmarshal([]byte(out), &m))
	require.Nil(t, m.Key, "a null key stays null")
	require.Nil(t, m.Value)
	require.Equal(t, "/wD+", m.ValueBase64)
	require.Len(t, m.Headers, 2)
	require.Equal(t, "text", *m.Headers[0].Value)
	require.Equal(t, "ww==", m.Headers[1].ValueBase64)
}

// TestConsumeNewMessagesOnly checks pykafka's consume_topic default: only
// messages produced after the tool started, with a progress line.
func TestConsumeNewMessagesOnly(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := uniqueTopic("new")
	ok(t, tool(t, brokers, "", "create_topic", topic, "-p", "2"))
	ok(t, tool(t, brokers, "old 1\nold 2\n", "produce", topic))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stderr := &syncBuffer{}
	done := make(chan result)
	go func() { done <- toolCtx(ctx, brokers, "", stderr, "consume_topic", topic, "-l", "2", "--progress") }()
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "consuming "+topic) },
		30*time.Second, 10*time.Millisecond)
	ok(t, tool(t, brokers, "new 1\nnew 2\n", "produce", topic))
	r := <-done
	require.ElementsMatch(t, []string{"new 1", "new 2"}, strings.Split(strings.TrimSpace(ok(t, r)), "\n"))
	require.Contains(t, r.stderr, "consumed 2/2 messages")

	// Interrupted before its limit, it says so with 130.
	stderr = &syncBuffer{}
	ictx, interrupt := context.WithCancel(ctx)
	go func() { done <- toolCtx(ictx, brokers, "", stderr, "consume_topic", topic, "--progress") }()
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "consuming "+topic) },
		30*time.Second, 10*time.Millisecond)
	interrupt()
	require.Equal(t, exitInterrupted, (<-done).code)
}

func TestOffsetsLagAndReset(t *testing.T) {
	cl := kafkatest.MustCluster(t) // a group of its own: needs a cluster no one else uses
	brokers := cl.Addrs()
	topic := uniqueTopic("lag")
	ok(t, tool(t, brokers, "", "create_topic", topic, "-p", "2"))
	ok(t, tool(t, brokers, strings.Repeat("m\n", 10), "produce", topic, "--partition", "0"))
	ok(t, tool(t, brokers, strings.Repeat("m\n", 4), "produce", topic, "--partition", "1", "--acks", "1"))

	out := ok(t, tool(t, brokers, "", "print_offsets", topic, "EARLIEST"))
	require.Regexp(t, `(?m)^PARTITION\s+OFFSET\n0\s+0\n1\s+0\n$`, out)
	out = ok(t, tool(t, brokers, "", "print_offsets", topic, "latest"))
	require.Regexp(t, `(?m)^0\s+10\n1\s+4\n$`, out)
	out = ok(t, tool(t, brokers, "", "print_offsets", topic, "2000-01-01T00:00:00"))
	require.Regexp(t, `(?m)^0\s+0\n1\s+0\n$`, out, "a time before everything: the first offsets")

	r := tool(t, brokers, "", "print_consumer_lag", topic, "nobody")
	require.Equal(t, exitNotFound, r.code, r.stderr)

	out = ok(t, tool(t, brokers, "", "reset_offsets", topic, "ops", "EARLIEST"))
	require.Regexp(t, `(?m)^0\s+-\s+0\n1\s+-\s+0\n$`, out)
	out = ok(t, tool(t, brokers, "", "print_consumer_lag", topic, "ops"))
	require.Regexp(t, `(?m)^0\s+10\s+10\s+0\s+-\s+-\s+-$`, out)
	require.Contains(t, out, "Total lag: 14")

	ok(t, tool(t, brokers, "", "reset_offsets", topic, "ops", "3", "--partitions", "0"))
	ok(t, tool(t, brokers, "", "reset_offsets", topic, "ops", "LATEST", "--dry_run"))
	var lag struct {
		TotalLag   int64 `json:"total_lag"`
		Partitions []lagRow
	}
	require.NoError(t, json.Unmarshal([]byte(ok(t, tool(t, brokers, "", "print_consumer_lag", topic, "ops", "-json"))), &lag))
	require.EqualValues(t, 11, lag.TotalLag, "7 on partition 0, 4 on partition 1; the dry run committed nothing")
	require.EqualValues(t, 3, *lag.Partitions[0].Committed)

	// A live group: listed, lag shows its members, a reset is refused.
	k, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumerGroup("live"), kgo.ConsumeTopics(topic),
		kgo.ClientID("lag-test"), kgo.Balancers(kgo.RangeBalancer()), kgo.DisableAutoCommit())
	require.NoError(t, err)
	defer k.Close()
	pctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	k.PollFetches(pctx)
	cancel()
	gctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = cl.WaitGroupStable(gctx, "live", 1)
	require.NoError(t, err)

	out = ok(t, tool(t, brokers, "", "print_managed_consumer_groups", topic))
	require.Regexp(t, `(?m)^live\s+Stable\s+range\s+consumer\s+1\s+classic$`, out)
	require.NotContains(t, out, "ops", "a group without members consumes nothing")
	require.NotContains(t, ok(t, tool(t, brokers, "", "print_managed_consumer_groups", "other")), "live")
	var groups []struct {
		GroupID string `json:"group_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(ok(t, tool(t, brokers, "", "print_managed_consumer_groups", "-json"))), &groups))
	require.Len(t, groups, 2, "without a topic: every group")

	// Members but nothing committed: no partition has a lag to total.
	out = ok(t, tool(t, brokers, "", "print_consumer_lag", topic, "live"))
	require.Regexp(t, `(?m)^0\s+-\s+10\s+-\s+\S+\s+lag-test`, out)
	require.Contains(t, out, "\nTotal lag: - (no committed offsets)\n")
	var noLag struct {
		TotalLag *int64 `json:"total_lag"`
	}
	require.NoError(t, json.Unmarshal([]byte(ok(t, tool(t, brokers, "", "print_consumer_lag", topic, "live", "-json"))), &noLag))
	require.Nil(t, noLag.TotalLag, "total_lag is null, not 0, when nothing is committed")

	require.NoError(t, k.CommitRecords(gctx, &kgo.Record{Topic: topic, Partition: 1, Offset: 1}))
	out = ok(t, tool(t, brokers, "", "print_consumer_lag", topic, "live"))
	require.Regexp(t, `(?m)^1\s+2\s+4\s+2\s+\S+\s+lag-test\s+\S+$`, out)
	require.Regexp(t, `(?m)^0\s+-\s+10\s+-\s+\S+\s+lag-test`, out)
	require.Contains(t, out, "\nTotal lag: 2 (over the 1 of 2 partitions with a committed offset)\n")

	r = tool(t, brokers, "", "reset_offsets", topic, "live", "EARLIEST")
	require.Equal(t, exitFailed, r.code)
	require.Contains(t, r.stderr, "active members")
	require.Equal(t, exitNotFound, tool(t, brokers, "", "reset_offsets", topic, "ops", "0", "--partitions", "5").code)
}

func TestSecurityFlags(t *testing.T) {
	sasl := kafkatest.MustCluster(t, kafkatest.SASLUser(kafkatest.SASLScramSHA512, "alice", "s3cret"))
	ok(t, tool(t, sasl.Addrs(), "", "print_topics", "--sasl_mechanism", "scram-sha-512", "--sasl_username", "alice", "--sasl_password", "s3cret"))
	t.Setenv("KAFKA_SASL_PASSWORD", "s3cret")
	ok(t, tool(t, sasl.Addrs(), "", "--sasl_mechanism", "SCRAM-SHA-512", "--sasl_username", "alice", "print_topics"))
	r := tool(t, sasl.Addrs(), "", "print_topics", "--sasl_mechanism", "SCRAM-SHA-512", "--sasl_username", "alice", "--sasl_password", "wrong")
	require.Equal(t, exitFailed, r.code)
	require.NotEmpty(t, r.stderr)

	server, _, err := kafkatest.NewTLSConfigs()
	require.NoError(t, err)
	tlsCluster := kafkatest.MustCluster(t, kafkatest.TLS(server))
	ok(t, tool(t, tlsCluster.Addrs(), "", "print_topics", "--tls_insecure"))
	r = tool(t, tlsCluster.Addrs(), "", "print_topics", "--tls")
	require.Equal(t, exitFailed, r.code, "the test CA is not trusted")
	require.Contains(t, r.stderr, "certificate")
}
