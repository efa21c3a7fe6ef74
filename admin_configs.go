package kafka

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gokafka/kafka/protocol"
)

// ConfigResourceType is the kind of thing a config belongs to, with
// Kafka's numbering.
type ConfigResourceType int8

// The config resource types.
const (
	ConfigTopic        ConfigResourceType = 2  // a topic's configs (retention.ms, cleanup.policy...)
	ConfigBroker       ConfigResourceType = 4  // a broker's configs; the name "" means the cluster-wide defaults
	ConfigBrokerLogger ConfigResourceType = 8  // a broker's log4j loggers
	ConfigGroup        ConfigResourceType = 32 // a group's configs (Kafka 4.0+, KIP-848)
)

// String returns the type as Kafka's tools spell it: "topic", "broker",
// "broker-logger", "group", or the number.
func (t ConfigResourceType) String() string {
	switch t {
	case ConfigTopic:
		return "topic"
	case ConfigBroker:
		return "broker"
	case ConfigBrokerLogger:
		return "broker-logger"
	case ConfigGroup:
		return "group"
	}
	return "resource-type-" + strconv.Itoa(int(t))
}

// ConfigResource names a thing that has configs: a topic by name, a broker
// by its node ID in decimal.
type ConfigResource struct {
	Type ConfigResourceType
	Name string
}

// TopicResource names topic's configs.
func TopicResource(topic string) ConfigResource {
	return ConfigResource{Type: ConfigTopic, Name: topic}
}

// BrokerResource names the configs of the broker with node ID id.
func BrokerResource(id int32) ConfigResource {
	return ConfigResource{Type: ConfigBroker, Name: strconv.Itoa(int(id))}
}

// String returns "type name", e.g. `topic "payments"` or `broker "1"`.
func (r ConfigResource) String() string { return r.Type.String() + " " + strconv.Quote(r.Name) }

func (r ConfigResource) compare(o ConfigResource) int {
	return cmp.Or(cmp.Compare(r.Type, o.Type), strings.Compare(r.Name, o.Name))
}

// brokerID returns the broker a request about r must go to, or -1 for any
// broker: broker and logger configs are each broker's own.
func (r ConfigResource) brokerID() (int32, error) {
	if (r.Type != ConfigBroker && r.Type != ConfigBrokerLogger) || r.Name == "" {
		return -1, nil
	}
	id, err := strconv.ParseInt(r.Name, 10, 32)
	if err != nil || id < 0 {
		return 0, fmt.Errorf("%w: %s: a broker is named by its node ID", ErrInvalidRequest, r)
	}
	return int32(id), nil
}

// ConfigSource says where a config value comes from, with Kafka's
// numbering; the more specific sources take precedence.
type ConfigSource int8

// The config sources.
const (
	ConfigSourceUnknown              ConfigSource = 0
	ConfigSourceDynamicTopic         ConfigSource = 1 // set on the topic
	ConfigSourceDynamicBroker        ConfigSource = 2 // set dynamically on this broker
	ConfigSourceDynamicDefaultBroker ConfigSource = 3 // set dynamically as the cluster-wide default
	ConfigSourceStaticBroker         ConfigSource = 4 // the broker's server.properties
	ConfigSourceDefault              ConfigSource = 5 // Kafka's built-in default
	ConfigSourceDynamicBrokerLogger  ConfigSource = 6
	ConfigSourceClientMetrics        ConfigSource = 7
	ConfigSourceDynamicGroup         ConfigSource = 8
)

// String returns the source as Kafka names it, e.g. "DYNAMIC_TOPIC_CONFIG".
func (s ConfigSource) String() string {
	switch s {
	case ConfigSourceDynamicTopic:
		return "DYNAMIC_TOPIC_CONFIG"
	case ConfigSourceDynamicBroker:
		return "DYNAMIC_BROKER_CONFIG"
	case ConfigSourceDynamicDefaultBroker:
		return "DYNAMIC_DEFAULT_BROKER_CONFIG"
	case ConfigSourceStaticBroker:
		return "STATIC_BROKER_CONFIG"
	case ConfigSourceDefault:
		return "DEFAULT_CONFIG"
	case ConfigSourceDynamicBrokerLogger:
		return "DYNAMIC_BROKER_LOGGER_CONFIG"
	case ConfigSourceClientMetrics:
		return "CLIENT_METRICS_CONFIG"
	case ConfigSourceDynamicGroup:
		return "DYNAMIC_GROUP_CONFIG"
	}
	return "UNKNOWN"
}

// ConfigEntry is one config of a resource.
type ConfigEntry struct {
	Name string
	// Value is the value in effect; "" when it is null, as sensitive
	// values (passwords) always are.
	Value     string
	ReadOnly  bool
	Sensitive bool
	// Default reports whether Value is Kafka's built-in default (Source
	// is ConfigSourceDefault, or on brokers before 1.1 their flag).
	Default bool
	// Source is where Value comes from; ConfigSourceUnknown from brokers
	// before 1.1.
	Source ConfigSource
	// Synonyms are the values the entry falls back to, most specific
	// first, the entry's own included (brokers 1.1+).
	Synonyms []ConfigSynonym
}

// ConfigSynonym is one of the values a config entry takes precedence over,
// possibly under another name (log.retention.ms for retention.ms).
type ConfigSynonym struct {
	Name   string
	Value  string
	Source ConfigSource
}

// ResourceConfig is the configuration of one resource.
type ResourceConfig struct {
	Resource ConfigResource
	Entries  []ConfigEntry // sorted by name
}

// Get returns the entry called name.
func (rc ResourceConfig) Get(name string) (ConfigEntry, bool) {
	i, ok := slices.BinarySearchFunc(rc.Entries, name, func(e ConfigEntry, n string) int { return strings.Compare(e.Name, n) })
	if !ok {
		return ConfigEntry{}, false
	}
	return rc.Entries[i], true
}

// DescribeConfigs returns the configuration of each resource, every entry
// with its value and source, in the order asked. Topic configs and the
// cluster-wide broker defaults are asked of any broker, a broker's own of
// that broker.
//
// A resource that fails (an unknown topic is [ErrUnknownTopicOrPartition])
// is left out of the result and gets an [*OpError] naming it; the error
// returned joins those, and the configs of the resources that did not fail
// are returned with it. Retriable errors are retried within ctx.
func (c *Client) DescribeConfigs(ctx context.Context, resources ...ConfigResource) ([]ResourceConfig, error) {
	byBroker := make(map[int32][]ConfigResource)
	failed := make(map[ConfigResource]error)
	for _, r := range resources {
		id, err := r.brokerID()
		if err != nil {
			failed[r] = &OpError{Op: "describe configs of " + r.String(), Partition: -1, Broker: -1, Err: err}
			continue
		}
		if !slices.Contains(byBroker[id], r) {
			byBroker[id] = append(byBroker[id], r)
		}
	}
	got := make(map[ConfigResource]ResourceConfig)
	for id, rs := range byBroker {
		for r, err := range c.describeConfigsAt(ctx, id, rs, got) {
			failed[r] = err
		}
	}
	var out []ResourceConfig
	var errs []error
	seen := make(map[ConfigResource]bool)
	for _, r := range resources {
		if seen[r] {
			continue
		}
		seen[r] = true
		if rc, ok := got[r]; ok {
			out = append(out, rc)
		} else if err := failed[r]; err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

// describeConfigsAt describes rs on broker id (-1: any), adding them to got,
// and returns the error of each that failed.
func (c *Client) describeConfigsAt(ctx context.Context, id int32, rs []ConfigResource, got map[ConfigResource]ResourceConfig) map[ConfigResource]error {
	failed := make(map[ConfigResource]error)
	call := func(b *broker, version int16) error {
		clear(failed)
		req := &protocol.DescribeConfigsRequest{IncludeSynonyms: true}
		for _, r := range rs {
			req.Resources = append(req.Resources, protocol.DescribeConfigsRequestResource{ResourceType: int8(r.Type), ResourceName: r.Name})
		}
		var resp protocol.DescribeConfigsResponse
		if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
			return err
		}
		for _, res := range resp.Results {
			r := ConfigResource{Type: ConfigResourceType(res.ResourceType), Name: res.ResourceName}
			if !slices.Contains(rs, r) {
				continue // not asked for: ignore rather than trust
			}
			if err := messageError(res.ErrorCode, res.ErrorMessage); err != nil {
				failed[r] = b.opError("describe configs of "+r.String(), "", -1, err)
				continue
			}
			got[r] = resourceConfig(r, res.Configs, version)
		}
		for _, r := range rs {
			if _, ok := got[r]; !ok && failed[r] == nil {
				failed[r] = b.opError("describe configs of "+r.String(), "", -1, fmt.Errorf("%w: no result for it in the answer", ErrUnknownServerError))
			}
		}
		return nil
	}
	if err := c.adminAt(ctx, id, "describe configs", protocol.KeyDescribeConfigs, call); err != nil {
		for _, r := range rs {
			failed[r] = err
		}
	}
	return failed
}

// resourceConfig converts a described resource, entries sorted by name.
func resourceConfig(r ConfigResource, configs []protocol.DescribeConfigsResponseResultConfig, version int16) ResourceConfig {
	rc := ResourceConfig{Resource: r, Entries: make([]ConfigEntry, 0, len(configs))}
	for _, cfg := range configs {
		e := ConfigEntry{Name: cfg.Name, Value: deref(cfg.Value), ReadOnly: cfg.ReadOnly, Sensitive: cfg.IsSensitive, Default: cfg.IsDefault}
		if version >= 1 {
			e.Source = ConfigSource(cfg.ConfigSource)
			e.Default = e.Source == ConfigSourceDefault
			for _, s := range cfg.Synonyms {
				e.Synonyms = append(e.Synonyms, ConfigSynonym{Name: s.Name, Value: deref(s.Value), Source: ConfigSource(s.Source)})
			}
		}
		rc.Entries = append(rc.Entries, e)
	}
	slices.SortStableFunc(rc.Entries, func(a, b ConfigEntry) int { return strings.Compare(a.Name, b.Name) })
	return rc
}

// deref returns *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// AlterConfigOpType is what an [AlterConfigOp] does to an entry.
type AlterConfigOpType int8

// The operations of an incremental config change (KIP-339).
const (
	ConfigSet      AlterConfigOpType = 0 // set the entry to Value
	ConfigDelete   AlterConfigOpType = 1 // remove the entry: it falls back to its default
	ConfigAppend   AlterConfigOpType = 2 // add Value to a list entry
	ConfigSubtract AlterConfigOpType = 3 // remove Value from a list entry
)

// String returns "set", "delete", "append" or "subtract".
func (o AlterConfigOpType) String() string {
	switch o {
	case ConfigSet:
		return "set"
	case ConfigDelete:
		return "delete"
	case ConfigAppend:
		return "append"
	case ConfigSubtract:
		return "subtract"
	}
	return "op-" + strconv.Itoa(int(o))
}

// AlterConfigOp is one change to one config entry.
type AlterConfigOp struct {
	Op    AlterConfigOpType
	Name  string
	Value string // unused by ConfigDelete
}

// AlterConfigs changes config entries of resources, leaving the entries it
// does not name as they are (Kafka's IncrementalAlterConfigs, brokers 2.3+;
// the older AlterConfigs, which replaces every entry, is not offered as it
// silently resets what it does not name). Changes to topics and to the
// cluster-wide broker defaults go to any broker, a broker's own to it.
//
// The map returned has an entry for every resource (nil when its changes
// were applied); the error is nil when all were, and otherwise joins the
// [*OpError] of each resource that failed. Kafka applies a resource's
// changes all or none.
func (c *Client) AlterConfigs(ctx context.Context, changes map[ConfigResource][]AlterConfigOp) (map[ConfigResource]error, error) {
	results := make(map[ConfigResource]error, len(changes))
	byBroker := make(map[int32][]ConfigResource)
	for r := range changes {
		id, err := r.brokerID()
		if err != nil {
			results[r] = &OpError{Op: "alter configs of " + r.String(), Partition: -1, Broker: -1, Err: err}
			continue
		}
		byBroker[id] = append(byBroker[id], r)
	}
	for id, rs := range byBroker {
		slices.SortFunc(rs, ConfigResource.compare)
		maps.Copy(results, c.alterConfigsAt(ctx, id, rs, changes))
	}
	return results, joinErrs(results, ConfigResource.compare)
}

// alterConfigsAt applies the changes of rs on broker id (-1: any) and
// returns each resource's outcome.
func (c *Client) alterConfigsAt(ctx context.Context, id int32, rs []ConfigResource, changes map[ConfigResource][]AlterConfigOp) map[ConfigResource]error {
	results := make(map[ConfigResource]error, len(rs))
	call := func(b *broker, version int16) error {
		clear(results)
		req := &protocol.IncrementalAlterConfigsRequest{}
		for _, r := range rs {
			res := protocol.IncrementalAlterConfigsRequestResource{ResourceType: int8(r.Type), ResourceName: r.Name}
			for _, op := range changes[r] {
				cfg := protocol.IncrementalAlterConfigsRequestConfig{Name: op.Name, ConfigOperation: int8(op.Op)}
				if op.Op != ConfigDelete {
					cfg.Value = &op.Value
				}
				res.Configs = append(res.Configs, cfg)
			}
			req.Resources = append(req.Resources, res)
		}
		var resp protocol.IncrementalAlterConfigsResponse
		if err := b.request(ctx, connAdmin, req, &resp, version, c.cfg.RequestTimeout); err != nil {
			return err
		}
		for _, res := range resp.Responses {
			r := ConfigResource{Type: ConfigResourceType(res.ResourceType), Name: res.ResourceName}
			if !slices.Contains(rs, r) {
				continue
			}
			if err := messageError(res.ErrorCode, res.ErrorMessage); err != nil {
				results[r] = b.opError("alter configs of "+r.String(), "", -1, err)
			} else {
				results[r] = nil
			}
		}
		for _, r := range rs {
			if _, ok := results[r]; !ok {
				results[r] = b.opError("alter configs of "+r.String(), "", -1, fmt.Errorf("%w: no result for it in the answer", ErrUnknownServerError))
			}
		}
		return nil
	}
	if err := c.adminAt(ctx, id, "alter configs", protocol.KeyIncrementalAlterConfigs, call); err != nil {
		for _, r := range rs {
			results[r] = err
		}
	}
	return results
}
