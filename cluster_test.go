package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"regexp"
	"testing"
	"time"

	"github.com/gokafka/kafka"
	"github.com/gokafka/kafka/kafkatest"
	"github.com/stretchr/testify/require"
)

func TestClusterConfigEqual(t *testing.T) {
	a := kafka.ClusterConfig{Type: "standard", Name: "uswest", Hosts: []string{"k1:9092,k2:9092", "k3:9092"}}
	for _, tc := range []struct {
		b    kafka.ClusterConfig
		want bool
	}{
		{a, true},
		{kafka.ClusterConfig{Type: "standard", Name: "uswest", Hosts: []string{"k3:9092", "k2:9092", "k1:9092"}}, true},
		{kafka.ClusterConfig{Type: "standard", Name: "uswest", Hosts: []string{" k3:9092 ,, k1:9092,k2:9092,", ""}}, true},
		{kafka.ClusterConfig{Type: "standard", Name: "uswest", Hosts: []string{"k1:9092,k2:9092"}}, false},
		{kafka.ClusterConfig{Type: "scribe", Name: "uswest", Hosts: a.Hosts}, false},
		{kafka.ClusterConfig{Type: "standard", Name: "useast", Hosts: a.Hosts}, false},
	} {
		require.Equal(t, tc.want, a.Equal(tc.b), "%+v", tc.b)
		require.Equal(t, tc.want, tc.b.Equal(a), "%+v", tc.b)
	}
	require.True(t, kafka.ClusterConfig{}.Equal(kafka.ClusterConfig{Hosts: []string{",", " "}}))
}

func TestClusterConfigNewClient(t *testing.T) {
	b := kafkatest.NewBackend(t)
	name := b.NewTopic("t", 1)
	cc := kafka.ClusterConfig{Type: "standard", Name: "local", Hosts: b.Addrs()}
	template := kafka.Config{Hosts: []string{"replaced:9092"}, ClientID: "searcher"}
	c, err := cc.NewClient(testCtx(t), template)
	require.NoError(t, err)
	defer c.Close()
	names, err := c.Topics(testCtx(t))
	require.NoError(t, err)
	require.Contains(t, names, name, "a real cluster may hold others")
	require.Equal(t, []string{"replaced:9092"}, template.Hosts, "the template is not modified")

	dead := kafka.ClusterConfig{Type: "standard", Name: "gone", Hosts: []string{deadAddr(t)}}
	_, err = dead.NewClient(testCtx(t), template)
	require.ErrorIs(t, err, kafka.ErrNoBrokersAvailable)
	require.ErrorContains(t, err, `cluster "standard/gone"`)
	var ce *kafka.ClusterError
	require.ErrorAs(t, err, &ce)
	require.True(t, ce.Cluster.Equal(dead))
}

// searchClusters starts two clusters sharing a topic, and names a third
// whose broker is gone.
func searchClusters(t *testing.T) (east, west, gone kafka.ClusterConfig) {
	e := kafkatest.NeedsKfake(t, "needs two clusters", kafkatest.Topic("shared", 1), kafkatest.Topic("logs.east", 1), kafkatest.Topic("only-east", 1))
	w := kafkatest.NeedsKfake(t, "needs two clusters", kafkatest.Topic("shared", 1), kafkatest.Topic("logs.west", 1))
	east = kafka.ClusterConfig{Type: "standard", Name: "east", Hosts: e.Addrs()}
	west = kafka.ClusterConfig{Type: "standard", Name: "west", Hosts: w.Addrs()}
	gone = kafka.ClusterConfig{Type: "standard", Name: "gone", Hosts: []string{deadAddr(t)}}
	return east, west, gone
}

func TestSearchTopic(t *testing.T) {
	east, west, gone := searchClusters(t)
	ctx := testCtx(t)
	cfg := kafka.Config{ClientID: "searcher"}

	found, err := kafka.SearchTopic(ctx, []kafka.ClusterConfig{west, east}, cfg, "shared")
	require.NoError(t, err)
	require.Equal(t, []kafka.ClusterConfig{west, east}, found, "in the order given")

	found, err = kafka.SearchTopic(ctx, []kafka.ClusterConfig{west, east}, cfg, "only-east")
	require.NoError(t, err)
	require.Equal(t, []kafka.ClusterConfig{east}, found)

	found, err = kafka.SearchTopic(ctx, []kafka.ClusterConfig{west, east}, cfg, "nowhere")
	require.NoError(t, err, "nothing found is no error")
	require.Empty(t, found)

	found, err = kafka.SearchTopic(ctx, nil, cfg, "shared")
	require.NoError(t, err)
	require.Empty(t, found)

	// A dead cluster is named in the error; the others still answer.
	start := time.Now()
	found, err = kafka.SearchTopic(ctx, []kafka.ClusterConfig{east, gone, west}, cfg, "shared")
	require.Less(t, time.Since(start), 10*time.Second)
	require.Equal(t, []kafka.ClusterConfig{east, west}, found)
	require.ErrorIs(t, err, kafka.ErrNoBrokersAvailable)
	require.ErrorContains(t, err, `cluster "standard/gone"`)
	require.NotContains(t, err.Error(), "east")
	var ce *kafka.ClusterError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "gone", ce.Cluster.Name)
}

func TestSearchTopicsByRegex(t *testing.T) {
	east, west, gone := searchClusters(t)
	ctx := testCtx(t)
	var cfg kafka.Config

	found, err := kafka.SearchTopicsByRegex(ctx, []kafka.ClusterConfig{east, west}, cfg, regexp.MustCompile(`^logs\.`))
	require.NoError(t, err)
	require.Equal(t, []kafka.ClusterTopics{
		{Cluster: east, Topics: []string{"logs.east"}},
		{Cluster: west, Topics: []string{"logs.west"}},
	}, found)

	found, err = kafka.SearchTopicsByRegex(ctx, []kafka.ClusterConfig{east, west}, cfg, regexp.MustCompile(`east`))
	require.NoError(t, err)
	require.Equal(t, []kafka.ClusterTopics{{Cluster: east, Topics: []string{"logs.east", "only-east"}}}, found,
		"clusters without a match are left out; the regexp is not anchored")

	found, err = kafka.SearchTopicsByRegex(ctx, []kafka.ClusterConfig{east, west}, cfg, regexp.MustCompile(`^nothing$`))
	require.NoError(t, err)
	require.Empty(t, found)

	// Two dead clusters: each is named, errors.Is sees through both.
	gone2 := gone
	gone2.Name = "gone-too"
	gone2.Hosts = []string{deadAddr(t)}
	found, err = kafka.SearchTopicsByRegex(ctx, []kafka.ClusterConfig{gone, west, gone2}, cfg, regexp.MustCompile(`.`))
	require.Equal(t, []kafka.ClusterTopics{{Cluster: west, Topics: []string{"logs.west", "shared"}}}, found)
	require.ErrorIs(t, err, kafka.ErrNoBrokersAvailable)
	require.True(t, kafka.IsRetriable(err))
	require.ErrorContains(t, err, `cluster "standard/gone"`)
	require.ErrorContains(t, err, `cluster "standard/gone-too"`)

	// The caller's deadline bounds the search.
	short, cancel := context.WithTimeout(ctx, time.Nanosecond)
	defer cancel()
	<-short.Done()
	_, err = kafka.SearchTopicsByRegex(short, []kafka.ClusterConfig{east}, cfg, regexp.MustCompile(`.`))
	require.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
}

func ExampleSearchTopicsByRegex() {
	// Two in-process clusters stand in for, say, two regions.
	east, err := kafkatest.NewCluster(kafkatest.Topic("logs.web", 1), kafkatest.Topic("logs.db", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer east.Close()
	west, err := kafkatest.NewCluster(kafkatest.Topic("logs.web", 1), kafkatest.Topic("metrics", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer west.Close()
	clusters := []kafka.ClusterConfig{
		{Type: "standard", Name: "east", Hosts: east.Addrs()},
		{Type: "standard", Name: "west", Hosts: west.Addrs()},
	}

	ctx := context.Background()
	found, err := kafka.SearchTopicsByRegex(ctx, clusters, kafka.Config{ClientID: "discovery"}, regexp.MustCompile(`^logs\.`))
	if err != nil {
		log.Fatal(err)
	}
	for _, ct := range found {
		fmt.Println(ct.Cluster.Name, ct.Topics)
	}

	withMetrics, err := kafka.SearchTopic(ctx, clusters, kafka.Config{ClientID: "discovery"}, "metrics")
	if err != nil {
		log.Fatal(err)
	}
	for _, cc := range withMetrics {
		fmt.Println("metrics in", cc)
	}
	// Output:
	// east [logs.db logs.web]
	// west [logs.web]
	// metrics in standard/west
}

func ExampleClusterConfig_Equal() {
	a := kafka.ClusterConfig{Type: "standard", Name: "east", Hosts: []string{"k1:9092,k2:9092"}}
	b := kafka.ClusterConfig{Type: "standard", Name: "east", Hosts: []string{"k2:9092", "k1:9092", ""}}
	fmt.Println(a.Equal(b))
	// Output: true
}
