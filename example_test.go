package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"regexp"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

func ExampleNewClient() {
	// An in-process cluster stands in for a real one here; with a real
	// cluster, Hosts is its seed brokers, e.g. "kafka1:9092,kafka2:9092".
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("payments", 3))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()

	ctx := context.Background()
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: cluster.Addrs(), ClientID: "billing"})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	fmt.Println(len(client.Brokers()), "brokers")
	topic, err := client.Topic(ctx, "payments")
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range topic.Partitions() {
		fmt.Println("partition", p.ID, "replicas", len(p.Replicas))
	}
	// Output:
	// 3 brokers
	// partition 0 replicas 3
	// partition 1 replicas 3
	// partition 2 replicas 3
}

func ExampleClient_TopicsMatching() {
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("logs.web", 1), kafkatest.Topic("logs.db", 1), kafkatest.Topic("metrics", 1))
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

	names, err := client.TopicsMatching(ctx, regexp.MustCompile(`^logs\.`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(names)
	// Output: [logs.db logs.web]
}

func ExampleClient_CreateTopic() {
	cluster, err := kafkatest.NewCluster()
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

	err = client.CreateTopic(ctx, "orders", kafka.TopicConfig{
		Partitions:        6,
		ReplicationFactor: 3,
		Configs:           map[string]string{"cleanup.policy": "compact"},
	})
	if err != nil {
		log.Fatal(err)
	}
	topic, err := client.Topic(ctx, "orders")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(topic.Partitions()), "partitions,", len(topic.Partitions()[0].Replicas), "replicas each")

	err = client.CreateTopic(ctx, "orders", kafka.TopicConfig{Partitions: 1})
	fmt.Println(errors.Is(err, kafka.ErrTopicAlreadyExists))
	// Output:
	// 6 partitions, 3 replicas each
	// true
}

func ExampleTopic_OffsetsForTime() {
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("events", 1))
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
	topic, err := client.Topic(ctx, "events")
	if err != nil {
		log.Fatal(err)
	}

	// Where would a consumer start to see everything from an hour ago on?
	// On an empty partition, at its latest offset.
	offsets, err := topic.OffsetsForTime(ctx, time.Now().Add(-time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	latest, err := topic.LatestAvailableOffsets(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(offsets[0], latest[0])
	// Output: 0 0
}

func ExampleIsRetriable() {
	cluster, err := kafkatest.NewCluster()
	if err != nil {
		log.Fatal(err)
	}
	addr := cluster.Addrs()[0]
	cluster.Close() // nothing answers there any more

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = kafka.NewClient(ctx, kafka.Config{Hosts: []string{addr}})
	fmt.Println(errors.Is(err, kafka.ErrNoBrokersAvailable), kafka.IsRetriable(err))
	// Output: true true
}
