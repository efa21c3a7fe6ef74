//go:build !unix

package bench

import "time"

// cpuTime returns -1: the process's CPU time is not measured here.
func cpuTime() time.Duration { return -1 }

// minorFaults returns -1: page faults are not counted here.
func minorFaults() int64 { return -1 }
