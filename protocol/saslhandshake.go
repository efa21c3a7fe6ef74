package protocol

// SaslHandshakeRequest names the SASL mechanism a client wants to
// authenticate with. No version is flexible, so it has no tagged fields.
type SaslHandshakeRequest struct {
	Mechanism string
}

// APIKey implements [Message].
func (*SaslHandshakeRequest) APIKey() int16 { return KeySaslHandshake }

// NewResponse implements [Request].
func (*SaslHandshakeRequest) NewResponse() Response { return new(SaslHandshakeResponse) }

// Encode implements [Message].
func (r *SaslHandshakeRequest) Encode(e *Encoder, version int16) {
	e.String(r.Mechanism)
}

// Decode implements [Message].
func (r *SaslHandshakeRequest) Decode(d *Decoder, version int16) {
	*r = SaslHandshakeRequest{}
	r.Mechanism = d.String()
}

// SaslHandshakeResponse accepts or rejects the mechanism and lists those the
// broker has enabled.
type SaslHandshakeResponse struct {
	ErrorCode  int16
	Mechanisms []string
}

// APIKey implements [Message].
func (*SaslHandshakeResponse) APIKey() int16 { return KeySaslHandshake }
func (*SaslHandshakeResponse) isResponse()   {}

// Encode implements [Message].
func (r *SaslHandshakeResponse) Encode(e *Encoder, version int16) {
	e.Int16(r.ErrorCode)
	e.Strings(r.Mechanisms)
}

// Decode implements [Message].
func (r *SaslHandshakeResponse) Decode(d *Decoder, version int16) {
	*r = SaslHandshakeResponse{}
	r.ErrorCode = d.Int16()
	r.Mechanisms = d.Strings()
}
