package kafka

// KillShareConsumer stops sc as a crashed process would: no more requests,
// no acknowledgements, no leave, connections left open (so the broker can
// only notice through its timeouts). The connections close when the test
// ends.
func KillShareConsumer(tb interface{ Cleanup(func()) }, sc *ShareConsumer) {
	sc.kill()
	tb.Cleanup(sc.closeKilled)
}
