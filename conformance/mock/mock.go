// Package mock starts librdkafka's mock cluster (rdkafka_mock.h), an
// independent Kafka-protocol server written in C, and exposes the few
// controls the conformance tests need: topics created through the mock's own
// API (older mocks have no CreateTopics), brokers taken down and brought back
// up, a round-trip delay per broker, and errors queued for the next requests
// of an API.
//
// It needs librdkafka's headers and library (Debian: librdkafka-dev) and cgo;
// it lives in the conformance module so that neither becomes a dependency of
// the library.
package mock

/*
#cgo LDFLAGS: -lrdkafka
#include <stdlib.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

// A Cluster is a running librdkafka mock cluster. Its brokers have ids 1..n
// and listen on 127.0.0.1. Methods are safe for concurrent use; after Close
// they do nothing.
type Cluster struct {
	mu      sync.Mutex
	rk      *C.rd_kafka_t
	mc      *C.rd_kafka_mock_cluster_t
	addrs   []string
	brokers int
}

// Version returns the version of the librdkafka the mock comes from, such
// as "2.0.2".
func Version() string { return C.GoString(C.rd_kafka_version_str()) }

// New starts a mock cluster of brokers brokers. Close it when done.
func New(brokers int) (*Cluster, error) {
	if brokers < 1 {
		return nil, fmt.Errorf("mock: %d brokers", brokers)
	}
	conf := C.rd_kafka_conf_new()
	errstr := (*C.char)(C.malloc(512))
	defer C.free(unsafe.Pointer(errstr))
	// The handle only hosts the mock cluster's thread; keep it quiet.
	for k, v := range map[string]string{"log_level": "0"} {
		ck, cv := C.CString(k), C.CString(v)
		res := C.rd_kafka_conf_set(conf, ck, cv, errstr, 512)
		C.free(unsafe.Pointer(ck))
		C.free(unsafe.Pointer(cv))
		if res != C.RD_KAFKA_CONF_OK {
			C.rd_kafka_conf_destroy(conf)
			return nil, fmt.Errorf("mock: conf %s=%s: %s", k, v, C.GoString(errstr))
		}
	}
	rk := C.rd_kafka_new(C.RD_KAFKA_PRODUCER, conf, errstr, 512) // takes conf
	if rk == nil {
		return nil, fmt.Errorf("mock: rd_kafka_new: %s", C.GoString(errstr))
	}
	mc := C.rd_kafka_mock_cluster_new(rk, C.int(brokers))
	if mc == nil {
		C.rd_kafka_destroy(rk)
		return nil, fmt.Errorf("mock: rd_kafka_mock_cluster_new failed")
	}
	bs := C.GoString(C.rd_kafka_mock_cluster_bootstraps(mc))
	return &Cluster{rk: rk, mc: mc, addrs: strings.Split(bs, ","), brokers: brokers}, nil
}

// Start is New for tests: it fails t at once if the cluster cannot start and
// closes it when t and its subtests finish.
func Start(t testing.TB, brokers int) *Cluster {
	t.Helper()
	c, err := New(brokers)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// Addrs returns the brokers' "host:port" addresses, broker 1's first.
func (c *Cluster) Addrs() []string { return append([]string(nil), c.addrs...) }

// Brokers returns the number of brokers.
func (c *Cluster) Brokers() int { return c.brokers }

func (c *Cluster) do(what string, fn func(mc *C.rd_kafka_mock_cluster_t) C.rd_kafka_resp_err_t) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mc == nil {
		return fmt.Errorf("mock: %s: cluster closed", what)
	}
	if e := fn(c.mc); e != C.RD_KAFKA_RESP_ERR_NO_ERROR {
		return fmt.Errorf("mock: %s: %s", what, C.GoString(C.rd_kafka_err2str(e)))
	}
	return nil
}

// CreateTopic creates a topic with partitions partitions, each replicated
// on replicas brokers (leaders spread over the brokers by the mock).
func (c *Cluster) CreateTopic(name string, partitions, replicas int) error {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	return c.do("create topic "+name, func(mc *C.rd_kafka_mock_cluster_t) C.rd_kafka_resp_err_t {
		return C.rd_kafka_mock_topic_create(mc, cs, C.int(partitions), C.int(replicas))
	})
}

// BrokerDown takes broker id down: its connections are closed and new ones
// are closed as soon as they are accepted. Its partitions keep it as their
// leader (the mock does not elect another), so they are unavailable until
// BrokerUp.
func (c *Cluster) BrokerDown(id int32) error {
	return c.do(fmt.Sprintf("broker %d down", id), func(mc *C.rd_kafka_mock_cluster_t) C.rd_kafka_resp_err_t {
		return C.rd_kafka_mock_broker_set_down(mc, C.int32_t(id))
	})
}

// BrokerUp brings broker id back.
func (c *Cluster) BrokerUp(id int32) error {
	return c.do(fmt.Sprintf("broker %d up", id), func(mc *C.rd_kafka_mock_cluster_t) C.rd_kafka_resp_err_t {
		return C.rd_kafka_mock_broker_set_up(mc, C.int32_t(id))
	})
}

// SetRTT delays every response of broker id by ms milliseconds (0 removes
// the delay).
func (c *Cluster) SetRTT(id int32, ms int) error {
	return c.do(fmt.Sprintf("broker %d rtt", id), func(mc *C.rd_kafka_mock_cluster_t) C.rd_kafka_resp_err_t {
		return C.rd_kafka_mock_broker_set_rtt(mc, C.int32_t(id), C.int(ms))
	})
}

// PushErrors makes the next len(codes) requests of apiKey, on any broker,
// fail with those Kafka error codes, in order.
func (c *Cluster) PushErrors(apiKey int16, codes ...int16) error {
	if len(codes) == 0 {
		return nil
	}
	errs := (*C.rd_kafka_resp_err_t)(C.malloc(C.size_t(len(codes)) * C.size_t(unsafe.Sizeof(C.rd_kafka_resp_err_t(0)))))
	defer C.free(unsafe.Pointer(errs))
	arr := unsafe.Slice(errs, len(codes))
	for i, code := range codes {
		arr[i] = C.rd_kafka_resp_err_t(code)
	}
	return c.do("push errors", func(mc *C.rd_kafka_mock_cluster_t) C.rd_kafka_resp_err_t {
		C.rd_kafka_mock_push_request_errors_array(mc, C.int16_t(apiKey), C.size_t(len(codes)), errs)
		return C.RD_KAFKA_RESP_ERR_NO_ERROR
	})
}

// SetAPIVersion makes every broker advertise (and accept) versions
// min..max of apiKey in its ApiVersions answer. A client that caps its
// versions by that answer then speaks nothing newer; a request at a version
// outside the range makes the mock close the connection.
func (c *Cluster) SetAPIVersion(apiKey, min, max int16) error {
	return c.do(fmt.Sprintf("api %d versions", apiKey), func(mc *C.rd_kafka_mock_cluster_t) C.rd_kafka_resp_err_t {
		return C.rd_kafka_mock_set_apiversion(mc, C.int16_t(apiKey), C.int16_t(min), C.int16_t(max))
	})
}

// Close stops the cluster and frees it. It is safe to call more than once.
func (c *Cluster) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mc == nil {
		return
	}
	C.rd_kafka_mock_cluster_destroy(c.mc)
	C.rd_kafka_destroy(c.rk)
	c.mc, c.rk = nil, nil
}
