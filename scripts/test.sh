#!/usr/bin/env bash
# Sets up (installs packages, builds) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --for-tests
cd build
ctest --output-on-failure -j "$(nproc)" "$@"
