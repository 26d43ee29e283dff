#!/usr/bin/env bash
# Sets up (installs packages, builds) and runs every test, then the sanitizer pass:
#   scripts/test.sh             everything; this is what CI runs (.ci/run)
#   scripts/test.sh --quick     the tests of the normal build only: no sanitizer build, no fuzzing
# Other arguments go to ctest (both runs), e.g. scripts/test.sh --quick -R search.
#
# The sanitizer pass is one clang build, build-sanitize/, configured with WIREDESK_FUZZ=ON: the
# code is built with AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer's coverage, and
# that one build serves both the tests and the fuzz targets. It runs the unit, CLI and
# integration tests, then each libFuzzer target for a short smoke run on the seeds
# scripts/fuzz.sh uses (scripts/fuzz.sh runs them longer). The web tests (tests/web/) are left
# out of this pass: the browser test's time is Chromium's and node's, and test_api.cpp does not
# compile with clang 14 (lambdas capturing structured bindings, a C++20 feature clang gained in
# version 16). One test is left out too: "2,000 articles of every shared corpus file index with
# zero errors, as gzip" takes 35 s normally and over 3 minutes under the sanitizers, while the
# same readers run sanitized on corpus/ in the other tests and in the fuzz targets. Any
# sanitizer report, in a test or in a program a test starts, or any fuzz crash fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; shift; fi

scripts/setup.sh --for-tests
(cd build && ctest --output-on-failure -j "$(nproc)" "$@")
if ((quick)); then exit 0; fi

echo "== sanitizer pass (ASan + UBSan, clang) in build-sanitize/"
# -O1 and line tables only (the sanitizers' advice): the build takes a fraction of -O2 -g's time
# and reports still name files and lines. Assertions stay on. Only the test programs (each
# brings the executables it runs) and the fuzz targets are built, as one target
# (wiredesk_sanitizer_suite, CMakeLists.txt): not the server or bench/.
CXX=clang++ cmake -S . -B build-sanitize -DWIREDESK_FUZZ=ON -DWIREDESK_BUILD_WEB_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" >/dev/null
source scripts/fuzz_common.sh
cmake --build build-sanitize -j "$(nproc)" --target wiredesk_sanitizer_suite

# Every report is written to a file in $reports and ends the process with abort (a test sees a
# crash, not a plain exit code 1 it might expect). The files are checked below, so a report in a
# child process whose exit code a test does not look at still fails the run. Leak checking is off: ICU and Xapian keep process-wide
# caches that LeakSanitizer reports.
reports="$PWD/build-sanitize/sanitizer-reports"
rm -rf "$reports" && mkdir -p "$reports"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1:log_path=$reports/ubsan"
status=0
(cd build-sanitize &&
  ctest --output-on-failure -j "$(nproc)" -E "^2,000 articles of every shared corpus file" "$@") ||
  status=1
if compgen -G "$reports/*" >/dev/null; then
  echo "SANITIZER REPORTS:"
  for report in "$reports"/*; do echo "--- $report"; cat "$report"; done
  status=1
fi
unset ASAN_OPTIONS UBSAN_OPTIONS

wiredesk_fuzz_run build-sanitize "${WIREDESK_FUZZ_SECONDS:-12}" || status=1
exit "$status"
