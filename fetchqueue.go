package kafka

// A chunk is the messages of one partition from one fetch. end is the
// partition's next fetch offset after it, which may lie beyond the last
// message (compacted records, transaction markers).
type chunk struct {
	ps   *partState
	gen  uint64
	msgs []Message
	i    int
	end  int64
}

// chunkQueue holds the fetched chunks not yet consumed, oldest first, in an
// array it reuses, and keeps the message slices of spent chunks for later
// fetches to fill: at a steady pace, queueing messages allocates nothing.
// The fetcher's mutex guards it.
type chunkQueue struct {
	buf   []chunk
	head  int
	spare [][]Message
}

// maxSpare bounds the message slices kept for reuse, so that a burst does
// not pin its memory for the consumer's lifetime.
const maxSpare = 16

func (q *chunkQueue) len() int { return len(q.buf) - q.head }

// front returns the oldest chunk; the queue must not be empty.
func (q *chunkQueue) front() *chunk { return &q.buf[q.head] }

func (q *chunkQueue) push(c chunk) {
	if q.head > 0 && len(q.buf) == cap(q.buf) {
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf, q.head = q.buf[:n], 0
	}
	q.buf = append(q.buf, c)
}

// pop removes the oldest chunk, whose messages have all been handed out,
// and keeps its slice for reuse, cleared: the application owns the
// messages now, and a kept slice must not hold on to what they point at.
// (Clearing the chunk at once costs less than a message at a time.)
func (q *chunkQueue) pop() {
	c := &q.buf[q.head]
	if cap(c.msgs) > 0 && len(q.spare) < maxSpare {
		clear(c.msgs)
		q.spare = append(q.spare, c.msgs[:0])
	}
	*c = chunk{}
	q.head++
	if q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0
	}
}

// dropIf removes the chunks drop selects, keeping the others' order.
func (q *chunkQueue) dropIf(drop func(*chunk) bool) {
	kept := q.buf[:0]
	for i := q.head; i < len(q.buf); i++ {
		if !drop(&q.buf[i]) {
			kept = append(kept, q.buf[i])
		}
	}
	clear(q.buf[len(kept):])
	q.buf, q.head = kept, 0
}

// messages returns an empty slice with room for n messages, reusing a
// spent chunk's when one is big enough.
func (q *chunkQueue) messages(n int) []Message {
	for len(q.spare) > 0 {
		s := q.spare[len(q.spare)-1]
		q.spare[len(q.spare)-1] = nil
		q.spare = q.spare[:len(q.spare)-1]
		if cap(s) >= n {
			return s
		}
	}
	return make([]Message, 0, n)
}
