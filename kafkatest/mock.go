package kafkatest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// MockEnv names the environment variable that says the cluster in
// KAFKA_BROKERS is librdkafka's mock cluster (rdkafka_mock.h), as the
// conformance module starts it to run this suite: its value is the URL of
// the harness's control endpoint, through which [Backend.NewTopic] creates
// topics (the mock of librdkafka 2.0.2 has no CreateTopics). The harness
// sets both variables; nobody else needs to.
const MockEnv = "KAFKATEST_RDKAFKA_MOCK"

// Mock reports whether the cluster in KAFKA_BROKERS is librdkafka's mock
// (KAFKATEST_RDKAFKA_MOCK is set as well).
func Mock() bool { return External() && mockURL() != "" }

func mockURL() string { return strings.TrimSpace(os.Getenv(MockEnv)) }

// SkipOnMock skips a backend-agnostic test against librdkafka's mock
// cluster, for the reason given: a genuine limit of the mock (an API it
// does not serve, such as CreateTopics with configs, DeleteRecords,
// DescribeGroups or the admin calls; a behaviour it does not have, such as
// compaction). The test still runs on the embedded cluster and on a real
// one. It is the only mock-specific skip: a test that fails on the mock
// for any other reason is a bug, in gokafka or in the test.
func SkipOnMock(tb testing.TB, why string) {
	tb.Helper()
	if Mock() {
		count(tb, &tally.mockSkipped)
		tb.Skipf("kafkatest: librdkafka's mock cluster cannot run this test (%s)", why)
	}
}

// mockCreateTopic asks the conformance harness to create a topic through
// the mock's own API.
func mockCreateTopic(name string, partitions int, configs map[string]string) error {
	if len(configs) > 0 {
		return fmt.Errorf("kafkatest: create topic %q on librdkafka's mock: topic configs %v are not supported (use SkipOnMock)", name, configs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q := url.Values{"name": {name}, "partitions": {strconv.Itoa(partitions)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(mockURL(), "/")+"/topics?"+q.Encode(), nil)
	if err != nil {
		return fmt.Errorf("kafkatest: create topic %q on librdkafka's mock: %w", name, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("kafkatest: create topic %q on librdkafka's mock: %w", name, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("kafkatest: create topic %q on librdkafka's mock: %s: %s", name, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
