package main

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// buildTool builds kafka-tools into a temporary directory, so that a test
// can send it real signals.
func buildTool(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kafka-tools")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute) // a loaded machine compiles slowly
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// interrupt waits until stderr shows ready, sends SIGINT, and returns the
// exit code. The bounds are generous: the point is that the process exits
// at all, instead of waiting for more input or running on.
func interrupt(t *testing.T, cmd *exec.Cmd, stderr *syncBuffer, ready string) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), ready) },
		time.Minute, 10*time.Millisecond, "stderr: %s", stderr)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		require.NoError(t, err)
		return exitOK
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("kafka-tools still running a minute after SIGINT; stderr: %s", stderr)
		return -1
	}
}

// TestInterruptExitsWith130 sends Ctrl-C to the built tool: consume_topic
// (with and without a limit) and produce (waiting on stdin for the next
// line) must exit promptly with 130, as the README says.
func TestInterruptExitsWith130(t *testing.T) {
	bin := buildTool(t)
	cl := kafkatest.MustCluster(t, kafkatest.Topic("sig", 2))
	brokers := strings.Join(cl.Addrs(), ",")

	for _, args := range [][]string{
		{"consume_topic", "sig", "-l", "0"},
		{"consume_topic", "sig"},
	} {
		stderr := &syncBuffer{}
		cmd := exec.Command(bin, append([]string{"-b", brokers, "--progress"}, args...)...)
		cmd.Stderr = stderr
		require.NoError(t, cmd.Start())
		require.Equal(t, exitInterrupted, interrupt(t, cmd, stderr, "consuming sig"), "%q; stderr: %s", args, stderr)
		require.Contains(t, stderr.String(), "interrupted")
	}

	// produce sends what it read before the interrupt, and says so.
	stderr, stdout := &syncBuffer{}, &syncBuffer{}
	cmd := exec.Command(bin, "-b", brokers, "--progress", "produce", "sig")
	cmd.Stderr, cmd.Stdout = stderr, stdout
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	defer stdin.Close() // left open until the end: the tool must not wait for it
	require.NoError(t, cmd.Start())
	_, err = stdin.Write([]byte("before ctrl-c\n"))
	require.NoError(t, err)
	require.Equal(t, exitInterrupted, interrupt(t, cmd, stderr, "sent 1 message"), "stderr: %s", stderr)
	require.Contains(t, stdout.String(), "produced 1 message to sig")

	out := ok(t, tool(t, cl.Addrs(), "", "consume_topic", "sig", "--offset", "EARLIEST", "-l", "1"))
	require.Equal(t, "before ctrl-c\n", out)
}

// TestSecondInterruptQuits: after a first Ctrl-C, produce waits for its
// queued messages to be acknowledged; a second Ctrl-C ends it at once.
func TestSecondInterruptQuits(t *testing.T) {
	bin := buildTool(t)
	cl := kafkatest.MustCluster(t, kafkatest.Topic("stuck", 1))
	cl.Delay(protocol.KeyProduce, time.Hour, kafkatest.Always) // until the cluster closes

	stderr := &syncBuffer{}
	cmd := exec.Command(bin, "-b", strings.Join(cl.Addrs(), ","), "--progress", "produce", "stuck")
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	defer stdin.Close()
	require.NoError(t, cmd.Start())
	_, err = stdin.Write([]byte("never acknowledged\n"))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "sent 1 message") },
		time.Minute, 10*time.Millisecond, "stderr: %s", stderr)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	// The first interrupt leaves the tool waiting on the broker, for up to
	// the producer's 30s PendingTimeout; signal again until it is gone.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(time.Minute)
	for {
		select {
		case err := <-done:
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			ws, _ := exit.Sys().(syscall.WaitStatus)
			require.True(t, ws.Signaled(), "killed by the second SIGINT, not exited on its own: %v; stderr: %s", err, stderr)
			require.Equal(t, syscall.SIGINT, ws.Signal())
			return
		case <-tick.C:
			cmd.Process.Signal(syscall.SIGINT)
		case <-deadline:
			cmd.Process.Kill()
			<-done
			t.Fatalf("kafka-tools still running a minute after repeated SIGINTs; stderr: %s", stderr)
		}
	}
}
