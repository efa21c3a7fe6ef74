// Command mockcluster starts librdkafka's mock cluster (3 brokers, ListOffsets
// capped at v3 as in the conformance suite) with the control endpoint that
// kafkatest creates topics through, prints the two environment variables
// that point gokafka's root test suite at it, and runs until interrupted:
//
//	cd conformance && go run ./cmd/mockcluster
//	# in another shell, at the repository root, with the two lines it printed:
//	KAFKA_BROKERS=… KAFKATEST_RDKAFKA_MOCK=… go test -run TestSimpleConsumer .
//
// TestRootSuiteOnMock does the same for the whole suite in one command.
package main

import (
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gokafka/kafka/conformance/mock"
)

func main() {
	m, err := mock.New(3)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	if err := m.SetAPIVersion(2, 0, 3); err != nil { // see startMock in the tests
		log.Fatal(err)
	}
	url, stop, err := mock.Serve(m)
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	fmt.Printf("# librdkafka %s mock cluster\nexport KAFKA_BROKERS=%s\nexport KAFKATEST_RDKAFKA_MOCK=%s\n", mock.Version(), strings.Join(m.Addrs(), ","), url)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
}
