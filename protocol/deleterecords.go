package protocol

// STUB: replaced by the real implementation.

type DeleteRecordsRequest struct{}

func (*DeleteRecordsRequest) APIKey() int16                      { return KeyDeleteRecords }
func (*DeleteRecordsRequest) NewResponse() Response              { return new(DeleteRecordsResponse) }
func (r *DeleteRecordsRequest) Encode(e *Encoder, version int16) {}
func (r *DeleteRecordsRequest) Decode(d *Decoder, version int16) {}

type DeleteRecordsResponse struct{}

func (*DeleteRecordsResponse) APIKey() int16                      { return KeyDeleteRecords }
func (*DeleteRecordsResponse) isResponse()                        {}
func (r *DeleteRecordsResponse) Encode(e *Encoder, version int16) {}
func (r *DeleteRecordsResponse) Decode(d *Decoder, version int16) {}
