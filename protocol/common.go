package protocol

// Structures that several messages share with the same schema.

// LeaderIdAndEpoch names a partition's current leader; Produce and Fetch
// responses carry it (tagged) when they answer NOT_LEADER_OR_FOLLOWER, so a
// client can move without a metadata round trip.
type LeaderIdAndEpoch struct {
	LeaderId    int32 // default -1
	LeaderEpoch int32 // default -1
	UnknownTags []TaggedField
}

func (l *LeaderIdAndEpoch) isDefault() bool {
	return l.LeaderId == -1 && l.LeaderEpoch == -1 && len(l.UnknownTags) == 0
}

func (l *LeaderIdAndEpoch) encode(e *Encoder, version int16) {
	e.Int32(l.LeaderId)
	e.Int32(l.LeaderEpoch)
	e.Tags(l.UnknownTags)
}

func (l *LeaderIdAndEpoch) decode(d *Decoder, version int16) {
	*l = LeaderIdAndEpoch{}
	l.LeaderId = d.Int32()
	l.LeaderEpoch = d.Int32()
	d.Tags(&l.UnknownTags, nil)
}

// NodeEndpoint is where to reach a broker named in a LeaderIdAndEpoch.
type NodeEndpoint struct {
	NodeId      int32
	Host        string
	Port        int32
	Rack        *string
	UnknownTags []TaggedField
}

func (n *NodeEndpoint) encode(e *Encoder, version int16) {
	e.Int32(n.NodeId)
	e.String(n.Host)
	e.Int32(n.Port)
	e.NullableString(n.Rack)
	e.Tags(n.UnknownTags)
}

func (n *NodeEndpoint) decode(d *Decoder, version int16) {
	*n = NodeEndpoint{}
	n.NodeId = d.Int32()
	n.Host = d.String()
	n.Port = d.Int32()
	n.Rack = d.NullableString()
	d.Tags(&n.UnknownTags, nil)
}
