#!/usr/bin/env bash
# Configures and builds forecastle's C++ tests under AddressSanitizer + UBSan (and libstdc++'s
# bounds checks) into ./build-sanitize, with Ninja and ccache. No benchmarks. tests/sanitize/run.sh
# (which tests/run_all.sh calls) builds it with this and runs the C++ suites in it.
set -euo pipefail
exec "$(dirname "$0")/build.sh" build-sanitize -DFORECASTLE_SANITIZE=ON -DFORECASTLE_BUILD_BENCHMARKS=OFF
