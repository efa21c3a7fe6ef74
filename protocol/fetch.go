package protocol

import "math"

// FetchRequest asks partition leaders (or followers, v11+) for records from
// the given offsets, waiting up to MaxWaitMs for MinBytes to accumulate.
type FetchRequest struct {
	ClusterID           *string                  // tag 0, v12+
	ReplicaID           int32                    // v0-v14, default -1
	ReplicaState        FetchRequestReplicaState // tag 1, v15+
	MaxWaitMs           int32
	MinBytes            int32
	MaxBytes            int32 // v3+, default 0x7fffffff
	IsolationLevel      int8  // v4+
	SessionID           int32 // v7+
	SessionEpoch        int32 // v7+, default -1
	Topics              []FetchRequestTopic
	ForgottenTopicsData []FetchRequestForgottenTopicsData // v7+
	RackID              string                            // v11+
	UnknownTags         []TaggedField
}

// FetchRequestReplicaState identifies a follower fetching as a replica
// (KIP-903); consumers leave the defaults.
type FetchRequestReplicaState struct {
	ReplicaID    int32 // default -1
	ReplicaEpoch int64 // default -1
	UnknownTags  []TaggedField
}

// FetchRequestTopic is one topic to fetch from, by name or (v13+) by ID.
type FetchRequestTopic struct {
	Topic       string // v0-v12
	TopicID     UUID   // v13+
	Partitions  []FetchRequestTopicPartition
	UnknownTags []TaggedField
}

// FetchRequestTopicPartition is one partition and the offset to fetch from.
type FetchRequestTopicPartition struct {
	Partition          int32
	CurrentLeaderEpoch int32 // v9+, default -1
	FetchOffset        int64
	LastFetchedEpoch   int32 // v12+, default -1
	LogStartOffset     int64 // v5+, default -1
	PartitionMaxBytes  int32
	ReplicaDirectoryID UUID  // tag 0, v17+
	HighWatermark      int64 // tag 1, v18+, default math.MaxInt64
	UnknownTags        []TaggedField
}

// FetchRequestForgottenTopicsData is a topic's partitions to remove from an
// incremental fetch session.
type FetchRequestForgottenTopicsData struct {
	Topic       string // v7-v12
	TopicID     UUID   // v13+
	Partitions  []int32
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*FetchRequest) APIKey() int16 { return KeyFetch }

// NewResponse implements [Request].
func (*FetchRequest) NewResponse() Response { return new(FetchResponse) }

// Encode implements [Message].
func (r *FetchRequest) Encode(e *Encoder, version int16) {
	if version <= 14 {
		e.Int32(r.ReplicaID)
	}
	e.Int32(r.MaxWaitMs)
	e.Int32(r.MinBytes)
	if version >= 3 {
		e.Int32(r.MaxBytes)
	}
	if version >= 4 {
		e.Int8(r.IsolationLevel)
	}
	if version >= 7 {
		e.Int32(r.SessionID)
		e.Int32(r.SessionEpoch)
	}
	writeArray(e, r.Topics, version)
	if version >= 7 {
		writeArray(e, r.ForgottenTopicsData, version)
	}
	if version >= 11 {
		e.String(r.RackID)
	}
	if !e.Flexible() {
		return
	}
	writeCluster := r.ClusterID != nil
	writeState := version >= 15 && !r.ReplicaState.isDefault()
	n := 0
	if writeCluster {
		n++
	}
	if writeState {
		n++
	}
	e.TagCount(n, r.UnknownTags)
	if writeCluster {
		e.Tag(0, func(e *Encoder) { e.NullableString(r.ClusterID) })
	}
	if writeState {
		e.Tag(1, func(e *Encoder) { r.ReplicaState.encode(e, version) })
	}
	e.UnknownTags(r.UnknownTags)
}

// Decode implements [Message].
func (r *FetchRequest) Decode(d *Decoder, version int16) {
	*r = FetchRequest{
		ReplicaID:    -1,
		ReplicaState: FetchRequestReplicaState{ReplicaID: -1, ReplicaEpoch: -1},
		MaxBytes:     math.MaxInt32,
		SessionEpoch: -1,
	}
	if version <= 14 {
		r.ReplicaID = d.Int32()
	}
	r.MaxWaitMs = d.Int32()
	r.MinBytes = d.Int32()
	if version >= 3 {
		r.MaxBytes = d.Int32()
	}
	if version >= 4 {
		r.IsolationLevel = d.Int8()
	}
	if version >= 7 {
		r.SessionID = d.Int32()
		r.SessionEpoch = d.Int32()
	}
	r.Topics = readArray[FetchRequestTopic](d, version)
	if version >= 7 {
		r.ForgottenTopicsData = readArray[FetchRequestForgottenTopicsData](d, version)
	}
	if version >= 11 {
		r.RackID = d.String()
	}
	d.Tags(&r.UnknownTags, func(tag uint32, fd *Decoder) bool {
		switch {
		case tag == 0:
			r.ClusterID = fd.NullableString()
		case tag == 1 && version >= 15:
			r.ReplicaState.decode(fd, version)
		default:
			return false
		}
		return true
	})
}

func (s *FetchRequestReplicaState) isDefault() bool {
	return s.ReplicaID == -1 && s.ReplicaEpoch == -1 && len(s.UnknownTags) == 0
}

func (s *FetchRequestReplicaState) encode(e *Encoder, version int16) {
	e.Int32(s.ReplicaID)
	e.Int64(s.ReplicaEpoch)
	e.Tags(s.UnknownTags)
}

func (s *FetchRequestReplicaState) decode(d *Decoder, version int16) {
	*s = FetchRequestReplicaState{ReplicaID: -1, ReplicaEpoch: -1}
	s.ReplicaID = d.Int32()
	s.ReplicaEpoch = d.Int64()
	d.Tags(&s.UnknownTags, nil)
}

func (t *FetchRequestTopic) encode(e *Encoder, version int16) {
	if version <= 12 {
		e.String(t.Topic)
	}
	if version >= 13 {
		e.UUID(t.TopicID)
	}
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *FetchRequestTopic) decode(d *Decoder, version int16) {
	*t = FetchRequestTopic{}
	if version <= 12 {
		t.Topic = d.String()
	}
	if version >= 13 {
		t.TopicID = d.UUID()
	}
	t.Partitions = readArray[FetchRequestTopicPartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *FetchRequestTopicPartition) encode(e *Encoder, version int16) {
	e.Int32(p.Partition)
	if version >= 9 {
		e.Int32(p.CurrentLeaderEpoch)
	}
	e.Int64(p.FetchOffset)
	if version >= 12 {
		e.Int32(p.LastFetchedEpoch)
	}
	if version >= 5 {
		e.Int64(p.LogStartOffset)
	}
	e.Int32(p.PartitionMaxBytes)
	if !e.Flexible() {
		return
	}
	writeDir := version >= 17 && p.ReplicaDirectoryID != UUID{}
	writeHW := version >= 18 && p.HighWatermark != math.MaxInt64
	n := 0
	if writeDir {
		n++
	}
	if writeHW {
		n++
	}
	e.TagCount(n, p.UnknownTags)
	if writeDir {
		e.Tag(0, func(e *Encoder) { e.UUID(p.ReplicaDirectoryID) })
	}
	if writeHW {
		e.Tag(1, func(e *Encoder) { e.Int64(p.HighWatermark) })
	}
	e.UnknownTags(p.UnknownTags)
}

func (p *FetchRequestTopicPartition) decode(d *Decoder, version int16) {
	*p = FetchRequestTopicPartition{
		CurrentLeaderEpoch: -1,
		LastFetchedEpoch:   -1,
		LogStartOffset:     -1,
		HighWatermark:      math.MaxInt64,
	}
	p.Partition = d.Int32()
	if version >= 9 {
		p.CurrentLeaderEpoch = d.Int32()
	}
	p.FetchOffset = d.Int64()
	if version >= 12 {
		p.LastFetchedEpoch = d.Int32()
	}
	if version >= 5 {
		p.LogStartOffset = d.Int64()
	}
	p.PartitionMaxBytes = d.Int32()
	d.Tags(&p.UnknownTags, func(tag uint32, fd *Decoder) bool {
		switch {
		case tag == 0 && version >= 17:
			p.ReplicaDirectoryID = fd.UUID()
		case tag == 1 && version >= 18:
			p.HighWatermark = fd.Int64()
		default:
			return false
		}
		return true
	})
}

func (t *FetchRequestForgottenTopicsData) encode(e *Encoder, version int16) {
	if version <= 12 {
		e.String(t.Topic)
	}
	if version >= 13 {
		e.UUID(t.TopicID)
	}
	e.Int32s(t.Partitions)
	e.Tags(t.UnknownTags)
}

func (t *FetchRequestForgottenTopicsData) decode(d *Decoder, version int16) {
	*t = FetchRequestForgottenTopicsData{}
	if version <= 12 {
		t.Topic = d.String()
	}
	if version >= 13 {
		t.TopicID = d.UUID()
	}
	t.Partitions = d.Int32s()
	d.Tags(&t.UnknownTags, nil)
}

// FetchResponse carries, for each partition asked for, its records and the
// offsets that bound them, or why it could not be read.
type FetchResponse struct {
	ThrottleTimeMs int32 // v1+
	ErrorCode      int16 // v7+
	SessionID      int32 // v7+
	Responses      []FetchResponseTopic
	NodeEndpoints  []NodeEndpoint // tag 0, v16+
	UnknownTags    []TaggedField
}

// FetchResponseTopic is one topic's partitions, by name or (v13+) by ID.
type FetchResponseTopic struct {
	Topic       string // v0-v12
	TopicID     UUID   // v13+
	Partitions  []FetchResponsePartition
	UnknownTags []TaggedField
}

// FetchResponsePartition is one partition's records and offsets.
type FetchResponsePartition struct {
	PartitionIndex       int32
	ErrorCode            int16
	HighWatermark        int64
	LastStableOffset     int64                             // v4+, default -1
	LogStartOffset       int64                             // v5+, default -1
	DivergingEpoch       FetchResponseDivergingEpoch       // tag 0, v12+
	CurrentLeader        LeaderIDAndEpoch                  // tag 1, v12+
	SnapshotID           FetchResponseSnapshotID           // tag 2, v12+
	AbortedTransactions  []FetchResponseAbortedTransaction // v4+, nullable
	PreferredReadReplica int32                             // v11+, default -1
	Records              []byte                            // raw record batches; nil = null
	UnknownTags          []TaggedField
}

// FetchResponseDivergingEpoch is the largest epoch, and its
// end offset, after which the follower's log diverges from the leader's.
type FetchResponseDivergingEpoch struct {
	Epoch       int32 // default -1
	EndOffset   int64 // default -1
	UnknownTags []TaggedField
}

// FetchResponseSnapshotID is the snapshot to fetch instead
// when the requested offset is below the log start offset.
type FetchResponseSnapshotID struct {
	EndOffset   int64 // default -1
	Epoch       int32 // default -1
	UnknownTags []TaggedField
}

// FetchResponseAbortedTransaction is an aborted transaction
// within the returned records (READ_COMMITTED fetches).
type FetchResponseAbortedTransaction struct {
	ProducerID  int64
	FirstOffset int64
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*FetchResponse) APIKey() int16 { return KeyFetch }
func (*FetchResponse) isResponse()   {}

// Encode implements [Message].
func (r *FetchResponse) Encode(e *Encoder, version int16) {
	if version >= 1 {
		e.Int32(r.ThrottleTimeMs)
	}
	if version >= 7 {
		e.Int16(r.ErrorCode)
		e.Int32(r.SessionID)
	}
	writeArray(e, r.Responses, version)
	if !e.Flexible() {
		return
	}
	writeEndpoints := version >= 16 && len(r.NodeEndpoints) > 0
	n := 0
	if writeEndpoints {
		n++
	}
	e.TagCount(n, r.UnknownTags)
	if writeEndpoints {
		e.Tag(0, func(e *Encoder) { writeArray(e, r.NodeEndpoints, version) })
	}
	e.UnknownTags(r.UnknownTags)
}

// Decode implements [Message].
func (r *FetchResponse) Decode(d *Decoder, version int16) {
	*r = FetchResponse{}
	if version >= 1 {
		r.ThrottleTimeMs = d.Int32()
	}
	if version >= 7 {
		r.ErrorCode = d.Int16()
		r.SessionID = d.Int32()
	}
	r.Responses = readArray[FetchResponseTopic](d, version)
	d.Tags(&r.UnknownTags, func(tag uint32, fd *Decoder) bool {
		switch {
		case tag == 0 && version >= 16:
			r.NodeEndpoints = readArray[NodeEndpoint](fd, version)
		default:
			return false
		}
		return true
	})
}

func (t *FetchResponseTopic) encode(e *Encoder, version int16) {
	if version <= 12 {
		e.String(t.Topic)
	}
	if version >= 13 {
		e.UUID(t.TopicID)
	}
	writeArray(e, t.Partitions, version)
	e.Tags(t.UnknownTags)
}

func (t *FetchResponseTopic) decode(d *Decoder, version int16) {
	*t = FetchResponseTopic{}
	if version <= 12 {
		t.Topic = d.String()
	}
	if version >= 13 {
		t.TopicID = d.UUID()
	}
	t.Partitions = readArray[FetchResponsePartition](d, version)
	d.Tags(&t.UnknownTags, nil)
}

func (p *FetchResponsePartition) encode(e *Encoder, version int16) {
	e.Int32(p.PartitionIndex)
	e.Int16(p.ErrorCode)
	e.Int64(p.HighWatermark)
	if version >= 4 {
		e.Int64(p.LastStableOffset)
	}
	if version >= 5 {
		e.Int64(p.LogStartOffset)
	}
	if version >= 4 {
		writeNullableArray(e, p.AbortedTransactions, version)
	}
	if version >= 11 {
		e.Int32(p.PreferredReadReplica)
	}
	e.NullableBytes(p.Records)
	if !e.Flexible() {
		return
	}
	writeDiverging := !p.DivergingEpoch.isDefault()
	writeLeader := !p.CurrentLeader.isDefault()
	writeSnapshot := !p.SnapshotID.isDefault()
	n := 0
	if writeDiverging {
		n++
	}
	if writeLeader {
		n++
	}
	if writeSnapshot {
		n++
	}
	e.TagCount(n, p.UnknownTags)
	if writeDiverging {
		e.Tag(0, func(e *Encoder) { p.DivergingEpoch.encode(e, version) })
	}
	if writeLeader {
		e.Tag(1, func(e *Encoder) { p.CurrentLeader.encode(e, version) })
	}
	if writeSnapshot {
		e.Tag(2, func(e *Encoder) { p.SnapshotID.encode(e, version) })
	}
	e.UnknownTags(p.UnknownTags)
}

func (p *FetchResponsePartition) decode(d *Decoder, version int16) {
	*p = FetchResponsePartition{
		LastStableOffset:     -1,
		LogStartOffset:       -1,
		DivergingEpoch:       FetchResponseDivergingEpoch{Epoch: -1, EndOffset: -1},
		CurrentLeader:        LeaderIDAndEpoch{LeaderID: -1, LeaderEpoch: -1},
		SnapshotID:           FetchResponseSnapshotID{EndOffset: -1, Epoch: -1},
		PreferredReadReplica: -1,
	}
	p.PartitionIndex = d.Int32()
	p.ErrorCode = d.Int16()
	p.HighWatermark = d.Int64()
	if version >= 4 {
		p.LastStableOffset = d.Int64()
	}
	if version >= 5 {
		p.LogStartOffset = d.Int64()
	}
	if version >= 4 {
		p.AbortedTransactions = readNullableArray[FetchResponseAbortedTransaction](d, version)
	}
	if version >= 11 {
		p.PreferredReadReplica = d.Int32()
	}
	p.Records = d.NullableBytes()
	d.Tags(&p.UnknownTags, func(tag uint32, fd *Decoder) bool {
		switch tag {
		case 0:
			p.DivergingEpoch.decode(fd, version)
		case 1:
			p.CurrentLeader.decode(fd, version)
		case 2:
			p.SnapshotID.decode(fd, version)
		default:
			return false
		}
		return true
	})
}

func (x *FetchResponseDivergingEpoch) isDefault() bool {
	return x.Epoch == -1 && x.EndOffset == -1 && len(x.UnknownTags) == 0
}

func (x *FetchResponseDivergingEpoch) encode(e *Encoder, version int16) {
	e.Int32(x.Epoch)
	e.Int64(x.EndOffset)
	e.Tags(x.UnknownTags)
}

func (x *FetchResponseDivergingEpoch) decode(d *Decoder, version int16) {
	*x = FetchResponseDivergingEpoch{Epoch: -1, EndOffset: -1}
	x.Epoch = d.Int32()
	x.EndOffset = d.Int64()
	d.Tags(&x.UnknownTags, nil)
}

func (x *FetchResponseSnapshotID) isDefault() bool {
	return x.EndOffset == -1 && x.Epoch == -1 && len(x.UnknownTags) == 0
}

func (x *FetchResponseSnapshotID) encode(e *Encoder, version int16) {
	e.Int64(x.EndOffset)
	e.Int32(x.Epoch)
	e.Tags(x.UnknownTags)
}

func (x *FetchResponseSnapshotID) decode(d *Decoder, version int16) {
	*x = FetchResponseSnapshotID{EndOffset: -1, Epoch: -1}
	x.EndOffset = d.Int64()
	x.Epoch = d.Int32()
	d.Tags(&x.UnknownTags, nil)
}

func (a *FetchResponseAbortedTransaction) encode(e *Encoder, version int16) {
	e.Int64(a.ProducerID)
	e.Int64(a.FirstOffset)
	e.Tags(a.UnknownTags)
}

func (a *FetchResponseAbortedTransaction) decode(d *Decoder, version int16) {
	*a = FetchResponseAbortedTransaction{}
	a.ProducerID = d.Int64()
	a.FirstOffset = d.Int64()
	d.Tags(&a.UnknownTags, nil)
}
