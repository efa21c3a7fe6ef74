package protocol

// SaslAuthenticateRequest carries one client step of a SASL exchange.
type SaslAuthenticateRequest struct {
	AuthBytes   []byte
	UnknownTags []TaggedField
}

// APIKey implements [Message].
func (*SaslAuthenticateRequest) APIKey() int16 { return KeySaslAuthenticate }

// NewResponse implements [Request].
func (*SaslAuthenticateRequest) NewResponse() Response { return new(SaslAuthenticateResponse) }

// Encode implements [Message].
func (r *SaslAuthenticateRequest) Encode(e *Encoder, version int16) {
	e.Bytes(r.AuthBytes)
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *SaslAuthenticateRequest) Decode(d *Decoder, version int16) {
	*r = SaslAuthenticateRequest{}
	r.AuthBytes = d.Bytes()
	d.Tags(&r.UnknownTags, nil)
}

// SaslAuthenticateResponse carries the broker's SASL step, or an error, and
// from v1 how long the authenticated session lasts.
type SaslAuthenticateResponse struct {
	ErrorCode         int16
	ErrorMessage      *string
	AuthBytes         []byte
	SessionLifetimeMs int64 // v1+
	UnknownTags       []TaggedField
}

// APIKey implements [Message].
func (*SaslAuthenticateResponse) APIKey() int16 { return KeySaslAuthenticate }
func (*SaslAuthenticateResponse) isResponse()   {}

// Encode implements [Message].
func (r *SaslAuthenticateResponse) Encode(e *Encoder, version int16) {
	e.Int16(r.ErrorCode)
	e.NullableString(r.ErrorMessage)
	e.Bytes(r.AuthBytes)
	if version >= 1 {
		e.Int64(r.SessionLifetimeMs)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *SaslAuthenticateResponse) Decode(d *Decoder, version int16) {
	*r = SaslAuthenticateResponse{}
	r.ErrorCode = d.Int16()
	r.ErrorMessage = d.NullableString()
	r.AuthBytes = d.Bytes()
	if version >= 1 {
		r.SessionLifetimeMs = d.Int64()
	}
	d.Tags(&r.UnknownTags, nil)
}
