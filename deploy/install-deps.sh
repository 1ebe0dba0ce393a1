#!/usr/bin/env bash
# Installs what building and testing forecastle needs, from Debian 12 packages only.
# Idempotent: skips apt entirely when everything is already installed.
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config git bsdextrautils bc
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libtbb-dev libeigen3-dev libsqlite3-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
  python3 python3-grpcio python3-protobuf python3-numpy python3-venv python3-pip python3-setuptools python3-wheel
  chromium fonts-dejavu-core
)
missing=()
# Node.js and npm for the TypeScript client: Debian's packages unless a Node.js with npm is there
# already (NodeSource's nodejs bundles npm and conflicts with Debian's npm package).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
