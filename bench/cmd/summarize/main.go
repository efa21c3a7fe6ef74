// Summarize reads the output of go test -bench, run several times (with
// -count or in a loop), on stdin and prints, per benchmark and client, the
// median and the spread (min–max) of every per-message metric, and the
// ratio franz-go/gokafka of the medians.
//
// A benchmark's name is Benchmark<Name>/<client>/<rest>, as in the bench
// module (BenchmarkProduce/gokafka/100B,
// BenchmarkProduceLatency/franz-go/5ms/1KiB); runs of the same name with
// another client are compared. bench/compare.sh runs it:
//
//	go test -run '^$' -bench 'Produce.*/(gokafka|franz-go)' -count 5 | go run ./cmd/summarize
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// The clients whose ratio is printed: other/base, so that a ratio above 1
// means base (gokafka) takes less time, CPU or memory per message.
const (
	base  = "gokafka"
	other = "franz-go"
)

// metricOrder is the order metrics are printed in; others follow by name.
// The ones in skip repeat a per-message metric (b.N counts messages).
var (
	metricOrder = []string{"ns/msg", "cpu-ns/msg", "broker-cpu-ns/msg", "allocs/msg", "B/msg", "peak-RSS-MB"}
	skip        = map[string]bool{"ns/op": true, "B/op": true, "allocs/op": true, "MB/s": true}
)

func main() {
	results, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "summarize:", err)
		os.Exit(1)
	}
	if len(results.order) == 0 {
		fmt.Fprintln(os.Stderr, "summarize: no benchmark results on stdin")
		os.Exit(1)
	}
	results.print(os.Stdout)
}

// results holds every value of every metric, by benchmark (the name
// without its client), client and metric, with the order each was first
// seen in.
type results struct {
	order   []string                                   // benchmarks
	clients map[string][]string                        // benchmark → clients
	values  map[string]map[string]map[string][]float64 // benchmark → client → metric → values
}

// procs is the -GOMAXPROCS suffix go test adds to names.
var procs = regexp.MustCompile(`-\d+$`)

// parse reads benchmark lines ("BenchmarkX/client/size-2  1000  12 ns/op
// 3.5 ns/msg ..."), ignoring every other line.
func parse(r io.Reader) (*results, error) {
	res := &results{clients: map[string][]string{}, values: map[string]map[string]map[string][]float64{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue // not a result line
		}
		parts := strings.Split(procs.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), ""), "/")
		if len(parts) < 2 {
			continue // no client in the name
		}
		client := parts[1]
		bench := strings.Join(append([]string{parts[0]}, parts[2:]...), "/")
		if res.values[bench] == nil {
			res.order = append(res.order, bench)
			res.values[bench] = map[string]map[string][]float64{}
		}
		if res.values[bench][client] == nil {
			res.clients[bench] = append(res.clients[bench], client)
			res.values[bench][client] = map[string][]float64{}
		}
		for i := 2; i < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: value %q: %w", f[0], f[i], err)
			}
			unit := f[i+1]
			if !skip[unit] {
				res.values[bench][client][unit] = append(res.values[bench][client][unit], v)
			}
		}
	}
	return res, sc.Err()
}

// ratioMetrics are the metrics whose medians are compared: time, CPU and
// memory per message (allocation counts near zero make poor ratios).
var ratioMetrics = map[string]bool{"ns/msg": true, "cpu-ns/msg": true, "peak-RSS-MB": true}

// print writes one table per benchmark: a row per metric, a column per
// client with "median (min–max)", and the ratio of the medians.
func (res *results) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	for i, bench := range res.order {
		if i > 0 {
			row()
		}
		clients := res.clients[bench]
		ratio := slices.Contains(clients, base) && slices.Contains(clients, other)
		head := []string{bench}
		for _, c := range clients {
			head = append(head, fmt.Sprintf("%s (%d runs)", c, res.runs(bench, c)))
		}
		if ratio {
			head = append(head, other+"/"+base)
		}
		row(head...)
		for _, metric := range res.metrics(bench) {
			cells := []string{"  " + metric}
			for _, c := range clients {
				vs := res.values[bench][c][metric]
				if len(vs) == 0 {
					cells = append(cells, "-")
					continue
				}
				cells = append(cells, fmt.Sprintf("%s (%s–%s)", num(median(vs)), num(slices.Min(vs)), num(slices.Max(vs))))
			}
			if ratio {
				// An empty cell where there is no ratio keeps the
				// columns of the rows around it aligned.
				r := ""
				b, o := res.values[bench][base][metric], res.values[bench][other][metric]
				if ratioMetrics[metric] && len(b) > 0 && len(o) > 0 && median(b) > 0 {
					r = fmt.Sprintf("%.2f×", median(o)/median(b))
				}
				cells = append(cells, r)
			}
			row(cells...)
		}
	}
	tw.Flush()
}

// runs returns how many runs of a benchmark a client has: the count of
// its most frequent metric.
func (res *results) runs(bench, client string) int {
	n := 0
	for _, vs := range res.values[bench][client] {
		n = max(n, len(vs))
	}
	return n
}

// metrics returns the metrics a benchmark has, in metricOrder and then by
// name.
func (res *results) metrics(bench string) []string {
	seen := map[string]bool{}
	for _, byMetric := range res.values[bench] {
		for m := range byMetric {
			seen[m] = true
		}
	}
	var ms []string
	for _, m := range metricOrder {
		if seen[m] {
			ms = append(ms, m)
			delete(seen, m)
		}
	}
	var rest []string
	for m := range seen {
		rest = append(rest, m)
	}
	slices.Sort(rest)
	return append(ms, rest...)
}

// median returns the median of vs, which must not be empty.
func median(vs []float64) float64 {
	s := slices.Sorted(slices.Values(vs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// num formats a value with three significant digits, or as an integer
// from 100 on.
func num(v float64) string {
	if v >= 100 || v <= -100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
