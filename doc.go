// Package kafka is a Go client for Apache Kafka.
//
// A [Client] connects to a cluster and hands out a [Topic] for each topic
// name. A Topic makes producers and consumers:
//
//   - a [Producer] batches, compresses and sends messages; [Producer.Produce]
//     queues a message and reports the outcome later (on
//     [Producer.DeliveryReports] or through [Producer.Flush]), and
//     [Producer.ProduceSync] waits for the broker's acknowledgement;
//   - a [SimpleConsumer] reads the partitions you give it (all of them by
//     default), optionally committing offsets for a consumer group;
//   - a [BalancedConsumer] is a member of a consumer group: Kafka divides
//     the topic's partitions among the members and moves them as members
//     come and go.
//
// A short program:
//
//	client, err := kafka.NewClient(ctx, kafka.Config{Hosts: []string{"127.0.0.1:9092"}})
//	if err != nil {
//		return err
//	}
//	defer client.Close()
//	topic, err := client.Topic(ctx, "payments")
//	if err != nil {
//		return err
//	}
//	producer, err := topic.Producer(ctx, kafka.ProducerConfig{})
//	if err != nil {
//		return err
//	}
//	defer producer.Close()
//	if _, err := producer.ProduceSync(ctx, kafka.Message{Key: []byte("user-42"), Value: []byte("paid")}); err != nil {
//		return err
//	}
//	consumer, err := topic.SimpleConsumer(ctx, kafka.SimpleConsumerConfig{ConsumerGroup: "billing"})
//	if err != nil {
//		return err
//	}
//	defer consumer.Close()
//	for msg, err := range consumer.Messages(ctx) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(msg.Partition, msg.Offset, string(msg.Value))
//	}
//
// # Conventions
//
// Every call that may block takes a [context.Context] and returns when it
// ends. Clients, topics, producers and consumers are safe for concurrent
// use; one Client per cluster is enough for a process, as everything it
// makes shares its connections. Close producers and consumers before their
// Client; Close is safe to call twice.
//
// A zero field in a configuration struct means its documented default.
//
// # Offsets
//
// An offset that is held, committed or passed to a reset is always the
// offset of the next message to read, as Kafka stores it: a group that has
// consumed up to offset 4 commits 5. [OffsetEarliest] and [OffsetLatest]
// stand for the start and the end of a partition's log. Where a consumer
// starts is decided by AutoOffsetReset and ResetOffsetOnStart in its
// configuration; see [SimpleConsumerConfig].
//
// # Errors
//
// Each Kafka error code is an [Error] value, such as
// [ErrNotLeaderOrFollower], to test with [errors.Is]; the client's own
// failures have sentinels too, such as [ErrNoBrokersAvailable] and
// [ErrConsumerTimeout]. Retriable errors are retried inside the client
// within the caller's context; an error that comes back is final, and an
// [*OpError] in its chain says which operation, topic, partition and broker
// failed. [IsRetriable] says whether trying again later may help.
//
// # Logs, metrics and tests
//
// [Config.Logger] takes a [log/slog.Logger] (nil is silent) and
// [Config.Hooks] takes metrics hooks ([BrokerRequestHook],
// [ProduceBatchHook], [FetchBatchHook] and the others), and tracing hooks
// ([ProduceRecordHook], [ConsumeRecordHook]); the modules plugin/kprom
// (Prometheus) and plugin/kotel (OpenTelemetry) implement them. The kafkatest
// package runs an in-process Kafka cluster for tests, as net/http/httptest
// does for HTTP servers.
//
// # Guides
//
// docs/usage.md in the repository walks through the common patterns (the
// initial offset, the last N messages, task-done commits, per-partition
// workers, connection loss, delivery reports), each with a program under
// examples/. Coming from pykafka? docs/migrating-from-pykafka.md maps every
// pykafka class, method and keyword to its counterpart here.
package kafka
