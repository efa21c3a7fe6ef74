package kafka_test

import (
	"context"
	"fmt"
	"log"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

// ExampleClient_ShareConsumer runs more workers than partitions: four
// members of one share group read a 1-partition topic, each message goes to
// one of them, and each is acknowledged on its own; a message that fails
// is released and comes back with a higher delivery count.
func ExampleClient_ShareConsumer() {
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("jobs", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: cluster.Addrs()})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	p, err := client.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 8 {
		if _, err := p.ProduceSync(ctx, kafka.Message{Topic: "jobs", Value: []byte(fmt.Sprint("job-", i))}); err != nil {
			log.Fatal(err)
		}
	}
	p.Close()
	// A new share group starts at the latest offset: start this one at the
	// beginning instead.
	if err := client.AlterShareGroupOffsets(ctx, "workers", map[string]map[int32]int64{"jobs": {0: 0}}); err != nil {
		log.Fatal(err)
	}

	var (
		mu   sync.Mutex
		done []string
		wg   sync.WaitGroup
	)
	runCtx, stop := context.WithCancel(ctx)
	for range 4 {
		sc, err := client.ShareConsumer(ctx, kafka.ShareConsumerConfig{Group: "workers", Topics: []string{"jobs"}, ExplicitAck: true, MaxRecords: 2})
		if err != nil {
			log.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer sc.Close()
			for msg, err := range sc.Messages(runCtx) {
				if err != nil {
					return
				}
				if string(msg.Value) == "job-3" && msg.DeliveryCount == 1 {
					sc.Ack(msg, kafka.AckRelease) // failed: try again, anywhere
					continue
				}
				sc.Ack(msg, kafka.AckAccept)
				mu.Lock()
				done = append(done, fmt.Sprintf("%s(%d)", msg.Value, msg.DeliveryCount))
				if len(done) == 8 {
					stop()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	stop()
	sort.Strings(done)
	fmt.Println(strings.Join(done, " "))
	// Output: job-0(1) job-1(1) job-2(1) job-3(2) job-4(1) job-5(1) job-6(1) job-7(1)
}
