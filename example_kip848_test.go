package kafka_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

// ExampleGroupProtocol: under KIP-848 the broker assigns the partitions; a
// member joining takes its share while the first member gives up just
// those (its PreRebalanceCallback hears of them alone) and goes on
// consuming the rest.
func ExampleGroupProtocol() {
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("orders", 4),
		kafkatest.BrokerConfig("group.consumer.heartbeat.interval.ms", "100")) // Kafka's default is 5s
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

	revoked := make(chan int, 10)
	cfg := kafka.BalancedConsumerConfig{
		ConsumerGroup:  "billing",
		GroupProtocol:  kafka.GroupProtocolConsumer,
		ServerAssignor: "uniform",
	}
	first := cfg
	first.PreRebalanceCallback = func(_ context.Context, offsets map[kafka.TopicPartition]int64) {
		revoked <- len(offsets)
	}
	a, err := topic.BalancedConsumer(ctx, first)
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	waitUntil(func() bool { return len(a.Partitions()) == 4 })
	_, epoch := a.Membership()
	fmt.Println("first member alone:", len(a.Partitions()), "partitions, member epoch", epoch)

	b, err := topic.BalancedConsumer(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	waitUntil(func() bool { return len(a.Partitions()) == 2 && len(b.Partitions()) == 2 })
	fmt.Println("first member gave up", <-revoked, "partitions and kept", len(a.Partitions()))
	fmt.Println("second member got", len(b.Partitions()))
	// Output:
	// first member alone: 4 partitions, member epoch 1
	// first member gave up 2 partitions and kept 2
	// second member got 2
}
