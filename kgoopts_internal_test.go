package kafka

import (
	"github.com/gokafka/kafka/kafkatest"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kversion"
)

// kgoOpts returns the options of a franz-go client of the brokers at addrs:
// theirs, then opts. Against librdkafka's mock cluster (kafkatest.Mock) it
// caps franz-go at Kafka 2.3's versions: 2.0.2's mock answers the
// ApiVersions v3 franz-go sends first with a response franz-go cannot read
// ("response did not contain enough data to be valid"), and at 2.3 it sends
// v2, which the mock serves; every other version is still negotiated.
func kgoOpts(addrs []string, opts ...kgo.Opt) []kgo.Opt {
	base := []kgo.Opt{kgo.SeedBrokers(addrs...)}
	if kafkatest.Mock() {
		base = append(base, kgo.MaxVersions(kversion.V2_3_0()))
	}
	return append(base, opts...)
}

// KgoOpts is kgoOpts for the external test package.
var KgoOpts = kgoOpts
