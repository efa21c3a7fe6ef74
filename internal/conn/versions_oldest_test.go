package conn

import (
	"testing"

	"github.com/gokafka/kafka/protocol"
	"github.com/stretchr/testify/require"
)

// TestVersionsOldest: the oldest common version is the newer of the two
// sides' oldest, for negotiated versions; the API's oldest for pinned ones;
// and nothing for an API the broker lacks.
func TestVersionsOldest(t *testing.T) {
	v := intersect(map[int16][2]int16{
		protocol.KeyJoinGroup:  {2, 6},
		protocol.KeyLeaveGroup: {0, 4},
	})
	lo, ok := v.Oldest(protocol.KeyJoinGroup)
	require.True(t, ok)
	require.Equal(t, int16(2), lo)
	lo, ok = v.Oldest(protocol.KeyLeaveGroup)
	require.True(t, ok)
	require.Equal(t, protocol.LookupAPI(protocol.KeyLeaveGroup).MinVersion, lo)
	_, ok = v.Oldest(protocol.KeySyncGroup)
	require.False(t, ok, "the broker did not list SyncGroup")

	p, pinned, err := PinnedVersions("0.9.0")
	require.NoError(t, err)
	require.True(t, pinned)
	lo, ok = p.Oldest(protocol.KeyJoinGroup)
	require.True(t, ok)
	require.Equal(t, int16(0), lo)
	_, ok = p.Oldest(protocol.KeyCreateTopics)
	require.False(t, ok)
}
