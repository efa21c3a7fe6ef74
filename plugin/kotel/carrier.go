package kotel

import (
	"slices"
	"strings"

	"github.com/gokafka/kafka"
	"go.opentelemetry.io/otel/propagation"
)

// headerCarrier lets a propagator read and write a message's headers.
// Writing never touches the slice it was given (the caller's): the first
// Set copies it.
type headerCarrier struct {
	hs    *[]kafka.Header
	owned bool
}

var _ propagation.TextMapCarrier = (*headerCarrier)(nil)

// Get returns the value of the last header named key (compared without
// regard to case, as propagators' keys are lower case), or "".
func (c *headerCarrier) Get(key string) string {
	hs := *c.hs
	for i := len(hs) - 1; i >= 0; i-- {
		if strings.EqualFold(hs[i].Key, key) {
			return string(hs[i].Value)
		}
	}
	return ""
}

// Set replaces every header named key with one of value.
func (c *headerCarrier) Set(key, value string) {
	if !c.owned {
		*c.hs = slices.Grow(slices.Clone(*c.hs), 2)
		c.owned = true
	}
	*c.hs = slices.DeleteFunc(*c.hs, func(h kafka.Header) bool { return strings.EqualFold(h.Key, key) })
	*c.hs = append(*c.hs, kafka.Header{Key: key, Value: []byte(value)})
}

// Keys returns the headers' names.
func (c *headerCarrier) Keys() []string {
	keys := make([]string, len(*c.hs))
	for i, h := range *c.hs {
		keys[i] = h.Key
	}
	return keys
}
