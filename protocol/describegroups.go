package protocol

// STUB: replaced by the real implementation.

type DescribeGroupsRequest struct{}

func (*DescribeGroupsRequest) APIKey() int16                      { return KeyDescribeGroups }
func (*DescribeGroupsRequest) NewResponse() Response              { return new(DescribeGroupsResponse) }
func (r *DescribeGroupsRequest) Encode(e *Encoder, version int16) {}
func (r *DescribeGroupsRequest) Decode(d *Decoder, version int16) {}

type DescribeGroupsResponse struct{}

func (*DescribeGroupsResponse) APIKey() int16                      { return KeyDescribeGroups }
func (*DescribeGroupsResponse) isResponse()                        {}
func (r *DescribeGroupsResponse) Encode(e *Encoder, version int16) {}
func (r *DescribeGroupsResponse) Decode(d *Decoder, version int16) {}
