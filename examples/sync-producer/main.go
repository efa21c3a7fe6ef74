// Command sync-producer produces with ProduceSync, which waits for the
// broker's acknowledgement and returns where the message was stored:
// pykafka's sync=True producer.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
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
	err = client.CreateTopic(ctx, "sync", kafka.TopicConfig{Partitions: 1})
	if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
		log.Fatal(err)
	}
	topic, err := client.Topic(ctx, "sync")
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	for _, v := range []string{"first", "second", "third"} {
		msg, err := p.ProduceSync(ctx, kafka.Message{Value: []byte(v)})
		if err != nil {
			log.Fatal(err) // kafka.IsRetriable(err) says whether trying again may help
		}
		fmt.Printf("%s: partition %d, offset %d\n", msg.Value, msg.Partition, msg.Offset)
	}
}
