package kafka

import (
	"strings"
	"testing"

	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/assert"
	"github.com/twmb/franz-go/pkg/kversion"
)

// TestAPISince checks the releases that errors name against franz-go's
// kversion tables: for every API this client speaks, the first release
// that served a version the client implements.
func TestAPISince(t *testing.T) {
	// Kafka 0.8.2's protocol listed these, but groups first worked in 0.9.0.
	groupsLater := map[int16]bool{protocol.KeyJoinGroup: true, protocol.KeyHeartbeat: true}
	// KIP-848's APIs were served by 3.7 (heartbeat) and 3.8 (describe) only
	// as an early-access preview, off unless enabled; errors name 4.0, the
	// release where the new consumer group protocol is generally available.
	kip848GA := map[int16]bool{protocol.KeyConsumerGroupHeartbeat: true, protocol.KeyConsumerGroupDescribe: true}
	releases := kversion.VersionStrings() // newest first
	for key := int16(0); key < 200; key++ {
		api := protocol.LookupAPI(key)
		if api == nil {
			continue
		}
		first := ""
		for i := len(releases) - 1; i >= 0; i-- {
			if m, ok := kversion.FromString(releases[i]).LookupMaxKeyVersion(key); ok && m >= api.MinVersion {
				first = strings.TrimPrefix(releases[i], "v")
				break
			}
		}
		if groupsLater[key] {
			first = "0.9.0"
		}
		if kip848GA[key] {
			first = "4.0"
		}
		first = strings.TrimSuffix(first, ".0.0")
		if strings.HasPrefix(first, "0.11") {
			first = "0.11"
		}
		assert.Equal(t, first, apiSince[key], "%s", api.Name)
	}
	assert.ErrorIs(t, errAPIMissing(protocol.KeyCreatePartitions, "b:9092"), ErrUnsupportedVersion)
	assert.Contains(t, errAPIMissing(protocol.KeyCreatePartitions, "b:9092").Error(), "CreatePartitions needs Kafka 1.0 or newer")
}
