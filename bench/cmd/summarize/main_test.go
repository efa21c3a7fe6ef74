package main

import (
	"bytes"
	"strings"
	"testing"
)

// canned is go test -bench output of two runs, with the lines around
// results that go test prints.
const canned = `goos: linux
goarch: amd64
pkg: github.com/gokafka/kafka/bench
cpu: Some CPU
BenchmarkProduce/gokafka/100B-2   	   20000	       500.0 ns/op	 200.00 MB/s	      10.00 B/msg	         0.01000 allocs/msg	       300.0 cpu-ns/msg	       500.0 ns/msg
BenchmarkProduce/franz-go/100B-2  	   20000	       700.0 ns/op	 142.86 MB/s	     200.0 B/msg	         2.000 allocs/msg	       600.0 cpu-ns/msg	       700.0 ns/msg
BenchmarkProduceLatency/gokafka/5ms/1KiB-2         	   20000	      2000 ns/op	        40.00 peak-RSS-MB	      1000 cpu-ns/msg	      2000 ns/msg
BenchmarkProduceLatency/franz-go/5ms/1KiB-2        	   20000	      3000 ns/op	        50.00 peak-RSS-MB	      2000 cpu-ns/msg	      3000 ns/msg
PASS
ok  	github.com/gokafka/kafka/bench	3.2s
BenchmarkProduce/gokafka/100B-2   	   20000	       600.0 ns/op	 166.67 MB/s	      12.00 B/msg	         0.02000 allocs/msg	       340.0 cpu-ns/msg	       600.0 ns/msg
--- FAIL: BenchmarkOther
BenchmarkProduce/franz-go/100B-2  	   20000	       900.0 ns/op	 111.11 MB/s	     220.0 B/msg	         2.000 allocs/msg	       640.0 cpu-ns/msg	       900.0 ns/msg
BenchmarkProduceLatency/gokafka/5ms/1KiB-2         	   20000	      2200 ns/op	        44.00 peak-RSS-MB	      1100 cpu-ns/msg	      2200 ns/msg
BenchmarkProduceLatency/franz-go/5ms/1KiB-2        	   20000	      3300 ns/op	        50.00 peak-RSS-MB	      2200 cpu-ns/msg	      3300 ns/msg
BenchmarkProduceLatency/franz-go/5ms/1KiB-2        	   20000	      3400 ns/op	        52.00 peak-RSS-MB	      2300 cpu-ns/msg	      3400 ns/msg
`

func TestParse(t *testing.T) {
	res, err := parse(strings.NewReader(canned))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Produce/100B", "ProduceLatency/5ms/1KiB"}; strings.Join(res.order, ",") != strings.Join(want, ",") {
		t.Errorf("benchmarks %q, want %q", res.order, want)
	}
	if got := res.clients["Produce/100B"]; strings.Join(got, ",") != "gokafka,franz-go" {
		t.Errorf("clients %q", got)
	}
	if got := res.values["Produce/100B"]["gokafka"]["ns/msg"]; len(got) != 2 || got[0] != 500 || got[1] != 600 {
		t.Errorf("gokafka ns/msg %v, want [500 600]", got)
	}
	if got := res.values["Produce/100B"]["gokafka"]["ns/op"]; got != nil {
		t.Errorf("ns/op kept: %v", got)
	}
	if got := res.runs("ProduceLatency/5ms/1KiB", "franz-go"); got != 3 {
		t.Errorf("franz-go runs %d, want 3", got)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		vs   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.vs); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.vs, got, tc.want)
		}
	}
}

func TestPrint(t *testing.T) {
	res, err := parse(strings.NewReader(canned))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res.print(&out)
	t.Log("\n" + out.String())
	// row returns the row of a metric ("" for the head) in a table.
	row := func(table, metric string) string {
		lines := strings.Split(out.String(), "\n")
		for i, l := range lines {
			if !strings.HasPrefix(l, table+" ") {
				continue
			}
			if metric == "" {
				return l
			}
			for _, l := range lines[i+1:] {
				if l == "" {
					break
				}
				if strings.HasPrefix(strings.TrimSpace(l), metric+" ") {
					return l
				}
			}
		}
		t.Fatalf("no row %q in table %q", metric, table)
		return ""
	}
	for _, tc := range []struct {
		table, metric string
		want          []string
	}{
		{"Produce/100B", "", []string{"gokafka (2 runs)", "franz-go (2 runs)", "franz-go/gokafka"}},
		// Medians, spreads, and the ratios of the medians: 800/550, 620/320.
		{"Produce/100B", "ns/msg", []string{"550 (500–600)", "800 (700–900)", "1.45×"}},
		{"Produce/100B", "cpu-ns/msg", []string{"320 (300–340)", "620 (600–640)", "1.94×"}},
		{"Produce/100B", "allocs/msg", []string{"0.015 (0.01–0.02)", "2 (2–2)"}},
		// With an odd number of franz-go runs.
		{"ProduceLatency/5ms/1KiB", "", []string{"gokafka (2 runs)", "franz-go (3 runs)"}},
		{"ProduceLatency/5ms/1KiB", "ns/msg", []string{"2100 (2000–2200)", "3300 (3000–3400)", "1.57×"}},
		{"ProduceLatency/5ms/1KiB", "peak-RSS-MB", []string{"42 (40–44)", "50 (50–52)", "1.19×"}},
	} {
		line := row(tc.table, tc.metric)
		for _, s := range tc.want {
			if !strings.Contains(line, s) {
				t.Errorf("%s %s: %q lacks %q", tc.table, tc.metric, line, s)
			}
		}
	}
	if strings.Contains(row("Produce/100B", "allocs/msg"), "×") {
		t.Error("a ratio for allocs/msg")
	}
	if strings.Contains(out.String(), "ns/op") || strings.Contains(out.String(), "MB/s") {
		t.Error("ns/op or MB/s printed: they repeat ns/msg")
	}
}
