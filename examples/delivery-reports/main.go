// Command delivery-reports produces asynchronously and counts the outcome
// of every message from the DeliveryReports channel: none is lost
// silently, even the one that is too large.
package main

import (
	"errors"
	"fmt"
	"log"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/examples/internal/demo"
)

func main() {
	ctx, cancel := demo.Context()
	defer cancel()
	topics := map[string]int{"reports": 3}
	hosts, _, stop := demo.Cluster(topics)
	defer stop()
	client := demo.Client(ctx, hosts, topics)
	defer client.Close()
	topic, err := client.Topic(ctx, "reports")
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{DeliveryReports: true, MaxRequestSize: 100_000})
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan struct{})
	delivered, tooLarge := 0, 0
	go func() {
		defer close(done)
		for r := range p.DeliveryReports() { // closed by Close, after the last report
			switch {
			case r.Err == nil:
				delivered++
			case errors.Is(r.Err, kafka.ErrMessageTooLarge):
				tooLarge++
			default:
				log.Printf("message %q failed: %v", r.Message.Value, r.Err)
			}
		}
	}()
	for i := range 1000 {
		p.Produce(ctx, kafka.Message{Value: []byte(fmt.Sprint("event ", i))})
	}
	p.Produce(ctx, kafka.Message{Value: make([]byte, 200_000)}) // over MaxRequestSize
	if err := p.Close(); err != nil {
		log.Fatal(err)
	}
	<-done
	fmt.Printf("%d delivered, %d too large\n", delivered, tooLarge)
}
