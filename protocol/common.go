package protocol

// Structures that several messages share with the same schema.

// LeaderIDAndEpoch names a partition's current leader; Produce and Fetch
// responses carry it (tagged) when they answer NOT_LEADER_OR_FOLLOWER, so a
// client can move without a metadata round trip.
type LeaderIDAndEpoch struct {
	LeaderID    int32 // default -1
	LeaderEpoch int32 // default -1
	UnknownTags []TaggedField
}

func (l *LeaderIDAndEpoch) isDefault() bool {
	return l.LeaderID == -1 && l.LeaderEpoch == -1 && len(l.UnknownTags) == 0
}

func (l *LeaderIDAndEpoch) encode(e *Encoder, version int16) {
	e.Int32(l.LeaderID)
	e.Int32(l.LeaderEpoch)
	e.Tags(l.UnknownTags)
}

func (l *LeaderIDAndEpoch) decode(d *Decoder, version int16) {
	*l = LeaderIDAndEpoch{}
	l.LeaderID = d.Int32()
	l.LeaderEpoch = d.Int32()
	d.Tags(&l.UnknownTags, nil)
}

// NodeEndpoint is where to reach a broker named in a LeaderIDAndEpoch.
type NodeEndpoint struct {
	NodeID      int32
	Host        string
	Port        int32
	Rack        *string
	UnknownTags []TaggedField
}

func (n *NodeEndpoint) encode(e *Encoder, version int16) {
	e.Int32(n.NodeID)
	e.String(n.Host)
	e.Int32(n.Port)
	e.NullableString(n.Rack)
	e.Tags(n.UnknownTags)
}

func (n *NodeEndpoint) decode(d *Decoder, version int16) {
	*n = NodeEndpoint{}
	n.NodeID = d.Int32()
	n.Host = d.String()
	n.Port = d.Int32()
	n.Rack = d.NullableString()
	d.Tags(&n.UnknownTags, nil)
}
