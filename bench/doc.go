// Package bench compares gokafka with its Go peers (franz-go, sarama and
// segmentio/kafka-go) on the same embedded cluster, which runs in a child
// process so that each client's allocations and CPU are its own. It is a
// module of its own, so that the peers never become dependencies of
// gokafka. Run it from this directory:
//
//	go test -run '^$' -bench . -benchtime 200000x
//
// Every benchmark counts messages: b.N is the number of messages produced
// or consumed, so -benchtime 200000x means 200,000 messages each and the
// figures are per message:
//   - ns/msg: wall time; a produce run ends when every message is
//     acknowledged (the final flush is timed);
//   - cpu-ns/msg: the process's user plus system CPU time, from getrusage
//     (the cluster is another process, so this is the client's, with the Go
//     runtime's work for it);
//   - broker-cpu-ns/msg (Linux): the cluster process's CPU time meanwhile,
//     from /proc/<pid>/stat in 10 ms ticks. The cluster shares the
//     machine's cores with the client, so on a 2-core machine a run that
//     keeps both busy takes at least (cpu-ns/msg + broker-cpu-ns/msg) / 2
//     per message whatever the client does: the bound on any wall-time
//     ratio between two clients that the broker serves at the same cost;
//   - allocs/msg and B/msg: the process's allocations;
//   - peak-RSS-MB (1 KiB produce runs): the process's peak resident set
//     during the run, from VmHWM, reset before the run through
//     /proc/self/clear_refs (or the largest VmRSS sampled every 10 ms where
//     that reset fails). It includes the test binary's own baseline.
//
// Before each timed part the garbage of the runs before is collected and
// returned to the system. Each produce run gets a fresh cluster and a new
// producer, which sends one message and flushes before the timer starts
// (gokafka and franz-go: sarama and kafka-go cannot flush without closing),
// so that connecting and asking for a producer ID are not timed.
//
// The clients are set up alike: acks from all in-sync replicas,
// idempotence on (gokafka and franz-go), 5 ms linger, batches of at most
// 1,000,012 bytes (Kafka's max.message.bytes default), no compression,
// each client's defaults otherwise (buffer sizes among them). The topic
// has 6 partitions on 3 brokers.
//
// # Benchmarks
//
//   - BenchmarkProduce/<client>/<size>: produce at 100 B and 1 KiB;
//   - BenchmarkProduceLatency/<client>/<latency>/<size>: the same for
//     gokafka and franz-go only, with every broker answer delayed by a
//     one-way latency of 1 ms or 5 ms (kafkatest.Latency);
//   - BenchmarkConsume/<client>/<size>: read b.N messages from the start;
//   - BenchmarkConsumeGroup/<client>/<size>: the same through a group
//     member (gokafka's BalancedConsumer, franz-go's kgo.ConsumerGroup),
//     each run in a new group, so that joining it is timed;
//   - BenchmarkConsumeLatency/<client>/<latency>/<size> and
//     BenchmarkConsumeGroupLatency/<client>/<latency>/<size>: the two
//     above for gokafka and franz-go, with every broker answer delayed by
//     1 ms or 5 ms.
//
// The consume benchmarks fill a fresh cluster's topic with b.N messages
// (untimed), then time a new client reading them all, from connecting to
// closing. The consumers keep their defaults, fetch sizes among them:
// gokafka fetches up to 1 MiB per partition (FetchMessageMaxBytes), and
// holds up to QueuedMaxMessages fetched messages per partition; franz-go
// fetches up to 1 MiB per partition and 50 MiB per request, one fetch per
// broker at a time, each buffered until polled. franz-go's PollFetches hands out whole
// fetches and the loop only counts their records, while gokafka returns a
// message per Consume call: the per-call cost is gokafka's to pay. Neither
// group member commits: gokafka's AutoCommitEnable is off by default, and
// franz-go's autocommit (on by default) is turned off with
// kgo.DisableAutoCommit, as it would otherwise commit when leaving the
// group, inside the timed part.
//
// # Comparing gokafka with franz-go
//
// compare.sh runs the benchmarks of the two clients RUNS times (default
// 5) in one binary, so that they alternate, and prints per benchmark the
// median and min–max of each metric and the ratio franz-go/gokafka of the
// medians of ns/msg, cpu-ns/msg and peak-RSS-MB (above 1: gokafka is
// faster, cheaper or smaller). Its arguments are the benchtime (default
// 20000x) and the -bench regexp (default
// '(Produce|Consume).*/(gokafka|franz-go)'); one benchtime applies to
// every benchmark it selects. The summariser, cmd/summarize, reads any go
// test -bench output on stdin. Issue 13's figures:
//
//	./compare.sh 1000000x 'Produce$/(gokafka|franz-go)/100B'              # 1,000,000 × 100 B
//	./compare.sh 100000x 'Produce$/(gokafka|franz-go)/1KiB'               # 100,000 × 1 KiB, with peak RSS
//	./compare.sh 1000000x 'ProduceLatency/(gokafka|franz-go)/.*/100B'     # 1 ms and 5 ms, 100 B
//	./compare.sh 100000x 'ProduceLatency/(gokafka|franz-go)/.*/1KiB'      # 1 ms and 5 ms, 1 KiB
//
// Issue 14's:
//
//	./compare.sh 1000000x 'Consume$/(gokafka|franz-go)/100B'              # 1,000,000 × 100 B
//	./compare.sh 100000x 'Consume$/(gokafka|franz-go)/1KiB'               # 100,000 × 1 KiB
//	./compare.sh 1000000x 'ConsumeGroup$/(gokafka|franz-go)/100B'         # group member, 1,000,000 × 100 B
//	./compare.sh 1000000x 'ConsumeLatency/(gokafka|franz-go)/.*/100B'     # 1 ms and 5 ms, 100 B
//	./compare.sh 100000x 'ConsumeLatency/(gokafka|franz-go)/.*/1KiB'      # 1 ms and 5 ms, 1 KiB
//	./compare.sh 1000000x 'ConsumeGroupLatency/(gokafka|franz-go)/.*/100B' # group member, 1 ms and 5 ms
//
// OUT=results.txt ./compare.sh ... keeps the raw output.
package bench
