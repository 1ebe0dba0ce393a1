#!/usr/bin/env bash
# Issue 16's storage and speed check: the sample company imported, then every opportunity revised
# 9 times (its amount moved 1% a pass: 10 versions each), each pass one `forecastle import` of
# opportunities.csv alone. Prints each pass's revisions a second, then the server's start on the
# loaded database, metrics latency (bench/e2e_actuals) and the database's size, for bench/README.md.
# Usage: bench/versions.sh [BUILD_DIR] [CONTRACTS] [PASSES]   (defaults: build 100000 9)
set -euo pipefail
build=${1:-build}
contracts=${2:-100000}
passes=${3:-9}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))

"$build/client/forecastle" sample --contracts "$contracts" --seed 1 --out "$work/company" >/dev/null
opportunities=$(($(wc -l <"$work/company/opportunities.csv") - 1))
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1 /proc/loadavg)"
echo "company: $contracts contracts, $(cat "$work"/company/*.csv | wc -l) CSV lines, $opportunities opportunities"

start_server() {
  "$build/server/forecastle-server" --listen="127.0.0.1:$port" --db="$work/bench.db" --request_log=off \
    >"$work/server.log" 2>&1 &
  server_pid=$!
  until grep -q listening "$work/server.log" 2>/dev/null; do sleep 0.05; done
}

seconds() { date +%s.%N; }

start_server
t0=$(seconds)
"$build/client/forecastle" --server "127.0.0.1:$port" import "$work/company" >/dev/null 2>&1
echo "import: $(awk -v a="$t0" -v b="$(seconds)" 'BEGIN {printf "%.2f", b - a}') s"
mkdir -p "$work/pass"
for ((k = 1; k <= passes; ++k)); do
  # Column 3 is amount (SPEC §3.4's opportunities.csv order, as `forecastle sample` writes it).
  awk -F, -v OFS=, -v k="$k" 'NR == 1 { print; next } { $3 = sprintf("%.2f", $3 * (1 + k / 100)); print }' \
    "$work/company/opportunities.csv" >"$work/pass/opportunities.csv"
  t0=$(seconds)
  "$build/client/forecastle" --server "127.0.0.1:$port" import "$work/pass" >"$work/pass.log" 2>&1
  t1=$(seconds)
  grep -q "revised" "$work/pass.log" || { cat "$work/pass.log"; exit 1; }
  echo "pass $k: $opportunities revisions in $(awk -v a="$t0" -v b="$t1" -v n="$opportunities" 'BEGIN {printf "%.2f s = %.0f revisions/s", b - a, n / (b - a)}')"
done
kill -TERM "$server_pid"; wait "$server_pid" || true

start_server
sed -n 's/.*(database .*: \(.*\) records, ready in \(.*\) s)/server start: \1 records replayed in \2 s/p' "$work/server.log"
"$build/bench/e2e_actuals" --server="127.0.0.1:$port" --queries=200
echo "server peak RSS after restart and queries: $(grep VmHWM /proc/$server_pid/status | awk '{printf "%.0f MiB", $2/1024}')"
echo "database size: $(du -m "$work/bench.db" | cut -f1) MiB"
kill -TERM "$server_pid"; wait "$server_pid" || true
