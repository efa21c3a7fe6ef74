package kafka_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
)

// ExampleCooperativeStickyAssignor: with cooperative rebalancing, a member
// joining takes its share from the others without stopping them: the
// first member gives up only the partitions that move (its
// PreRebalanceCallback hears of just those) and goes on consuming the
// rest throughout.
func ExampleCooperativeStickyAssignor() {
	cluster, err := kafkatest.NewCluster(kafkatest.Topic("orders", 4))
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
	topic, err := client.Topic(ctx, "orders")
	if err != nil {
		log.Fatal(err)
	}

	revoked := make(chan int, 10)
	cfg := kafka.BalancedConsumerConfig{
		ConsumerGroup:      "billing",
		MembershipProtocol: kafka.CooperativeStickyAssignor{},
		// For a rolling upgrade of a group using range, first restart
		// every member with
		//   FallbackMembershipProtocols: []kafka.Assignor{kafka.RangeAssignor{}},
		// then once more without it.
		HeartbeatInterval: 100 * time.Millisecond,
	}
	first := cfg
	first.PreRebalanceCallback = func(_ context.Context, offsets map[kafka.TopicPartition]int64) {
		revoked <- len(offsets)
	}
	a, err := topic.BalancedConsumer(ctx, first)
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	waitUntil(func() bool { return len(a.Partitions()) == 4 })
	fmt.Println("first member alone:", len(a.Partitions()), "partitions")

	b, err := topic.BalancedConsumer(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	waitUntil(func() bool { return len(a.Partitions()) == 2 && len(b.Partitions()) == 2 })
	fmt.Println("first member gave up", <-revoked, "partitions and kept", len(a.Partitions()))
	fmt.Println("second member got", len(b.Partitions()))
	// Output:
	// first member alone: 4 partitions
	// first member gave up 2 partitions and kept 2
	// second member got 2
}

// waitUntil polls cond for up to 30 seconds.
func waitUntil(cond func() bool) {
	for deadline := time.Now().Add(30 * time.Second); !cond() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
}
