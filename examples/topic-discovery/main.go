// Command topic-discovery finds topics by regular expression, in one
// cluster (TopicsMatching) and across several (SearchTopicsByRegex over
// yelp_kafka-style ClusterConfigs).
package main

import (
	"fmt"
	"log"
	"os"
	"regexp"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/examples/internal/demo"
	"github.com/gokafka/kafka/kafkatest"
)

func main() {
	ctx, cancel := demo.Context()
	defer cancel()
	topics := map[string]int{"logs.web": 1, "logs.db": 1, "metrics.cpu": 1}
	hosts, _, stop := demo.Cluster(topics)
	defer stop()
	client := demo.Client(ctx, hosts, topics)
	defer client.Close()

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
