#!/usr/bin/env bash
# bench/run_grouping_scale.sh: grouping's work per article as the archive grows.
#
# Grouping must cost per article what the article's candidates cost, not more as the archive
# grows. An archive grows in two ways: it covers more days (same density), or more articles fall
# on each day (denser, and each article has more candidates in its date window). This script
# generates archives of growing size for each density asked for (bench/prepare_data.py generate,
# with --per-day or over eleven years), indexes each into a fresh database with the release
# build, and prints one table: time, candidates and read system calls per article. Reads are
# counted by the kernel (/proc/PID/io), so they do not move with the machine's speed as time does.
#
# Settings (environment):
#   WIREDESK_SCALE_SIZES="25000 50000 100000 200000"  archive sizes
#   WIREDESK_SCALE_DENSITIES="250 span"  one series per entry: articles a day, or "span" for
#                                        the size spread over eleven years (bench/run.sh's sets)
#   WIREDESK_SCALE_RUNS=1                runs per size (the table shows the median)
#   WIREDESK_SCALE_NOGROUP=0             1: also index each archive with --no-grouping
#   WIREDESK_BENCH_CORPUS=../shared/corpus, WIREDESK_BENCH_DATA=build/bench-data,
#   WIREDESK_BENCH_OUT=build/bench-out, WIREDESK_BENCH_NO_BUILD=0 (as bench/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
sizes=${WIREDESK_SCALE_SIZES:-25000 50000 100000 200000}
densities=${WIREDESK_SCALE_DENSITIES:-250 span}
runs=${WIREDESK_SCALE_RUNS:-1}
nogroup=${WIREDESK_SCALE_NOGROUP:-0}
corpus=$(realpath -m "${WIREDESK_BENCH_CORPUS:-../shared/corpus}")
data=$(realpath -m "${WIREDESK_BENCH_DATA:-build/bench-data}")
out=$(realpath -m "${WIREDESK_BENCH_OUT:-build/bench-out}")
build=$root/build/bench-release
if [ ! -d "$corpus" ]; then
  echo "bench/run_grouping_scale.sh: the corpus is not at $corpus (set WIREDESK_BENCH_CORPUS)" >&2
  exit 1
fi
mkdir -p "$data" "$out/index"
if [ "${WIREDESK_BENCH_NO_BUILD:-0}" != 1 ]; then
  bench/build_release.sh "$build" "$root/build/bench-tools" >/dev/null
fi

results=$out/scale.jsonl
: >"$results"
db=$out/index/scale
for density in $densities; do
  for size in $sizes; do
    if [ "$density" = span ]; then
      set_dir=$data/gen-$size
      per_day=()
    else
      set_dir=$data/gen-$size-per-day-$density
      per_day=(--per-day "$density")
    fi
    if [ ! -f "$set_dir/manifest.json" ]; then
      rm -rf "$set_dir"
      python3 bench/prepare_data.py generate --corpus "$corpus" --out "$set_dir" --articles "$size" \
        "${per_day[@]}"
    fi
    modes=(grouping)
    [ "$nogroup" = 1 ] && modes+=(no-grouping)
    for run in $(seq "$runs"); do
      for mode in "${modes[@]}"; do
        flag=()
        [ "$mode" = no-grouping ] && flag=(--no-grouping)
        printf '%s  %s articles, density %s, %s, run %s\n' "$(date +%H:%M:%S)" "$size" "$density" \
          "$mode" "$run"
        rm -rf "$db"
        python3 bench/measure.py --io --out "$results" \
          --label "{\"density\": \"$density\", \"size\": $size, \"mode\": \"$mode\", \"run\": $run, \"manifest\": $(tr -d '\n' <"$set_dir/manifest.json")}" \
          -- "$build/bin/wiredesk-index" --db "$db" --threads 2 --json --no-progress "${flag[@]}" \
          "$set_dir/jsonl"
      done
    done
  done
done
rm -rf "$db"

python3 - "$results" <<'EOF'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
groups = {}
for r in rows:
    groups.setdefault((r["density"], r["size"], r["mode"]), []).append(r)
print("| density | mode | articles | days | runs | wall s | articles/s | CPU s | grouping ms/article "
      "| fingerprints verified/article | profiles compared/article | grouping µs/candidate "
      "| read calls/article | Xapian writing ms/article | peak RSS MiB |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
med = statistics.median
for (density, size, mode), rs in sorted(groups.items(), key=lambda k: (k[0][0], k[0][2], k[0][1])):
    n = rs[0]["manifest"]["articles"]
    g = lambda f: med(f(r) for r in rs)
    grouping = lambda r: r["output"]["grouping"]
    candidates = g(lambda r: grouping(r)["copy_candidates"] + grouping(r)["story_candidates"])
    seconds = g(lambda r: grouping(r)["seconds"])
    per_candidate = f"{1e6 * seconds / candidates:.0f}" if candidates else "–"
    label = f"{density}/day" if density != "span" else "11 years"
    print(f"| {label} | {mode} | {n:,} | {rs[0]['manifest'].get('days', 4015):,} | {len(rs)} "
          f"| {g(lambda r: r['wall_s']):.1f} | {n / g(lambda r: r['wall_s']):.0f} "
          f"| {g(lambda r: r['cpu_s']):.1f} | {1e3 * seconds / n:.2f} "
          f"| {g(lambda r: grouping(r)['copy_candidates']) / n:.2f} "
          f"| {g(lambda r: grouping(r)['story_candidates']) / n:.2f} | {per_candidate} "
          f"| {g(lambda r: r['read_syscalls']) / n:.1f} "
          f"| {1e3 * g(lambda r: r['output']['writer_seconds']['writing']) / n:.2f} "
          f"| {g(lambda r: r['maxrss_kib']) / 1024:.0f} |")
print(f"\nEvery run, with its command: {sys.argv[1]}")
EOF
