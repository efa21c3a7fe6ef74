package kprom_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/plugin/kprom"
	"github.com/prometheus/client_golang/prometheus"
)

// Register the Metrics with a registry (served by promhttp.HandlerFor in a
// real program) and list it in the client's hooks.
func ExampleNewMetrics() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("orders", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()

	m := kprom.NewMetrics(kprom.Config{Namespace: "kafka"})
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	// http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))

	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: cluster.Addrs(), Hooks: []kafka.Hook{m}})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	p, err := client.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	for _, v := range []string{"a", "b", "c"} {
		if _, err := p.ProduceSync(ctx, kafka.Message{Topic: "orders", Value: []byte(v)}); err != nil {
			log.Fatal(err)
		}
	}
	fams, err := reg.Gather() // what a scrape would show
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == "kafka_produced_messages_total" {
			for _, s := range f.GetMetric() {
				fmt.Println(f.GetName(), s.GetLabel()[0].GetValue(), s.GetCounter().GetValue())
			}
		}
	}
	// Output:
	// kafka_produced_messages_total orders 3
}
