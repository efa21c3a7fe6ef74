// Command quickstart is the README's "run it": it starts a 3-broker
// cluster in this process (or uses KAFKA_BROKERS), produces a few keyed
// messages, consumes them in a consumer group, commits, and says what
// happened.
//
//	go run ./examples/quickstart
package main

import (
	"fmt"
	"log"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/examples/internal/demo"
)

func main() {
	ctx, cancel := demo.Context()
	defer cancel()
	topics := map[string]int{"quickstart": 3}
	hosts, _, stop := demo.Cluster(topics)
	defer stop()
	client := demo.Client(ctx, hosts, topics)
	defer client.Close()
	fmt.Printf("connected to a cluster of %d brokers\n", len(client.Brokers()))

	topic, err := client.Topic(ctx, "quickstart")
	if err != nil {
		log.Fatal(err)
	}
	producer, err := topic.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	for i, fruit := range []string{"apple", "banana", "cherry", "damson", "elder"} {
		// Same key, same partition: ProduceSync waits for the broker's ack.
		msg, err := producer.ProduceSync(ctx, kafka.Message{Key: []byte(fruit), Value: []byte(fmt.Sprintf("order %d", i+1))})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("produced %q with key %q to partition %d at offset %d\n", msg.Value, msg.Key, msg.Partition, msg.Offset)
	}
	if err := producer.Close(); err != nil {
		log.Fatal(err)
	}

	consumer, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{
		ConsumerGroup:   "quickstart-readers",
		AutoOffsetReset: kafka.OffsetEarliest,
		ConsumerTimeout: time.Second, // stop when nothing more arrives
	})
	if err != nil {
		log.Fatal(err)
	}
	defer consumer.Close()
	n := 0
	for msg, err := range consumer.Messages(ctx) {
		if err != nil {
			break // kafka.ErrConsumerTimeout: all read
		}
		n++
		fmt.Printf("consumed %q (key %q)\n", msg.Value, msg.Key)
	}
	fmt.Printf("consumed %d messages\n", n)
	if err := consumer.CommitOffsets(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("committed: the group will continue after these next time")
}
