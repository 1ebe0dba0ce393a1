#!/usr/bin/env bash
# End-to-end forecast latency over gRPC: the standard scenario (bench/standard_scenario.json) on
# the 100,000-contract sample company, 100,000 paths x 36 months, through the CLI's streamed
# forecast; three runs, median reported.
# Usage: bench/e2e_forecast.sh [BUILD_DIR] [CONTRACTS] [PATHS]   (defaults: build 100000 100000)
set -euo pipefail
build=${1:-build}
contracts=${2:-100000}
paths=${3:-100000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
export FORECASTLE_SERVER="127.0.0.1:$port"
cli="$build/client/forecastle"

"$cli" sample --contracts "$contracts" --seed 1 --out "$work/company" >/dev/null
"$build/server/forecastle-server" --listen="$FORECASTLE_SERVER" --db="$work/bench.db" >"$work/server.log" 2>&1 &
server=$!
until grep -q listening "$work/server.log" 2>/dev/null; do sleep 0.05; done
"$cli" import "$work/company" >/dev/null 2>&1
"$cli" scenario create standard --file "$(dirname "$0")/standard_scenario.json" >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
times=()
for run in 1 2 3; do
  start=$(date +%s.%N)
  "$cli" forecast --scenario standard --as-of 2026-10-31 --horizon 36 --paths "$paths" --seed "$run" \
    --format csv >"$work/forecast.csv" 2>/dev/null
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc)")
  echo "run $run: $(echo "${times[-1]}" | xargs printf '%.2f') s ($(wc -l <"$work/forecast.csv") CSV lines)"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
printf 'median: %.2f s for %s paths x 36 months\n' "$median" "$paths"
echo "server peak RSS: $(grep VmHWM /proc/$server/status | awk '{printf "%.0f MiB", $2/1024}')"
