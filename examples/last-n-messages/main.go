// Command last-n-messages is the guide's recipe for reading the last N
// messages of every partition: ResetOffsets to latest - N.
package main

import (
	"fmt"
	"log"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/examples/internal/demo"
)

const lastN = 3

func main() {
	ctx, cancel := demo.Context()
	defer cancel()
	topics := map[string]int{"last-n": 2}
	hosts, _, stop := demo.Cluster(topics)
	defer stop()
	client := demo.Client(ctx, hosts, topics)
	defer client.Close()
	topic, err := client.Topic(ctx, "last-n")
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{Partitioner: kafka.NewManualPartitioner()})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 10 {
		for part := range int32(2) {
			p.Produce(ctx, kafka.Message{Partition: part, Value: []byte(fmt.Sprintf("p%d-m%d", part, i))})
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
	for msg, err := range c.Messages(ctx) {
		if err != nil {
			break
		}
		got[msg.Partition] = append(got[msg.Partition], string(msg.Value))
	}
	for part := range int32(2) {
		fmt.Printf("partition %d, last %d: %v\n", part, lastN, got[part])
	}
}
