#!/usr/bin/env bash
# Configures and builds forecastle with Ninja and ccache (Release with debug info).
#   deploy/build.sh                      ./build, everything
#   deploy/build.sh DIR [CMAKE_ARGS...]  another tree, configured with CMAKE_ARGS the first time
#                                        (deploy/build-sanitize.sh: ./build-sanitize)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift $(($# > 0 ? 1 : 0))
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
# Hash paths relative to the checkout, so a fresh clone elsewhere (as CI makes) hits the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
[ -f "$dir/build.ninja" ] || cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build "$dir" -j "$(nproc)"
