package kafkatest

import (
	"os"
	"strings"
	"testing"
)

// BrokersEnv is the environment variable that points integration tests at a
// real cluster: comma-separated host:port seed addresses, such as
// "127.0.0.1:9092" for the docker-compose.yml at the repository root.
const BrokersEnv = "KAFKA_BROKERS"

// External reports whether KAFKA_BROKERS names a real cluster for
// integration tests to use.
func External() bool {
	return len(externalBrokers()) > 0
}

// Brokers returns the seed addresses integration tests should use: those in
// KAFKA_BROKERS when it is set, otherwise the addresses of a fresh embedded
// cluster made with opts, which is closed when t finishes. It never skips.
//
// The options only shape the embedded cluster; against a real one they are
// ignored, so a test that needs a topic should create it (or rely on topic
// auto-creation, which the docker-compose cluster has on) and should use
// topic names of its own, as a real cluster keeps them between runs. Tests
// that need fault injection or leader moves need a [Cluster]: use
// [NeedsKfake] for those. [NewBackend] is Brokers with topic creation and
// run-unique names.
func Brokers(t testing.TB, opts ...Option) []string {
	t.Helper()
	if addrs := externalBrokers(); len(addrs) > 0 {
		if Mock() {
			count(t, &tally.mock)
		} else {
			count(t, &tally.external)
		}
		if len(opts) > 0 {
			t.Logf("kafkatest: %s is set; cluster options are ignored", BrokersEnv)
		}
		return addrs
	}
	count(t, &tally.embedded)
	return mustCluster(t, opts...).Addrs()
}

func externalBrokers() []string {
	var addrs []string
	for _, a := range strings.Split(os.Getenv(BrokersEnv), ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	return addrs
}
