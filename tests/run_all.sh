#!/usr/bin/env bash
# Installs, builds and runs every test. CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 900
# Then the C++ suites again, built with ASan + UBSan into build-sanitize/.
tests/sanitize/run.sh
# Then each libFuzzer target for a fixed budget (build-fuzz/, clang; tests/fuzz/run.sh).
tests/fuzz/run.sh
