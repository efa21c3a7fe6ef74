package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

// exampleSCTopic starts an in-process cluster with a one-partition topic
// holding the given values, and returns the topic and a cleanup function.
func exampleSCTopic(ctx context.Context, name string, values ...string) (*kafka.Topic, func()) {
	cluster, err := kafkatest.NewCluster(kafkatest.Topic(name, 1))
	if err != nil {
		log.Fatal(err)
	}
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: cluster.Addrs()})
	if err != nil {
		log.Fatal(err)
	}
	topic, err := client.Topic(ctx, name)
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range values {
		if _, err := p.ProduceSync(ctx, kafka.Message{Value: []byte(v)}); err != nil {
			log.Fatal(err)
		}
	}
	p.Close()
	return topic, func() { client.Close(); cluster.Close() }
}

// The guide's basic consume loop: read what the group has not read yet,
// then commit how far it got.
func ExampleTopic_SimpleConsumer() {
	ctx := context.Background()
	topic, cleanup := exampleSCTopic(ctx, "mytopic", "first", "second", "third")
	defer cleanup()

	consumer, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{
		ConsumerGroup:      "mygroup",
		AutoOffsetReset:    kafka.OffsetEarliest, // where a new group starts
		ResetOffsetOnStart: false,                // an existing group goes on from its commits
		ConsumerTimeout:    time.Second,          // nothing new for this long: caught up
	})
	if err != nil {
		log.Fatal(err)
	}
	defer consumer.Close()

	for msg, err := range consumer.Messages(ctx) {
		if errors.Is(err, kafka.ErrConsumerTimeout) {
			break // nothing new for ConsumerTimeout: caught up
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(msg.Offset, string(msg.Value))
	}
	if err := consumer.CommitOffsets(ctx); err != nil {
		log.Fatal(err)
	}
	committed, err := consumer.FetchOffsets(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("next offset to read:", committed[0])
	// Output:
	// 0 first
	// 1 second
	// 2 third
	// next offset to read: 3
}

// The guide's recipe for the last N messages of a topic: start at the end,
// then rewind each partition by N, no further back than its first offset.
func ExampleSimpleConsumer_ResetOffsets() {
	ctx := context.Background()
	var values []string
	for i := range 10 {
		values = append(values, fmt.Sprint("message ", i))
	}
	topic, cleanup := exampleSCTopic(ctx, "mytopic", values...)
	defer cleanup()

	consumer, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{
		AutoOffsetReset:    kafka.OffsetLatest,
		ResetOffsetOnStart: true,
		ConsumerTimeout:    time.Second, // nothing new for this long: caught up
	})
	if err != nil {
		log.Fatal(err)
	}
	defer consumer.Close()

	const lastN = 3
	earliest, err := topic.EarliestAvailableOffsets(ctx)
	if err != nil {
		log.Fatal(err)
	}
	latest, err := topic.LatestAvailableOffsets(ctx)
	if err != nil {
		log.Fatal(err)
	}
	offsets := make(map[int32]int64, len(latest))
	for p, end := range latest {
		offsets[p] = max(end-lastN, earliest[p]) // the next offset to read
	}
	if err := consumer.ResetOffsets(ctx, offsets); err != nil {
		log.Fatal(err)
	}

	var got []kafka.Message
	for msg, err := range consumer.Messages(ctx) {
		if errors.Is(err, kafka.ErrConsumerTimeout) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		got = append(got, msg)
	}
	// Partitions are read in parallel: order by partition, then offset.
	slices.SortFunc(got, func(a, b kafka.Message) int {
		if a.Partition != b.Partition {
			return int(a.Partition - b.Partition)
		}
		return int(a.Offset - b.Offset)
	})
	for _, msg := range got {
		fmt.Println(msg.Partition, msg.Offset, string(msg.Value))
	}
	// Output:
	// 0 7 message 7
	// 0 8 message 8
	// 0 9 message 9
}

// The guide's advice on connection loss: when Consume reports that the
// brokers cannot be reached, make a new consumer and carry on from where
// the old one was.
func ExampleSimpleConsumer_Consume() {
	ctx := context.Background()
	topic, cleanup := exampleSCTopic(ctx, "mytopic", "hello")
	defer cleanup()

	cfg := kafka.SimpleConsumerConfig{ConsumerTimeout: time.Second}
	consumer, err := topic.SimpleConsumer(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer func() { consumer.Close() }()

	for {
		msg, err := consumer.Consume(ctx)
		switch {
		case errors.Is(err, kafka.ErrSocketDisconnected), errors.Is(err, kafka.ErrNoBrokersAvailable):
			held := consumer.HeldOffsets()
			consumer.Close()
			if consumer, err = topic.SimpleConsumer(ctx, cfg); err != nil {
				log.Fatal(err)
			}
			if err := consumer.ResetOffsets(ctx, held); err != nil {
				log.Fatal(err)
			}
			continue
		case errors.Is(err, kafka.ErrConsumerTimeout):
			fmt.Println("caught up")
			return
		case err != nil:
			log.Fatal(err)
		}
		fmt.Println(string(msg.Value))
	}
	// Output:
	// hello
	// caught up
}

// Back-pressure: while the work a partition's messages feed cannot keep
// up, pause the partition; its position is kept, and it goes on from there
// on Resume.
func ExampleSimpleConsumer_Pause() {
	ctx := context.Background()
	topic, cleanup := exampleSCTopic(ctx, "mytopic", "one", "two", "three")
	defer cleanup()

	consumer, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{
		AutoOffsetReset: kafka.OffsetEarliest,
		ConsumerTimeout: 300 * time.Millisecond,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer consumer.Close()

	msg, err := consumer.Consume(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(msg.Value))

	if err := consumer.Pause(0); err != nil { // downstream is busy
		log.Fatal(err)
	}
	_, err = consumer.Consume(ctx)
	fmt.Println("while paused:", err)

	if err := consumer.Resume(0); err != nil {
		log.Fatal(err)
	}
	for msg, err := range consumer.Messages(ctx) {
		if errors.Is(err, kafka.ErrConsumerTimeout) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(string(msg.Value))
	}
	// Output:
	// one
	// while paused: kafka: consumer timeout: no message within ConsumerTimeout
	// two
	// three
}
