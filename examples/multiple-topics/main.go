// Command multiple-topics produces to several topics from one process, as
// the guide's pattern does: one Client, one Producer per topic; the
// producers share the client's connections and metadata.
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
	topics := map[string]int{"clicks": 2, "views": 2, "purchases": 2}
	hosts, _, stop := demo.Cluster(topics)
	defer stop()
	client := demo.Client(ctx, hosts, topics)
	defer client.Close()

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
		topic, _ := client.Topic(ctx, name)
		latest, err := topic.LatestAvailableOffsets(ctx)
		if err != nil {
			log.Fatal(err)
		}
		total := int64(0)
		for _, o := range latest {
			total += o
		}
		fmt.Printf("%s: %d messages\n", name, total)
	}
}
