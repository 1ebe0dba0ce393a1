#!/usr/bin/env bash
# Many clients at once, plaintext and then over TLS with bearer tokens (--auth), for bench/README.md:
# per call type the calls made, p50 and p99, every status that was not OK, and the server's RSS
# before and after (VmRSS; the peak, VmHWM).
# Usage: bench/load.sh [BUILD_DIR] [CLIENTS] [SECONDS] [CONTRACTS]   (defaults: build 64 60 2000)
set -euo pipefail
build=${1:-build}
clients=${2:-64}
seconds=${3:-60}
contracts=${4:-2000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1 /proc/loadavg)"
"$build/client/forecastle" sample --contracts "$contracts" --seed 1 --out "$work/company" >/dev/null
sh "$root/tests/testing/make_certs.sh" "$work/certs" >/dev/null 2>&1

rss() { awk '/VmRSS|VmHWM/ {printf "%s %.0f MiB  ", $1, $2 / 1024}' "/proc/$1/status"; echo; }

run() {  # run NAME SERVER_FLAGS... ; LOAD_FLAGS in $load_flags
  local name=$1
  shift
  "$build/server/forecastle-server" --listen="127.0.0.1:$port" --db="$work/load.db" --request_log=off "$@" \
    >"$work/server.log" 2>&1 &
  local pid=$!
  until grep -q listening "$work/server.log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
    sleep 0.05
  done
  echo "== $name: $clients clients for $seconds s"
  echo "server before: $(rss "$pid")"
  "$build/bench/load" --server="localhost:$port" --clients="$clients" --seconds="$seconds" $load_flags || true
  echo "server after:  $(rss "$pid")"
  kill -TERM "$pid"
  wait "$pid" || true
}

# One database for both runs: the company imported once, plaintext.
"$build/server/forecastle-server" --listen="127.0.0.1:$port" --db="$work/load.db" --request_log=off >"$work/server.log" 2>&1 &
pid=$!
until grep -q listening "$work/server.log" 2>/dev/null; do sleep 0.05; done
"$build/client/forecastle" --server "127.0.0.1:$port" import "$work/company" >/dev/null 2>&1
kill -TERM "$pid"
wait "$pid" || true
token=$("$build/server/forecastle-server" --db="$work/load.db" --create_token=load --role=writer | tail -1)

load_flags=""
run plaintext
load_flags="--ca=$work/certs/ca.crt --token=$token"
run "TLS + tokens" --tls_cert="$work/certs/server.crt" --tls_key="$work/certs/server.key" --auth
