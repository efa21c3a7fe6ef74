package protocol

import (
	"encoding/binary"
	"testing"
)

// librdkafka's mock cluster answers JoinGroup and SyncGroup errors with null
// in fields Kafka's schema says are not nullable (Kafka sends "" and empty
// bytes). The error code must come through, not a decoding error.
func TestGroupErrorAnswersWithNulls(t *testing.T) {
	be := binary.BigEndian
	// JoinGroup v5 as the mock's error case writes it: throttle 0,
	// REBALANCE_IN_PROGRESS (27), generation -1, ProtocolName null, Leader
	// null, MemberId null, no members.
	var b []byte
	b = be.AppendUint32(b, 0)
	b = be.AppendUint16(b, 27)
	b = be.AppendUint32(b, 0xffffffff)
	b = be.AppendUint16(b, 0xffff)
	b = be.AppendUint16(b, 0xffff)
	b = be.AppendUint16(b, 0xffff)
	b = be.AppendUint32(b, 0)
	var jg JoinGroupResponse
	d := NewDecoder(b, false)
	jg.Decode(d, 5)
	if d.Err() != nil || jg.ErrorCode != 27 || jg.MemberID != "" || jg.Leader != "" || d.Remaining() != 0 {
		t.Fatalf("JoinGroup v5: %+v, %v", jg, d.Err())
	}
	// SyncGroup v3: throttle 0, REBALANCE_IN_PROGRESS, Assignment null.
	b = be.AppendUint32(nil, 0)
	b = be.AppendUint16(b, 27)
	b = be.AppendUint32(b, 0xffffffff)
	var sg SyncGroupResponse
	d = NewDecoder(b, false)
	sg.Decode(d, 3)
	if d.Err() != nil || sg.ErrorCode != 27 || len(sg.Assignment) != 0 || d.Remaining() != 0 {
		t.Fatalf("SyncGroup v3: %+v, %v", sg, d.Err())
	}
}
