#!/bin/sh
# compare.sh runs the benchmarks of gokafka and franz-go several
# times, interleaved (each run goes through both clients, one sub-benchmark
# after the other), and prints the median and min–max of every metric per
# benchmark and client, with the ratio franz-go/gokafka of the medians.
#
# usage: ./compare.sh [benchtime [bench-regexp]]
#
#   benchtime     messages per run and sub-benchmark, as go test's
#                 -benchtime (default 20000x)
#   bench-regexp  the benchmarks (default '(Produce|Consume).*/(gokafka|franz-go)')
#   RUNS          environment: how many runs (default 5)
#
# The raw go test output is kept in $OUT (default a temporary file), whose
# name is printed. See doc.go for the commands behind issues 13's and 14's
# figures.
set -eu

benchtime=${1:-20000x}
bench=${2:-'(Produce|Consume).*/(gokafka|franz-go)'}
runs=${RUNS:-5}

cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=${OUT:-$tmp/bench.txt}
: >"$out"

# One binary for every run: StartProcess runs it again as the cluster.
go test -c -o "$tmp/bench.test" .
i=1
while [ "$i" -le "$runs" ]; do
	echo "run $i of $runs: -bench '$bench' -benchtime $benchtime" >&2
	"$tmp/bench.test" -test.run '^$' -test.bench "$bench" -test.benchtime "$benchtime" \
		-test.count 1 | tee -a "$out" >&2
	i=$((i + 1))
done
if [ -n "${OUT:-}" ]; then
	echo "raw results in $out" >&2
fi
go run ./cmd/summarize <"$out"
