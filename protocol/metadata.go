package protocol

// STUB: replaced by the real implementation.

type MetadataRequest struct{}

func (*MetadataRequest) APIKey() int16                      { return KeyMetadata }
func (*MetadataRequest) NewResponse() Response              { return new(MetadataResponse) }
func (r *MetadataRequest) Encode(e *Encoder, version int16) {}
func (r *MetadataRequest) Decode(d *Decoder, version int16) {}

type MetadataResponse struct{}

func (*MetadataResponse) APIKey() int16                      { return KeyMetadata }
func (*MetadataResponse) isResponse()                        {}
func (r *MetadataResponse) Encode(e *Encoder, version int16) {}
func (r *MetadataResponse) Decode(d *Decoder, version int16) {}
