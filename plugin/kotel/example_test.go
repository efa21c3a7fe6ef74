package kotel_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/gokafka/kafka/plugin/kotel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// List a Tracer and a Metrics in the client's hooks; produce inside a span
// and the consumer's span joins the same trace, through the headers.
func ExampleNewTracer() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("orders", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()

	spans := tracetest.NewSpanRecorder() // a real program exports them (OTLP...)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	metrics, err := kotel.NewMetrics(kotel.MetricsConfig{MeterProvider: mp})
	if err != nil {
		log.Fatal(err)
	}
	tracer := kotel.NewTracer(kotel.TracerConfig{TracerProvider: tp})
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: cluster.Addrs(), Hooks: []kafka.Hook{metrics, tracer}})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	topic, err := client.Topic(ctx, "orders")
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()

	reqCtx, span := tp.Tracer("shop").Start(ctx, "checkout")
	if _, err := p.ProduceSync(reqCtx, kafka.Message{Key: []byte("order-1"), Value: []byte("paid")}); err != nil {
		log.Fatal(err)
	}
	span.End()

	c, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{ConsumerGroup: "billing"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	msg, err := c.Consume(ctx)
	if err != nil {
		log.Fatal(err)
	}
	procCtx, proc := tracer.Process(ctx, msg, "billing") // covers the processing
	_ = procCtx                                          // pass it to the work done for msg
	proc.End()

	names := map[string]string{} // span ID -> name
	for _, s := range spans.Ended() {
		names[s.SpanContext().SpanID().String()] = s.Name()
	}
	for _, s := range spans.Ended() {
		parent := names[s.Parent().SpanID().String()]
		if parent == "" {
			parent = "(root)"
		}
		fmt.Printf("%s <- %s\n", s.Name(), parent)
	}
	// Output:
	// send orders <- checkout
	// checkout <- (root)
	// receive orders <- send orders
	// process orders <- send orders
}
