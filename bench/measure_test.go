package bench

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"
	"time"
)

// A measurement covers a benchmark's timed part and reports, per message:
// the time (ns/msg), the process's allocations (allocs/msg, B/msg), its
// CPU time, user plus system (cpu-ns/msg: the broker is another process,
// so this is the client's, with the Go runtime's work for it), the
// cluster process's CPU time meanwhile (broker-cpu-ns/msg: what serving the
// client cost the broker, which shares the machine's cores with it), and,
// when asked, the process's peak resident set during the part
// (peak-RSS-MB).
type measurement struct {
	b   *testing.B
	mem runtime.MemStats
	cpu time.Duration // -1 where the platform cannot tell
	// faults is the process's minor page faults at the start (faults/msg),
	// -1 where the platform cannot tell.
	faults int64
	// brokerCPU is the cluster process's CPU time at the start, -1 where
	// the platform cannot tell.
	brokerCPU time.Duration
	rss       *peakRSS // nil unless asked for and available
}

// startMeasure starts a measurement and resets b's timer. The benchmarks
// of one process share its heap, so it first collects the garbage of the
// ones before and returns the freed memory to the system: one client's
// leftovers must not count against the next.
func startMeasure(b *testing.B, withRSS bool) *measurement {
	runtime.GC()
	debug.FreeOSMemory()
	m := &measurement{b: b}
	if withRSS {
		m.rss = startPeakRSS()
	}
	m.cpu = cpuTime()
	m.faults = minorFaults()
	m.brokerCPU = childrenCPUTime()
	// Last, and first in report: reading /proc allocates, and the
	// measurement's own allocations are not the client's.
	runtime.ReadMemStats(&m.mem)
	b.ResetTimer()
	return m
}

// report stops b's timer and reports the measurement for msgs messages.
func (m *measurement) report(msgs int) {
	m.b.StopTimer()
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	cpu := cpuTime()
	faults := minorFaults()
	brokerCPU := childrenCPUTime()
	n := float64(max(msgs, 1))
	m.b.ReportMetric(float64(m.b.Elapsed().Nanoseconds())/n, "ns/msg")
	m.b.ReportMetric(float64(mem.Mallocs-m.mem.Mallocs)/n, "allocs/msg")
	m.b.ReportMetric(float64(mem.TotalAlloc-m.mem.TotalAlloc)/n, "B/msg")
	if cpu >= 0 && m.cpu >= 0 {
		m.b.ReportMetric(float64((cpu-m.cpu).Nanoseconds())/n, "cpu-ns/msg")
	}
	if faults >= 0 && m.faults >= 0 {
		m.b.ReportMetric(float64(faults-m.faults)/n, "faults/msg")
	}
	if brokerCPU >= 0 && m.brokerCPU >= 0 {
		m.b.ReportMetric(float64((brokerCPU-m.brokerCPU).Nanoseconds())/n, "broker-cpu-ns/msg")
	}
	if m.rss != nil {
		if peak := m.rss.stop(); peak > 0 {
			m.b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
		}
	}
}

// peakRSS finds the process's peak resident set from a start on: Linux
// (4.0 and later) resets the peak it keeps, VmHWM, when "5" is written to
// /proc/self/clear_refs. Where that fails, a goroutine samples the
// resident set, VmRSS, every 10 ms and keeps the largest.
type peakRSS struct {
	// Sampling only: max is the sampler's until done is closed.
	stopc chan struct{}
	done  chan struct{}
	max   int64
}

// startPeakRSS returns nil where /proc/self/status cannot be read.
func startPeakRSS() *peakRSS {
	if resetPeakRSS() {
		return &peakRSS{}
	}
	rss, err := readRSS("VmRSS:")
	if err != nil {
		return nil
	}
	p := &peakRSS{stopc: make(chan struct{}), done: make(chan struct{}), max: rss}
	go p.sample()
	return p
}

// resetPeakRSS resets VmHWM, and says if it worked: a kernel before 4.0
// refuses "5" or, if it accepts it, leaves the peak above the resident set.
func resetPeakRSS() bool {
	f, err := os.OpenFile("/proc/self/clear_refs", os.O_WRONLY, 0)
	if err != nil {
		return false
	}
	_, err = f.Write([]byte("5"))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return false
	}
	hwm, err1 := statusField(status, "VmHWM:")
	rss, err2 := statusField(status, "VmRSS:")
	return err1 == nil && err2 == nil && hwm <= rss+1<<20 // the set may grow between the two lines
}

func (p *peakRSS) sample() {
	defer close(p.done)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.stopc:
			return
		case <-tick.C:
		}
		if rss, err := readRSS("VmRSS:"); err == nil {
			p.max = max(p.max, rss)
		}
	}
}

// stop returns the peak in bytes, or 0 if it cannot tell.
func (p *peakRSS) stop() int64 {
	if p.stopc == nil {
		hwm, err := readRSS("VmHWM:")
		if err != nil {
			return 0
		}
		return hwm
	}
	close(p.stopc)
	<-p.done
	if rss, err := readRSS("VmRSS:"); err == nil {
		p.max = max(p.max, rss)
	}
	return p.max
}

// readRSS reads a field of /proc/self/status, in bytes.
func readRSS(field string) (int64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	return statusField(status, field)
}

// statusField parses a line like "VmHWM:\t  207620 kB" of
// /proc/self/status, and returns its value in bytes.
func statusField(status []byte, field string) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte(field))
		if !ok {
			continue
		}
		num, ok := bytes.CutSuffix(bytes.TrimSpace(rest), []byte(" kB"))
		if !ok {
			return 0, errors.New("no kB in " + sc.Text())
		}
		kb, err := strconv.ParseInt(string(bytes.TrimSpace(num)), 10, 64)
		if err != nil {
			return 0, err
		}
		return kb << 10, nil
	}
	return 0, errors.New(field + " not in /proc/self/status")
}
