#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: install, build, start forecastle-server on its
# embedded SQLite database, import the sample company, print actuals and backlog, calibrate a
# scenario and print a forecast (and chart it to build/demo/forecast.svg).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh

demo=build/demo
port=${FORECASTLE_DEMO_PORT:-50051}
rm -rf "$demo" && mkdir -p "$demo"
export FORECASTLE_SERVER="127.0.0.1:$port"

build/client/forecastle sample --contracts "${FORECASTLE_DEMO_CONTRACTS:-10000}" --seed 1 --out "$demo/company"
build/server/forecastle-server --listen="$FORECASTLE_SERVER" --db="$demo/forecastle.db" >"$demo/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q listening "$demo/server.log" 2>/dev/null && break; sleep 0.1; done
cat "$demo/server.log"

build/client/forecastle import "$demo/company"
echo
echo "== Actuals by month, last 12 months (exact to the cent) =="
build/client/forecastle actuals --from 2025-11 --to 2026-10 --as-of 2026-10-31
echo
echo "== Actuals by quarter =="
build/client/forecastle actuals --from 2025-01 --to 2026-12 --grain quarter --as-of 2026-10-31
echo
echo "== Backlog aging and cRPO by segment =="
build/client/forecastle backlog --as-of 2026-10-31 --by segment
echo
echo "== Scenario calibrated from the actuals (first rows) =="
build/client/forecastle calibrate --as-of 2026-10-31 --save-as calibrated >"$demo/calibration.txt"
head -12 "$demo/calibration.txt"
echo "... ($(($(wc -l <"$demo/calibration.txt") - 1)) values in $demo/calibration.txt)"
echo
echo "== Forecast, next 12 months, calibrated scenario: bookings, revenue, backlog (P10/P50/P90) =="
build/client/forecastle forecast --scenario calibrated --as-of 2026-10-31 --horizon 12 --paths 20000 --seed 7 \
  --format csv --plot "$demo/forecast.svg" |
  awk -F, 'NR == 1 || $2 == "bookings" || $2 == "revenue" || $2 == "backlog"' | column -t -s,
echo
echo "Chart of every metric (the exact history, then from the as-of line the P10-P90 fan and P50): open $PWD/$demo/forecast.svg in a browser."
echo
echo "== Backtest: forecasts from 2025's quarter ends, calibrated then, scored against the 12 months after =="
build/client/forecastle backtest --from 2025-01 --to 2025-10 --step 3 --horizon 12 --paths 1000
