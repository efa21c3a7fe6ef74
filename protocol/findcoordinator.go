package protocol

// STUB: replaced by the real implementation.

type FindCoordinatorRequest struct{}

func (*FindCoordinatorRequest) APIKey() int16                      { return KeyFindCoordinator }
func (*FindCoordinatorRequest) NewResponse() Response              { return new(FindCoordinatorResponse) }
func (r *FindCoordinatorRequest) Encode(e *Encoder, version int16) {}
func (r *FindCoordinatorRequest) Decode(d *Decoder, version int16) {}

type FindCoordinatorResponse struct{}

func (*FindCoordinatorResponse) APIKey() int16                      { return KeyFindCoordinator }
func (*FindCoordinatorResponse) isResponse()                        {}
func (r *FindCoordinatorResponse) Encode(e *Encoder, version int16) {}
func (r *FindCoordinatorResponse) Decode(d *Decoder, version int16) {}
