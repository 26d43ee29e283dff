#!/usr/bin/env bash
# bench/run.sh: Wiredesk against the engines users would pick instead, same articles, same run.
#
# Installs what it needs (Debian 12), builds a release Wiredesk, prepares the articles, indexes and
# queries them with every engine, profiles, and writes the benchmark sections of bench/RESULTS.md.
# See bench/README.md for what is measured and how. Settings (environment):
#
#   WIREDESK_BENCH_SIZES="100000 300000 1000000"  generated archive sizes ("" for none)
#   WIREDESK_BENCH_RUNS=3            runs per figure (the table shows the median)
#   WIREDESK_BENCH_GEN_RUNS=$RUNS    runs per figure on the generated sizes (the long part)
#   WIREDESK_BENCH_REAL_LIMIT=       at most this many real articles (empty: all, about 28k)
#   WIREDESK_BENCH_WRK_SECONDS=10    duration of each wrk level (1, 2 and 8 clients)
#   WIREDESK_BENCH_WRK_SIZES=        datasets wrk runs on (default: real and the largest size)
#   WIREDESK_BENCH_ENGINES="wiredesk omindex xapian-floor lucene"
#   WIREDESK_BENCH_GEN_ENGINES=$ENGINES  engines on the generated sizes (the floor takes about an
#                                    hour per million articles; omindex needs files, which they lack)
#   WIREDESK_BENCH_QUICK=1           a smoke run: 2,000 real + 20,000 generated, 1 run, wrk 3 s,
#                                    results in $OUT/RESULTS.md instead of bench/RESULTS.md
#   WIREDESK_BENCH_DATA=build/bench-data   articles (generated once per size and seed, then reused)
#   WIREDESK_BENCH_OUT=build/bench-out     raw results (results.jsonl), logs, profiles, indexes
#   WIREDESK_BENCH_RESULTS=bench/RESULTS.md
#   WIREDESK_BENCH_NO_INSTALL=1      do not call apt-get;  WIREDESK_BENCH_NO_BUILD=1: reuse the build
#   WIREDESK_BENCH_NOGROUP_ALL=0     1: also index the generated sizes with grouping off (default: real only)
#   WIREDESK_BENCH_PROFILE=1         perf profiles of indexing and of the slowest query (0: none)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

quick=${WIREDESK_BENCH_QUICK:-0}
if [ "$quick" = 1 ]; then
  sizes=${WIREDESK_BENCH_SIZES-20000}
  runs=${WIREDESK_BENCH_RUNS:-1}
  real_limit=${WIREDESK_BENCH_REAL_LIMIT:-2000}
  wrk_seconds=${WIREDESK_BENCH_WRK_SECONDS:-3}
else
  sizes=${WIREDESK_BENCH_SIZES-100000 300000 1000000}
  runs=${WIREDESK_BENCH_RUNS:-3}
  real_limit=${WIREDESK_BENCH_REAL_LIMIT:-}
  wrk_seconds=${WIREDESK_BENCH_WRK_SECONDS:-10}
fi
gen_runs=${WIREDESK_BENCH_GEN_RUNS:-$runs}
engines=${WIREDESK_BENCH_ENGINES:-wiredesk omindex xapian-floor lucene}
gen_engines=${WIREDESK_BENCH_GEN_ENGINES:-$engines}
data=$(realpath -m "${WIREDESK_BENCH_DATA:-build/bench-data}")
out=$(realpath -m "${WIREDESK_BENCH_OUT:-build/bench-out}")
if [ "$quick" = 1 ]; then
  results_md=$(realpath -m "${WIREDESK_BENCH_RESULTS:-$out/RESULTS.md}")
else
  results_md=$(realpath -m "${WIREDESK_BENCH_RESULTS:-bench/RESULTS.md}")
fi
profile=${WIREDESK_BENCH_PROFILE:-1}
corpus=$(realpath -m "${WIREDESK_BENCH_CORPUS:-../shared/corpus}")
build=$root/build/bench-release
tools=$root/build/bench-tools
threads=$(nproc)
largest=$(for s in $sizes; do echo "$s"; done | sort -n | tail -1)
wrk_sets=${WIREDESK_BENCH_WRK_SIZES:-real ${largest:+gen-$largest}}

say() { printf '\n== %s  [%s]\n' "$*" "$(date +%H:%M:%S)"; }
has_engine() { [[ " $engines " == *" $1 "* ]]; }

# ----------------------------------------------------------------------------- 1. packages
packages=(build-essential cmake pkg-config libxapian-dev xapian-tools libicu-dev libcld2-dev
          libgumbo-dev zlib1g-dev nlohmann-json3-dev libsimdjson-dev libfmt-dev libcli11-dev libcpp-httplib-dev
          python3 xapian-omega liblucene8-java wrk linux-perf time)
command -v javac >/dev/null 2>&1 || packages+=(default-jdk-headless)
if [ "${WIREDESK_BENCH_NO_INSTALL:-0}" != 1 ]; then
  say "packages"
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
fi
if [ ! -d "$corpus" ]; then
  echo "bench/run.sh: the corpus is not at $corpus (set WIREDESK_BENCH_CORPUS)" >&2
  exit 1
fi

# -------------------------------------------------------------------------------- 2. build
mkdir -p "$tools" "$out" "$data"
if [ "${WIREDESK_BENCH_NO_BUILD:-0}" != 1 ]; then
  say "release build ($build)"
  bench/build_release.sh "$build" "$tools"
  g++ -std=c++20 -O2 -g -Wall -Wextra -o "$tools/xapian-floor" bench/xapian_floor.cpp \
    $(pkg-config --cflags --libs xapian-core)
  lucene_cp=$(ls /usr/share/java/lucene-core-*.jar /usr/share/java/lucene-analyzers-common-*.jar \
              /usr/share/java/lucene-queryparser-*.jar | tr '\n' ':')
  javac -nowarn -d "$tools" -cp "$lucene_cp" bench/LuceneBench.java
fi
lucene_cp=$(ls /usr/share/java/lucene-core-*.jar /usr/share/java/lucene-analyzers-common-*.jar \
            /usr/share/java/lucene-queryparser-*.jar | tr '\n' ':')$tools
bin=$build/bin
grouping_query=0
# Help texts are captured first: `cmd | grep -q` under pipefail fails when grep exits early and
# the command gets SIGPIPE, which would read as "no such option".
search_help=$("$bin/wiredesk-search" --help)
index_help=$("$bin/wiredesk-index" --help)
if grep -q -- '--group' <<<"$search_help"; then grouping_query=1; fi
index_group_flag=$(grep -o -- '--no-group[a-z-]*' <<<"$index_help" | head -1 || true)

# --------------------------------------------------------------------------------- 3. data
say "data ($data)"
real_dir=$data/real${real_limit:+-$real_limit}
if [ ! -f "$real_dir/manifest.json" ]; then
  rm -rf "$real_dir"
  python3 bench/prepare_data.py real --corpus "$corpus" --out "$real_dir" ${real_limit:+--limit "$real_limit"}
fi
queries=$data/queries.txt
[ -f "$queries" ] || python3 bench/prepare_data.py queries --corpus "$corpus" --out "$queries"
for size in $sizes; do
  if [ ! -f "$data/gen-$size/manifest.json" ]; then
    rm -rf "$data/gen-$size"
    python3 bench/prepare_data.py generate --corpus "$corpus" --out "$data/gen-$size" --articles "$size"
  fi
done

# A fresh results file per run of this script; the previous one is kept as results.prev.jsonl.
results=$out/results.jsonl
[ -f "$results" ] && mv "$results" "$out/results.prev.jsonl"
: >"$results"
python3 - "$results" "$grouping_query" "$index_group_flag" "$runs" "$threads" <<'EOF'
import json, platform, subprocess, sys, datetime, os
def sh(c):
    try: return subprocess.run(c, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception: return ""
info = {"kind": "machine", "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": sh("lscpu | sed -n 's/^Model name: *//p'"), "cores": os.cpu_count(),
        "memory": sh("free -h | awk '/Mem:/{print $2}'"), "kernel": platform.release(),
        "os": sh(". /etc/os-release && echo $PRETTY_NAME"), "gxx": sh("g++ --version | head -1"),
        "xapian": sh("dpkg-query -W -f='${Version}' libxapian30"), "omega": sh("dpkg-query -W -f='${Version}' xapian-omega"),
        "lucene": sh("dpkg-query -W -f='${Version}' liblucene8-java"), "java": sh("java -version 2>&1 | head -1"),
        "wrk": sh("dpkg-query -W -f='${Version}' wrk"), "load": sh("cat /proc/loadavg"),
        "grouping_query": sys.argv[2] == "1", "index_group_flag": sys.argv[3], "runs": int(sys.argv[4]),
        "threads": int(sys.argv[5])}
print(json.dumps(info), file=open(sys.argv[1], "a"))
EOF

measure() {  # measure LABEL_JSON OK_CODES CMD...
  local label=$1 ok=$2
  shift 2
  python3 bench/measure.py --out "$results" --label "$label" --ok-codes "$ok" -- "$@"
}
dir_kib() { du -sk "$1" | cut -f1; }
record() { python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])))' "$1" >>"$results"; }

# ------------------------------------------------------------------------------- 4. engines
serve_pid=""
serve_port=""
start_serve() {  # start_serve DB
  local log=$out/serve.out
  "$bin/wiredesk-serve" --db "$1" --port 0 --rate-limit 0 --quiet --threads 8 >"$log" 2>"$out/serve.err" &
  serve_pid=$!
  for _ in $(seq 1 200); do
    serve_port=$(grep -o '127.0.0.1:[0-9]*' "$log" | head -1 | cut -d: -f2 || true)
    [ -n "$serve_port" ] && return 0
    sleep 0.1
  done
  echo "bench/run.sh: wiredesk-serve did not start (see $out/serve.err)" >&2
  return 1
}
stop_serve() {
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  serve_pid=""
}
trap stop_serve EXIT

bench_dataset() {  # bench_dataset NAME DIR RUNS ENGINES
  local name=$1 dir=$2 idx=$out/index/$1 runs=$3
  local engines=$4  # has_engine reads this one while the dataset runs (bash scopes dynamically)
  local manifest articles text_bytes
  manifest=$(cat "$dir/manifest.json")
  articles=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["articles"])' "$manifest")
  text_bytes=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["text_bytes"])' "$manifest")
  local base="\"dataset\": \"$name\", \"articles\": $articles, \"text_bytes\": $text_bytes"
  mkdir -p "$idx"
  local jsonl=("$dir"/jsonl/*.jsonl)
  # Warm the page cache, so that every engine reads the articles from memory.
  cat "${jsonl[@]}" >/dev/null
  [ -d "$dir/files" ] && find "$dir/files" -type f -exec cat {} + >/dev/null

  local run
  for run in $(seq 1 "$runs"); do
    if has_engine wiredesk; then
      if [ -d "$dir/files" ]; then
        say "$name: wiredesk-index (files) run $run"
        rm -rf "$idx/wiredesk-files"
        measure "{\"kind\": \"index\", \"engine\": \"wiredesk\", \"input\": \"files\", \"run\": $run, $base}" 0,3 \
          "$bin/wiredesk-index" --db "$idx/wiredesk-files" --threads "$threads" --json --no-progress "$dir/files"
        say "$name: wiredesk-index re-index of the unchanged tree, run $run"
        measure "{\"kind\": \"reindex\", \"engine\": \"wiredesk\", \"input\": \"files\", \"run\": $run, $base}" 0,3 \
          "$bin/wiredesk-index" --db "$idx/wiredesk-files" --threads "$threads" --json --no-progress "$dir/files"
      fi
      say "$name: wiredesk-index (JSON Lines) run $run"
      rm -rf "$idx/wiredesk-jsonl"
      measure "{\"kind\": \"index\", \"engine\": \"wiredesk\", \"input\": \"jsonl\", \"run\": $run, $base}" 0,3 \
        "$bin/wiredesk-index" --db "$idx/wiredesk-jsonl" --threads "$threads" --json --no-progress "$dir/jsonl"
      measure "{\"kind\": \"reindex\", \"engine\": \"wiredesk\", \"input\": \"jsonl\", \"run\": $run, $base}" 0,3 \
        "$bin/wiredesk-index" --db "$idx/wiredesk-jsonl" --threads "$threads" --json --no-progress "$dir/jsonl"
      if [ -n "$index_group_flag" ] && { [ "$name" = real ] || [ "${WIREDESK_BENCH_NOGROUP_ALL:-0}" = 1 ]; }; then
        say "$name: wiredesk-index $index_group_flag (JSON Lines) run $run"
        rm -rf "$idx/wiredesk-nogroup"
        measure "{\"kind\": \"index\", \"engine\": \"wiredesk $index_group_flag\", \"input\": \"jsonl\", \"run\": $run, $base}" 0,3 \
          "$bin/wiredesk-index" --db "$idx/wiredesk-nogroup" "$index_group_flag" --threads "$threads" --json \
          --no-progress "$dir/jsonl"
      fi
    fi
    if has_engine omindex && [ -d "$dir/files" ]; then
      say "$name: omindex run $run"
      rm -rf "$idx/omindex"
      measure "{\"kind\": \"index\", \"engine\": \"omindex\", \"input\": \"files\", \"run\": $run, $base}" 0 \
        omindex --db "$idx/omindex" --url / "$dir/files"
      measure "{\"kind\": \"reindex\", \"engine\": \"omindex\", \"input\": \"files\", \"run\": $run, $base}" 0 \
        omindex --db "$idx/omindex" --url / "$dir/files"
    fi
    if has_engine xapian-floor; then
      say "$name: raw-Xapian floor run $run"
      rm -rf "$idx/xapian-floor"
      measure "{\"kind\": \"index\", \"engine\": \"xapian-floor\", \"input\": \"jsonl\", \"run\": $run, $base}" 0 \
        "$tools/xapian-floor" index "$idx/xapian-floor" "${jsonl[@]}"
    fi
    if has_engine lucene; then
      say "$name: Lucene run $run"
      rm -rf "$idx/lucene"
      measure "{\"kind\": \"index\", \"engine\": \"lucene\", \"input\": \"jsonl\", \"run\": $run, $base}" 0 \
        java -cp "$lucene_cp" LuceneBench index "$idx/lucene" "$threads" "${jsonl[@]}"
    fi
  done

  # Index sizes, then compacted (xapian-compact; Lucene: forceMerge to one segment).
  say "$name: index sizes"
  local db
  for db in wiredesk-files wiredesk-jsonl wiredesk-nogroup omindex xapian-floor lucene; do
    [ -d "$idx/$db" ] || continue
    local size compacted
    size=$(dir_kib "$idx/$db")
    rm -rf "$idx/$db.compact"
    if [ "$db" = lucene ]; then
      cp -r "$idx/$db" "$idx/$db.compact"
      java -cp "$lucene_cp" LuceneBench forcemerge "$idx/$db.compact"
    else
      xapian-compact --multipass "$idx/$db" "$idx/$db.compact" >/dev/null
    fi
    compacted=$(dir_kib "$idx/$db.compact")
    rm -rf "$idx/$db.compact"
    record "{\"kind\": \"size\", \"db\": \"$db\", \"index_kib\": $size, \"compacted_kib\": $compacted, $base}"
  done

  # Queries: the same 200, top 10, one warm-up pass then one timed pass per run, in-process.
  for run in $(seq 1 "$runs"); do
    say "$name: queries run $run"
    if has_engine wiredesk; then
      local wdb=$idx/wiredesk-jsonl
      for mode in plain facets full; do
        measure "{\"kind\": \"query\", \"engine\": \"wiredesk\", \"mode\": \"$mode\", \"run\": $run, $base}" 0 \
          "$tools/wiredesk-bench-query" "$wdb" "$queries" "$mode"
      done
    fi
    if has_engine xapian-floor; then
      measure "{\"kind\": \"query\", \"engine\": \"xapian-floor\", \"mode\": \"plain\", \"run\": $run, $base}" 0 \
        "$tools/xapian-floor" search "$idx/xapian-floor" "$queries"
    fi
    if has_engine omindex && [ -d "$idx/omindex" ]; then
      measure "{\"kind\": \"query\", \"engine\": \"omindex\", \"mode\": \"plain\", \"run\": $run, $base}" 0 \
        "$tools/xapian-floor" search "$idx/omindex" "$queries"
    fi
    if has_engine lucene; then
      measure "{\"kind\": \"query\", \"engine\": \"lucene\", \"mode\": \"plain\", \"run\": $run, $base}" 0 \
        java -cp "$lucene_cp" LuceneBench search "$idx/lucene" "$queries"
    fi
  done

  # Over HTTP: one client (latency as a user feels it), then wrk with 1, 2 and 8 clients.
  if has_engine wiredesk; then
    start_serve "$idx/wiredesk-jsonl"
    local params="group=story"
    for run in $(seq 1 "$runs"); do
      say "$name: wiredesk-serve, one client, run $run"
      measure "{\"kind\": \"http\", \"engine\": \"wiredesk\", \"mode\": \"full+group\", \"run\": $run, $base}" 0 \
        python3 bench/http_latency.py --port "$serve_port" --queries "$queries" --params "$params"
    done
    if [[ " $wrk_sets " == *" $name "* ]]; then
      python3 -c 'import sys, urllib.parse
for q in open(sys.argv[1]).read().splitlines():
    if q: print("/api/search?limit=10&group=story&q=" + urllib.parse.quote_plus(q))' "$queries" >"$out/paths.txt"
      for run in $(seq 1 "$runs"); do
        for clients in 1 2 8; do
          say "$name: wrk, $clients clients, ${wrk_seconds}s, run $run"
          local wrk_threads=$((clients < threads ? clients : threads))
          measure "{\"kind\": \"wrk\", \"engine\": \"wiredesk\", \"clients\": $clients, \"run\": $run, $base}" 0 \
            wrk -t "$wrk_threads" -c "$clients" -d "${wrk_seconds}s" -s bench/wrk_queries.lua \
            "http://127.0.0.1:$serve_port" -- "$out/paths.txt"
        done
      done
    fi
    stop_serve
  fi
}

bench_dataset real "$real_dir" "$runs" "$engines"
for size in $sizes; do
  bench_dataset "gen-$size" "$data/gen-$size" "$gen_runs" "$gen_engines"
done

# ------------------------------------------------------------------------------ 5. profiles
if [ "$profile" = 1 ] && has_engine wiredesk; then
  say "profiles (perf record, cpu-clock)"
  prof=$out/profiles
  mkdir -p "$prof"
  pdb=$out/index/profile.db
  rm -rf "$pdb"
  perf record -q -F 999 -e cpu-clock -o "$prof/index.data" -- \
    "$bin/wiredesk-index" --db "$pdb" --threads "$threads" --no-progress -q "$real_dir/files" || true
  perf report -i "$prof/index.data" --stdio --no-children --sort dso,symbol --percent-limit 1 -g none \
    2>/dev/null | grep -v '^$' >"$prof/index.txt" || true
  perf report -i "$prof/index.data" --stdio --no-children --sort pid --percent-limit 0.5 -g none \
    2>/dev/null | grep -v '^$' >"$prof/index-threads.txt" || true
  record "{\"kind\": \"profile\", \"what\": \"index\", \"file\": \"$prof/index.txt\", \"threads_file\": \"$prof/index-threads.txt\", \"command\": \"perf record -F 999 -e cpu-clock -- $bin/wiredesk-index --db DB --threads $threads $real_dir/files; perf report --no-children --sort dso,symbol\"}"
  # The slowest query of the full mode on the largest dataset, repeated.
  slow_set=${largest:+gen-$largest}
  slow_set=${slow_set:-real}
  slow_query=$(python3 - "$results" "$slow_set" <<'EOF'
import json, sys
best = ("", 0)
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("kind") == "query" and r.get("engine") == "wiredesk" and r.get("mode") == "full" \
            and r.get("dataset") == sys.argv[2] and isinstance(r.get("output"), dict):
        if r["output"]["slowest_ms"] > best[1]:
            best = (r["output"]["slowest_query"], r["output"]["slowest_ms"])
print(best[0])
EOF
)
  if [ -n "$slow_query" ]; then
    for _ in $(seq 1 100); do echo "$slow_query"; done >"$prof/slow-query.txt"
    perf record -q -F 999 -e cpu-clock -o "$prof/query.data" -- \
      "$tools/wiredesk-bench-query" "$out/index/$slow_set/wiredesk-jsonl" "$prof/slow-query.txt" full >/dev/null || true
    perf report -i "$prof/query.data" --stdio --no-children --sort dso,symbol --percent-limit 1 -g none \
      2>/dev/null | grep -v '^$' >"$prof/query.txt" || true
    record "$(python3 -c 'import json,sys; print(json.dumps({"kind": "profile", "what": "query", "dataset": sys.argv[1], "query": sys.argv[2], "file": sys.argv[3], "command": "perf record -F 999 -e cpu-clock -- wiredesk-bench-query DB slow-query.txt full  (the query 100 times); perf report --no-children --sort dso,symbol"}))' "$slow_set" "$slow_query" "$prof/query.txt")"
  fi
fi

# -------------------------------------------------------------------------------- 6. report
say "report -> $results_md"
python3 bench/report.py --results "$results" --markdown "$results_md" --quick "$quick"
echo "bench/run.sh: done; raw results in $results"
