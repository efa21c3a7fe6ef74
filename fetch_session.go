package kafka

import (
	"math"

	"github.com/gokafka/kafka/protocol"
)

// fetchSession is a source's fetch session (KIP-227, Fetch v7+): the
// broker remembers the partitions and positions of the last fetch, so the
// next one names only what changed and the answer only partitions with
// something new. Epoch 0 with ID 0 asks for a new session in a full fetch;
// an ID 0 with epoch -1 is a fetch without a session.
type fetchSession struct {
	supported bool // the broker speaks Fetch v7+
	full      bool // the request being built names every partition
	id, epoch int32
	sent      map[TopicPartition]sentPart // what the broker's session holds
	next      map[TopicPartition]sentPart // what the request being built leaves it holding
}

// sentPart is what a session holds of one partition.
type sentPart struct {
	offset int64
	epoch  int32 // the current leader epoch sent
	last   int32 // the last fetched epoch sent (KIP-320)
}

// begin starts building a request.
func (s *fetchSession) begin(supported bool) {
	s.supported = supported
	if s.next == nil {
		s.next = make(map[TopicPartition]sentPart)
		s.sent = make(map[TopicPartition]sentPart)
	}
	clear(s.next)
	switch {
	case !supported:
		s.id, s.epoch, s.full = 0, -1, true
	case s.id == 0:
		s.epoch, s.full = 0, true
	default:
		s.full = false
	}
}

// include notes that the request fetches tp from sp, and reports whether
// the request must name it: always in a full fetch, else when the session
// does not hold it or holds another position.
func (s *fetchSession) include(tp TopicPartition, sp sentPart) bool {
	s.next[tp] = sp
	if s.full {
		return true
	}
	prev, ok := s.sent[tp]
	return !ok || prev != sp
}

// forget appends to dst the partitions the session holds that the request
// does not fetch (their consumer's buffer is full, they are paused, moved
// or gone), so that the broker stops answering for them.
func (s *fetchSession) forget(dst []protocol.FetchRequestForgottenTopicsData, m *clusterMeta, version int16) []protocol.FetchRequestForgottenTopicsData {
	if s.full {
		return dst
	}
	for tp := range s.sent {
		if _, ok := s.next[tp]; ok {
			continue
		}
		i := len(dst) - 1
		for ; i >= 0 && dst[i].Topic != tp.Topic; i-- {
		}
		if i < 0 {
			ft := protocol.FetchRequestForgottenTopicsData{Topic: tp.Topic}
			if tm := m.topics[tp.Topic]; tm != nil && version >= 13 {
				ft.TopicID = tm.id
			}
			dst = append(dst, ft)
			i = len(dst) - 1
		}
		dst[i].Partitions = append(dst[i].Partitions, tp.Partition)
	}
	return dst
}

// answered records a successful answer: the session the broker made (id
// 0 when it made none), or the next epoch of the one in use.
func (s *fetchSession) answered(id int32) {
	if !s.supported {
		return
	}
	if s.full {
		if id == 0 {
			return // no session (the broker's cache is full): full fetches go on
		}
		s.id, s.epoch = id, 1
	} else if s.epoch++; s.epoch == math.MaxInt32 {
		s.epoch = 1
	}
	s.sent, s.next = s.next, s.sent
}

// incremental reports whether the request just made was incremental: its
// answer leaves out partitions with nothing new.
func (s *fetchSession) incremental() bool { return s.supported && !s.full }

// lost reports whether a fetch's top-level error means the session is
// gone or out of step, so that a new one must start.
func (s *fetchSession) lost(code Error) bool {
	return code == ErrFetchSessionIDNotFound || code == ErrInvalidFetchSessionEpoch || code == ErrFetchSessionTopicIDError
}

// reset drops the session: the next fetch is a full one that starts a new
// one.
func (s *fetchSession) reset() {
	s.id, s.epoch = 0, 0
	clear(s.sent)
}
