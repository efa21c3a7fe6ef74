// Package kafka is gokafka, a Go client for Apache Kafka in the shape of
// pykafka: a Client discovers brokers and hands out Topics, which make a
// Producer, a SimpleConsumer and a BalancedConsumer.
//
// The wire protocol lives in the protocol subpackage; kafkatest provides an
// in-process Kafka cluster for tests.
package kafka
