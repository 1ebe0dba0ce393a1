#!/usr/bin/env bash
# `npm ci && npm test` for client/typescript, in a copy under the build folder (the checkout stays
# clean), against the built server and CLI. npm ci installs exactly package-lock.json's versions
# from the npm registry (cached in ~/.npm after the first run).
# Usage: tests/run_typescript_client.sh BUILD_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$build/typescript-client"
mkdir -p "$work"
# Keep node_modules between runs; refresh everything else.
find "$work" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
(cd "$root/client/typescript" && tar --exclude=node_modules --exclude=dist --exclude=src/generated --exclude=proto -cf - .) |
  (cd "$work" && tar -xf -)
cd "$work"
if ! cmp -s package-lock.json node_modules/.package-lock.json.ci 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.package-lock.json.ci
fi
export FORECASTLE_PROTO_DIR="$root/proto"
export FORECASTLE_SERVER_BIN="$build/server/forecastle-server"
export FORECASTLE_CLI_BIN="$build/client/forecastle"
export FORECASTLE_MAKE_CERTS="$root/tests/testing/make_certs.sh"
npm test
