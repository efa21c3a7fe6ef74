// Command reset-to-time is the usage guide's recipe for moving a consumer
// group back (or forward) to a point in time: Topic.OffsetsForTime finds,
// for each partition, the first message at or after that time, and
// Client.CommitGroupOffsets commits those offsets for the group, which
// then reads on from there.
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
	err = client.CreateTopic(ctx, "events", kafka.TopicConfig{Partitions: 2})
	if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
		log.Fatal(err)
	}
	topic, err := client.Topic(ctx, "events")
	if err != nil {
		log.Fatal(err)
	}

	// Ten events a minute apart, alternating between the two partitions.
	start := time.Now().Add(-time.Hour).Truncate(time.Minute)
	p, err := topic.Producer(ctx, kafka.ProducerConfig{Partitioner: kafka.NewManualPartitioner()})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 10 {
		msg := kafka.Message{Partition: int32(i % 2), Value: []byte(fmt.Sprintf("e%d", i)), Timestamp: start.Add(time.Duration(i) * time.Minute)}
		if _, err := p.ProduceSync(ctx, msg); err != nil {
			log.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		log.Fatal(err)
	}

	// A group reads them all and commits.
	group := fmt.Sprintf("reset-to-time-%d", time.Now().UnixNano())
	fmt.Println("the group reads:", readAll(ctx, topic, group))

	// The recipe: the group is to read again everything from minute 6 on.
	// (A group with live members refuses the commit: stop them first.)
	offsets, err := topic.OffsetsForTime(ctx, start.Add(6*time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CommitGroupOffsets(ctx, group, "events", offsets); err != nil {
		log.Fatal(err)
	}
	fmt.Println("committed for minute 6:", offsets)

	fmt.Println("after the reset, the group reads:", readAll(ctx, topic, group))
}

// readAll reads, in group, from the group's committed offsets to the end
// of every partition, commits, and returns what it read, in time order.
func readAll(ctx context.Context, topic *kafka.Topic, group string) []string {
	latest, err := topic.LatestAvailableOffsets(ctx)
	if err != nil {
		log.Fatal(err)
	}
	c, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{ConsumerGroup: group, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	var msgs []kafka.Message
	for !reached(c.HeldOffsets(), latest) {
		msg, err := c.Consume(ctx)
		if err != nil {
			log.Fatal(err)
		}
		msgs = append(msgs, msg)
	}
	if err := c.CommitOffsets(ctx); err != nil {
		log.Fatal(err)
	}
	slices.SortFunc(msgs, func(a, b kafka.Message) int { return a.Timestamp.Compare(b.Timestamp) })
	var values []string
	for _, m := range msgs {
		values = append(values, string(m.Value))
	}
	return values
}

// reached reports whether every partition's next offset is at its end.
func reached(held, end map[int32]int64) bool {
	for p, o := range end {
		if held[p] < o {
			return false
		}
	}
	return true
}
