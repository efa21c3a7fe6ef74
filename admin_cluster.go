package kafka

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/gokafka/kafka/protocol"
)

// ClusterDescription describes the cluster as a whole.
type ClusterDescription struct {
	ClusterID string // "" from brokers before 0.10.1
	// ControllerID is the node ID of the controller, -1 when unknown. On
	// KRaft clusters brokers name a random broker here (clients cannot
	// reach the controllers), as Kafka's own admin client shows.
	ControllerID int32
	// Brokers are the cluster's brokers, sorted by ID, with their racks.
	Brokers []Broker
	// Fenced lists the IDs of those brokers that are registered but fenced
	// (Kafka 4.0+, KIP-1073); nil from older brokers.
	Fenced []int32
}

// DescribeCluster asks any broker for the cluster ID, the controller and
// every broker with its rack: Kafka's DescribeCluster (2.8+), or the
// metadata from brokers too old for it. Unlike [Client.Brokers], which
// lists what the client's metadata knows, it asks the cluster now, and
// lists fenced brokers too.
func (c *Client) DescribeCluster(ctx context.Context) (ClusterDescription, error) {
	var d ClusterDescription
	err := c.adminAny(ctx, "describe cluster", protocol.KeyDescribeCluster, func(b *broker, version int16) error {
		d = ClusterDescription{}
		req := &protocol.DescribeClusterRequest{EndpointType: 1, IncludeFencedBrokers: true}
		var resp protocol.DescribeClusterResponse
		if err := b.request(ctx, connGeneral, req, &resp, version, 0); err != nil {
			return err
		}
		if err := messageError(resp.ErrorCode, resp.ErrorMessage); err != nil {
			return err
		}
		d.ClusterID, d.ControllerID = resp.ClusterID, resp.ControllerID
		for _, rb := range resp.Brokers {
			d.Brokers = append(d.Brokers, Broker{ID: rb.BrokerID, Host: rb.Host, Port: rb.Port, Rack: deref(rb.Rack)})
			if rb.IsFenced {
				d.Fenced = append(d.Fenced, rb.BrokerID)
			}
		}
		if version >= 2 && d.Fenced == nil {
			d.Fenced = []int32{}
		}
		return nil
	})
	if errors.Is(err, ErrUnsupportedVersion) {
		// Before 2.8: the metadata names the same, fenced brokers aside.
		if err := c.refresh(ctx, []string{}, false); err != nil {
			return ClusterDescription{}, err
		}
		m := c.meta.Load()
		d = ClusterDescription{ClusterID: m.clusterID, ControllerID: m.controller}
		for _, id := range slices.Sorted(maps.Keys(m.brokers)) {
			d.Brokers = append(d.Brokers, m.brokers[id])
		}
		return d, nil
	}
	if err != nil {
		return ClusterDescription{}, err
	}
	slices.SortFunc(d.Brokers, func(a, b Broker) int { return int(a.ID - b.ID) })
	slices.Sort(d.Fenced)
	return d, nil
}
