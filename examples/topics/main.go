// Command topics shows the client: it connects to a cluster, creates a
// topic, finds topics by regular expression, and asks for offsets.
//
// It uses the brokers in KAFKA_BROKERS (e.g. "127.0.0.1:9092"), or starts
// an in-process cluster when that is unset:
//
//	go run ./examples/topics
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	hosts := os.Getenv("KAFKA_BROKERS")
	if hosts == "" {
		cluster, err := kafkatest.NewCluster()
		if err != nil {
			log.Fatal(err)
		}
		defer cluster.Close()
		hosts = strings.Join(cluster.Addrs(), ",")
	}

	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: []string{hosts}, ClientID: "topics-example"})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	for _, b := range client.Brokers() {
		fmt.Printf("broker %d at %s\n", b.ID, b.Addr())
	}

	err = client.CreateTopic(ctx, "example.orders", kafka.TopicConfig{Partitions: 3})
	if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
		log.Fatal(err)
	}
	names, err := client.TopicsMatching(ctx, regexp.MustCompile(`^example\.`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("topics:", names)

	topic, err := client.Topic(ctx, "example.orders")
	if err != nil {
		log.Fatal(err)
	}
	earliest, err := topic.EarliestAvailableOffsets(ctx)
	if err != nil {
		log.Fatal(err)
	}
	latest, err := topic.LatestAvailableOffsets(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range topic.Partitions() {
		fmt.Printf("partition %d: leader %d, replicas %v, in sync %v, offsets %d..%d\n",
			p.ID, p.Leader, p.Replicas, p.ISR, earliest[p.ID], latest[p.ID])
	}
}
