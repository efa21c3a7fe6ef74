// Command connection-loss follows the guide's advice for losing the
// cluster: when Consume returns an error wrapping ErrSocketDisconnected or
// ErrNoBrokersAvailable, re-create the consumer and carry on from the
// offsets it held.
//
// With the in-process cluster, the loss is real: the brokers drop every
// fetch connection for a while.
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
	"github.com/gokafka/kafka/protocol"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// The cluster: the brokers in KAFKA_BROKERS (e.g. "127.0.0.1:9092") if
	// set, else a 3-broker cluster started in this process, which this
	// example also uses to inject faults.
	var hosts []string
	var cluster *kafkatest.Cluster
	if env := os.Getenv("KAFKA_BROKERS"); env != "" {
		hosts = strings.Split(env, ",")
	} else {
		var err error
		if cluster, err = kafkatest.NewCluster(); err != nil {
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
	err = client.CreateTopic(ctx, "fragile", kafka.TopicConfig{Partitions: 1})
	if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
		log.Fatal(err)
	}
	topic, err := client.Topic(ctx, "fragile")
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 20 {
		if err := p.Produce(ctx, kafka.Message{Value: []byte(fmt.Sprint(i))}); err != nil {
			log.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		log.Fatal(err)
	}

	var outage *kafkatest.Injection
	if cluster != nil {
		outage = cluster.DropConnection(protocol.KeyFetch, kafkatest.Always)
		time.AfterFunc(2*time.Second, outage.Remove)
	}
	consumed, recreated := 0, 0
	next := map[int32]int64{0: 0}
	c := newConsumer(ctx, topic, next)
	for consumed < 20 {
		_, err := c.Consume(ctx)
		if errors.Is(err, kafka.ErrSocketDisconnected) || errors.Is(err, kafka.ErrNoBrokersAvailable) {
			// The guide's pattern: start again from where we were.
			next = c.HeldOffsets()
			c.Close()
			recreated++
			c = newConsumer(ctx, topic, next)
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		consumed++
	}
	c.Close()
	fmt.Printf("consumed all %d messages\n", consumed)
	if cluster != nil && recreated > 0 {
		fmt.Println("the consumer was re-created after losing its connection")
	}
}

func newConsumer(ctx context.Context, topic *kafka.Topic, from map[int32]int64) *kafka.SimpleConsumer {
	c, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	if err := c.ResetOffsets(ctx, from); err != nil {
		log.Fatal(err)
	}
	return c
}
