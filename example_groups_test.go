package kafka_test

import (
	"context"
	"fmt"
	"log"
	"sort"
	"sync"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

// ExampleBalancedConsumer_RunWorkers handles each partition on a goroutine
// of its own (yelp_kafka's MultiprocessingConsumerGroup): a partition's
// messages in order, partitions in parallel.
func ExampleBalancedConsumer_RunWorkers() {
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("thumbnails", 3))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()
	ctx := context.Background()
	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: cluster.Addrs()})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	topic, err := client.Topic(ctx, "thumbnails")
	if err != nil {
		log.Fatal(err)
	}
	p, err := topic.Producer(ctx, kafka.ProducerConfig{Partitioner: kafka.NewManualPartitioner()})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 9 {
		p.Produce(ctx, kafka.Message{Partition: int32(i % 3), Value: []byte(fmt.Sprint("image-", i))})
	}
	p.Close()

	c, err := topic.BalancedConsumer(ctx, kafka.BalancedConsumerConfig{
		ConsumerGroup:    "resizer",
		TrackTaskDone:    true, // commit exactly what the handlers finished
		AutoCommitEnable: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	var mu sync.Mutex
	perPartition := map[int32][]string{}
	runCtx, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	err = c.RunWorkers(runCtx, func(ctx context.Context, msg kafka.Message) error {
		mu.Lock() // handlers of different partitions run at once
		defer mu.Unlock()
		perPartition[msg.Partition] = append(perPartition[msg.Partition], string(msg.Value))
		if len(perPartition[0])+len(perPartition[1])+len(perPartition[2]) == 9 {
			stop()
		}
		return nil // an error would retry this message after a backoff
	})
	fmt.Println("RunWorkers:", err)
	parts := make([]int, 0, len(perPartition))
	for part := range perPartition {
		parts = append(parts, int(part))
	}
	sort.Ints(parts)
	for _, part := range parts {
		fmt.Println(part, perPartition[int32(part)])
	}
	// Output:
	// RunWorkers: context canceled
	// 0 [image-0 image-3 image-6]
	// 1 [image-1 image-4 image-7]
	// 2 [image-2 image-5 image-8]
}

// primaryAssignor is a custom Assignor: every partition goes to the member
// with the smallest ID, the others stand by.
type primaryAssignor struct{}

func (primaryAssignor) Name() string { return "primary" }

func (primaryAssignor) Assign(members []kafka.AssignorMember, partitions map[string]int32) (map[string]map[string][]int32, error) {
	plan := make(map[string]map[string][]int32, len(members))
	primary := ""
	for _, m := range members {
		plan[m.MemberID] = map[string][]int32{}
		if primary == "" || m.MemberID < primary {
			primary = m.MemberID
		}
	}
	for _, m := range members {
		if m.MemberID != primary {
			continue
		}
		for _, topic := range m.Topics {
			for p := range partitions[topic] {
				plan[primary][topic] = append(plan[primary][topic], p)
			}
		}
	}
	return plan, nil
}

// ExampleAssignor tests an Assignor of one's own the way the group leader
// runs it: with the members as AssignorMembers, built here by hand, and
// each subscribed topic's partition count. A BalancedConsumer uses it
// through BalancedConsumerConfig.MembershipProtocol.
func ExampleAssignor() {
	members := []kafka.AssignorMember{
		{MemberID: "b", Topics: []string{"jobs"}, Generation: -1},
		{MemberID: "a", Topics: []string{"jobs"}, Generation: -1},
	}
	plan, err := primaryAssignor{}.Assign(members, map[string]int32{"jobs": 3})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("a:", plan["a"], "b:", plan["b"])
	_ = kafka.BalancedConsumerConfig{ConsumerGroup: "jobs", MembershipProtocol: primaryAssignor{}}
	// Output:
	// a: map[jobs:[0 1 2]] b: map[]
}
