package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/gokafka/kafka"
)

func produce(fs *flag.FlagSet) func(e *env, args []string) error {
	file := fs.String("file", "", "read messages from this `file` (default: stdin)")
	fs.StringVar(file, "f", "", "read messages from this `file` (default: stdin)")
	keySep := fs.String("key_separator", "", "split each line at the first `separator` into key and value (default: no key)")
	fs.StringVar(keySep, "k", "", "split each line at the first `separator` into key and value (default: no key)")
	partition := fs.Int("partition", -1, "send every message to this partition (default: the default partitioner)")
	compression := fs.String("compression", "none", "none, gzip, snappy, lz4 or zstd")
	acks := fs.String("acks", "all", "all, 1 (the leader) or 0 (none)")
	return func(e *env, args []string) error {
		cfg := kafka.ProducerConfig{}
		var err error
		if cfg.Compression, err = parseCompression(*compression); err != nil {
			return err
		}
		switch *acks {
		case "all", "-1":
			cfg.RequiredAcks = kafka.AcksAll
		case "1":
			cfg.RequiredAcks = kafka.AcksLeader
		case "0":
			cfg.RequiredAcks = kafka.AcksNone
		default:
			return usagef("--acks %q: want all, 1 or 0", *acks)
		}
		in := e.stdin
		if *file != "" && *file != "-" {
			f, err := os.Open(*file)
			if err != nil {
				return usagef("--file: %v", err)
			}
			defer f.Close()
			in = f
		}
		t, err := e.topic(args[0])
		if err != nil {
			return err
		}
		if *partition >= 0 {
			if !hasPartition(t, int32(*partition)) {
				return notFoundError{fmt.Sprintf("topic %s has no partition %d", t.Name(), *partition)}
			}
			cfg.Partitioner = kafka.NewManualPartitioner()
		}
		progress := newProgress(e)
		defer progress.done()
		var (
			mu            sync.Mutex
			acked, failed int
			firstErr      error
			sent          int
		)
		cfg.OnDelivery = func(r kafka.DeliveryReport) {
			mu.Lock()
			defer mu.Unlock()
			if r.Err != nil {
				failed++
				if firstErr == nil {
					firstErr = r.Err
				}
			} else {
				acked++
			}
		}
		p, err := t.Producer(e.ctx, cfg)
		if err != nil {
			return err
		}
		readErr := readLines(e.ctx, in, func(line []byte) error {
			msg := kafka.Message{Value: line, Partition: int32(*partition)}
			if *keySep != "" {
				if k, v, ok := bytes.Cut(line, []byte(*keySep)); ok {
					msg.Key, msg.Value = k, v
				}
			}
			if err := p.Produce(e.ctx, msg); err != nil {
				return err
			}
			sent++
			mu.Lock()
			a := acked
			mu.Unlock()
			progress.update(false, "sent %s, %d acknowledged", count(sent, "message"), a)
			return nil
		})
		flushErr := p.Flush(e.ctx)
		closeErr := p.Close()
		mu.Lock()
		defer mu.Unlock()
		progress.update(true, "sent %s, %d acknowledged", count(sent, "message"), acked)
		if e.global.json {
			if err := writeJSON(e.stdout, map[string]any{"topic": t.Name(), "produced": acked, "failed": failed}); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(e.stdout, "produced %s to %s\n", count(acked, "message"), t.Name())
		}
		switch {
		case readErr != nil:
			return readErr
		case failed > 0:
			return fmt.Errorf("%d of %s failed, the first with: %w", failed, count(sent, "message"), firstErr)
		}
		return errors.Join(flushErr, closeErr)
	}
}

// readLines calls fn with each line of r, without its line ending; a
// final line without one counts too. Lines may be of any length. It
// returns ctx's error as soon as ctx ends, even while r blocks (a terminal
// waiting for the next line): the reading goroutine is then left blocked
// until r returns, which for the tool means until the process exits.
func readLines(ctx context.Context, r io.Reader, fn func(line []byte) error) error {
	type read struct {
		line []byte
		err  error
	}
	reads := make(chan read)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		br := bufio.NewReaderSize(r, 64<<10)
		for {
			line, err := br.ReadBytes('\n')
			select {
			case reads <- read{line, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		var rd read
		select {
		case rd = <-reads:
		case <-ctx.Done():
			return ctx.Err()
		}
		if line := rd.line; len(line) > 0 {
			line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
			if err := fn(line); err != nil {
				return err
			}
		}
		if rd.err == io.EOF {
			return nil
		}
		if rd.err != nil {
			return fmt.Errorf("reading messages: %w", rd.err)
		}
	}
}

func parseCompression(s string) (kafka.Compression, error) {
	for _, c := range []kafka.Compression{kafka.CompressionNone, kafka.CompressionGzip, kafka.CompressionSnappy, kafka.CompressionLZ4, kafka.CompressionZstd} {
		if strings.EqualFold(c.String(), s) {
			return c, nil
		}
	}
	return 0, usagef("--compression %q: want none, gzip, snappy, lz4 or zstd", s)
}
