package main

import (
	"context"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

// TestConsumeIsolation: consume_topic --isolation read_committed prints
// only the messages of committed transactions; read_uncommitted (the
// default) prints the aborted transaction's too, and neither prints the
// transaction markers.
func TestConsumeIsolation(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := uniqueTopic("iso")
	ok(t, tool(t, brokers, "", "create_topic", topic, "-p", "1"))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: brokers})
	require.NoError(t, err)
	defer client.Close()
	p, err := client.Producer(ctx, kafka.ProducerConfig{TransactionalID: uniqueTopic("iso-txn")})
	require.NoError(t, err)
	defer p.Close()
	write := func(commit bool, values ...string) {
		require.NoError(t, p.BeginTransaction())
		for _, v := range values {
			require.NoError(t, p.Produce(ctx, kafka.Message{Topic: topic, Value: []byte(v)}))
		}
		if commit {
			require.NoError(t, p.CommitTransaction(ctx))
			return
		}
		require.NoError(t, p.Flush(ctx)) // in the log, marked aborted
		require.NoError(t, p.AbortTransaction(ctx))
	}
	write(true, "committed 1", "committed 2")
	write(false, "aborted 1", "aborted 2")
	write(true, "committed 3")

	consume := func(extra ...string) string {
		args := append([]string{"consume_topic", topic, "--offset", "EARLIEST", "-l", "0", "--consumer_timeout_ms", "1000"}, extra...)
		return ok(t, tool(t, brokers, "", args...))
	}
	committed := "committed 1\ncommitted 2\ncommitted 3\n"
	all := "committed 1\ncommitted 2\naborted 1\naborted 2\ncommitted 3\n"
	require.Equal(t, committed, consume("--isolation", "read_committed"))
	require.Equal(t, committed, consume("--isolation=READ-COMMITTED"), "any case, - or _")
	require.Equal(t, all, consume("--isolation", "read_uncommitted"))
	require.Equal(t, all, consume(), "read_uncommitted by default")

	r := tool(t, brokers, "", "consume_topic", topic, "--isolation", "serializable")
	require.Equal(t, exitUsage, r.code)
	require.Contains(t, r.stderr, `--isolation "serializable": want read_uncommitted or read_committed`)

	help := ok(t, tool(t, nil, "", "help", "consume_topic"))
	require.Regexp(t, `--isolation level\s+isolation level: read_uncommitted .* \(default read_uncommitted\)`, help)
}
