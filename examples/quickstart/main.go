// Command quickstart is the README's quickstart, runnable: it produces a
// few keyed messages, reads them back in a consumer group and commits.
//
// It uses the brokers in KAFKA_BROKERS (e.g. "127.0.0.1:9092"), or starts
// a 3-broker cluster in this process when that is unset:
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// The cluster: the brokers in KAFKA_BROKERS if set, else a 3-broker
	// cluster started in this process.
	var hosts []string
	if env := os.Getenv("KAFKA_BROKERS"); env != "" {
		hosts = strings.Split(env, ",")
	} else {
		cluster, err := kafkatest.NewCluster()
		if err != nil {
			log.Fatal(err)
		}
		defer cluster.Close()
		hosts = cluster.Addrs()
	}
	if err := quickstart(ctx, hosts); err != nil {
		log.Fatal(err)
	}
}

// quickstart is the README's quickstart; internal/docscheck checks that the
// two agree.
func quickstart(ctx context.Context, hosts []string) error {
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: hosts, ClientID: "billing"})
	if err != nil {
		return err // kafka.ErrNoBrokersAvailable, saying what each seed answered
	}
	defer client.Close()
	fmt.Printf("connected to a cluster of %d brokers\n", len(client.Brokers()))

	// Create the topic unless it exists (a real cluster keeps it between runs).
	err = client.CreateTopic(ctx, "payments", kafka.TopicConfig{Partitions: 3})
	if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
		return err
	}
	topic, err := client.Topic(ctx, "payments")
	if err != nil {
		return err
	}

	// Produce: Produce queues and returns (the outcome comes in a delivery
	// report); ProduceSync waits for the broker's ack and the stored offset.
	producer, err := topic.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		return err
	}
	defer producer.Close() // delivers what is queued
	orders := []string{"apple", "banana", "cherry", "damson", "elder"}
	for i, fruit := range orders {
		// Same key, same partition.
		msg := kafka.Message{Key: []byte(fruit), Value: []byte(fmt.Sprintf("order %d", i+1))}
		stored, err := producer.ProduceSync(ctx, msg)
		if err != nil {
			return err // one error per Kafka code; kafka.IsRetriable(err) says whether to try again
		}
		fmt.Printf("produced %q to partition %d at offset %d\n", stored.Value, stored.Partition, stored.Offset)
	}

	// Consume in a group: a new group starts at the earliest offset, an
	// existing one after its last commit (pykafka's rules; see docs/usage.md).
	consumer, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{ConsumerGroup: "billing"})
	if err != nil {
		return err
	}
	defer consumer.Close()
	n := 0
	for msg, err := range consumer.Messages(ctx) {
		if err != nil {
			return err
		}
		fmt.Printf("consumed %q (key %q) from partition %d at offset %d\n", msg.Value, msg.Key, msg.Partition, msg.Offset)
		if n++; n == len(orders) {
			break
		}
	}
	fmt.Printf("consumed %d messages\n", n)
	if err := consumer.CommitOffsets(ctx); err != nil {
		return err
	}
	fmt.Println("committed: the group will continue after these next time")
	return nil
}
