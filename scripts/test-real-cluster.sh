#!/usr/bin/env bash
# Runs gokafka's tests against a real Apache Kafka cluster: brings up the
# three-node KRaft cluster of docker-compose.yml, waits until every broker
# answers, runs `go test` with KAFKA_BROKERS pointing at it, reports how many
# tests ran and how many were skipped, and brings the cluster down again
# (also on failure or Ctrl-C).
#
#   scripts/test-real-cluster.sh                 # go test ./...
#   scripts/test-real-cluster.sh -race -run Simple .
#
# Arguments, if any, replace the default `./...` and are given to go test.
# Environment: KAFKA_WAIT (seconds to wait for the cluster, default 180),
# KEEP_CLUSTER=1 (leave it running afterwards), COMPOSE (the compose command,
# default `docker compose`, e.g. COMPOSE=docker-compose or podman-compose).
set -euo pipefail

cd "$(dirname "$0")/.."
brokers=127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094
wait_secs=${KAFKA_WAIT:-180}
read -r -a compose <<<"${COMPOSE:-docker compose}"
compose+=(-f docker-compose.yml -p gokafka-tests)
work=$(mktemp -d)

down() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ "${KEEP_CLUSTER:-}" == 1 ]]; then
		echo "cluster left running (KEEP_CLUSTER=1): ${compose[*]} down -v"
	else
		echo "--- bringing the cluster down"
		"${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
	exit "$rc"
}
trap down EXIT
trap 'exit 130' INT TERM

echo "--- starting the cluster (${compose[*]} up -d)"
"${compose[@]}" up -d

# Ready means: each broker answers a metadata request on its own, and a topic
# with three replicas can be created, so all three brokers have registered
# with the controller quorum. kafka-tools is built once, not run through
# `go run` every second.
go build -o "$work/kafka-tools" ./cmd/kafka-tools
probe="gokafka-ready-$$"
echo "--- waiting up to ${wait_secs}s for $brokers"
deadline=$((SECONDS + wait_secs))
ready=
while ((SECONDS < deadline)); do
	ok=1
	for b in ${brokers//,/ }; do
		if ! "$work/kafka-tools" -b "$b" print_topics >/dev/null 2>&1; then
			ok=
			break
		fi
	done
	if [[ -n "$ok" ]] && "$work/kafka-tools" -b "$brokers" create_topic "$probe" -p 3 -r 3 >"$work/probe.out" 2>&1; then
		ready=1
		break
	fi
	sleep 2
done
if [[ -z "$ready" ]]; then
	echo "the cluster did not answer within ${wait_secs}s; last probe said:" >&2
	cat "$work/probe.out" >&2 2>/dev/null || true
	"${compose[@]}" ps >&2 || true
	"${compose[@]}" logs --tail 50 >&2 || true
	exit 1
fi
"$work/kafka-tools" -b "$brokers" delete_topic "$probe" >/dev/null 2>&1 || true
echo "--- cluster ready after ${SECONDS}s"

args=("$@")
((${#args[@]})) || args=(./...)
echo "--- KAFKA_BROKERS=$brokers go test -v ${args[*]}"
set +e
KAFKA_BROKERS=$brokers go test -v "${args[@]}" >"$work/test.out" 2>&1
status=$?
set -e
# -v output is long; show failures, package results and the backend counts.
grep -E '^(--- FAIL|FAIL|ok |panic:)|kafkatest: ' "$work/test.out" || true
if ((status != 0)); then
	echo "--- go test failed (exit $status); the end of its output:"
	tail -n 80 "$work/test.out"
fi
ran=$(grep -cE '^\s*--- PASS: Test' "$work/test.out" || true)
failed=$(grep -cE '^\s*--- FAIL: Test' "$work/test.out" || true)
skipped=$(grep -cE '^\s*--- SKIP: Test' "$work/test.out" || true)
echo "--- against $brokers: $ran passed, $failed failed, $skipped skipped (tests and subtests)"
exit "$status"
