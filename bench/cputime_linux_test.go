//go:build linux

package bench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of /proc/<pid>/stat's CPU times: USER_HZ, which
// Linux fixes at 100 for user space whatever the kernel's own tick.
const clockTick = 10 * time.Millisecond

// childrenCPUTime returns the user and system CPU time used so far by the
// process's live children: the cluster process a benchmark started, whose
// work for a client is part of what that client costs. It returns -1 if
// /proc cannot tell. Its resolution is a clock tick (10 ms).
func childrenCPUTime() time.Duration {
	tasks, err := filepath.Glob("/proc/self/task/*/children")
	if err != nil || len(tasks) == 0 {
		return -1
	}
	var total time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			return -1
		}
		for _, pid := range strings.Fields(string(b)) {
			d, ok := processCPUTime(pid)
			if !ok {
				return -1
			}
			total += d
		}
	}
	return total
}

// processCPUTime reads utime and stime, the 14th and 15th fields of
// /proc/<pid>/stat, counted after the command name, which is in
// parentheses and may itself hold spaces.
func processCPUTime(pid string) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * clockTick, true
}
