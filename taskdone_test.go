package kafka

import "testing"

func TestDoneTrackerCommitsUpToTheOldestUndone(t *testing.T) {
	var tr doneTracker
	tp := TopicPartition{"t", 0}
	msgs := make([]Message, 5)
	for i := range msgs {
		msgs[i] = Message{Topic: "t", Partition: 0, Offset: int64(10 + i)}
		tr.consumed(&msgs[i])
	}
	if got := tr.commitPoint(tp, 15); got != 10 {
		t.Fatalf("nothing done: commit at %d, want 10", got)
	}
	tr.markDone(&msgs[1])
	tr.markDone(&msgs[3])
	if got := tr.commitPoint(tp, 15); got != 10 {
		t.Fatalf("10 not done: commit at %d, want 10", got)
	}
	tr.markDone(&msgs[0])
	if got := tr.commitPoint(tp, 15); got != 12 {
		t.Fatalf("10, 11 done: commit at %d, want 12", got)
	}
	if tr.markDone(&msgs[0]) {
		t.Fatal("marking twice reports false")
	}
	tr.markDone(&msgs[2])
	tr.markDone(&msgs[4])
	if got := tr.commitPoint(tp, 15); got != 15 {
		t.Fatalf("all done: commit at %d, want the held offset 15", got)
	}
	tr.forget([]TopicPartition{tp})
	if tr.markDone(&Message{Topic: "t", Offset: 20}) {
		t.Fatal("a forgotten partition's message is not tracked")
	}
}
