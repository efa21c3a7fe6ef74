package protocol

// APIVersionsRequest asks a broker which API versions it supports. It is the
// first request on every connection.
type APIVersionsRequest struct {
	ClientSoftwareName    string // v3+
	ClientSoftwareVersion string // v3+
	UnknownTags           []TaggedField
}

// APIKey implements [Message].
func (*APIVersionsRequest) APIKey() int16 { return KeyAPIVersions }

// NewResponse implements [Request].
func (*APIVersionsRequest) NewResponse() Response { return new(APIVersionsResponse) }

// Encode implements [Message].
func (r *APIVersionsRequest) Encode(e *Encoder, version int16) {
	if version >= 3 {
		e.String(r.ClientSoftwareName)
		e.String(r.ClientSoftwareVersion)
	}
	e.Tags(r.UnknownTags)
}

// Decode implements [Message].
func (r *APIVersionsRequest) Decode(d *Decoder, version int16) {
	*r = APIVersionsRequest{}
	if version >= 3 {
		r.ClientSoftwareName = d.String()
		r.ClientSoftwareVersion = d.String()
	}
	d.Tags(&r.UnknownTags, nil)
}

// APIVersionsResponse lists the versions a broker supports for each API key.
// Its header is always version 0, even when the body is flexible.
type APIVersionsResponse struct {
	ErrorCode              int16
	APIKeys                []APIVersionsResponseAPIKey
	ThrottleTimeMs         int32                                 // v1+
	SupportedFeatures      []APIVersionsResponseSupportedFeature // tag 0, v3+
	FinalizedFeaturesEpoch int64                                 // tag 1, v3+, default -1
	FinalizedFeatures      []APIVersionsResponseFinalizedFeature // tag 2, v3+
	ZkMigrationReady       bool                                  // tag 3, v3+
	UnknownTags            []TaggedField
}

// APIVersionsResponseAPIKey is one API key's supported version range.
type APIVersionsResponseAPIKey struct {
	APIKey      int16
	MinVersion  int16
	MaxVersion  int16
	UnknownTags []TaggedField
}

// APIVersionsResponseSupportedFeature is a feature's supported version range.
type APIVersionsResponseSupportedFeature struct {
	Name        string
	MinVersion  int16
	MaxVersion  int16
	UnknownTags []TaggedField
}

// APIVersionsResponseFinalizedFeature is a feature's finalized version range.
type APIVersionsResponseFinalizedFeature struct {
	Name            string
	MaxVersionLevel int16
	MinVersionLevel int16
	UnknownTags     []TaggedField
}

// APIKey implements [Message].
func (*APIVersionsResponse) APIKey() int16 { return KeyAPIVersions }
func (*APIVersionsResponse) isResponse()   {}

// Encode implements [Message].
func (r *APIVersionsResponse) Encode(e *Encoder, version int16) {
	e.Int16(r.ErrorCode)
	writeArray(e, r.APIKeys, version)
	if version >= 1 {
		e.Int32(r.ThrottleTimeMs)
	}
	if !e.Flexible() {
		return
	}
	n := 0
	if len(r.SupportedFeatures) > 0 {
		n++
	}
	if r.FinalizedFeaturesEpoch != -1 {
		n++
	}
	if len(r.FinalizedFeatures) > 0 {
		n++
	}
	if r.ZkMigrationReady {
		n++
	}
	e.TagCount(n, r.UnknownTags)
	if len(r.SupportedFeatures) > 0 {
		e.Tag(0, func(e *Encoder) { writeArray(e, r.SupportedFeatures, version) })
	}
	if r.FinalizedFeaturesEpoch != -1 {
		e.Tag(1, func(e *Encoder) { e.Int64(r.FinalizedFeaturesEpoch) })
	}
	if len(r.FinalizedFeatures) > 0 {
		e.Tag(2, func(e *Encoder) { writeArray(e, r.FinalizedFeatures, version) })
	}
	if r.ZkMigrationReady {
		e.Tag(3, func(e *Encoder) { e.Bool(r.ZkMigrationReady) })
	}
	e.UnknownTags(r.UnknownTags)
}

// Decode implements [Message].
func (r *APIVersionsResponse) Decode(d *Decoder, version int16) {
	*r = APIVersionsResponse{FinalizedFeaturesEpoch: -1}
	r.ErrorCode = d.Int16()
	r.APIKeys = readArray[APIVersionsResponseAPIKey](d, version)
	if version >= 1 {
		r.ThrottleTimeMs = d.Int32()
	}
	d.Tags(&r.UnknownTags, func(tag uint32, fd *Decoder) bool {
		switch tag {
		case 0:
			r.SupportedFeatures = readArray[APIVersionsResponseSupportedFeature](fd, version)
		case 1:
			r.FinalizedFeaturesEpoch = fd.Int64()
		case 2:
			r.FinalizedFeatures = readArray[APIVersionsResponseFinalizedFeature](fd, version)
		case 3:
			r.ZkMigrationReady = fd.Bool()
		default:
			return false
		}
		return true
	})
}

func (k *APIVersionsResponseAPIKey) encode(e *Encoder, version int16) {
	e.Int16(k.APIKey)
	e.Int16(k.MinVersion)
	e.Int16(k.MaxVersion)
	e.Tags(k.UnknownTags)
}

func (k *APIVersionsResponseAPIKey) decode(d *Decoder, version int16) {
	k.APIKey = d.Int16()
	k.MinVersion = d.Int16()
	k.MaxVersion = d.Int16()
	d.Tags(&k.UnknownTags, nil)
}

func (f *APIVersionsResponseSupportedFeature) encode(e *Encoder, version int16) {
	e.String(f.Name)
	e.Int16(f.MinVersion)
	e.Int16(f.MaxVersion)
	e.Tags(f.UnknownTags)
}

func (f *APIVersionsResponseSupportedFeature) decode(d *Decoder, version int16) {
	f.Name = d.String()
	f.MinVersion = d.Int16()
	f.MaxVersion = d.Int16()
	d.Tags(&f.UnknownTags, nil)
}

func (f *APIVersionsResponseFinalizedFeature) encode(e *Encoder, version int16) {
	e.String(f.Name)
	e.Int16(f.MaxVersionLevel)
	e.Int16(f.MinVersionLevel)
	e.Tags(f.UnknownTags)
}

func (f *APIVersionsResponseFinalizedFeature) decode(d *Decoder, version int16) {
	f.Name = d.String()
	f.MaxVersionLevel = d.Int16()
	f.MinVersionLevel = d.Int16()
	d.Tags(&f.UnknownTags, nil)
}
