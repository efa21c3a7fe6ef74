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
// figures (ns/op, allocs/op, ns/msg, allocs/msg) are per message.
package bench
