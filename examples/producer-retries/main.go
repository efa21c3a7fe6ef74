// Command producer-retries is the yelp_kafka guide's advice on producer
// errors, in Go: the client already retries what a retry can fix (leaders
// moving, timeouts) within the producer's DeliveryTimeout; what reaches the
// application says whether trying again later may help
// (kafka.IsRetriable), and the application decides.
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
	err = client.CreateTopic(ctx, "retries", kafka.TopicConfig{Partitions: 1})
	if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
		log.Fatal(err)
	}
	topic, err := client.Topic(ctx, "retries")
	if err != nil {
		log.Fatal(err)
	}
	// A producer that gives up quickly, so that the application sees the
	// retriable errors the embedded cluster is told to return.
	p, err := topic.Producer(ctx, kafka.ProducerConfig{MaxRetries: 1, RetryBackoff: 10 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	if cluster != nil {
		cluster.InjectError(protocol.KeyProduce, int16(protocol.NotEnoughReplicas), 4)
	}
	msg, attempts, err := produceWithRetry(ctx, p, kafka.Message{Value: []byte("important")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("stored at offset %d after %d attempt(s)\n", msg.Offset, attempts)
}

// produceWithRetry retries retriable failures with a growing pause, and
// gives up at once on the others (a message too large, no authorization).
func produceWithRetry(ctx context.Context, p *kafka.Producer, m kafka.Message) (kafka.Message, int, error) {
	wait := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		msg, err := p.ProduceSync(ctx, m)
		if err == nil || !kafka.IsRetriable(err) || attempt == 5 {
			return msg, attempt, err
		}
		log.Printf("attempt %d: %v; retrying in %v", attempt, err, wait)
		select {
		case <-time.After(wait):
			wait *= 2
		case <-ctx.Done():
			return msg, attempt, ctx.Err()
		}
	}
}
