package protocol

// STUB: replaced by the real implementation.

type OffsetCommitRequest struct{}

func (*OffsetCommitRequest) APIKey() int16                      { return KeyOffsetCommit }
func (*OffsetCommitRequest) NewResponse() Response              { return new(OffsetCommitResponse) }
func (r *OffsetCommitRequest) Encode(e *Encoder, version int16) {}
func (r *OffsetCommitRequest) Decode(d *Decoder, version int16) {}

type OffsetCommitResponse struct{}

func (*OffsetCommitResponse) APIKey() int16                      { return KeyOffsetCommit }
func (*OffsetCommitResponse) isResponse()                        {}
func (r *OffsetCommitResponse) Encode(e *Encoder, version int16) {}
func (r *OffsetCommitResponse) Decode(d *Decoder, version int16) {}
