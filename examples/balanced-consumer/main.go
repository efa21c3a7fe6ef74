// Command balanced-consumer runs two members of one consumer group: the
// group's coordinator divides the partitions between them, and a
// PostRebalanceCallback shows each assignment as it arrives.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"sync"
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
	err = client.CreateTopic(ctx, "balanced", kafka.TopicConfig{Partitions: 4})
	if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
		log.Fatal(err)
	}
	topic, err := client.Topic(ctx, "balanced")
	if err != nil {
		log.Fatal(err)
	}
	group := fmt.Sprint("balanced-", time.Now().UnixNano())
	var mu sync.Mutex
	member := func(name string) *kafka.BalancedConsumer {
		c, err := topic.BalancedConsumer(ctx, kafka.BalancedConsumerConfig{
			ConsumerGroup: group,
			// Members learn of a rebalance at their next heartbeat:
			// with the default 3s, the hand-over below would take
			// seconds.
			HeartbeatInterval: 200 * time.Millisecond,
			PostRebalanceCallback: func(_ context.Context, _, assigned map[kafka.TopicPartition]int64) (map[kafka.TopicPartition]int64, error) {
				mu.Lock()
				defer mu.Unlock()
				var parts []int32
				for tp := range assigned {
					parts = append(parts, tp.Partition)
				}
				slices.Sort(parts)
				log.Printf("%s was assigned partitions %v", name, parts)
				return nil, nil // start where the group left off
			},
		})
		if err != nil {
			log.Fatal(err)
		}
		return c
	}
	a := member("member-a")
	b := member("member-b")
	// Wait until the two share the four partitions.
	for len(a.Partitions())+len(b.Partitions()) != 4 || len(a.Partitions()) == 0 || len(b.Partitions()) == 0 {
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Printf("two members share 4 partitions: %d and %d\n", len(a.Partitions()), len(b.Partitions()))
	b.Close() // leaves the group: a takes over
	for len(a.Partitions()) != 4 {
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Println("after one left, the other has all 4")
	a.Close()
}
