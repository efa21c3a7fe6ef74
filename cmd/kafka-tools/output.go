package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// writeTable prints rows under a header, columns aligned, for people.
func writeTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// writeJSON prints v as one line of JSON, for scripts.
func writeJSON(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}

// ids formats broker or partition IDs as "1,2,3".
func ids(v []int32) string {
	s := make([]string, len(v))
	for i, id := range v {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ",")
}

// count writes n with noun, in the plural unless n is 1: "1 message",
// "3 messages".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// progressLine keeps one line on stderr up to date during a long
// operation, at most every interval, and clears it at the end.
type progressLine struct {
	w        io.Writer
	interval time.Duration

	mu   sync.Mutex
	last time.Time
	len  int
}

func newProgress(e *env) *progressLine {
	if !e.progress {
		return nil
	}
	return &progressLine{w: e.stderr, interval: 200 * time.Millisecond}
}

// update rewrites the line, unless it was written less than interval ago
// and force is false. A nil progressLine prints nothing.
func (p *progressLine) update(force bool, format string, args ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if !force && now.Sub(p.last) < p.interval {
		return
	}
	p.last = now
	msg := fmt.Sprintf(format, args...)
	pad := ""
	if n := p.len - len(msg); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(p.w, "\r%s%s", msg, pad)
	p.len = len(msg)
}

// done ends the progress line, leaving its last state visible.
func (p *progressLine) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.len > 0 {
		fmt.Fprintln(p.w)
	}
}
