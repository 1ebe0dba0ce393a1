#!/usr/bin/env bash
# Builds ./build-sanitize (ASan + UBSan + _GLIBCXX_ASSERTIONS, deploy/build-sanitize.sh) and runs the
# C++ suites in it. The tests labelled `clients` (Python/TypeScript clients, reflection, charts)
# and `numpy` are left out: they exercise the clients, not our memory safety, and are slow.
# Any sanitizer report fails the test (it aborts the process); leak checking is on at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/build-sanitize.sh
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
# Leaks inside system libraries only (each with why in the file).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitize/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir build-sanitize --output-on-failure -j "$(nproc)" --timeout 900 -LE 'clients|numpy' "$@"
