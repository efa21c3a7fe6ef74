package kafka_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

// originStamp is a ProduceRecordHook (and ConsumeRecordHook) that writes
// the producing service's name into every message's headers and reads it
// back on consumption, as a tracing hook does with its trace context.
type originStamp struct{ service string }

func (o originStamp) OnProduceRecord(ctx context.Context, msg *kafka.Message) {
	// A new slice: never write into the caller's.
	msg.Headers = append(slices.Clip(msg.Headers), kafka.Header{Key: "origin", Value: []byte(o.service)})
}

func (o originStamp) OnProduceRecordDone(msg kafka.Message, err error) {
	if err != nil {
		log.Printf("%s: not delivered: %v", msg.Topic, err)
	}
}

func (o originStamp) OnConsumeRecord(ctx context.Context, e kafka.ConsumeRecordEvent) {
	for _, h := range e.Message.Headers {
		if h.Key == "origin" {
			fmt.Printf("consumed %s[%d]@%d from %s\n", e.Message.Topic, e.Message.Partition, e.Message.Offset, h.Value)
		}
	}
}

// Record hooks see every message produced and consumed: here one stamps
// a header on the way out and reads it on the way in.
func ExampleProduceRecordHook() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("orders", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()

	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: cluster.Addrs(), Hooks: []kafka.Hook{originStamp{service: "billing"}}})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	topic, err := client.Topic(ctx, "orders")
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	if _, err := p.ProduceSync(ctx, kafka.Message{Value: []byte("order 1")}); err != nil {
		log.Fatal(err)
	}
	c, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	msg, err := c.Consume(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", msg.Value)
	// Output:
	// consumed orders[0]@0 from billing
	// order 1
}
