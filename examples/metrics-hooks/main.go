// Command metrics-hooks counts what the client does through its hook
// interfaces, in the spirit of yelp_kafka's metrics responder: connections,
// requests by API, produced and fetched batches. A real program would feed
// these to its metrics system.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

// counters implements several hook interfaces; the client calls the ones a
// hook has.
type counters struct {
	mu          sync.Mutex
	connections int
	requests    map[string]int
	produced    int
	fetched     int
}

func (c *counters) OnBrokerConnect(e kafka.BrokerConnectEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.Err == nil {
		c.connections++
	}
}

func (c *counters) OnBrokerRequest(e kafka.BrokerRequestEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests[e.API]++
}

func (c *counters) OnProduceBatch(e kafka.ProduceBatchEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.produced += e.Messages
}

func (c *counters) OnFetchBatch(e kafka.FetchBatchEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fetched += e.Messages
}

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
	m := &counters{requests: map[string]int{}}
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: hosts, Hooks: []kafka.Hook{m}})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	// Create the topic unless it exists (a real cluster keeps it between runs).
	err = client.CreateTopic(ctx, "measured", kafka.TopicConfig{Partitions: 2})
	if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
		log.Fatal(err)
	}
	topic, err := client.Topic(ctx, "measured")
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 100 {
		if err := p.Produce(ctx, kafka.Message{Value: []byte(fmt.Sprint(i))}); err != nil {
			log.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		log.Fatal(err)
	}
	c, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{ConsumerTimeout: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	for _, err := range c.Messages(ctx) {
		if err != nil {
			break
		}
	}
	c.Close()

	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Printf("produced %d messages, fetched %d\n", m.produced, m.fetched)
	fmt.Printf("opened %d connections\n", m.connections)
	apis := make([]string, 0, len(m.requests))
	for api := range m.requests {
		apis = append(apis, api)
	}
	slices.Sort(apis)
	for _, api := range apis {
		fmt.Printf("  %-14s %d requests\n", api, m.requests[api])
	}
}
