package kafka_test

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// newKadm returns franz-go's admin client on addrs, for cross-checks: what
// one client writes, the other must read.
func newKadm(t *testing.T, addrs []string) *kadm.Client {
	t.Helper()
	kc, err := kgo.NewClient(kgoOpts(addrs)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kc.Close)
	return kadm.NewClient(kc)
}

func strp(s string) *string { return &s }

// kgoProduceN writes n records to topic's partition with franz-go.
func kgoProduceN(t *testing.T, addrs []string, topic string, partition int32, n int) {
	t.Helper()
	kc, err := kgo.NewClient(kgoOpts(addrs, kgo.RecordPartitioner(kgo.ManualPartitioner()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	var rs []*kgo.Record
	for i := range n {
		rs = append(rs, &kgo.Record{Topic: topic, Partition: partition, Value: []byte{byte(i)}})
	}
	if err := kc.ProduceSync(testCtx(t), rs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}
