#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, with ASan and UBSan) into build-fuzz/ and runs each for a
# bounded time on seeds from corpus/ and fuzz/seeds/. A crash stops with the input saved in
# build-fuzz/crashes/: add it to a regression test before fixing.
#   scripts/fuzz.sh [seconds per target, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
scripts/setup.sh >/dev/null
command -v clang++ >/dev/null 2>&1 || {
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq clang libclang-rt-14-dev
}
CXX=clang++ cmake -S . -B build-fuzz -DWIREDESK_FUZZ=ON -DWIREDESK_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=(fuzz_readers fuzz_dates fuzz_analyzer fuzz_query)
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]}"

seed_dir=build-fuzz/seeds
rm -rf "$seed_dir" && mkdir -p "$seed_dir"/{readers,dates,analyzer,query} build-fuzz/crashes
find corpus -type f ! -name README.md -exec cp {} "$seed_dir/readers/" \;
find corpus/intl corpus/wire -name '*.txt' -exec cp {} "$seed_dir/analyzer/" \;
cp fuzz/seeds/dates/* "$seed_dir/dates/"
cp fuzz/seeds/query/* "$seed_dir/query/"

# Leak checking is off: ICU and Xapian keep process-wide caches that LeakSanitizer reports.
export ASAN_OPTIONS=detect_leaks=0
for target in "${targets[@]}"; do
  name="${target#fuzz_}"
  echo "== $target: $seconds s"
  build-fuzz/bin/"$target" -max_total_time="$seconds" -max_len=65536 \
    -artifact_prefix=build-fuzz/crashes/"$name"- "$seed_dir/$name" 2>&1 | grep -E "DONE|ERROR|SUMMARY" || true
done
if compgen -G "build-fuzz/crashes/*" >/dev/null; then
  echo "crashes found:"; ls build-fuzz/crashes; exit 1
fi
echo "no crashes"
