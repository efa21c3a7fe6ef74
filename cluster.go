package kafka

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ClusterConfig names one Kafka cluster among several, yelp_kafka's
// ClusterConfig: a cluster type (such as "standard" or "scribe"), a name
// within the type (such as a region), and the seed brokers. Use it to
// connect ([ClusterConfig.NewClient]) and to look for topics across
// clusters ([SearchTopic], [SearchTopicsByRegex]). yelp_kafka's ZooKeeper
// field has no equivalent: the client needs only brokers.
type ClusterConfig struct {
	Type string
	Name string
	// Hosts are the seed brokers, as in Config.Hosts: "host:port" each,
	// and an entry may be a comma-separated list.
	Hosts []string
}

// NewClient connects to the cluster: cfg is a template whose Hosts are
// replaced by cc's. An error is a [*ClusterError] naming the cluster.
func (cc ClusterConfig) NewClient(ctx context.Context, cfg Config) (*Client, error) {
	cfg.Hosts = slices.Clone(cc.Hosts)
	c, err := NewClient(ctx, cfg)
	if err != nil {
		return nil, &ClusterError{Cluster: cc, Err: err}
	}
	return c, nil
}

// Equal reports whether cc and other name the same cluster: the same type
// and name, and the same seed brokers in any order, comma lists split and
// empty entries dropped, as yelp_kafka compared ClusterConfigs.
func (cc ClusterConfig) Equal(other ClusterConfig) bool {
	return cc.Type == other.Type && cc.Name == other.Name && slices.Equal(normalHosts(cc.Hosts), normalHosts(other.Hosts))
}

// normalHosts returns hosts split at commas, trimmed, without empty
// entries, sorted.
func normalHosts(hosts []string) []string {
	var out []string
	for _, h := range hosts {
		for _, s := range strings.Split(h, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// String returns "type/name", or the hosts when the cluster has no name.
func (cc ClusterConfig) String() string {
	if cc.Type == "" && cc.Name == "" {
		return strings.Join(normalHosts(cc.Hosts), ",")
	}
	return cc.Type + "/" + cc.Name
}

// A ClusterError is the failure of one cluster in a call that spans
// clusters. errors.Is and errors.As see through it to the cause.
type ClusterError struct {
	Cluster ClusterConfig
	Err     error
}

// Error names the cluster and the cause.
func (e *ClusterError) Error() string {
	return "kafka: cluster " + strconv.Quote(e.Cluster.String()) + ": " + strings.TrimPrefix(e.Err.Error(), "kafka: ")
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *ClusterError) Unwrap() error { return e.Err }

// ClusterTopics is a cluster and the topics found in it.
type ClusterTopics struct {
	Cluster ClusterConfig
	Topics  []string // sorted
}

// SearchTopic returns the clusters that have topic, in the order given:
// yelp_kafka's search_topic. Each cluster is connected to with cfg (its
// Hosts replaced), all at once, and disconnected from before SearchTopic
// returns. A topic found nowhere is no error: the result is empty.
//
// A cluster that cannot be searched does not hide the others: the clusters
// found among those that answered are returned together with an error
// joining a [*ClusterError] for each cluster that failed.
func SearchTopic(ctx context.Context, clusters []ClusterConfig, cfg Config, topic string) ([]ClusterConfig, error) {
	found, err := searchClusters(ctx, clusters, cfg, func(names []string) []string {
		if slices.Contains(names, topic) {
			return []string{topic}
		}
		return nil
	})
	var out []ClusterConfig
	for _, ct := range found {
		out = append(out, ct.Cluster)
	}
	return out, err
}

// SearchTopicsByRegex returns, for each cluster with topics re matches,
// the cluster and those topics, clusters in the order given and topics
// sorted: yelp_kafka's search_topics_by_regex. Unlike Python's re.match,
// re is not anchored: write ^ and $ where they are meant. Clusters without
// a match are left out, and nothing found is no error: the result is
// empty. Clusters are searched, and failures reported, as by
// [SearchTopic].
func SearchTopicsByRegex(ctx context.Context, clusters []ClusterConfig, cfg Config, re *regexp.Regexp) ([]ClusterTopics, error) {
	return searchClusters(ctx, clusters, cfg, func(names []string) []string {
		return slices.DeleteFunc(names, func(n string) bool { return !re.MatchString(n) })
	})
}

// searchClusters lists the topics of every cluster concurrently and keeps,
// in the clusters' order, those for which match returns topics.
func searchClusters(ctx context.Context, clusters []ClusterConfig, cfg Config, match func(names []string) []string) ([]ClusterTopics, error) {
	topics := make([][]string, len(clusters))
	errs := make([]error, len(clusters))
	var wg sync.WaitGroup
	for i, cc := range clusters {
		wg.Go(func() {
			c, err := cc.NewClient(ctx, cfg)
			if err != nil {
				errs[i] = err
				return
			}
			defer c.Close()
			names, err := c.Topics(ctx)
			if err != nil {
				errs[i] = &ClusterError{Cluster: cc, Err: err}
				return
			}
			topics[i] = match(names)
		})
	}
	wg.Wait()
	var out []ClusterTopics
	for i, cc := range clusters {
		if len(topics[i]) > 0 {
			out = append(out, ClusterTopics{Cluster: cc, Topics: topics[i]})
		}
	}
	return out, errors.Join(errs...)
}
