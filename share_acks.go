package kafka

import (
	"slices"
	"strconv"

	"github.com/gokafka/kafka/protocol"
)

// An AckKind says what becomes of a message of a share group once
// acknowledged (KIP-932).
type AckKind int8

const (
	// AckAccept marks the message processed: it is never delivered again.
	AckAccept AckKind = AckKind(protocol.ShareAckAccept)
	// AckRelease gives the message back: it is delivered again, to any
	// member, with a higher delivery count.
	AckRelease AckKind = AckKind(protocol.ShareAckRelease)
	// AckReject marks the message unprocessable: it is never delivered
	// again (it is archived).
	AckReject AckKind = AckKind(protocol.ShareAckReject)
)

// String returns the kind's name.
func (k AckKind) String() string {
	switch k {
	case AckAccept:
		return "accept"
	case AckRelease:
		return "release"
	case AckReject:
		return "reject"
	}
	return "AckKind(" + strconv.Itoa(int(k)) + ")"
}

// shareTP names a partition by topic ID, as the share APIs do.
type shareTP struct {
	id        protocol.UUID
	partition int32
}

// shareAck is the acknowledgement of one offset.
type shareAck struct {
	offset int64
	kind   int8
}

// pendingAcks holds acknowledgements not yet sent, per partition.
type pendingAcks map[shareTP][]shareAck

func (p pendingAcks) add(tp shareTP, offset int64, kind int8) {
	p[tp] = append(p[tp], shareAck{offset, kind})
}

// count returns how many offsets are pending.
func (p pendingAcks) count() int {
	n := 0
	for _, a := range p {
		n += len(a)
	}
	return n
}

// ackBatches turns one partition's acknowledgements into as few batches as
// possible: offsets sorted, and a run of consecutive offsets with the same
// kind sent as one range with one type (KIP-932 lets a batch carry one
// type for the whole range). An offset acknowledged twice keeps its last
// kind.
func ackBatches(acks []shareAck) []protocol.ShareAckBatch {
	if len(acks) == 0 {
		return nil
	}
	acks = slices.Clone(acks)
	slices.SortStableFunc(acks, func(a, b shareAck) int {
		switch {
		case a.offset < b.offset:
			return -1
		case a.offset > b.offset:
			return 1
		}
		return 0
	})
	// Keep the last of duplicates (stable sort kept their order).
	dedup := acks[:0]
	for i, a := range acks {
		if i+1 < len(acks) && acks[i+1].offset == a.offset {
			continue
		}
		dedup = append(dedup, a)
	}
	var out []protocol.ShareAckBatch
	for _, a := range dedup {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.LastOffset+1 == a.offset && last.AcknowledgeTypes[0] == a.kind {
				last.LastOffset = a.offset
				continue
			}
		}
		out = append(out, protocol.ShareAckBatch{FirstOffset: a.offset, LastOffset: a.offset, AcknowledgeTypes: []int8{a.kind}})
	}
	return out
}
