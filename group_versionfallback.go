package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gokafka/kafka/internal/conn"
	"github.com/gokafka/kafka/protocol"
)

// groupFallback is, for each API of the classic group protocol, the version
// a member steps down to when a broker shows it cannot read a newer one it
// advertised: the newest version of the request's old shape. JoinGroup,
// SyncGroup and Heartbeat only added fields up to there; the next version
// is the first flexible one (KIP-482: compact strings and arrays, tagged
// fields). LeaveGroup v3 replaced the member ID by a batch of members
// (KIP-345), v4 made that flexible.
//
// Why: librdkafka's mock cluster (2.11) advertises JoinGroup up to v6 and
// SyncGroup up to v4, but reads their protocol and assignment arrays with
// a fixed-size count, so it misreads the flexible versions and closes the
// connection; it reads a LeaveGroup v3+ as v2 and answers without the
// members v3 lists, which cannot be decoded. librdkafka's own client never
// sends those versions, so the mock's tests never notice. Other servers
// written against the old shapes may do the same; a client that stepped up
// its versions would then never form a group with them.
var groupFallback = map[int16]int16{
	protocol.KeyJoinGroup:  5,
	protocol.KeySyncGroup:  3,
	protocol.KeyHeartbeat:  3,
	protocol.KeyLeaveGroup: 2,
}

// groupCallFallback says, after a classic group request at version failed
// with err, whether to send it again, and at which version. closes counts
// the connections the broker closed instead of answering, in this call.
//
// The broker shows it cannot read version when it either
//   - answers with bytes that do not decode at version (once is enough:
//     a restart does not garble an answer), or
//   - closes the connection without answering, twice in a row, the second
//     time on a connection it had just accepted and answered ApiVersions
//     on: a broker restarting or going away closes a connection once, and
//     then refuses the next or answers on it.
//
// It then gets a lasting cap at groupFallback, with the other classic group
// APIs (see capVersion; logged once, as a warning), and the request is sent
// again at that version, which the broker
// advertised too: a broker wrongly capped (one that restarted twice at the
// worst moments) still serves it, losing only the newer versions' optional
// fields (tagged fields, a leave reason, KIP-814's SkipAssignment), none of
// which the member needs. The cap lasts while the client knows the broker
// under that ID and address, so a member does not pay two closed
// connections on every join; a new client asks again.
func (b *broker) groupCallFallback(ctx context.Context, api, version int16, err error, closes *int) (int16, bool) {
	to, ok := groupFallback[api]
	if !ok || err == nil || ctx.Err() != nil || version <= to {
		return 0, false
	}
	malformed := errors.Is(err, protocol.ErrMalformed)
	if !malformed {
		if !errors.Is(err, conn.ErrClosedBeforeAnswer) {
			return 0, false
		}
		if *closes++; *closes < 2 {
			return version, true // once more at the same version, on a new connection
		}
	}
	if !b.capVersion(ctx, api, version, to, err) {
		return 0, false
	}
	return to, true
}

// capVersion caps api at to for this broker, after it failed to read
// version (why: err), unless the broker does not serve to; the other
// classic group APIs are capped at their own fallbacks too, since one
// server implements them together: librdkafka 2.11's mock, which misreads
// JoinGroup v6, crashes on the SyncGroup v4 it would see next. It logs the
// first cap, once per broker, naming every API capped.
func (b *broker) capVersion(ctx context.Context, api, version, to int16, err error) bool {
	v, verr := b.knownVersions(ctx)
	if verr != nil {
		return false
	}
	if oldest, ok := v.Oldest(api); !ok || to < oldest {
		return false
	}
	var others []string
	b.mu.Lock()
	first := len(b.capped) == 0
	if b.capped == nil {
		b.capped = make(map[int16]int16)
	}
	if prev, had := b.capped[api]; !had || to < prev {
		b.capped[api] = to
	}
	for k, kto := range groupFallback {
		newest, ok := v.For(k)
		oldest, _ := v.Oldest(k)
		if _, had := b.capped[k]; k == api || had || !ok || newest <= kto || kto < oldest {
			continue
		}
		b.capped[k] = kto
		others = append(others, fmt.Sprintf("%s v%d", protocol.APIName(k), kto))
	}
	b.mu.Unlock()
	if first {
		slices.Sort(others)
		b.client.log.Warn("kafka: broker cannot read a version of a group request it advertised; using older versions of the group APIs with it",
			"broker", b.id, "addr", b.addr, "api", protocol.APIName(api), "version", version, "fallback", to,
			"also", strings.Join(others, ", "), "err", err)
	}
	return true
}
