package main

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gokafka/kafka"
)

func consumeTopic(fs *flag.FlagSet) func(e *env, args []string) error {
	limit := fs.Int("limit", 10, "stop after this many messages; 0: no limit")
	fs.IntVar(limit, "l", 10, "stop after this many messages; 0: no limit")
	outfile := fs.String("outfile", "", "write messages to this `file` (default: stdout)")
	fs.StringVar(outfile, "o", "", "write messages to this `file` (default: stdout)")
	from := fs.String("offset", "LATEST", "where to start: EARLIEST, LATEST (new messages only, as pykafka), a time (2006-01-02T15:04:05, UTC) or an offset")
	partitions := fs.String("partitions", "", "consume only these partitions, `0,1,...` (default: all)")
	idle := msFlag(fs, 0, "stop when no message arrives for this many `ms` (default: wait)", "consumer_timeout_ms")
	isolation := fs.String("isolation", "read_uncommitted",
		"isolation `level`: read_uncommitted prints every message, aborted transactions' too; read_committed only committed transactions' and non-transactional ones")
	return func(e *env, args []string) error {
		spec, err := parseOffsetSpec(*from, true)
		if err != nil {
			return err
		}
		iso, err := parseIsolation(*isolation)
		if err != nil {
			return err
		}
		if *limit < 0 {
			return usagef("--limit %d: want 0 or more", *limit)
		}
		only, err := parsePartitions(*partitions)
		if err != nil {
			return err
		}
		out := e.stdout
		if *outfile != "" && *outfile != "-" {
			f, err := os.Create(*outfile)
			if err != nil {
				return usagef("--outfile: %v", err)
			}
			defer f.Close()
			out = f
		}
		t, err := e.topic(args[0])
		if err != nil {
			return err
		}
		for _, p := range only {
			if !hasPartition(t, p) {
				return notFoundError{fmt.Sprintf("topic %s has no partition %d", t.Name(), p)}
			}
		}
		reset := kafka.OffsetLatest
		if spec.kind == kafka.OffsetEarliest {
			reset = kafka.OffsetEarliest
		}
		c, err := t.SimpleConsumer(e.ctx, kafka.SimpleConsumerConfig{
			Partitions: only, AutoOffsetReset: reset, ResetOffsetOnStart: true, ConsumerTimeout: idle.d,
			IsolationLevel: iso,
		})
		if err != nil {
			return err
		}
		defer c.Close()
		if spec.kind == 0 {
			start, err := spec.resolve(e.ctx, t)
			if err != nil {
				return err
			}
			maps.DeleteFunc(start, func(p int32, _ int64) bool { return !slices.Contains(c.Partitions(), p) })
			if err := c.ResetOffsets(e.ctx, start); err != nil {
				return err
			}
		}
		progress := newProgress(e)
		progress.update(true, "consuming %s from %s (%s)", t.Name(), spec.source, count(len(c.Partitions()), "partition"))
		defer progress.done()
		for n := 0; *limit == 0 || n < *limit; n++ {
			msg, err := c.Consume(e.ctx)
			if errors.Is(err, kafka.ErrConsumerTimeout) {
				return nil
			}
			if e.ctx.Err() != nil {
				return e.ctx.Err() // interrupted: exit code 130, even with no limit
			}
			if err != nil {
				return err
			}
			if err := writeMessage(out, msg, e.global.json); err != nil {
				return err
			}
			if *limit > 0 {
				progress.update(n+1 == *limit, "consumed %d/%s", n+1, count(*limit, "message"))
			} else {
				progress.update(false, "consumed %s", count(n+1, "message"))
			}
		}
		return nil
	}
}

// parseIsolation reads --isolation: Kafka's names for the levels (the
// Java consumer's isolation.level), in any case, with - or _.
func parseIsolation(s string) (kafka.IsolationLevel, error) {
	switch strings.ReplaceAll(strings.ToLower(s), "-", "_") {
	case "read_uncommitted":
		return kafka.ReadUncommitted, nil
	case "read_committed":
		return kafka.ReadCommitted, nil
	}
	return 0, usagef("--isolation %q: want read_uncommitted or read_committed", s)
}

func hasPartition(t *kafka.Topic, id int32) bool {
	for _, p := range t.Partitions() {
		if p.ID == id {
			return true
		}
	}
	return false
}

// messageJSON is a consumed message as consume_topic -json prints it, one
// per line. Keys, values and header values are strings when they are
// UTF-8, and base64 in the *_base64 field otherwise.
type messageJSON struct {
	Topic       string       `json:"topic"`
	Partition   int32        `json:"partition"`
	Offset      int64        `json:"offset"`
	Timestamp   time.Time    `json:"timestamp"`
	Key         *string      `json:"key"`
	KeyBase64   string       `json:"key_base64,omitempty"`
	Value       *string      `json:"value"`
	ValueBase64 string       `json:"value_base64,omitempty"`
	Headers     []headerJSON `json:"headers,omitempty"`
}

type headerJSON struct {
	Key         string  `json:"key"`
	Value       *string `json:"value"`
	ValueBase64 string  `json:"value_base64,omitempty"`
}

// text returns b as a string when it is UTF-8, or as base64 otherwise; a
// nil b (a null key or value) is neither.
func text(b []byte) (s *string, b64 string) {
	switch {
	case b == nil:
		return nil, ""
	case utf8.Valid(b):
		v := string(b)
		return &v, ""
	}
	return nil, base64.StdEncoding.EncodeToString(b)
}

func writeMessage(w io.Writer, msg kafka.Message, asJSON bool) error {
	if !asJSON {
		_, err := fmt.Fprintf(w, "%s\n", msg.Value)
		return err
	}
	m := messageJSON{Topic: msg.Topic, Partition: msg.Partition, Offset: msg.Offset, Timestamp: msg.Timestamp.UTC()}
	m.Key, m.KeyBase64 = text(msg.Key)
	m.Value, m.ValueBase64 = text(msg.Value)
	for _, h := range msg.Headers {
		hj := headerJSON{Key: h.Key}
		hj.Value, hj.ValueBase64 = text(h.Value)
		m.Headers = append(m.Headers, hj)
	}
	return writeJSON(w, m)
}
