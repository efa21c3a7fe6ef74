//go:build unix

package bench

import (
	"syscall"
	"time"
)

// cpuTime returns the user and system CPU time the process has used, its
// children (the cluster process) not included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// minorFaults returns the page faults the process has taken that needed no
// I/O: mostly first touches of memory the runtime got from the system,
// which cost far more than the copy into it on some machines.
func minorFaults() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return int64(ru.Minflt)
}
