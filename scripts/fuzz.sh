#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, with ASan and UBSan) into build-fuzz/ and runs each for a
# bounded time on seeds from corpus/ and fuzz/seeds/. A crash stops with the input saved in
# build-fuzz/crashes/: add it to a regression test before fixing. (scripts/test.sh runs the
# same targets for a short smoke run in its sanitizer build.)
#   scripts/fuzz.sh [seconds per target, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
source scripts/fuzz_common.sh
scripts/setup.sh >/dev/null
command -v clang++ >/dev/null 2>&1 || {
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq clang libclang-rt-14-dev
}
CXX=clang++ cmake -S . -B build-fuzz -DWIREDESK_FUZZ=ON -DWIREDESK_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target wiredesk_fuzz
wiredesk_fuzz_run build-fuzz "$seconds"
