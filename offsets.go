package kafka

// OffsetType names a position by where it is in a partition's log, rather
// than by number: pykafka's OffsetType. It is an int64, so that
// OffsetEarliest and OffsetLatest go wherever an offset goes, e.g.
// ResetOffsets(ctx, map[int32]int64{0: kafka.OffsetEarliest}), without a
// conversion. As the AutoOffsetReset of a consumer's configuration, the
// zero value means OffsetEarliest, pykafka's default.
type OffsetType = int64

const (
	// OffsetEarliest is the oldest message a partition still holds (its log
	// start offset): a consumer starting there reads everything kept.
	OffsetEarliest OffsetType = -2
	// OffsetLatest is where the next message will be written (the high
	// watermark): a consumer starting there reads only new messages.
	OffsetLatest OffsetType = -1
)

// offsetResetOrDefault returns reset, or pykafka's default,
// OffsetEarliest, for the zero value.
func offsetResetOrDefault(reset OffsetType) OffsetType {
	if reset == 0 {
		return OffsetEarliest
	}
	return reset
}

// isOffsetType reports whether o is OffsetEarliest or OffsetLatest rather
// than an offset.
func isOffsetType(o int64) bool { return o == OffsetEarliest || o == OffsetLatest }

// logBounds are a partition's first and next offsets: the log start offset
// and the high watermark (or, reading committed, the last stable offset).
type logBounds struct{ start, end int64 }

// resolve turns reset into an offset within the log.
func (lb logBounds) resolve(reset OffsetType) int64 {
	if reset == OffsetLatest {
		return lb.end
	}
	return lb.start
}

// startOffset is the offset-reset engine: where a partition starts, from
// the group's committed offset (nil when nothing is committed, or there is
// no group), AutoOffsetReset, ResetOffsetOnStart and the log's bounds. The
// rules are the pykafka guide's:
//
//   - nothing committed: start at AutoOffsetReset, whatever
//     ResetOffsetOnStart says (a consumer without a group is a new one);
//   - committed, ResetOffsetOnStart false: start at the committed offset,
//     which is the next offset to read (consumed up to 4 and committed, the
//     broker holds 5 and the start is 5);
//   - committed, ResetOffsetOnStart true: start at AutoOffsetReset;
//   - a committed offset outside the log (deleted by retention, or beyond
//     the end after data loss) is what a fetch would answer with
//     OFFSET_OUT_OF_RANGE: start at AutoOffsetReset.
func startOffset(committed *int64, reset OffsetType, resetOnStart bool, lb logBounds) int64 {
	if committed == nil || resetOnStart {
		return lb.resolve(reset)
	}
	return outOfRange(*committed, reset, lb)
}

// outOfRange answers OFFSET_OUT_OF_RANGE, and checks offsets given to
// ResetOffsets: an offset inside the log stays, one outside it moves to
// AutoOffsetReset.
func outOfRange(offset int64, reset OffsetType, lb logBounds) int64 {
	if offset < lb.start || offset > lb.end {
		return lb.resolve(reset)
	}
	return offset
}

// resetTarget is where ResetOffsets moves a partition asked to go to o: the
// log position OffsetEarliest or OffsetLatest names, or the offset o itself
// when it is inside the log, or else reset (as a fetch would).
func resetTarget(o int64, reset OffsetType, lb logBounds) int64 {
	if isOffsetType(o) {
		return lb.resolve(o)
	}
	return outOfRange(o, reset, lb)
}
