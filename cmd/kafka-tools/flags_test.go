package main

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// listener starts a TCP server that hands each connection to serve, until
// the test ends, and returns its address.
func listener(t *testing.T, serve func(net.Conn)) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
			go serve(c)
		}
	}()
	return l.Addr().String()
}

// silent reads what the client sends and never answers.
func silent(c net.Conn) { io.Copy(io.Discard, c) }

// TestFlagErrorsEchoWhatWasTyped: a bad flag or value is a usage error that
// shows the flag as typed (with its dashes) and the value given.
func TestFlagErrorsEchoWhatWasTyped(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"print_topics", "--request_timeout", "5"}, []string{`invalid value "5" for flag --request_timeout: want a duration`}},
		{[]string{"--request_timeout=soon", "print_topics"}, []string{`invalid value "soon" for flag --request_timeout: want a duration`}},
		{[]string{"print_topics", "--bogus"}, []string{"flag provided but not defined: --bogus"}},
		{[]string{"--nope", "print_topics"}, []string{"flag provided but not defined: --nope"}},
		{[]string{"create_topic", "t", "-p", "many"}, []string{`invalid value "many" for flag -p: want a whole number`}},
		{[]string{"create_topic", "t", "--num_partitions", "many"}, []string{`invalid value "many" for flag --num_partitions: want a whole number`}},
		{[]string{"print_topics", "--json=maybe"}, []string{`invalid boolean value "maybe" for --json: want true or false`}},
		{[]string{"print_topics", "--client_id"}, []string{"flag needs an argument: --client_id"}},
		{[]string{"delete_topic", "t", "-t", "0"}, []string{`invalid value "0" for flag -t: want a number of milliseconds > 0`}},
	} {
		r := tool(t, nil, "", tc.args...)
		require.Equal(t, exitUsage, r.code, "%q: %s", tc.args, r.stderr)
		for _, w := range tc.want {
			require.Contains(t, r.stderr, w, "%q", tc.args)
		}
	}
}

// TestDashOIsOnlyOutfile: pykafka's -o meant --broker_version before the
// command and --outfile after consume_topic; here flags go anywhere, so -o
// is --outfile only and elsewhere an error that points to --broker_version.
func TestDashOIsOnlyOutfile(t *testing.T) {
	r := tool(t, nil, "", "-o", "0.9.0", "print_topics")
	require.Equal(t, exitUsage, r.code, r.stderr)
	require.Contains(t, r.stderr, "flag provided but not defined: -o (-o is consume_topic's --outfile; the broker version is --broker_version)")
	r = tool(t, nil, "", "print_topics", "-o", "0.9.0")
	require.Equal(t, exitUsage, r.code, r.stderr)
	require.Contains(t, r.stderr, "--broker_version")
	r = tool(t, nil, "", "help")
	require.Contains(t, r.stdout, "  --broker_version ")
	require.NotContains(t, r.stdout, "-o, --broker_version")

	brokers := kafkatest.Brokers(t)
	topic := uniqueTopic("outfile")
	ok(t, tool(t, brokers, "", "create_topic", topic, "-p", "1"))
	ok(t, tool(t, brokers, "to the file\n", "produce", topic))
	path := filepath.Join(t.TempDir(), "out.txt")
	require.Empty(t, ok(t, tool(t, brokers, "", "consume_topic", topic, "-o", path, "--offset", "EARLIEST", "-l", "1")))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "to the file\n", string(got))
}

// TestBadBrokerVersionIsUsage: a malformed --broker_version is bad usage
// that names the value, found before any broker is contacted.
func TestBadBrokerVersionIsUsage(t *testing.T) {
	addr := listener(t, silent) // would hold a connection attempt
	for _, v := range []string{"abc", "0.9.x", "10"} {
		r := tool(t, []string{addr}, "", "print_topics", "--broker_version", v)
		require.Equal(t, exitUsage, r.code, "%s: %s", v, r.stderr)
		require.Contains(t, r.stderr, `--broker_version "`+v+`"`)
		require.NotContains(t, r.stderr, "no brokers available")
	}
}

// TestRequestTimeoutBoundsConnecting: a server that accepts connections but
// never answers holds the tool for about --request_timeout, not for the
// library's 10 s default dial timeout.
func TestRequestTimeoutBoundsConnecting(t *testing.T) {
	addr := listener(t, silent)
	start := time.Now()
	r := tool(t, []string{addr}, "", "print_topics", "--request_timeout", "300ms")
	elapsed := time.Since(start)
	require.Equal(t, exitFailed, r.code, r.stderr)
	require.Contains(t, r.stderr, addr)
	// 300ms asked for; the bound leaves a loaded machine 30 times that,
	// and stays below the 10s the tool took when the flag did not apply.
	require.Less(t, elapsed, 9*time.Second)
}

// TestNoAPIVersionsNamesTheFlag: a server that hangs up on ApiVersions but
// answers Metadata v0 (a broker before 0.10) gets a message naming the flag
// to set, not the Go configuration field.
func TestNoAPIVersionsNamesTheFlag(t *testing.T) {
	addr := listener(t, func(c net.Conn) {
		frame, err := protocol.ReadFrame(c, nil, 1<<20)
		if h, _, derr := protocol.DecodeRequest(frame); err == nil && derr == nil && h.APIKey == protocol.KeyMetadata {
			out, _ := protocol.AppendResponse(nil, h.CorrelationID, &protocol.MetadataResponse{}, 0)
			c.Write(out)
		}
		c.Close() // on ApiVersions at once
	})
	r := tool(t, []string{addr}, "", "print_topics")
	require.Equal(t, exitFailed, r.code, r.stderr)
	require.Contains(t, r.stderr, "--broker_version")
	require.NotContains(t, r.stderr, "Config.BrokerVersion")
	require.Contains(t, r.stderr, addr)
}

// TestCountsArePlural: one message is "1 message".
func TestCountsArePlural(t *testing.T) {
	require.Equal(t, "1 message", count(1, "message"))
	require.Equal(t, "0 messages", count(0, "message"))
	require.Equal(t, "2 partitions", count(2, "partition"))

	brokers := kafkatest.Brokers(t)
	topic := uniqueTopic("plural")
	ok(t, tool(t, brokers, "", "create_topic", topic, "-p", "1"))
	out := ok(t, tool(t, brokers, "one\n", "produce", topic))
	require.Equal(t, "produced 1 message to "+topic+"\n", out)
	require.True(t, strings.HasPrefix(ok(t, tool(t, brokers, "a\nb\n", "produce", topic)), "produced 2 messages"))
}

// TestHelpHidesThePassword: the SASL password taken from the environment
// is a flag default, which help must not print.
func TestHelpHidesThePassword(t *testing.T) {
	t.Setenv("KAFKA_SASL_PASSWORD", "env-s3cret")
	for _, args := range [][]string{{"help"}, {"help", "produce"}, {"print_topics", "-h"}, {"--bogus"}} {
		r := tool(t, nil, "", args...)
		require.NotContains(t, r.stdout+r.stderr, "env-s3cret", "%q", args)
	}
	require.Contains(t, tool(t, nil, "", "help").stdout, "($KAFKA_SASL_PASSWORD) (default: set)")
}
