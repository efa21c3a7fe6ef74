package kafka_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

// exampleClient starts an in-process cluster with topic and returns a
// client of it, and a function closing both.
func exampleClient(topic string, partitions int) (*kafka.Client, func()) {
	cluster, err := kafkatest.NewCluster(kafkatest.Topic(topic, partitions))
	if err != nil {
		log.Fatal(err)
	}
	client, err := kafka.NewClient(context.Background(), kafka.Config{Hosts: cluster.Addrs()})
	if err != nil {
		log.Fatal(err)
	}
	return client, func() { client.Close(); cluster.Close() }
}

// ExampleClient_AlterConfigs changes one entry of a topic's config and
// reads it back.
func ExampleClient_AlterConfigs() {
	client, done := exampleClient("payments", 1)
	defer done()
	ctx := context.Background()

	_, err := client.AlterConfigs(ctx, map[kafka.ConfigResource][]kafka.AlterConfigOp{
		kafka.TopicResource("payments"): {{Op: kafka.ConfigSet, Name: "retention.ms", Value: "86400000"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	configs, err := client.DescribeConfigs(ctx, kafka.TopicResource("payments"))
	if err != nil {
		log.Fatal(err)
	}
	e, _ := configs[0].Get("retention.ms")
	fmt.Println(e.Name, e.Value, e.Source)
	// Output: retention.ms 86400000 DYNAMIC_TOPIC_CONFIG
}

// ExampleClient_DeleteRecords deletes a partition's first records.
func ExampleClient_DeleteRecords() {
	client, done := exampleClient("events", 1)
	defer done()
	ctx := context.Background()
	p, err := client.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	for range 5 {
		if _, err := p.ProduceSync(ctx, kafka.Message{Topic: "events", Value: []byte("e")}); err != nil {
			log.Fatal(err)
		}
	}
	p.Close()

	res, err := client.DeleteRecords(ctx, map[kafka.TopicPartition]int64{{Topic: "events", Partition: 0}: 3})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("first offset left:", res[kafka.TopicPartition{Topic: "events", Partition: 0}].LowWatermark)
	// Output: first offset left: 3
}

// ExampleClient_GroupLag prints how far a group is behind.
func ExampleClient_GroupLag() {
	client, done := exampleClient("orders", 1)
	defer done()
	ctx := context.Background()
	p, err := client.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	for range 10 {
		if _, err := p.ProduceSync(ctx, kafka.Message{Topic: "orders", Value: []byte("o")}); err != nil {
			log.Fatal(err)
		}
	}
	p.Close()
	if err := client.CommitGroupOffsets(ctx, "billing", "orders", map[int32]int64{0: 7}); err != nil {
		log.Fatal(err)
	}

	lag, err := client.GroupLag(ctx, "billing")
	if err != nil {
		log.Fatal(err)
	}
	l := lag[kafka.TopicPartition{Topic: "orders", Partition: 0}]
	fmt.Printf("committed %d, end %d, lag %d\n", l.Committed, l.End, l.Lag)
	// Output: committed 7, end 10, lag 3
}

// ExampleClient_CreateACLs lets alice read a topic, then lists the ACLs.
func ExampleClient_CreateACLs() {
	client, done := exampleClient("payments", 1)
	defer done()
	ctx := context.Background()

	_, err := client.CreateACLs(ctx, kafka.ACL{
		ResourceType: kafka.ACLResourceTopic, ResourceName: "payments",
		Principal: "User:alice", Operation: kafka.ACLOperationRead, Permission: kafka.ACLPermissionAllow,
	})
	if err != nil {
		log.Fatal(err)
	}
	acls, err := client.DescribeACLs(ctx, kafka.ACLFilter{Principal: "User:alice"})
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range acls {
		fmt.Println(a)
	}
	// Output: ALLOW User:alice READ on TOPIC LITERAL "payments" from *
}

// ExampleClient_DescribeCluster lists the brokers.
func ExampleClient_DescribeCluster() {
	client, done := exampleClient("t", 1)
	defer done()
	d, err := client.DescribeCluster(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(d.Brokers), "brokers; the controller is one of them:", d.ControllerID >= 0)
	// Output: 3 brokers; the controller is one of them: true
}
