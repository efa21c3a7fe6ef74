// Command balanced-consumer runs two members of one consumer group: the
// group's coordinator divides the partitions between them, and a
// PostRebalanceCallback shows each assignment as it arrives.
package main

import (
	"context"
	"fmt"
	"log"
	"slices"
	"sync"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/examples/internal/demo"
)

func main() {
	ctx, cancel := demo.Context()
	defer cancel()
	topics := map[string]int{"balanced": 4}
	hosts, _, stop := demo.Cluster(topics)
	defer stop()
	client := demo.Client(ctx, hosts, topics)
	defer client.Close()
	topic, err := client.Topic(ctx, "balanced")
	if err != nil {
		log.Fatal(err)
	}
	group := fmt.Sprint("balanced-", time.Now().UnixNano())
	var mu sync.Mutex
	member := func(name string) *kafka.BalancedConsumer {
		c, err := topic.BalancedConsumer(ctx, kafka.BalancedConsumerConfig{
			ConsumerGroup:     group,
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
