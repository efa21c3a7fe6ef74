// Command topic-discovery finds topics by regular expression, in one
// cluster (TopicsMatching) and across several (SearchTopicsByRegex over
// yelp_kafka-style ClusterConfigs).
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
	for name, partitions := range map[string]int32{"logs.web": 1, "logs.db": 1, "metrics.cpu": 1} {
		err := client.CreateTopic(ctx, name, kafka.TopicConfig{Partitions: partitions})
		if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
			log.Fatal(err)
		}
	}

	logs := regexp.MustCompile(`^logs\.`)
	names, err := client.TopicsMatching(ctx, logs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("in this cluster:", names)

	clusters := []kafka.ClusterConfig{{Type: "standard", Name: "uswest", Hosts: hosts}}
	if os.Getenv(kafkatest.BrokersEnv) == "" {
		// A second cluster, with topics of its own.
		other, err := kafkatest.NewCluster(kafkatest.Topic("logs.batch", 1))
		if err != nil {
			log.Fatal(err)
		}
		defer other.Close()
		clusters = append(clusters, kafka.ClusterConfig{Type: "standard", Name: "useast", Hosts: other.Addrs()})
	}
	found, err := kafka.SearchTopicsByRegex(ctx, clusters, kafka.Config{ClientID: "discovery"}, logs)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range found {
		fmt.Printf("in %s: %v\n", f.Cluster.Name, f.Topics)
	}
}
