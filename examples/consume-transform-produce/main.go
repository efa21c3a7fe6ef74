// Command consume-transform-produce reads an input topic with a
// BalancedConsumer, upper-cases each value and writes it to an output
// topic, exactly once: the output of a run of inputs and the consumer's
// progress past them are committed together in one transaction, or not at
// all. A transaction holds up to maxTxnMessages messages, or what arrived
// within maxTxnTime.
//
// On an abortable *kafka.TransactionError the loop aborts the transaction
// and rewinds the consumer to the group's committed offsets, so that the
// inputs whose output was discarded are read again. On a fatal one (the
// producer was fenced by a newer one with the same transactional ID) it
// closes the producer and makes a new one, which fences the old epoch and
// aborts what it left open, then rewinds likewise.
//
// Run in-process, the cluster fails one write to the output topic and
// answers one commit as if the producer had been fenced, to show both
// paths; the output, read with read_committed, holds each input exactly
// once all the same.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
)

const (
	inputs         = 200
	maxTxnMessages = 25
	maxTxnTime     = 500 * time.Millisecond
	// idle: no input for this long, and the group's commits at the
	// input's end, ends the program (a real pipeline would go on waiting).
	idle = time.Second
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The cluster: the brokers in KAFKA_BROKERS (e.g. "127.0.0.1:9092") if
	// set, else a 3-broker cluster started in this process.
	var hosts []string
	var cluster *kafkatest.Cluster
	if env := os.Getenv("KAFKA_BROKERS"); env != "" {
		hosts = strings.Split(env, ",")
	} else {
		var err error
		cluster, err = kafkatest.NewCluster()
		if err != nil {
			log.Fatal(err)
		}
		defer cluster.Close()
		hosts = cluster.Addrs()
	}
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: hosts, ClientID: "gokafka-example"})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	// Create the topics unless they exist (a real cluster keeps them
	// between runs: each run tags its messages, and checks only its own).
	for _, name := range []string{"ctp.input", "ctp.output"} {
		err = client.CreateTopic(ctx, name, kafka.TopicConfig{Partitions: 3})
		if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
			log.Fatal(err)
		}
	}
	in, err := client.Topic(ctx, "ctp.input")
	if err != nil {
		log.Fatal(err)
	}
	out, err := client.Topic(ctx, "ctp.output")
	if err != nil {
		log.Fatal(err)
	}
	outStart, err := out.LatestAvailableOffsets(ctx) // where this run's output begins
	if err != nil {
		log.Fatal(err)
	}

	// The input, written by an ordinary producer.
	run := time.Now().UnixNano()
	plain, err := in.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	for i := range inputs {
		err := plain.Produce(ctx, kafka.Message{Key: fmt.Appendf(nil, "order-%d", i), Value: fmt.Appendf(nil, "run %d order %d", run, i)})
		if err != nil {
			log.Fatal(err)
		}
	}
	if err := plain.Close(); err != nil {
		log.Fatal(err)
	}
	inEnd, err := in.LatestAvailableOffsets(ctx)
	if err != nil {
		log.Fatal(err)
	}

	group := fmt.Sprint("ctp-", run)
	pl := &pipeline{client: client, out: out.Name(), txnID: fmt.Sprint("ctp-", run)}
	pl.caughtUp = func(ctx context.Context) (bool, error) {
		committed, err := client.FetchGroupOffsets(ctx, group, in.Name())
		if err != nil {
			return false, err
		}
		for p, end := range inEnd {
			if committed[p] < end {
				return false, nil
			}
		}
		return true, nil
	}
	if cluster != nil {
		pl.faults = faultsOnCue(cluster)
	}
	pl.consumer, err = in.BalancedConsumer(ctx, kafka.BalancedConsumerConfig{
		ConsumerGroup:    group,
		AutoCommitEnable: false,                // offsets are committed by the transactions
		IsolationLevel:   kafka.ReadCommitted,  // if the input is itself written in transactions
		ConsumerTimeout:  idle,                 // to see whether the example is done
		AutoOffsetReset:  kafka.OffsetEarliest, // a new group reads the input from its start
	})
	if err != nil {
		log.Fatal(err)
	}
	if pl.producer, err = pl.newProducer(ctx); err != nil {
		log.Fatal(err)
	}
	if err := pl.run(ctx); err != nil {
		log.Fatal(err)
	}
	pl.consumer.Close()
	if err := pl.producer.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("transactions: %d committed, %d aborted, %d fenced (producer recreated)\n", pl.committed, pl.aborted, pl.fenced)

	// The check: read_committed sees each input's output exactly once;
	// read_uncommitted sees, besides, what the failed transactions wrote.
	committed := readOutput(ctx, out, outStart, kafka.ReadCommitted)
	counts := map[string]int{}
	for _, v := range committed {
		counts[v]++
	}
	for i := range inputs {
		want := strings.ToUpper(fmt.Sprintf("run %d order %d", run, i))
		if counts[want] != 1 {
			log.Fatalf("output holds %q %d times", want, counts[want])
		}
	}
	if len(committed) != inputs {
		log.Fatalf("output holds %d messages for %d inputs", len(committed), inputs)
	}
	fmt.Printf("output (read_committed): %d messages, each of the %d inputs exactly once\n", len(committed), inputs)
	all := readOutput(ctx, out, outStart, kafka.ReadUncommitted)
	fmt.Printf("output (read_uncommitted): %d messages, %d of them from aborted transactions\n", len(all), len(all)-len(committed))
}

// pipeline is the consume-transform-produce loop.
type pipeline struct {
	client   *kafka.Client
	out      string
	txnID    string
	consumer *kafka.BalancedConsumer
	producer *kafka.Producer
	faults   func(committed int) // in-process only: fail requests on cue
	caughtUp func(context.Context) (bool, error)

	committed, aborted, fenced int
}

// newProducer makes the transactional producer. Making it registers
// txnID with its coordinator, which fences any earlier producer of the ID
// and aborts the transaction that one left open.
func (pl *pipeline) newProducer(ctx context.Context) (*kafka.Producer, error) {
	return pl.client.Producer(ctx, kafka.ProducerConfig{
		TransactionalID:    pl.txnID,
		TransactionTimeout: 30 * time.Second, // the coordinator aborts a transaction open longer
	})
}

// run transforms transactions until the input is caught up.
func (pl *pipeline) run(ctx context.Context) error {
	for {
		if pl.faults != nil {
			pl.faults(pl.committed)
		}
		n, err := pl.transaction(ctx)
		var te *kafka.TransactionError
		switch {
		case err == nil && n == 0:
			if done, err := pl.caughtUp(ctx); done || err != nil {
				return err
			}
			continue
		case err == nil:
			pl.committed++
			continue
		case !errors.As(err, &te):
			return err // not the transaction's failure: the consumer's, or a bug
		case !te.Fatal:
			// Abortable: discard the transaction, then read its inputs
			// again.
			log.Printf("aborting: %v", err)
			pl.aborted++
			if err := pl.producer.AbortTransaction(ctx); err != nil {
				if !errors.As(err, &te) || !te.Fatal {
					return err
				}
				if err := pl.replaceProducer(ctx, err); err != nil {
					return err
				}
			}
		default:
			// Fatal: this producer is done for. Here nothing else uses
			// its transactional ID (the in-process cluster made up the
			// fencing), so a new producer takes over, fencing the old
			// epoch and aborting what it left open. Where a newer
			// instance of the application may have taken the ID over,
			// this one is the zombie: it should stop instead.
			if err := pl.replaceProducer(ctx, err); err != nil {
				return err
			}
		}
		// The aborted transaction's offsets were dropped: go back to
		// those committed. In a rebalance the next assignment starts
		// from them anyway.
		if err := pl.consumer.RewindToCommitted(ctx); err != nil && !errors.Is(err, kafka.ErrRebalanceInProgress) {
			return err
		}
	}
}

func (pl *pipeline) replaceProducer(ctx context.Context, cause error) error {
	log.Printf("recreating the producer: %v", cause)
	pl.fenced++
	pl.producer.Close() // its open transaction is lost either way: the new producer aborts it
	p, err := pl.newProducer(ctx)
	if err != nil {
		return err
	}
	pl.producer = p
	return nil
}

// transaction consumes up to maxTxnMessages messages, or what arrives
// within maxTxnTime, writes their transformations, and commits them with
// the consumer's offsets. It returns how many it committed; 0 and no error
// after idle without input.
func (pl *pipeline) transaction(ctx context.Context) (int, error) {
	if err := pl.producer.BeginTransaction(); err != nil {
		return 0, err
	}
	batchCtx, cancel := context.WithTimeout(ctx, maxTxnTime)
	defer cancel()
	n := 0
	for n < maxTxnMessages {
		msg, err := pl.consumer.Consume(batchCtx)
		if errors.Is(err, kafka.ErrConsumerTimeout) || (err != nil && batchCtx.Err() != nil && ctx.Err() == nil) {
			break // nothing more for now
		}
		if err != nil {
			return n, err
		}
		out := kafka.Message{Topic: pl.out, Key: msg.Key, Value: bytes.ToUpper(msg.Value)}
		if err := pl.producer.Produce(ctx, out); err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		// The offsets past the messages consumed join the transaction:
		// committed for the group if and only if the output is.
		if err := pl.producer.SendOffsetsToTransaction(ctx, pl.consumer); err != nil {
			return n, err
		}
	}
	// An empty transaction commits without a request.
	return n, pl.producer.CommitTransaction(ctx)
}

// faultsOnCue returns a function that makes the in-process cluster fail
// requests on cue, once each: after two committed transactions, one write
// to the output topic (abortable); after five, one commit answered
// PRODUCER_FENCED (fatal), as a newer producer with the same ID would
// have it answered.
func faultsOnCue(cluster *kafkatest.Cluster) func(committed int) {
	done := map[int]bool{}
	return func(committed int) {
		if done[committed] {
			return
		}
		done[committed] = true
		switch committed {
		case 2:
			cluster.InjectFault(kafkatest.Fault{APIs: []int16{protocol.KeyProduce}, Topic: "ctp.output", Code: int16(kafka.ErrInvalidRecord)})
		case 5:
			cluster.InjectFault(kafkatest.Fault{APIs: []int16{protocol.KeyEndTxn}, Code: int16(kafka.ErrProducerFenced)})
		}
	}
}

// readOutput returns the values of the output topic from start on, as a
// consumer at isolation level iso sees them.
func readOutput(ctx context.Context, topic *kafka.Topic, start map[int32]int64, iso kafka.IsolationLevel) []string {
	c, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{IsolationLevel: iso, ConsumerTimeout: 2 * time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.ResetOffsets(ctx, start); err != nil {
		log.Fatal(err)
	}
	var values []string
	for msg, err := range c.Messages(ctx) {
		if errors.Is(err, kafka.ErrConsumerTimeout) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		values = append(values, string(msg.Value))
	}
	return values
}
