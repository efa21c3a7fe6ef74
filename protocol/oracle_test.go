package protocol

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// The oracle tests check every message at every version against franz-go's
// kmsg, an independent implementation of the same schemas: our random value
// is encoded by us, decoded by both, compared field by field, then encoded by
// kmsg, which must give the same bytes, and decoded by us again.

const oracleSeeds = 25

func TestOracleKmsg(t *testing.T) {
	for _, api := range APIs {
		t.Run(api.Name, func(t *testing.T) {
			for v := api.MinVersion; v <= api.MaxVersion; v++ {
				t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
					for seed := range uint64(oracleSeeds) {
						rng := rand.New(rand.NewPCG(seed, uint64(api.Key)<<16|uint64(v)))
						checkOracle(t, rng, api.NewRequest(), kmsg.RequestForKey(api.Key), v, seed)
						checkOracle(t, rng, api.NewResponse(), kmsg.ResponseForKey(api.Key), v, seed)
					}
				})
			}
		})
	}
}

type kmsgMessage interface {
	SetVersion(int16)
	AppendTo([]byte) []byte
	ReadFrom([]byte) error
}

func checkOracle(t *testing.T, rng *rand.Rand, ours Message, theirs kmsgMessage, version int16, seed uint64) {
	t.Helper()
	name := fmt.Sprintf("%T seed %d", ours, seed)
	fillRandom(rng, reflect.ValueOf(ours).Elem(), 0)

	ourBytes, err := Encode(nil, ours, version)
	if err != nil {
		t.Fatalf("%s: encode: %v", name, err)
	}
	decoded := reflect.New(reflect.TypeOf(ours).Elem()).Interface().(Message)
	if err := Decode(ourBytes, decoded, version); err != nil {
		t.Fatalf("%s: decoding our own bytes: %v", name, err)
	}
	theirs.SetVersion(version)
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
	again := reflect.New(reflect.TypeOf(ours).Elem()).Interface().(Message)
	if err := Decode(theirBytes, again, version); err != nil {
		t.Fatalf("%s: decoding kmsg's bytes: %v", name, err)
	}
	if reencoded, _ := Encode(nil, again, version); !bytes.Equal(reencoded, theirBytes) {
		t.Fatalf("%s: re-encoding kmsg's bytes differs\n ours:  %x\n kmsg:  %x", name, reencoded, theirBytes)
	}
}

var taggedFieldsType = reflect.TypeFor[[]TaggedField]()

// fillRandom sets every field of v to a random value. Pointers, byte slices
// and slices are sometimes nil so that null encodings are exercised.
func fillRandom(rng *rand.Rand, v reflect.Value, depth int) {
	if v.Type() == taggedFieldsType {
		if rng.IntN(3) == 0 {
			data := randomBytes(rng)
			if data == nil {
				data = []byte{}
			}
			v.Set(reflect.ValueOf([]TaggedField{{Tag: 10000 + uint32(rng.IntN(100)), Data: data}}))
		}
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch rng.IntN(4) {
		case 0:
			v.SetInt(0)
		case 1:
			v.SetInt(-1)
		default:
			v.SetInt(int64(rng.Uint64()) >> (64 - v.Type().Bits()))
		}
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(rng.Uint64() >> (64 - v.Type().Bits()))
	case reflect.Float64:
		v.SetFloat(rng.NormFloat64() * 1000)
	case reflect.String:
		v.SetString(randomString(rng))
	case reflect.Array:
		for i := range v.Len() {
			fillRandom(rng, v.Index(i), depth)
		}
	case reflect.Pointer:
		if rng.IntN(4) == 0 {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		fillRandom(rng, p.Elem(), depth)
		v.Set(p)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes(randomBytes(rng))
			return
		}
		if rng.IntN(4) == 0 || depth > 4 {
			v.SetZero()
			return
		}
		n := rng.IntN(4)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fillRandom(rng, s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillRandom(rng, v.Field(i), depth)
			}
		}
	default:
		panic(fmt.Sprintf("fillRandom: unhandled kind %s", v.Kind()))
	}
}

func randomString(rng *rand.Rand) string {
	const letters = "abcdefghijklmnopqrstuvwxyz-._0123456789"
	b := make([]byte, rng.IntN(10))
	for i := range b {
		b[i] = letters[rng.IntN(len(letters))]
	}
	return string(b)
}

func randomBytes(rng *rand.Rand) []byte {
	if rng.IntN(4) == 0 {
		return nil
	}
	b := make([]byte, rng.IntN(12))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// compareWithKmsg compares our decoded value with kmsg's field by field, in
// schema order (both follow the schema's field order; names differ because
// kmsg renames some fields). kmsg's Version field is skipped and unknown tags
// are compared by content.
func compareWithKmsg(ours, theirs reflect.Value, version int16, path string, depth int) []string {
	if depth > 20 {
		return []string{path + ": too deep"}
	}
	if ours.Kind() != theirs.Kind() {
		return []string{fmt.Sprintf("%s: kind %s (ours, %s) vs %s (kmsg, %s)", path, ours.Kind(), ours.Type(), theirs.Kind(), theirs.Type())}
	}
	switch ours.Kind() {
	case reflect.Struct:
		of, tf := schemaFields(ours.Type(), nil), schemaFields(theirs.Type(), kmsgNewerFields)
		if len(of) != len(tf) {
			return []string{fmt.Sprintf("%s: %s has fields %v, kmsg's %s has %v", path, ours.Type(), fieldNames(ours.Type(), of), theirs.Type(), fieldNames(theirs.Type(), tf))}
		}
		var diffs []string
		for i := range of {
			field := ours.Type().Field(of[i]).Name
			if last, ok := kmsgDefaultDiffers[ours.Type().Name()+"."+field]; ok && version <= last {
				continue
			}
			p := path + "." + field
			diffs = append(diffs, compareWithKmsg(ours.Field(of[i]), theirs.Field(tf[i]), version, p, depth+1)...)
		}
		if f, tf := ours.FieldByName("UnknownTags"), theirs.FieldByName("UnknownTags"); f.IsValid() && tf.IsValid() {
			if tags, ok := tf.Addr().Interface().(*kmsg.Tags); ok {
				diffs = append(diffs, compareTags(f.Interface().([]TaggedField), tags, path)...)
			}
		}
		return diffs
	case reflect.Slice:
		if ours.Len() != theirs.Len() {
			return []string{fmt.Sprintf("%s: length %d vs %d", path, ours.Len(), theirs.Len())}
		}
		var diffs []string
		for i := range ours.Len() {
			diffs = append(diffs, compareWithKmsg(ours.Index(i), theirs.Index(i), version, fmt.Sprintf("%s[%d]", path, i), depth+1)...)
		}
		return diffs
	case reflect.Pointer:
		if ours.IsNil() != theirs.IsNil() {
			return []string{fmt.Sprintf("%s: nil %v vs %v", path, ours.IsNil(), theirs.IsNil())}
		}
		if ours.IsNil() {
			return nil
		}
		return compareWithKmsg(ours.Elem(), theirs.Elem(), version, path, depth+1)
	case reflect.Array:
		for i := range ours.Len() {
			if d := compareWithKmsg(ours.Index(i), theirs.Index(i), version, path, depth+1); d != nil {
				return d
			}
		}
		return nil
	case reflect.Bool:
		return differ(path, ours.Bool(), theirs.Bool())
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if ours.Type().Bits() != theirs.Type().Bits() {
			return []string{fmt.Sprintf("%s: type %s vs %s", path, ours.Type(), theirs.Type())}
		}
		return differ(path, ours.Int(), theirs.Int())
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return differ(path, ours.Uint(), theirs.Uint())
	case reflect.Float64:
		return differ(path, ours.Float(), theirs.Float())
	case reflect.String:
		return differ(path, ours.String(), theirs.String())
	}
	return []string{fmt.Sprintf("%s: cannot compare kind %s", path, ours.Kind())}
}

func differ[T comparable](path string, a, b T) []string {
	if a != b {
		return []string{fmt.Sprintf("%s: %v (ours) vs %v (kmsg)", path, a, b)}
	}
	return nil
}

// kmsgNewerFields lists kmsg fields that only versions newer than Kafka 4.1
// carry, keyed by kmsg type and field name; they are not compared.
var kmsgNewerFields = map[string]bool{
	"ApiVersionsRequest.ClusterID": true, // v5, Kafka 4.2 (KIP-1242)
	"ApiVersionsRequest.NodeID":    true, // v5, Kafka 4.2 (KIP-1242)

	"OffsetCommitRequestTopic.TopicID":      true, // v10, Kafka 4.2 (KIP-848 topic IDs)
	"OffsetCommitResponseTopic.TopicID":     true, // v10, Kafka 4.2 (KIP-848 topic IDs)
	"OffsetFetchRequestGroupTopic.TopicID":  true, // v10, Kafka 4.2 (KIP-848 topic IDs)
	"OffsetFetchResponseGroupTopic.TopicID": true, // v10, Kafka 4.2 (KIP-848 topic IDs)

	"TxnOffsetCommitRequestTopic.TopicID":  true, // v6, after Kafka 4.1 (topic IDs)
	"TxnOffsetCommitResponseTopic.TopicID": true, // v6, after Kafka 4.1 (topic IDs)

	"DeleteGroupsResponseGroup.ErrorMessage": true, // v3, after Kafka 4.1 (streams groups)
}

// kmsgDefaultDiffers lists fields whose default, in the versions that do not
// carry them (up to the version given), is Kafka's schema default for us and
// something else in kmsg. Keyed by our type and field name.
var kmsgDefaultDiffers = map[string]int16{
	// MetadataRequest.json: "default": "true"; the field starts at v4 and
	// older requests always allowed auto-creation. kmsg leaves false.
	"MetadataRequest.AllowAutoTopicCreation": 3,
	// ListOffsetsRequest.json gives TimeoutMs (v10+) no default; kmsg
	// assumes 30000.
	"ListOffsetsRequest.TimeoutMs": 9,
}

// schemaFields returns the indexes of the exported fields that hold schema
// data: all but Version, UnknownTags and the fields in skip.
func schemaFields(t reflect.Type, skip map[string]bool) []int {
	var idx []int
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && f.Name != "Version" && f.Name != "UnknownTags" && !skip[t.Name()+"."+f.Name] {
			idx = append(idx, i)
		}
	}
	return idx
}

func fieldNames(t reflect.Type, idx []int) []string {
	names := make([]string, len(idx))
	for i, j := range idx {
		names[i] = t.Field(j).Name
	}
	return names
}

func compareTags(ours []TaggedField, theirs *kmsg.Tags, path string) []string {
	want := map[uint32][]byte{}
	theirs.Each(func(tag uint32, data []byte) { want[tag] = data })
	if len(ours) != len(want) {
		return []string{fmt.Sprintf("%s.UnknownTags: %d vs %d", path, len(ours), len(want))}
	}
	for _, f := range ours {
		if d, ok := want[f.Tag]; !ok || !bytes.Equal(d, f.Data) {
			return []string{fmt.Sprintf("%s.UnknownTags: tag %d differs", path, f.Tag)}
		}
	}
	return nil
}
