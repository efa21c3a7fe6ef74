// Package kafkatest runs an in-process Kafka cluster for tests and examples,
// in the spirit of net/http/httptest.
//
// A [Cluster] is a set of fake brokers listening on 127.0.0.1 at random
// ports. It speaks the Kafka wire protocol, keeps topics, partitions,
// records, consumer groups, committed offsets and transactions in memory, and
// needs no JVM, Docker or ZooKeeper. Point a client at [Cluster.Addrs]:
//
//	func TestProduce(t *testing.T) {
//		c := kafkatest.MustCluster(t, kafkatest.Topic("payments", 3))
//		client, err := kafka.NewClient(ctx, kafka.Config{Hosts: c.Addrs()})
//		...
//	}
//
// Integration tests that should also run against a real broker use
// [NewBackend] (or [Brokers]) instead: it serves KAFKA_BROKERS when that
// variable is set and an embedded cluster otherwise, and creates topics with
// names unique to the run on either. Tests that need the embedded cluster's
// controls get it from [NeedsKfake], which names why and skips them against
// a real cluster. [Summary] counts the tests of each kind.
//
// Beyond serving requests, a Cluster is a tool for testing a client's error
// handling: it answers chosen requests with Kafka error codes
// ([Cluster.InjectError], [Cluster.InjectFault]), drops connections before
// it acts on a request ([Cluster.DropConnection]) or after
// ([Cluster.DropResponse], [Cluster.TruncateResponse]), answers late
// ([Cluster.Delay]), moves partition leaders ([Cluster.MoveLeader],
// [Cluster.ShuffleLeaders]), adds and removes brokers, and counts and shows
// the requests it received ([Cluster.Requests], [Cluster.Observe]).
//
// # Brokers that go away
//
// Three ways to lose a broker, from mildest to worst:
//   - [Cluster.DropBrokerConnections] closes every client connection to one
//     broker; the broker stays up, so clients see a disconnect and
//     reconnect to the same address.
//   - [Cluster.RemoveBroker] stops a broker: its port is closed and its
//     partitions move to the others. [Cluster.RestartBroker] brings it back
//     with the same ID at the same address, as a restarted broker would
//     come back, so clients that knew it reconnect where they were.
//   - [Cluster.Close] stops them all.
//
// # Latency
//
// Brokers on 127.0.0.1 answer in microseconds, which hides what a real
// network costs a client that waits for each answer before sending more.
// [Latency] delays every byte the brokers write by a one-way latency, so
// that throughput at 1 ms or 5 ms can be measured (the bench module does,
// through [StartProcess]). It delays without throttling: requests pipelined
// on one connection are answered together, one latency later. Where
// [Cluster.Delay] holds chosen requests back, and with them the requests
// behind them on their connection, Latency slows the whole network.
//
// # Fixed ports
//
// Brokers listen at random ports, so tests never collide. To try other
// tools against a cluster by hand (kafka-tools -b 127.0.0.1:9092, say),
// [Ports] fixes them: NewCluster(Ports(9092, 9093, 9094)) is a 3-broker
// cluster on the usual ports. [StartProcess] accepts it too.
//
// API keys and error codes are plain Kafka wire numbers (int16): the
// protocol package names the API keys (protocol.KeyProduce and so on) and
// the Kafka protocol guide lists the error codes (6 is
// NOT_LEADER_OR_FOLLOWER, for example).
//
// # Limits
//
// The brokers are a faithful fake, not Apache Kafka. The differences that
// matter to a client's tests:
//   - Records are RecordBatch v2 only: Produce is served from v3 and Fetch
//     from v4, so legacy message sets (magic 0 and 1) cannot be tested end
//     to end, and [Version] cannot emulate a broker older than 0.11.
//   - There is no replication: every write is immediately committed, acks
//     and Produce timeouts have no effect, and there is no throttling.
//   - A Fetch for a topic that does not exist is not answered with
//     UNKNOWN_TOPIC_OR_PARTITION: the broker waits instead.
//   - SASL offers PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 only, without
//     re-authentication; delegation tokens are not implemented.
//   - Adding, removing or restarting a broker moves partition leaders at
//     random, as [Cluster.ShuffleLeaders] does.
package kafkatest
