// Command task-done is yelp_kafka's consumer group pattern: messages are
// marked with TaskDone when processed, possibly out of order, and commits
// go only up to the oldest message not yet done, so nothing unprocessed is
// ever committed.
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
	err = client.CreateTopic(ctx, "tasks", kafka.TopicConfig{Partitions: 1})
	if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
		log.Fatal(err)
	}
	topic, err := client.Topic(ctx, "tasks")
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 5 {
		if err := p.Produce(ctx, kafka.Message{Value: []byte(fmt.Sprint("task ", i))}); err != nil {
			log.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		log.Fatal(err)
	}

	group := fmt.Sprint("task-done-", time.Now().UnixNano())
	c, err := topic.BalancedConsumer(ctx, kafka.BalancedConsumerConfig{ConsumerGroup: group, TrackTaskDone: true})
	if err != nil {
		log.Fatal(err)
	}
	var msgs []kafka.Message
	for range 5 {
		msg, err := c.Consume(ctx)
		if err != nil {
			log.Fatal(err)
		}
		msgs = append(msgs, msg)
	}
	// Tasks 0, 1 and 3 finish; 2 is still running.
	for _, i := range []int{0, 1, 3} {
		c.TaskDone(msgs[i])
	}
	if err := c.CommitOffsets(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("done: tasks 0, 1, 3; committed up to", committed(ctx, topic, group))
	c.TaskDone(msgs[2])
	c.TaskDone(msgs[4])
	if err := c.CommitOffsets(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("done: all; committed up to", committed(ctx, topic, group))
	c.Close()
}

// committed reads the group's commit with a consumer that only looks.
func committed(ctx context.Context, topic *kafka.Topic, group string) int64 {
	c, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{ConsumerGroup: group})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	offsets, err := c.FetchOffsets(ctx)
	if err != nil {
		log.Fatal(err)
	}
	return offsets[0]
}
