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
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/examples/internal/demo"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/protocol"
)

func main() {
	ctx, cancel := demo.Context()
	defer cancel()
	topics := map[string]int{"fragile": 1}
	hosts, cluster, stop := demo.Cluster(topics)
	defer stop()
	client := demo.Client(ctx, hosts, topics)
	defer client.Close()
	topic, err := client.Topic(ctx, "fragile")
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 20 {
		p.Produce(ctx, kafka.Message{Value: []byte(fmt.Sprint(i))})
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
