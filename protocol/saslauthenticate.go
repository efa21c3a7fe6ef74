package protocol

// STUB: replaced by the real implementation.

type SaslAuthenticateRequest struct{}

func (*SaslAuthenticateRequest) APIKey() int16                      { return KeySaslAuthenticate }
func (*SaslAuthenticateRequest) NewResponse() Response              { return new(SaslAuthenticateResponse) }
func (r *SaslAuthenticateRequest) Encode(e *Encoder, version int16) {}
func (r *SaslAuthenticateRequest) Decode(d *Decoder, version int16) {}

type SaslAuthenticateResponse struct{}

func (*SaslAuthenticateResponse) APIKey() int16                      { return KeySaslAuthenticate }
func (*SaslAuthenticateResponse) isResponse()                        {}
func (r *SaslAuthenticateResponse) Encode(e *Encoder, version int16) {}
func (r *SaslAuthenticateResponse) Decode(d *Decoder, version int16) {}
