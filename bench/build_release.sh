#!/usr/bin/env bash
# bench/build_release.sh BUILD TOOLS: the release build the benchmarks time, and the in-process
# query driver (bench/query_wiredesk.cpp) linked against it. Used by bench/run.sh and
# bench/shards.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$1
tools=$2
mkdir -p "$tools"
tools=$(cd "$tools" && pwd)  # the query driver is linked from inside the build tree
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DWIREDESK_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target wiredesk-index wiredesk-search wiredesk-serve \
  wiredesk-search-example
# The query driver links what the library example links (flags and libraries from CMake's files).
example=$build/searcher/CMakeFiles/wiredesk-search-example.dir
flags=$(sed -n 's/^CXX_\(DEFINES\|INCLUDES\|FLAGS\) = //p' "$example/flags.make" | tr '\n' ' ')
libs=$(sed 's/.* -o [^ ]*wiredesk-search-example//' "$example/link.txt")
(cd "$build/searcher" && eval "g++ $flags -o $tools/wiredesk-bench-query $root/bench/query_wiredesk.cpp $libs")
