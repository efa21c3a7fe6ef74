package conn

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gokafka/kafka/protocol"
)

// Versions holds, per API key, the newest version both this client and the
// broker support, and the oldest.
type Versions struct {
	max map[int16]int16
	min map[int16]int16 // nil for pinned versions: the API's oldest
}

// For returns the version to use for key, and false when the client and the
// broker share none.
func (v Versions) For(key int16) (int16, bool) {
	m, ok := v.max[key]
	return m, ok
}

// Oldest returns the oldest version of key both sides support, and false
// when they share none. A caller stepping down from [Versions.For] (a
// broker that cannot read a version it advertised) must stay at or above
// it.
func (v Versions) Oldest(key int16) (int16, bool) {
	if _, ok := v.max[key]; !ok {
		return 0, false
	}
	if lo, ok := v.min[key]; ok {
		return lo, true
	}
	return protocol.LookupAPI(key).MinVersion, true
}

// intersect keeps, for each key both sides know, the newest and oldest
// common versions.
func intersect(brokerRanges map[int16][2]int16) Versions {
	v := Versions{max: make(map[int16]int16, len(brokerRanges)), min: make(map[int16]int16, len(brokerRanges))}
	for key, r := range brokerRanges {
		api := protocol.LookupAPI(key)
		if api == nil {
			continue
		}
		lo, hi := max(r[0], api.MinVersion), min(r[1], api.MaxVersion)
		if lo <= hi {
			v.max[key], v.min[key] = hi, lo
		}
	}
	return v
}

// ErrNoAPIVersions is returned by [Dial] when the broker closes the
// connection instead of answering APIVersions and answers Metadata v0, as
// brokers before 0.10 do. Its text is the one place that names the setting.
var ErrNoAPIVersions = errors.New("kafka: broker does not answer ApiVersions (brokers before 0.10 need Config.BrokerVersion, e.g. \"0.9.0\")")

// Negotiate asks the broker which versions it supports and returns the
// newest common version of each API. A peer that closes the connection
// instead gives an error wrapping [ErrClosedBeforeAnswer]; [Dial] then checks
// whether it is a broker before 0.10. A broker that does not know our newest
// APIVersions answers with UNSUPPORTED_VERSION in the v0 format; we then ask
// again at v0.
func Negotiate(ctx context.Context, c *Conn, softwareName, softwareVersion string) (Versions, error) {
	api := protocol.LookupAPI(protocol.KeyAPIVersions)
	req := &protocol.APIVersionsRequest{ClientSoftwareName: softwareName, ClientSoftwareVersion: softwareVersion}
	var resp protocol.APIVersionsResponse
	err := c.RoundTrip(ctx, req, &resp, api.MaxVersion)
	if errors.Is(err, protocol.ErrMalformed) || (err == nil && protocol.ErrorCode(resp.ErrorCode) == protocol.UnsupportedVersion) {
		err = c.RoundTrip(ctx, req, &resp, 0)
	}
	if err != nil {
		return Versions{}, err
	}
	if code := protocol.ErrorCode(resp.ErrorCode); code != protocol.None {
		return Versions{}, fmt.Errorf("kafka: ApiVersions from %s: %s", c.Addr(), code)
	}
	ranges := make(map[int16][2]int16, len(resp.APIKeys))
	for _, k := range resp.APIKeys {
		ranges[k.APIKey] = [2]int16{k.MinVersion, k.MaxVersion}
	}
	return intersect(ranges), nil
}

// pinned lists what brokers without APIVersions support, by release.
var pinned = map[string]map[int16]int16{
	"0.8.2": {
		protocol.KeyProduce: 0, protocol.KeyFetch: 0, protocol.KeyListOffsets: 0, protocol.KeyMetadata: 0,
		protocol.KeyOffsetCommit: 1, protocol.KeyOffsetFetch: 1, protocol.KeyFindCoordinator: 0,
	},
	"0.9.0": {
		protocol.KeyProduce: 1, protocol.KeyFetch: 1, protocol.KeyListOffsets: 0, protocol.KeyMetadata: 0,
		protocol.KeyOffsetCommit: 2, protocol.KeyOffsetFetch: 1, protocol.KeyFindCoordinator: 0,
		protocol.KeyJoinGroup: 0, protocol.KeyHeartbeat: 0, protocol.KeyLeaveGroup: 0, protocol.KeySyncGroup: 0,
		protocol.KeyDescribeGroups: 0, protocol.KeyListGroups: 0,
	},
}

// PinnedVersions returns the versions of a broker release that predates
// APIVersions ("0.8.2" or "0.9.0", with or without a fourth component), as
// pykafka's broker_version did. ok is false for releases that answer
// APIVersions (0.10 and later): negotiate with those.
func PinnedVersions(release string) (v Versions, ok bool, err error) {
	parts := strings.Split(release, ".")
	if len(parts) < 2 || parts[0] == "" {
		return Versions{}, false, fmt.Errorf("kafka: broker version %q: want a release such as \"0.9.0\" or \"3.9\"", release)
	}
	key := strings.Join(append(parts[:2:2], "0"), ".")
	if parts[0] == "0" && parts[1] == "8" {
		key = "0.8.2"
	}
	table, found := pinned[key]
	if !found {
		return Versions{}, false, nil
	}
	v = Versions{max: make(map[int16]int16, len(table))}
	for k, m := range table {
		v.max[k] = m
	}
	return v, true, nil
}
