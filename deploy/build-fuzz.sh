#!/usr/bin/env bash
# Configures and builds forecastle's libFuzzer targets (tests/fuzz/) with clang++-14 into
# ./build-fuzz, with Ninja and ccache: the libraries instrumented for coverage, ASan and UBSan
# (-fsanitize=fuzzer-no-link,address,undefined), the targets linked with libFuzzer. Only what the
# targets need: no client, server binary, tests or benchmarks. tests/fuzz/run.sh (which
# tests/run_all.sh calls) builds it with this and runs each target for a fixed budget.
set -euo pipefail
exec "$(dirname "$0")/build.sh" build-fuzz -DCMAKE_CXX_COMPILER=clang++-14 -DFORECASTLE_FUZZ=ON \
  -DFORECASTLE_BUILD_TESTS=OFF -DFORECASTLE_BUILD_BENCHMARKS=OFF
