// Command delivery-reports produces asynchronously and counts the outcome
// of every message from the DeliveryReports channel: none is lost
// silently, even the one that is too large.
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
	err = client.CreateTopic(ctx, "reports", kafka.TopicConfig{Partitions: 3})
	if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
		log.Fatal(err)
	}
	topic, err := client.Topic(ctx, "reports")
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{DeliveryReports: true, MaxRequestSize: 100_000})
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan struct{})
	delivered, tooLarge := 0, 0
	go func() {
		defer close(done)
		for r := range p.DeliveryReports() { // closed by Close, after the last report
			switch {
			case r.Err == nil:
				delivered++
			case errors.Is(r.Err, kafka.ErrMessageTooLarge):
				tooLarge++
			default:
				log.Printf("message %q failed: %v", r.Message.Value, r.Err)
			}
		}
	}()
	for i := range 1000 {
		if err := p.Produce(ctx, kafka.Message{Value: []byte(fmt.Sprint("event ", i))}); err != nil {
			log.Fatal(err)
		}
	}
	// Over MaxRequestSize: Produce accepts it, and its delivery report
	// says it failed.
	if err := p.Produce(ctx, kafka.Message{Value: make([]byte, 200_000)}); err != nil {
		log.Fatal(err)
	}
	if err := p.Close(); err != nil {
		log.Fatal(err)
	}
	<-done
	fmt.Printf("%d delivered, %d too large\n", delivered, tooLarge)
}
