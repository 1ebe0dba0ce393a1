#!/usr/bin/env bash
# End-to-end actuals numbers for bench/README.md: streaming import throughput into SQLite, metrics
# query latency (median, p99), server start time on the loaded database, and peak RSS.
# Usage: bench/e2e_actuals.sh [BUILD_DIR] [CONTRACTS]   (defaults: build 100000)
set -euo pipefail
build=${1:-build}
contracts=${2:-100000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))

"$build/client/forecastle" sample --contracts "$contracts" --seed 1 --out "$work/company" >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "company: $contracts contracts, $(cat "$work"/company/*.csv | wc -l) CSV lines"

start_server() {
  "$build/server/forecastle-server" --listen="127.0.0.1:$port" --db="$work/bench.db" ${FORECASTLE_SERVER_FLAGS:-} >"$work/server.log" 2>&1 &
  server_pid=$!
  until grep -q listening "$work/server.log" 2>/dev/null; do sleep 0.05; done
}

start_server
"$build/bench/e2e_actuals" --server="127.0.0.1:$port" --import="$work/company" --queries=0
echo "server peak RSS after import: $(grep VmHWM /proc/$server_pid/status | awk '{printf "%.0f MiB", $2/1024}')"
kill -TERM "$server_pid"; wait "$server_pid" || true

# Restart on the loaded database: the start time is the ledger replay.
start_server
sed -n 's/.*(database .*: \(.*\) records, ready in \(.*\) s)/server start: \1 records replayed in \2 s/p' "$work/server.log"
"$build/bench/e2e_actuals" --server="127.0.0.1:$port" --queries=200
echo "server peak RSS after restart and queries: $(grep VmHWM /proc/$server_pid/status | awk '{printf "%.0f MiB", $2/1024}')"
echo "database size: $(du -m "$work/bench.db" | cut -f1) MiB"
kill -TERM "$server_pid"; wait "$server_pid" || true
