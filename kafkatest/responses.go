package kafkatest

import (
	"encoding/binary"
	"errors"
)

// DropResponse lets the broker act on the next times requests with API key
// api (or any key, with [AnyAPI]) as usual, and then closes the client's
// connection instead of sending the answer; [Always] drops answers until
// Remove. A Produce so dropped has been appended, an OffsetCommit
// committed: the client sees the same disconnect as with
// [Cluster.DropConnection], which drops the request before the broker acts,
// and cannot tell which of the two happened. Use it to test that a retry
// after an unknown outcome does no harm, such as an idempotent producer
// writing each record once.
//
// The cluster finds the answer by reading the Kafka framing of the
// connection, which it cannot do through TLS: on a cluster started with
// [TLS], DropResponse and [Cluster.TruncateResponse] never apply.
func (c *Cluster) DropResponse(api int16, times int) *Injection {
	return c.addAction(&action{api: api, on: dropAnswer}, times)
}

// TruncateResponse is [Cluster.DropResponse] that sends the first part of
// the answer before closing the connection: its size and about half of
// the rest. The client reads a frame that ends early, as when a broker
// crashes while it answers.
func (c *Cluster) TruncateResponse(api int16, times int) *Injection {
	return c.addAction(&action{api: api, on: truncateAnswer}, times)
}

// actionOn says what an action acts on.
type actionOn int8

const (
	onRequest      actionOn = iota // the request, before the broker handles it: DropConnection, Delay
	dropAnswer                     // the answer, which is not sent
	truncateAnswer                 // the answer, of which a part is sent
)

// errAnswerDropped is what the broker's write of an answer dropped by
// DropResponse or TruncateResponse returns; the broker then closes the
// connection.
var errAnswerDropped = errors.New("kafkatest: answer dropped by DropResponse or TruncateResponse")

// A frameScanner follows the requests on a connection, from the bytes the
// broker reads: a request is a 4-byte size, then the API key (2 bytes), the
// version (2) and the correlation ID (4).
type frameScanner struct {
	head [12]byte // the current request's size and first header fields
	n    int      // bytes of head filled
	skip int64    // bytes of the current request left after head
}

// pendingReq is a request read and not yet answered.
type pendingReq struct {
	api  int16
	corr int32
}

// scan follows b, the next bytes read, and returns the requests whose
// headers it completes.
func (s *frameScanner) scan(b []byte, reqs []pendingReq) []pendingReq {
	for len(b) > 0 {
		if s.skip > 0 {
			k := int(min(s.skip, int64(len(b))))
			s.skip -= int64(k)
			b = b[k:]
			continue
		}
		k := copy(s.head[s.n:], b)
		s.n += k
		b = b[k:]
		if s.n < len(s.head) {
			return reqs
		}
		size := int64(binary.BigEndian.Uint32(s.head[:4]))
		reqs = append(reqs, pendingReq{
			api:  int16(binary.BigEndian.Uint16(s.head[4:6])),
			corr: int32(binary.BigEndian.Uint32(s.head[8:12])),
		})
		// A size too small for the header leaves the scanner out of
		// step; the broker closes such a connection anyway.
		s.skip = max(size-8, 0)
		s.n = 0
	}
	return reqs
}

// Read records the requests the broker reads, for Write to know what it
// answers.
func (tc *trackedConn) Read(b []byte) (int, error) {
	n, err := tc.Conn.Read(b)
	if n > 0 && tc.l.frames {
		tc.fmu.Lock()
		tc.pending = tc.frame.scan(b[:n], tc.pending)
		tc.fmu.Unlock()
	}
	return n, err
}

// Write sends an answer, unless DropResponse or TruncateResponse takes it.
// The broker writes each answer whole, in one call: its size, correlation
// ID and body.
func (tc *trackedConn) Write(b []byte) (int, error) {
	if !tc.l.frames || len(b) < 8 {
		return tc.Conn.Write(b)
	}
	api, ok := tc.answered(int32(binary.BigEndian.Uint32(b[4:8])))
	if !ok {
		return tc.Conn.Write(b)
	}
	on := tc.l.c.answerAction(api)
	if on == onRequest {
		return tc.Conn.Write(b)
	}
	var n int
	if on == truncateAnswer {
		n, _ = tc.Conn.Write(b[:4+(len(b)-4)/2])
	}
	tc.Close()
	return n, errAnswerDropped
}

// answered returns the API key of the request the broker answers with
// correlation ID corr. Answers come in the order of the requests; requests
// without an answer (Produce with acks=0) are passed over.
func (tc *trackedConn) answered(corr int32) (int16, bool) {
	tc.fmu.Lock()
	defer tc.fmu.Unlock()
	for i, r := range tc.pending {
		if r.corr == corr {
			tc.pending = tc.pending[i+1:]
			return r.api, true
		}
	}
	tc.pending = tc.pending[:0]
	return 0, false
}

// answerAction returns what to do with an answer to a request with API key
// api: onRequest means send it.
func (c *Cluster) answerAction(api int16) actionOn {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range c.actions {
		if a.on != onRequest && (a.api == AnyAPI || a.api == api) {
			a.hitLocked(c)
			return a.on
		}
	}
	return onRequest
}
