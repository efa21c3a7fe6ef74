package protocol

import "fmt"

// The consumer group protocol ("consumer" protocol type) carries two payloads
// inside group messages' byte fields: each member's subscription in
// JoinGroupRequestProtocol.Metadata (and JoinGroupResponseMember.Metadata),
// and each member's assignment in SyncGroupRequestAssignment.Assignment (and
// SyncGroupResponse.Assignment). Both start with an int16 version and are
// never flexible. A payload of a version newer than this package knows is
// read with the newest layout it knows, as Kafka's clients do: newer versions
// may only append fields, so the bytes after the known fields are ignored.

// ConsumerProtocolSubscriptionMaxVersion and
// ConsumerProtocolAssignmentMaxVersion are the newest versions of the
// consumer protocol's payloads that this package writes.
const (
	ConsumerProtocolSubscriptionMaxVersion int16 = 3
	ConsumerProtocolAssignmentMaxVersion   int16 = 3
)

// ConsumerProtocolSubscription is a consumer's group member metadata: the
// topics it subscribes to and the partitions it owns.
type ConsumerProtocolSubscription struct {
	Version         int16 // the version Decode read; Encode takes its own
	Topics          []string
	UserData        []byte                                       // nullable
	OwnedPartitions []ConsumerProtocolSubscriptionOwnedPartition // v1+
	GenerationID    int32                                        // v2+, default -1
	RackID          *string                                      // v3+
}

// ConsumerProtocolSubscriptionOwnedPartition is a topic's partitions that
// the subscribing member currently owns.
type ConsumerProtocolSubscriptionOwnedPartition struct {
	Topic      string
	Partitions []int32
}

// Encode returns s encoded at version (0 to
// ConsumerProtocolSubscriptionMaxVersion), starting with the version;
// s.Version is not used.
func (s *ConsumerProtocolSubscription) Encode(version int16) ([]byte, error) {
	if version < 0 || version > ConsumerProtocolSubscriptionMaxVersion {
		return nil, fmt.Errorf("%w: ConsumerProtocolSubscription v%d (implemented: v0 to v%d)",
			ErrUnsupportedVersion, version, ConsumerProtocolSubscriptionMaxVersion)
	}
	e := NewEncoder(nil, false)
	e.Int16(version)
	e.Strings(s.Topics)
	e.NullableBytes(s.UserData)
	if version >= 1 {
		writeArray(e, s.OwnedPartitions, version)
	}
	if version >= 2 {
		e.Int32(s.GenerationID)
	}
	if version >= 3 {
		e.NullableString(s.RackID)
	}
	if err := e.Err(); err != nil {
		return nil, fmt.Errorf("encoding ConsumerProtocolSubscription v%d: %w", version, err)
	}
	return e.Buffer(), nil
}

// Decode replaces s with the subscription encoded in b, setting s.Version to
// the version it starts with. Bytes after the fields of that version are
// ignored. Byte fields alias b.
func (s *ConsumerProtocolSubscription) Decode(b []byte) error {
	*s = ConsumerProtocolSubscription{GenerationID: -1}
	d := NewDecoder(b, false)
	s.Version = d.Int16()
	if d.Err() == nil && s.Version < 0 {
		d.Fail("negative version %d", s.Version)
	}
	version := min(s.Version, ConsumerProtocolSubscriptionMaxVersion)
	s.Topics = d.Strings()
	s.UserData = d.NullableBytes()
	if version >= 1 {
		s.OwnedPartitions = readArray[ConsumerProtocolSubscriptionOwnedPartition](d, version)
	}
	if version >= 2 {
		s.GenerationID = d.Int32()
	}
	if version >= 3 {
		s.RackID = d.NullableString()
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("decoding ConsumerProtocolSubscription v%d: %w", s.Version, err)
	}
	return nil
}

func (p *ConsumerProtocolSubscriptionOwnedPartition) encode(e *Encoder, version int16) {
	e.String(p.Topic)
	e.Int32s(p.Partitions)
}

func (p *ConsumerProtocolSubscriptionOwnedPartition) decode(d *Decoder, version int16) {
	p.Topic = d.String()
	p.Partitions = d.Int32s()
}

// ConsumerProtocolAssignment is a consumer's group member assignment: the
// partitions the group leader assigned to it. Versions 1 to 3 are laid out
// like version 0.
type ConsumerProtocolAssignment struct {
	Version            int16 // the version Decode read; Encode takes its own
	AssignedPartitions []ConsumerProtocolAssignmentAssignedPartition
	UserData           []byte // nullable
}

// ConsumerProtocolAssignmentAssignedPartition is a topic's partitions
// assigned to the member.
type ConsumerProtocolAssignmentAssignedPartition struct {
	Topic      string
	Partitions []int32
}

// Encode returns a encoded at version (0 to
// ConsumerProtocolAssignmentMaxVersion), starting with the version;
// a.Version is not used.
func (a *ConsumerProtocolAssignment) Encode(version int16) ([]byte, error) {
	if version < 0 || version > ConsumerProtocolAssignmentMaxVersion {
		return nil, fmt.Errorf("%w: ConsumerProtocolAssignment v%d (implemented: v0 to v%d)",
			ErrUnsupportedVersion, version, ConsumerProtocolAssignmentMaxVersion)
	}
	e := NewEncoder(nil, false)
	e.Int16(version)
	writeArray(e, a.AssignedPartitions, version)
	e.NullableBytes(a.UserData)
	if err := e.Err(); err != nil {
		return nil, fmt.Errorf("encoding ConsumerProtocolAssignment v%d: %w", version, err)
	}
	return e.Buffer(), nil
}

// Decode replaces a with the assignment encoded in b, setting a.Version to
// the version it starts with. Bytes after the known fields are ignored. Byte
// fields alias b.
func (a *ConsumerProtocolAssignment) Decode(b []byte) error {
	*a = ConsumerProtocolAssignment{}
	d := NewDecoder(b, false)
	a.Version = d.Int16()
	if d.Err() == nil && a.Version < 0 {
		d.Fail("negative version %d", a.Version)
	}
	version := min(a.Version, ConsumerProtocolAssignmentMaxVersion)
	a.AssignedPartitions = readArray[ConsumerProtocolAssignmentAssignedPartition](d, version)
	a.UserData = d.NullableBytes()
	if err := d.Err(); err != nil {
		return fmt.Errorf("decoding ConsumerProtocolAssignment v%d: %w", a.Version, err)
	}
	return nil
}

func (p *ConsumerProtocolAssignmentAssignedPartition) encode(e *Encoder, version int16) {
	e.String(p.Topic)
	e.Int32s(p.Partitions)
}

func (p *ConsumerProtocolAssignmentAssignedPartition) decode(d *Decoder, version int16) {
	p.Topic = d.String()
	p.Partitions = d.Int32s()
}
