// Package conformance runs gokafka's flows against librdkafka's mock cluster
// (package mock), an independent implementation of the Kafka protocol, so
// that the library is not tested against one broker implementation only
// (kfake, in the root module). It is a module of its own so that cgo and
// librdkafka never become dependencies of the library. See README.md.
package conformance
