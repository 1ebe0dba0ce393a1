#!/usr/bin/env bash
# Builds ./build-fuzz (deploy/build-fuzz.sh: clang++-14, libFuzzer, ASan, UBSan) and runs each fuzz
# target for a fixed budget over a copy of its corpus (tests/fuzz/corpus/<target>; the checkout is
# not touched) and over its regressions. A crash, a failed FUZZ_CHECK, a sanitizer report, a leak
# or an input running past the timeout fails the run; the input that did it is kept in
# build-fuzz/crashes/<target>/.
#   tests/fuzz/run.sh                             every target, FORECASTLE_FUZZ_SECONDS each (25)
#   FORECASTLE_FUZZ_SECONDS=600 tests/fuzz/run.sh records   one target, longer
# FORECASTLE_FUZZ_FLAGS adds libFuzzer flags (e.g. "-fork=2" for two cores, "-only_ascii=1").
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/build-fuzz.sh
seconds=${FORECASTLE_FUZZ_SECONDS:-25}
read -r -a flags <<<"${FORECASTLE_FUZZ_FLAGS:-}"
targets=("$@")
((${#targets[@]})) || targets=(csv records scenario_json services)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for target in "${targets[@]}"; do
  binary=build-fuzz/tests/fuzz/fuzz_$target
  [ -x "$binary" ] || { echo "no fuzz target $target (have: csv records scenario_json services)" >&2; exit 2; }
  mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
  cp -R "tests/fuzz/corpus/$target/." "$work/$target/corpus/"
  # libFuzzer adds what it finds to the first folder only: the regressions are read, not written.
  inputs=("$work/$target/corpus")
  [ -d "tests/fuzz/regressions/$target" ] && inputs+=("tests/fuzz/regressions/$target")
  log=$work/$target/log
  if "$binary" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$work/$target/artifacts/" "${flags[@]}" "${inputs[@]}" >"$log" 2>&1; then
    # The last status line: executions, coverage, corpus, exec/s ("-fork" mode prints its own).
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 | tr -s ' \t' ' ' || true)
    echo "fuzz_$target: passed $seconds s: ${last:-$(tail -1 "$log")}"
  else
    grep -m1 'INFO: Seed:' "$log" || true  # -seed=N with the same corpus replays the run
    tail -n 80 "$log"
    mkdir -p "build-fuzz/crashes/$target"
    cp -R "$work/$target/artifacts/." "build-fuzz/crashes/$target/"
    echo "fuzz_$target: FAILED; the input is in build-fuzz/crashes/$target/ (README.md, Fuzzing, says what next)"
    failed+=("$target")
  fi
done
if ((${#failed[@]})); then
  echo "fuzz targets failed: ${failed[*]}" >&2
  exit 1
fi
