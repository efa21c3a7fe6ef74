// Command sync-producer produces with ProduceSync, which waits for the
// broker's acknowledgement and returns where the message was stored:
// pykafka's sync=True producer.
package main

import (
	"fmt"
	"log"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/examples/internal/demo"
)

func main() {
	ctx, cancel := demo.Context()
	defer cancel()
	topics := map[string]int{"sync": 1}
	hosts, _, stop := demo.Cluster(topics)
	defer stop()
	client := demo.Client(ctx, hosts, topics)
	defer client.Close()
	topic, err := client.Topic(ctx, "sync")
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	for _, v := range []string{"first", "second", "third"} {
		msg, err := p.ProduceSync(ctx, kafka.Message{Value: []byte(v)})
		if err != nil {
			log.Fatal(err) // kafka.IsRetriable(err) says whether trying again may help
		}
		fmt.Printf("%s: partition %d, offset %d\n", msg.Value, msg.Partition, msg.Offset)
	}
}
