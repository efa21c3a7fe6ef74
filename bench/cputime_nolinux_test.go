//go:build !linux

package bench

import "time"

// childrenCPUTime returns -1: the cluster process's CPU time is read from
// Linux's /proc only.
func childrenCPUTime() time.Duration { return -1 }
