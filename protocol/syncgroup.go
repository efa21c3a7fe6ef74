package protocol

// STUB: replaced by the real implementation.

type SyncGroupRequest struct{}

func (*SyncGroupRequest) APIKey() int16                      { return KeySyncGroup }
func (*SyncGroupRequest) NewResponse() Response              { return new(SyncGroupResponse) }
func (r *SyncGroupRequest) Encode(e *Encoder, version int16) {}
func (r *SyncGroupRequest) Decode(d *Decoder, version int16) {}

type SyncGroupResponse struct{}

func (*SyncGroupResponse) APIKey() int16                      { return KeySyncGroup }
func (*SyncGroupResponse) isResponse()                        {}
func (r *SyncGroupResponse) Encode(e *Encoder, version int16) {}
func (r *SyncGroupResponse) Decode(d *Decoder, version int16) {}
