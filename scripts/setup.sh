#!/usr/bin/env bash
# Installs what Wiredesk needs (Debian 12 packages) and builds it into build/.
# Safe to run again: installs only what is missing, rebuilds only what changed.
#   scripts/setup.sh               what building and running Wiredesk needs
#   scripts/setup.sh --for-tests   also what the tests need (headless Chromium, node, npm, clang)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config
  libxapian-dev xapian-tools libicu-dev libcld2-dev libgumbo-dev zlib1g-dev
  nlohmann-json3-dev libsimdjson-dev libfmt-dev libcli11-dev doctest-dev libcpp-httplib-dev
)
if [ "${1:-}" = "--for-tests" ]; then
  packages+=(chromium nodejs)
  # The web server's load test (tests/web/test_load.cpp) drives it with wrk.
  packages+=(wrk)
  # The sanitizer build and the fuzz smoke run of scripts/test.sh: clang and its runtimes.
  packages+=(clang libclang-rt-14-dev)
  # The browser tests run on node and npm. NodeSource's nodejs ships npm inside it (and
  # conflicts with Debian's npm package), so npm is asked for only when no npm is there.
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_type="${WIREDESK_BUILD_TYPE:-RelWithDebInfo}"
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" ${WIREDESK_CMAKE_ARGS:-} >/dev/null
cmake --build build -j "$(nproc)"
