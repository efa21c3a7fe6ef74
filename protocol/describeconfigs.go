package protocol

// STUB: replaced by the real implementation.

type DescribeConfigsRequest struct{}

func (*DescribeConfigsRequest) APIKey() int16                      { return KeyDescribeConfigs }
func (*DescribeConfigsRequest) NewResponse() Response              { return new(DescribeConfigsResponse) }
func (r *DescribeConfigsRequest) Encode(e *Encoder, version int16) {}
func (r *DescribeConfigsRequest) Decode(d *Decoder, version int16) {}

type DescribeConfigsResponse struct{}

func (*DescribeConfigsResponse) APIKey() int16                      { return KeyDescribeConfigs }
func (*DescribeConfigsResponse) isResponse()                        {}
func (r *DescribeConfigsResponse) Encode(e *Encoder, version int16) {}
func (r *DescribeConfigsResponse) Decode(d *Decoder, version int16) {}
