// Command share-group runs more workers than partitions with a share group
// (KIP-932, Kafka 4.1+), the job yelp_kafka's MultiprocessingConsumerGroup
// did with one process per partition: here six workers read a 2-partition
// topic, each message goes to one worker at a time, and each is
// acknowledged on its own: accepted when done, released when it failed
// (another worker retries it, with a higher delivery count), rejected when
// it failed too often.
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

const (
	workers  = 6
	jobs     = 60
	maxTries = 3
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// The cluster: the brokers in KAFKA_BROKERS (e.g. "127.0.0.1:9092") if
	// set (share groups must be enabled there), else a 3-broker cluster
	// started in this process.
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
	err = client.CreateTopic(ctx, "share-jobs", kafka.TopicConfig{Partitions: 2})
	if err != nil && !errors.Is(err, kafka.ErrTopicAlreadyExists) {
		log.Fatal(err)
	}
	p, err := client.Producer(ctx, kafka.ProducerConfig{})
	if err != nil {
		log.Fatal(err)
	}
	for i := range jobs {
		if err := p.Produce(ctx, kafka.Message{Topic: "share-jobs", Value: []byte(fmt.Sprint(i))}); err != nil {
			log.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		log.Fatal(err)
	}
	// A new share group starts at the latest offsets: this one starts at
	// the beginning. (Allowed while the group has no members.)
	start := map[string]map[int32]int64{"share-jobs": {0: 0, 1: 0}}
	if err := client.AlterShareGroupOffsets(ctx, "job-runners", start); err != nil {
		log.Fatal(err)
	}

	var (
		mu       sync.Mutex
		done     = map[string]int{} // job to the worker that finished it
		rejected []string
		retried  int
		wg       sync.WaitGroup
	)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	for w := range workers {
		sc, err := client.ShareConsumer(ctx, kafka.ShareConsumerConfig{
			Group:       "job-runners",
			Topics:      []string{"share-jobs"},
			ExplicitAck: true, // each job is acknowledged when its outcome is known
			MaxRecords:  5,    // take a few jobs at a time, leave the rest to others
		})
		if err != nil {
			log.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer sc.Close() // releases whatever this worker still holds
			for msg, err := range sc.Messages(runCtx) {
				if err != nil {
					log.Print(err)
					return
				}
				job := string(msg.Value)
				kind := kafka.AckAccept
				switch {
				case job == "13": // a poison job: it always fails
					kind = kafka.AckRelease
					if msg.DeliveryCount >= maxTries {
						kind = kafka.AckReject // give up: never delivered again
					}
				case job == "7" && msg.DeliveryCount == 1: // fails once, then works
					kind = kafka.AckRelease
				}
				if err := sc.Ack(msg, kind); err != nil {
					log.Print(err)
					return
				}
				mu.Lock()
				switch kind {
				case kafka.AckAccept:
					done[job] = w
				case kafka.AckReject:
					rejected = append(rejected, job)
				case kafka.AckRelease:
					retried++
				}
				if len(done)+len(rejected) == jobs {
					stop()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	busy := map[int]bool{}
	for _, w := range done {
		busy[w] = true
	}
	fmt.Printf("%d jobs done by %d of %d workers on 2 partitions\n", len(done), len(busy), workers)
	fmt.Printf("released %d times, rejected %v after %d tries\n", retried, rejected, maxTries)
}
