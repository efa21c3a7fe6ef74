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
	kc, err := kgo.NewClient(kgo.SeedBrokers(addrs...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kc.Close)
	return kadm.NewClient(kc)
}

func strp(s string) *string { return &s }
