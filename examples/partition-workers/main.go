// Command partition-workers runs one goroutine per assigned partition with
// RunWorkers, the Go form of yelp_kafka's MultiprocessingConsumerGroup:
// each partition's messages are handled in order, a failed message is
// retried, and what was handled is committed.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"sync"
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
	err = client.CreateTopic(ctx, "jobs", kafka.TopicConfig{Partitions: 3})
	if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
		log.Fatal(err)
	}
	topic, err := client.Topic(ctx, "jobs")
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{Partitioner: kafka.NewManualPartitioner()})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 30 {
		if err := p.Produce(ctx, kafka.Message{Partition: int32(i % 3), Value: []byte(fmt.Sprint(i))}); err != nil {
			log.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		log.Fatal(err)
	}

	c, err := topic.BalancedConsumer(ctx, kafka.BalancedConsumerConfig{
		ConsumerGroup: fmt.Sprint("workers-", time.Now().UnixNano()),
		TrackTaskDone: true, // commit exactly what the workers finished
	})
	if err != nil {
		log.Fatal(err)
	}
	var mu sync.Mutex
	handled := map[int32]int{}
	failedOnce := false
	runCtx, stopWorkers := context.WithCancel(ctx)
	err = c.RunWorkers(runCtx, func(ctx context.Context, msg kafka.Message) error {
		mu.Lock()
		defer mu.Unlock()
		if msg.Offset == 3 && !failedOnce {
			failedOnce = true
			return errors.New("flaky downstream") // retried with the same message
		}
		handled[msg.Partition]++
		if handled[0]+handled[1]+handled[2] == 30 {
			stopWorkers()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		log.Fatal(err)
	}
	if err := c.CommitOffsets(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("handled per partition: %d, %d, %d (one failure retried)\n", handled[0], handled[1], handled[2])
	c.Close()
}
