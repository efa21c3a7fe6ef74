// Command initial-offset walks through the pykafka guide's rules for where
// a consumer starts: a new group at AutoOffsetReset; an existing group at
// its committed offset (the next offset to read); ResetOffsetOnStart
// overriding the commit; and no group at all.
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

	// The cluster: the brokers in KAFKA_BROKERS (e.g. "127.0.0.1:9092") if
	// set, else a 3-broker cluster started in this process.
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
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: hosts, ClientID: "gokafka-example"})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	// Create the topic unless it exists (a real cluster keeps it between runs).
	err = client.CreateTopic(ctx, "initial-offset", kafka.TopicConfig{Partitions: 1})
	if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
		log.Fatal(err)
	}
	topic, err := client.Topic(ctx, "initial-offset")
	if err != nil {
		log.Fatal(err)
	}
	produce(ctx, topic, 10) // offsets 0..9
	group := fmt.Sprintf("initial-offset-%d", time.Now().UnixNano())

	// A new group with OffsetLatest sees only what comes next.
	c := consumer(ctx, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group, AutoOffsetReset: kafka.OffsetLatest})
	fmt.Println("new group, OffsetLatest: starts at", c.HeldOffsets()[0])
	c.Close()

	// The same group, after consuming up to offset 4 and committing: the
	// broker holds 5, the next offset to read, and the group starts there.
	c = consumer(ctx, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group, AutoOffsetReset: kafka.OffsetEarliest})
	if err := c.ResetOffsets(ctx, map[int32]int64{0: 0}); err != nil {
		log.Fatal(err)
	}
	for range 5 {
		if _, err := c.Consume(ctx); err != nil {
			log.Fatal(err)
		}
	}
	if err := c.CommitOffsets(ctx); err != nil {
		log.Fatal(err)
	}
	c.Close()
	c = consumer(ctx, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group, AutoOffsetReset: kafka.OffsetLatest})
	msg, err := c.Consume(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("existing group, consumed up to 4 and committed: next message is offset", msg.Offset)
	c.Close()

	// ResetOffsetOnStart ignores the commit and starts at AutoOffsetReset.
	c = consumer(ctx, topic, kafka.SimpleConsumerConfig{ConsumerGroup: group, AutoOffsetReset: kafka.OffsetEarliest, ResetOffsetOnStart: true})
	msg, err = c.Consume(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("existing group, ResetOffsetOnStart with OffsetEarliest: next message is offset", msg.Offset)
	c.Close()

	// No group: a new consumer every time, starting at AutoOffsetReset.
	c = consumer(ctx, topic, kafka.SimpleConsumerConfig{AutoOffsetReset: kafka.OffsetLatest})
	fmt.Println("no group, OffsetLatest: starts at", c.HeldOffsets()[0])
	c.Close()
}

func consumer(ctx context.Context, topic *kafka.Topic, cfg kafka.SimpleConsumerConfig) *kafka.SimpleConsumer {
	cfg.ConsumerTimeout = 5 * time.Second
	c, err := topic.SimpleConsumer(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	return c
}

func produce(ctx context.Context, topic *kafka.Topic, n int) {
	p, err := topic.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	for i := range n {
		if _, err := p.ProduceSync(ctx, kafka.Message{Value: []byte(fmt.Sprint(i))}); err != nil {
			log.Fatal(err)
		}
	}
}
