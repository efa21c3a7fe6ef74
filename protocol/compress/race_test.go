//go:build race

package compress

// raceEnabled reports whether the race detector is on; it makes sync.Pool
// drop entries at random, which defeats allocation counts.
const raceEnabled = true
