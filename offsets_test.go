package kafka

import "testing"

func ptr(v int64) *int64 { return &v }

// TestStartOffset is the guide's table: log holds offsets 10..19 (start 10,
// next 20).
func TestStartOffset(t *testing.T) {
	lb := logBounds{start: 10, end: 20}
	for _, tc := range []struct {
		name         string
		committed    *int64
		reset        OffsetType
		resetOnStart bool
		want         int64
	}{
		{"new group, earliest", nil, OffsetEarliest, false, 10},
		{"new group, latest", nil, OffsetLatest, false, 20},
		{"new group ignores ResetOffsetOnStart", nil, OffsetLatest, true, 20},
		{"no group starts as a new one (not at 0)", nil, OffsetEarliest, false, 10},
		{"existing group continues: consumed to 14, committed 15", ptr(15), OffsetLatest, false, 15},
		{"existing group continues at the start of the log", ptr(10), OffsetLatest, false, 10},
		{"existing group caught up", ptr(20), OffsetEarliest, false, 20},
		{"existing group, ResetOffsetOnStart, earliest", ptr(15), OffsetEarliest, true, 10},
		{"existing group, ResetOffsetOnStart, latest", ptr(15), OffsetLatest, true, 20},
		{"committed offset deleted by retention -> earliest", ptr(3), OffsetEarliest, false, 10},
		{"committed offset deleted by retention -> latest", ptr(3), OffsetLatest, false, 20},
		{"committed beyond the end (data loss) -> reset", ptr(25), OffsetEarliest, false, 10},
	} {
		if got := startOffset(tc.committed, tc.reset, tc.resetOnStart, lb); got != tc.want {
			t.Errorf("%s: start at %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestOutOfRange(t *testing.T) {
	lb := logBounds{start: 100, end: 200}
	for _, tc := range []struct {
		offset int64
		reset  OffsetType
		want   int64
	}{
		{50, OffsetEarliest, 100},
		{50, OffsetLatest, 200},
		{250, OffsetEarliest, 100},
		{250, OffsetLatest, 200},
		{150, OffsetLatest, 150},
		{200, OffsetEarliest, 200},
	} {
		if got := outOfRange(tc.offset, tc.reset, lb); got != tc.want {
			t.Errorf("offset %d, reset %v: got %d, want %d", tc.offset, tc.reset, got, tc.want)
		}
	}
}

func TestOffsetTypeDefault(t *testing.T) {
	var zero OffsetType
	if offsetResetOrDefault(zero) != OffsetEarliest || offsetResetOrDefault(OffsetLatest) != OffsetLatest {
		t.Fatal("the zero OffsetType means pykafka's default, earliest")
	}
	if OffsetEarliest != -2 || OffsetLatest != -1 {
		t.Fatal("OffsetEarliest and OffsetLatest are Kafka's -2 and -1")
	}
	cfg, err := SimpleConsumerConfig{}.withDefaults()
	if err != nil || cfg.AutoOffsetReset != OffsetEarliest {
		t.Fatalf("a zero AutoOffsetReset became %d (%v), want OffsetEarliest", cfg.AutoOffsetReset, err)
	}
}

// TestOffsetTypeIsAnOffset: the sentinels go where an int64 offset goes,
// with no conversion (this compiles only if they do), and ResetOffsets
// resolves them to the log's bounds.
func TestOffsetTypeIsAnOffset(t *testing.T) {
	offsets := map[int32]int64{0: OffsetEarliest, 1: OffsetLatest, 2: 150, 3: 50}
	var reset OffsetType = OffsetLatest
	lb := logBounds{start: 100, end: 200}
	want := map[int32]int64{0: 100, 1: 200, 2: 150, 3: 200}
	for p, o := range offsets {
		if got := resetTarget(o, reset, lb); got != want[p] {
			t.Errorf("partition %d, reset to %d: got %d, want %d", p, o, got, want[p])
		}
	}
}
