package protocol

// STUB: replaced by the real implementation.

type ListGroupsRequest struct{}

func (*ListGroupsRequest) APIKey() int16                      { return KeyListGroups }
func (*ListGroupsRequest) NewResponse() Response              { return new(ListGroupsResponse) }
func (r *ListGroupsRequest) Encode(e *Encoder, version int16) {}
func (r *ListGroupsRequest) Decode(d *Decoder, version int16) {}

type ListGroupsResponse struct{}

func (*ListGroupsResponse) APIKey() int16                      { return KeyListGroups }
func (*ListGroupsResponse) isResponse()                        {}
func (r *ListGroupsResponse) Encode(e *Encoder, version int16) {}
func (r *ListGroupsResponse) Decode(d *Decoder, version int16) {}
