// Command multiple-topics produces to several topics from one process, as
// the guide's pattern does: one Client, one Producer per topic; the
// producers share the client's connections and metadata.
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
	// Create the topics unless they exist (a real cluster keeps them between runs).
	for name, partitions := range map[string]int32{"clicks": 2, "views": 2, "purchases": 2} {
		err := client.CreateTopic(ctx, name, kafka.TopicConfig{Partitions: partitions})
		if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
			log.Fatal(err)
		}
	}

	producers := map[string]*kafka.Producer{}
	for _, name := range []string{"clicks", "views", "purchases"} {
		topic, err := client.Topic(ctx, name)
		if err != nil {
			log.Fatal(err)
		}
		if producers[name], err = topic.Producer(ctx, kafka.ProducerConfig{}); err != nil {
			log.Fatal(err)
		}
	}
	events := []struct{ topic, user string }{
		{"views", "ann"}, {"clicks", "ann"}, {"views", "bob"}, {"purchases", "ann"}, {"clicks", "bob"},
	}
	for _, e := range events {
		if err := producers[e.topic].Produce(ctx, kafka.Message{Key: []byte(e.user), Value: []byte(e.topic + " by " + e.user)}); err != nil {
			log.Fatal(err)
		}
	}
	for _, name := range []string{"clicks", "views", "purchases"} {
		// Close sends what is queued and reports failures.
		if err := producers[name].Close(); err != nil {
			log.Fatal(err)
		}
		topic, err := client.Topic(ctx, name)
		if err != nil {
			log.Fatal(err)
		}
		latest, err := topic.LatestAvailableOffsets(ctx)
		if err != nil {
			log.Fatal(err)
		}
		total := int64(0)
		for _, o := range latest {
			total += o
		}
		unit := "messages"
		if total == 1 {
			unit = "message"
		}
		fmt.Printf("%s: %d %s\n", name, total, unit)
	}
}
