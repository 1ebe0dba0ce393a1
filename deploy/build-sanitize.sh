#!/usr/bin/env bash
# Configures and builds forecastle's C++ tests under AddressSanitizer + UBSan (and libstdc++'s
# bounds checks) into ./build-sanitize, with Ninja and ccache. No benchmarks. tests/sanitize/run.sh
# (which tests/run_all.sh calls) builds it with this and runs the C++ suites in it.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
[ -f build-sanitize/build.ninja ] || cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFORECASTLE_SANITIZE=ON -DFORECASTLE_BUILD_BENCHMARKS=OFF
cmake --build build-sanitize -j "$(nproc)"
