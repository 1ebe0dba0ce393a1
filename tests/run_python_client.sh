#!/usr/bin/env bash
# Installs client/python into a fresh virtual environment (Debian's grpcio and protobuf through
# --system-site-packages; --no-index: nothing is downloaded) and runs its tests against a live
# server. Usage: tests/run_python_client.sh BUILD_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$build/python-client-venv"
rm -rf "$venv" "$build/python-client-build"
/usr/bin/python3 -m venv --system-site-packages "$venv"
# Build outside the source tree so the checkout stays clean.
cp -r "$root/client/python" "$build/python-client-build"
FORECASTLE_PROTO_DIR="$root/proto" "$venv/bin/pip" install --quiet --no-index \
  "$build/python-client-build"
cd "$build"  # not client/python: the installed package, not the source folder, is under test
FORECASTLE_SERVER_BIN="$build/server/forecastle-server" FORECASTLE_CLI_BIN="$build/client/forecastle" \
  FORECASTLE_MAKE_CERTS="$root/tests/testing/make_certs.sh" \
  "$venv/bin/python" "$root/client/python/tests/test_client.py" 2>&1
