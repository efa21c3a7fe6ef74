// Package bench compares gokafka with its Go peers (franz-go, sarama and
// segmentio/kafka-go) on the same embedded cluster, which runs in a child
// process so that each client's allocations and CPU are its own. It is a
// module of its own, so that the peers never become dependencies of
// gokafka. Run it from this directory:
//
//	go test -run '^$' -bench . -benchtime 100000x
package bench
