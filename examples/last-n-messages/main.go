// Command last-n-messages is the guide's recipe for reading the last N
// messages of every partition (ResetOffsets to latest - N), and from those
// the last N of the whole topic (the N newest by timestamp).
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

const lastN = 3

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
	err = client.CreateTopic(ctx, "last-n", kafka.TopicConfig{Partitions: 2})
	if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
		log.Fatal(err)
	}
	topic, err := client.Topic(ctx, "last-n")
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{Partitioner: kafka.NewManualPartitioner()})
	if err != nil {
		log.Fatal(err)
	}
	// Twenty messages a millisecond apart, alternating between the
	// partitions; partition 1 gets the newest.
	sent := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	for i := range 10 {
		for part := range int32(2) {
			sent = sent.Add(time.Millisecond)
			if err := p.Produce(ctx, kafka.Message{Partition: part, Value: []byte(fmt.Sprintf("p%d-m%d", part, i)), Timestamp: sent}); err != nil {
				log.Fatal(err)
			}
		}
	}
	if err := p.Close(); err != nil {
		log.Fatal(err)
	}

	c, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{ConsumerTimeout: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	latest, err := topic.LatestAvailableOffsets(ctx)
	if err != nil {
		log.Fatal(err)
	}
	start := map[int32]int64{}
	for part, next := range latest {
		start[part] = max(next-lastN, 0) // offsets are next-to-read: latest-N is the Nth from the end
	}
	if err := c.ResetOffsets(ctx, start); err != nil {
		log.Fatal(err)
	}
	got := map[int32][]string{}
	var all []kafka.Message
	for msg, err := range c.Messages(ctx) {
		if err != nil {
			break // kafka.ErrConsumerTimeout: every partition's end was reached
		}
		got[msg.Partition] = append(got[msg.Partition], string(msg.Value))
		all = append(all, msg)
	}
	for part := range int32(2) {
		fmt.Printf("partition %d, last %d: %v\n", part, lastN, got[part])
	}

	// The last N of the whole topic are among the last N of each
	// partition: keep the N newest.
	slices.SortFunc(all, func(a, b kafka.Message) int { return a.Timestamp.Compare(b.Timestamp) })
	var newest []string
	for _, m := range all[max(len(all)-lastN, 0):] {
		newest = append(newest, string(m.Value))
	}
	fmt.Printf("whole topic, last %d: %v\n", lastN, newest)
}
