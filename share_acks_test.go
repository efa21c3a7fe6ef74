package kafka

import (
	"testing"

	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/assert"
)

func TestShareAckBatches(t *testing.T) {
	acks := []shareAck{{5, 1}, {3, 1}, {4, 1}, {7, 2}, {8, 2}, {6, 1}, {10, 3}, {8, 3}}
	got := ackBatches(acks)
	want := []protocol.ShareAckBatch{
		{FirstOffset: 3, LastOffset: 6, AcknowledgeTypes: []int8{1}},
		{FirstOffset: 7, LastOffset: 7, AcknowledgeTypes: []int8{2}},
		{FirstOffset: 8, LastOffset: 8, AcknowledgeTypes: []int8{3}}, // the later ack of 8 wins
		{FirstOffset: 10, LastOffset: 10, AcknowledgeTypes: []int8{3}},
	}
	assert.Equal(t, want, got)
	assert.Nil(t, ackBatches(nil))
	assert.Equal(t, "release", AckRelease.String())
}
