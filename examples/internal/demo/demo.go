// Package demo gives the examples a cluster: the one in KAFKA_BROKERS, or
// an in-process one (kafkatest) when that is unset, so every example runs
// anywhere with `go run`.
package demo

import (
	"context"
	"errors"
	"log"
	"os"
	"strings"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

// Cluster returns the seed brokers to use and a function that stops the
// in-process cluster, if one was started. topics are created on it.
func Cluster(topics map[string]int) (hosts []string, cluster *kafkatest.Cluster, stop func()) {
	if env := os.Getenv(kafkatest.BrokersEnv); env != "" {
		return strings.Split(env, ","), nil, func() {}
	}
	var opts []kafkatest.Option
	for name, partitions := range topics {
		opts = append(opts, kafkatest.Topic(name, partitions))
	}
	c, err := kafkatest.NewCluster(opts...)
	if err != nil {
		log.Fatal(err)
	}
	return c.Addrs(), c, c.Close
}

// Client connects to hosts and makes sure topics exist (a real cluster
// keeps them between runs; creating an existing one is fine).
func Client(ctx context.Context, hosts []string, topics map[string]int) *kafka.Client {
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: hosts, ClientID: "gokafka-example"})
	if err != nil {
		log.Fatal(err)
	}
	for name, partitions := range topics {
		if _, err := client.Topic(ctx, name); err == nil {
			continue
		}
		err := client.CreateTopic(ctx, name, kafka.TopicConfig{Partitions: int32(partitions)})
		if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
			log.Fatal(err)
		}
	}
	return client
}

// Context is the examples' deadline: nothing here should take long.
func Context() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 60*time.Second)
}
