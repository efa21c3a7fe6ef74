package conn

import (
	"context"
	"testing"

	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// serveAPIVersions answers one APIVersions request: at the version asked when
// it is at most maxVersion, otherwise with UNSUPPORTED_VERSION in the v0 format,
// as brokers do.
func (b *fakeBroker) serveAPIVersions(maxVersion int16, keys []protocol.APIVersionsResponseAPIKey) int16 {
	frame, err := protocol.ReadFrame(b.nc, nil, 1<<20)
	require.NoError(b.t, err)
	h, _, err := protocol.DecodeRequest(frame)
	require.NoError(b.t, err)
	resp := &protocol.APIVersionsResponse{APIKeys: keys, FinalizedFeaturesEpoch: -1}
	version := h.APIVersion
	if version > maxVersion {
		resp.ErrorCode = int16(protocol.UnsupportedVersion)
		version = 0
	}
	out, err := protocol.AppendResponse(nil, h.CorrelationID, resp, version)
	require.NoError(b.t, err)
	_, err = b.nc.Write(out)
	require.NoError(b.t, err)
	return h.APIVersion
}

var brokerKeys = []protocol.APIVersionsResponseAPIKey{
	{APIKey: protocol.KeyProduce, MinVersion: 3, MaxVersion: 99}, // newer than us: capped at ours
	{APIKey: protocol.KeyFetch, MinVersion: 4, MaxVersion: 11},   // older than us: the broker's
	{APIKey: protocol.KeyAPIVersions, MinVersion: 0, MaxVersion: 2},
	{APIKey: 1000, MinVersion: 0, MaxVersion: 3}, // unknown to us: ignored
}

func TestNegotiatePicksNewestCommonVersion(t *testing.T) {
	c, b := newPipe(t)
	got := make(chan Versions)
	go func() {
		v, err := Negotiate(context.Background(), c, "gokafka", "test")
		require.NoError(t, err)
		got <- v
	}()
	require.Equal(t, int16(4), b.serveAPIVersions(4, brokerKeys))
	v := <-got
	produce, ok := v.For(protocol.KeyProduce)
	require.True(t, ok)
	require.Equal(t, protocol.LookupAPI(protocol.KeyProduce).MaxVersion, produce)
	fetch, _ := v.For(protocol.KeyFetch)
	require.Equal(t, int16(11), fetch)
	_, ok = v.For(protocol.KeyMetadata)
	require.False(t, ok, "the broker did not list Metadata")
	_, ok = v.For(1000)
	require.False(t, ok)
}

func TestNegotiateFallsBackToV0(t *testing.T) {
	c, b := newPipe(t)
	got := make(chan Versions)
	go func() {
		v, err := Negotiate(context.Background(), c, "gokafka", "test")
		require.NoError(t, err)
		got <- v
	}()
	require.Equal(t, int16(4), b.serveAPIVersions(2, brokerKeys), "first try at our newest")
	require.Equal(t, int16(0), b.serveAPIVersions(2, brokerKeys), "second try at v0")
	fetch, ok := (<-got).For(protocol.KeyFetch)
	require.True(t, ok)
	require.Equal(t, int16(11), fetch)
}

func TestNegotiateHangUpIsClosedBeforeAnswer(t *testing.T) {
	c, b := newPipe(t)
	errc := make(chan error)
	go func() { _, err := Negotiate(context.Background(), c, "gokafka", "test"); errc <- err }()
	_, err := protocol.ReadFrame(b.nc, nil, 1<<20)
	require.NoError(t, err)
	b.nc.Close() // what 0.9 brokers do with an unknown API key, and not only they
	err = <-errc
	require.ErrorIs(t, err, ErrClosedBeforeAnswer)
	require.ErrorIs(t, err, ErrDisconnected)
	require.NotErrorIs(t, err, ErrNoAPIVersions, "Dial decides that, after a probe")
}

func TestPinnedVersions(t *testing.T) {
	v, ok, err := PinnedVersions("0.9.0.1")
	require.NoError(t, err)
	require.True(t, ok)
	fetch, _ := v.For(protocol.KeyFetch)
	require.Equal(t, int16(1), fetch)
	_, has := v.For(protocol.KeyAPIVersions)
	require.False(t, has)

	v, ok, err = PinnedVersions("0.8.1")
	require.NoError(t, err)
	require.True(t, ok)
	_, has = v.For(protocol.KeyJoinGroup)
	require.False(t, has, "0.8 has no group membership")

	_, ok, err = PinnedVersions("2.8")
	require.NoError(t, err)
	require.False(t, ok, "0.10 and later negotiate")

	_, _, err = PinnedVersions("nonsense")
	require.Error(t, err)
}
