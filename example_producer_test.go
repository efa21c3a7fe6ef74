package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

func ExampleTopic_Producer() {
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("payments", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()
	ctx := context.Background()
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: cluster.Addrs()})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	topic, err := client.Topic(ctx, "payments")
	if err != nil {
		log.Fatal(err)
	}

	p, err := topic.Producer(ctx, kafka.ProducerConfig{Compression: kafka.CompressionZstd, DeliveryReports: true})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 3 {
		// Queued; the outcome arrives as a delivery report.
		if err := p.Produce(ctx, kafka.Message{Key: []byte("card-42"), Value: []byte(fmt.Sprint("payment ", i))}); err != nil {
			log.Fatal(err)
		}
	}
	go p.Close() // sends what is queued, then closes DeliveryReports
	for r := range p.DeliveryReports() {
		fmt.Printf("%s: offset %d, err %v\n", r.Message.Value, r.Message.Offset, r.Err)
	}
	// Output:
	// payment 0: offset 0, err <nil>
	// payment 1: offset 1, err <nil>
	// payment 2: offset 2, err <nil>
}

func ExampleClient_Producer() {
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("orders", 2), kafkatest.Topic("invoices", 2))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()
	ctx := context.Background()
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: cluster.Addrs()})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	// One producer for every topic: each message names its own, and the
	// batches of both topics travel in shared requests.
	p, err := client.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	for _, topic := range []string{"orders", "invoices", "orders"} {
		msg, err := p.ProduceSync(ctx, kafka.Message{Topic: topic, Key: []byte("customer-7"), Value: []byte("...")})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: partition %d, offset %d\n", msg.Topic, msg.Partition, msg.Offset)
	}
	// A message must name its topic.
	err = p.Produce(ctx, kafka.Message{Value: []byte("where to?")})
	fmt.Println(errors.Is(err, kafka.ErrNoTopic))
	// Output:
	// orders: partition 1, offset 0
	// invoices: partition 1, offset 0
	// orders: partition 1, offset 1
	// true
}

func ExampleTopic_BalancedConsumer() {
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("orders", 4))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()
	ctx := context.Background()
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: cluster.Addrs()})
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
	for i := range 8 {
		p.Produce(ctx, kafka.Message{Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprint("order ", i))})
	}
	p.Close()

	c, err := topic.BalancedConsumer(ctx, kafka.BalancedConsumerConfig{
		ConsumerGroup:   "billing",
		TrackTaskDone:   true, // commit only what was marked done
		ConsumerTimeout: 2 * time.Second,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	handled := 0
	for msg, err := range c.Messages(ctx) {
		if err != nil {
			break // ErrConsumerTimeout: nothing more for now
		}
		handled++ // ... process msg ...
		c.TaskDone(msg)
	}
	if err := c.CommitOffsets(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("handled", handled, "orders from partitions", c.Partitions())
	// Output: handled 8 orders from partitions [0 1 2 3]
}
