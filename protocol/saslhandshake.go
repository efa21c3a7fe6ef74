package protocol

// STUB: replaced by the real implementation.

type SaslHandshakeRequest struct{}

func (*SaslHandshakeRequest) APIKey() int16                      { return KeySaslHandshake }
func (*SaslHandshakeRequest) NewResponse() Response              { return new(SaslHandshakeResponse) }
func (r *SaslHandshakeRequest) Encode(e *Encoder, version int16) {}
func (r *SaslHandshakeRequest) Decode(d *Decoder, version int16) {}

type SaslHandshakeResponse struct{}

func (*SaslHandshakeResponse) APIKey() int16                      { return KeySaslHandshake }
func (*SaslHandshakeResponse) isResponse()                        {}
func (r *SaslHandshakeResponse) Encode(e *Encoder, version int16) {}
func (r *SaslHandshakeResponse) Decode(d *Decoder, version int16) {}
