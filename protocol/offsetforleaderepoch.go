package protocol

// STUB: replaced by the real implementation.

type OffsetForLeaderEpochRequest struct{}

func (*OffsetForLeaderEpochRequest) APIKey() int16                      { return KeyOffsetForLeaderEpoch }
func (*OffsetForLeaderEpochRequest) NewResponse() Response              { return new(OffsetForLeaderEpochResponse) }
func (r *OffsetForLeaderEpochRequest) Encode(e *Encoder, version int16) {}
func (r *OffsetForLeaderEpochRequest) Decode(d *Decoder, version int16) {}

type OffsetForLeaderEpochResponse struct{}

func (*OffsetForLeaderEpochResponse) APIKey() int16                      { return KeyOffsetForLeaderEpoch }
func (*OffsetForLeaderEpochResponse) isResponse()                        {}
func (r *OffsetForLeaderEpochResponse) Encode(e *Encoder, version int16) {}
func (r *OffsetForLeaderEpochResponse) Decode(d *Decoder, version int16) {}
