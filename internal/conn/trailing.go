package conn

import (
	"context"
	"log/slog"
	"sync"
	"weak"

	"github.com/gokafka/kafka/protocol"
)

// trailingSeen remembers which (logger, API, version) triples already logged
// trailing bytes, so that a broker that always adds bytes to a response costs
// one debug line per API and version rather than one per response, however
// many connections share the logger. The logger is held weakly: an entry
// does not keep a client's logger alive.
var trailingSeen sync.Map // trailingKey -> struct{}

type trailingKey struct {
	logger  weak.Pointer[slog.Logger]
	key     int16
	version int16
}

// noteTrailing logs, once per logger, API and version, that a response held
// n bytes after the fields of its version. Such bytes are ignored (see
// protocol.DecodeResponse); the line helps explain a peer speaking a newer or
// slightly different dialect.
func (c *Conn) noteTrailing(key, version int16, n int) {
	if n == 0 || c.log == nil {
		return
	}
	k := trailingKey{logger: weak.Make(c.log), key: key, version: version}
	if _, dup := trailingSeen.LoadOrStore(k, struct{}{}); dup {
		return
	}
	c.log.LogAttrs(context.Background(), slog.LevelDebug, "kafka: ignoring trailing bytes in a response",
		slog.String("broker", c.addr), slog.String("api", protocol.APIName(key)), slog.Int("version", int(version)), slog.Int("bytes", n))
}
