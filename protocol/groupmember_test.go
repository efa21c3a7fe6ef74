package protocol

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// groupPayload is what the consumer protocol payloads have in common.
type groupPayload interface {
	Encode(version int16) ([]byte, error)
	Decode(b []byte) error
}

// TestConsumerProtocolOracleKmsg checks the consumer protocol's payloads at
// every version against kmsg's ConsumerMemberMetadata and
// ConsumerMemberAssignment, as TestOracleKmsg does for messages.
func TestConsumerProtocolOracleKmsg(t *testing.T) {
	cases := []struct {
		name   string
		max    int16
		ours   func() groupPayload
		theirs func() kmsgPayload
	}{
		{"Subscription", ConsumerProtocolSubscriptionMaxVersion,
			func() groupPayload { return new(ConsumerProtocolSubscription) },
			func() kmsgPayload { return new(kmsg.ConsumerMemberMetadata) }},
		{"Assignment", ConsumerProtocolAssignmentMaxVersion,
			func() groupPayload { return new(ConsumerProtocolAssignment) },
			func() kmsgPayload { return new(kmsg.ConsumerMemberAssignment) }},
	}
	for i, c := range cases {
		for v := int16(0); v <= c.max; v++ {
			t.Run(fmt.Sprintf("%s/v%d", c.name, v), func(t *testing.T) {
				for seed := range uint64(oracleSeeds) {
					rng := rand.New(rand.NewPCG(seed, uint64(i)<<16|uint64(v)))
					checkGroupPayload(t, rng, c.ours(), c.theirs(), v, seed)
				}
			})
		}
	}
}

type kmsgPayload interface {
	AppendTo([]byte) []byte
	ReadFrom([]byte) error
}

func checkGroupPayload(t *testing.T, rng *rand.Rand, ours groupPayload, theirs kmsgPayload, version int16, seed uint64) {
	t.Helper()
	name := fmt.Sprintf("%T seed %d", ours, seed)
	fillRandom(rng, reflect.ValueOf(ours).Elem(), 0)

	ourBytes, err := ours.Encode(version)
	if err != nil {
		t.Fatalf("%s: encode: %v", name, err)
	}
	decoded := reflect.New(reflect.TypeOf(ours).Elem()).Interface().(groupPayload)
	if err := decoded.Decode(ourBytes); err != nil {
		t.Fatalf("%s: decoding our own bytes: %v", name, err)
	}
	if got := reflect.ValueOf(decoded).Elem().FieldByName("Version").Int(); got != int64(version) {
		t.Fatalf("%s: decoded Version %d, want %d", name, got, version)
	}
	if err := theirs.ReadFrom(ourBytes); err != nil {
		t.Fatalf("%s: kmsg cannot decode our bytes: %v", name, err)
	}
	if diffs := compareWithKmsg(reflect.ValueOf(decoded).Elem(), reflect.ValueOf(theirs).Elem(), version, "", 0); len(diffs) > 0 {
		t.Fatalf("%s: fields differ after decoding the same bytes:\n  %s", name, strings.Join(diffs, "\n  "))
	}
	theirBytes := theirs.AppendTo(nil)
	if !bytes.Equal(ourBytes, theirBytes) {
		t.Fatalf("%s: encodings differ\n ours:  %x\n kmsg:  %x", name, ourBytes, theirBytes)
	}
	again := reflect.New(reflect.TypeOf(ours).Elem()).Interface().(groupPayload)
	if err := again.Decode(theirBytes); err != nil {
		t.Fatalf("%s: decoding kmsg's bytes: %v", name, err)
	}
	if reencoded, _ := again.Encode(version); !bytes.Equal(reencoded, theirBytes) {
		t.Fatalf("%s: re-encoding kmsg's bytes differs\n ours:  %x\n kmsg:  %x", name, reencoded, theirBytes)
	}
}

// mustHex decodes hex digits, ignoring spaces and # comments.
func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	var clean strings.Builder
	for line := range strings.Lines(s) {
		line, _, _ = strings.Cut(line, "#")
		clean.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(clean.String())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConsumerProtocolGolden(t *testing.T) {
	rack := "r1"
	sub := ConsumerProtocolSubscription{
		Version:         3,
		Topics:          []string{"a", "bc"},
		UserData:        []byte{1, 2},
		OwnedPartitions: []ConsumerProtocolSubscriptionOwnedPartition{{Topic: "a", Partitions: []int32{0, 5}}},
		GenerationID:    7,
		RackID:          &rack,
	}
	subWire := mustHex(t, `
		0003                                          # version 3
		00000002 0001 61 0002 6263                    # topics ["a" "bc"]
		00000002 0102                                 # user data
		00000001 0001 61 00000002 00000000 00000005   # owned: a [0 5]
		00000007                                      # generation id
		0002 7231                                     # rack id "r1"`)
	got, err := sub.Encode(3)
	if err != nil || !bytes.Equal(got, subWire) {
		t.Fatalf("subscription: got %x, %v\nwant %x", got, err, subWire)
	}
	var sub2 ConsumerProtocolSubscription
	if err := sub2.Decode(subWire); err != nil || !reflect.DeepEqual(sub2, sub) {
		t.Fatalf("subscription: decoded %+v, %v", sub2, err)
	}

	asg := ConsumerProtocolAssignment{
		AssignedPartitions: []ConsumerProtocolAssignmentAssignedPartition{{Topic: "t", Partitions: []int32{2}}},
	}
	asgWire := mustHex(t, `
		0000                                          # version 0
		00000001 0001 74 00000001 00000002            # assigned: t [2]
		ffffffff                                      # user data null`)
	got, err = asg.Encode(0)
	if err != nil || !bytes.Equal(got, asgWire) {
		t.Fatalf("assignment: got %x, %v\nwant %x", got, err, asgWire)
	}
	var asg2 ConsumerProtocolAssignment
	if err := asg2.Decode(asgWire); err != nil || !reflect.DeepEqual(asg2, asg) {
		t.Fatalf("assignment: decoded %+v, %v", asg2, err)
	}
}

// Payloads newer than we know are read with the newest layout we know and
// their extra bytes ignored; negative versions and truncations are malformed.
func TestConsumerProtocolVersions(t *testing.T) {
	sub := ConsumerProtocolSubscription{Topics: []string{"x"}, GenerationID: 4}
	b, err := sub.Encode(3)
	if err != nil {
		t.Fatal(err)
	}
	b[1] = 9 // version 9
	b = append(b, 0xAA, 0xBB)
	var got ConsumerProtocolSubscription
	if err := got.Decode(b); err != nil {
		t.Fatalf("decoding v9: %v", err)
	}
	if got.Version != 9 || got.GenerationID != 4 || len(got.Topics) != 1 || got.Topics[0] != "x" {
		t.Fatalf("decoding v9: %+v", got)
	}

	for _, in := range [][]byte{{}, {0}, {0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0}, b[:len(b)-5]} {
		if err := got.Decode(in); !errors.Is(err, ErrMalformed) {
			t.Errorf("subscription %x: error %v, want ErrMalformed", in, err)
		}
		var a ConsumerProtocolAssignment
		if err := a.Decode(in); !errors.Is(err, ErrMalformed) {
			t.Errorf("assignment %x: error %v, want ErrMalformed", in, err)
		}
	}

	if _, err := sub.Encode(4); !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("encoding v4: error %v, want ErrUnsupportedVersion", err)
	}
	if _, err := (&ConsumerProtocolAssignment{}).Encode(-1); !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("encoding v-1: error %v, want ErrUnsupportedVersion", err)
	}
}
