package kafka_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

// A transaction's messages become visible to read-committed consumers
// together, when it commits; an aborted transaction's never do.
func ExampleProducer_BeginTransaction() {
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("ledger", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()
	ctx := context.Background()
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: cluster.Addrs()})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	topic, err := client.Topic(ctx, "ledger")
	if err != nil {
		log.Fatal(err)
	}

	// Making the producer registers its transactional ID, fencing any
	// earlier producer with the same one.
	p, err := topic.Producer(ctx, kafka.ProducerConfig{TransactionalID: "ledger-writer"})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()

	write := func(commit bool, values ...string) {
		if err := p.BeginTransaction(); err != nil {
			log.Fatal(err)
		}
		for _, v := range values {
			if err := p.Produce(ctx, kafka.Message{Value: []byte(v)}); err != nil {
				log.Fatal(err)
			}
		}
		if commit {
			err = p.CommitTransaction(ctx)
		} else {
			if err := p.Flush(ctx); err != nil { // written, to be marked aborted
				log.Fatal(err)
			}
			err = p.AbortTransaction(ctx)
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	write(true, "debit 10", "credit 10")
	write(false, "debit 99") // never seen by read_committed
	write(true, "debit 5", "credit 5")

	for _, iso := range []kafka.IsolationLevel{kafka.ReadCommitted, kafka.ReadUncommitted} {
		c, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{
			IsolationLevel:  iso,
			ConsumerTimeout: time.Second, // caught up
		})
		if err != nil {
			log.Fatal(err)
		}
		var seen []string
		for msg, err := range c.Messages(ctx) {
			if errors.Is(err, kafka.ErrConsumerTimeout) {
				break
			}
			if err != nil {
				log.Fatal(err)
			}
			seen = append(seen, string(msg.Value))
		}
		c.Close()
		fmt.Printf("%q\n", seen)
	}
	// Output:
	// ["debit 10" "credit 10" "debit 5" "credit 5"]
	// ["debit 10" "credit 10" "debit 99" "debit 5" "credit 5"]
}

// The consume-transform-produce loop: the output of what a group member
// consumed and the member's offsets past it commit together, or neither
// does. examples/consume-transform-produce is the whole program, with
// the error handling shown here in brief.
func ExampleProducer_SendOffsetsToTransaction() {
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("words", 1), kafkatest.Topic("shouts", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()
	ctx := context.Background()
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: cluster.Addrs()})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	in, err := client.Topic(ctx, "words")
	if err != nil {
		log.Fatal(err)
	}
	w, err := in.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range []string{"hello", "exactly", "once"} {
		w.Produce(ctx, kafka.Message{Value: []byte(v)})
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	consumer, err := in.BalancedConsumer(ctx, kafka.BalancedConsumerConfig{
		ConsumerGroup:    "shouter",
		AutoCommitEnable: false, // the transactions commit the offsets
		IsolationLevel:   kafka.ReadCommitted,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer consumer.Close()
	p, err := client.Producer(ctx, kafka.ProducerConfig{TransactionalID: "shouter-0"})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()

	// One transaction per message, to keep it short; batch them in real
	// use (see examples/consume-transform-produce). A real pipeline loops
	// forever; this one stops after its three inputs.
	for done := 0; done < 3; {
		msg, err := consumer.Consume(ctx)
		if err != nil {
			log.Fatal(err)
		}
		err = p.BeginTransaction()
		if err == nil {
			err = p.Produce(ctx, kafka.Message{Topic: "shouts", Value: bytes.ToUpper(msg.Value)})
		}
		if err == nil {
			err = p.SendOffsetsToTransaction(ctx, consumer)
		}
		if err == nil {
			err = p.CommitTransaction(ctx)
		}
		var te *kafka.TransactionError
		switch {
		case err == nil:
			done++
		case errors.As(err, &te) && !te.Fatal:
			// Discard the transaction and consume its input again.
			if err := p.AbortTransaction(ctx); err != nil {
				log.Fatal(err)
			}
			if err := consumer.RewindToCommitted(ctx); err != nil {
				log.Fatal(err)
			}
		default:
			log.Fatal(err) // fatal (fenced): close the producer, make a new one
		}
	}

	out, err := client.Topic(ctx, "shouts")
	if err != nil {
		log.Fatal(err)
	}
	c, err := out.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{IsolationLevel: kafka.ReadCommitted, ConsumerTimeout: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for msg, err := range c.Messages(ctx) {
		if err != nil {
			break // ErrConsumerTimeout: caught up
		}
		fmt.Println(string(msg.Value))
	}
	committed, err := client.FetchGroupOffsets(ctx, "shouter", "words")
	fmt.Println("committed for the group:", committed, err)
	// Output:
	// HELLO
	// EXACTLY
	// ONCE
	// committed for the group: map[0:3] <nil>
}
