#!/usr/bin/env bash
# bench/shards.sh: search latency as an archive is split into more shards, local and remote.
#
# The real articles of bench/run.sh (all of ../shared/corpus that holds news, ~28k) are indexed
# three times, with grouping, into archives of 1, 4 and 12 shards of equal size
# (`--shard-by none --shard-max-articles N`: the same articles, only the layout differs). The
# 4-shard archive is also served by four xapian-tcpsrv processes on 127.0.0.1 and searched
# through a stub naming them (meta stays local: docs/SCALING.md). The 200 seeded queries of
# bench/run.sh run through the searcher library (bench/query_wiredesk.cpp), in the plain and
# full modes, one warm-up pass and RUNS timed passes; p50/p95/p99 over all timed queries.
# Writes the section between the wiredesk-shards markers of bench/RESULTS.md.
#
#   WIREDESK_BENCH_RUNS=3               timed passes per layout and mode
#   WIREDESK_BENCH_NO_INSTALL=1         do not call apt-get;  WIREDESK_BENCH_NO_BUILD=1: reuse
#   WIREDESK_BENCH_DATA, WIREDESK_BENCH_OUT, WIREDESK_BENCH_CORPUS, WIREDESK_BENCH_RESULTS: as
#                                       for bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${WIREDESK_BENCH_RUNS:-3}
data=$(realpath -m "${WIREDESK_BENCH_DATA:-build/bench-data}")
out=$(realpath -m "${WIREDESK_BENCH_OUT:-build/bench-out}")/shards
corpus=$(realpath -m "${WIREDESK_BENCH_CORPUS:-../shared/corpus}")
results_md=$(realpath -m "${WIREDESK_BENCH_RESULTS:-bench/RESULTS.md}")
build=$root/build/bench-release
tools=$root/build/bench-tools
say() { printf '\n== %s  [%s]\n' "$*" "$(date +%H:%M:%S)"; }

if [ "${WIREDESK_BENCH_NO_INSTALL:-0}" != 1 ]; then
  scripts/setup.sh  # packages (and the normal build)
fi
if [ ! -d "$corpus" ]; then
  echo "bench/shards.sh: the corpus is not at $corpus (set WIREDESK_BENCH_CORPUS)" >&2
  exit 1
fi
if [ "${WIREDESK_BENCH_NO_BUILD:-0}" != 1 ]; then
  say "release build ($build)"
  bench/build_release.sh "$build" "$tools"
fi

say "data ($data)"
real_dir=$data/real
if [ ! -f "$real_dir/manifest.json" ]; then
  rm -rf "$real_dir"
  python3 bench/prepare_data.py real --corpus "$corpus" --out "$real_dir"
fi
queries=$data/queries.txt
[ -f "$queries" ] || python3 bench/prepare_data.py queries --corpus "$corpus" --out "$queries"
articles=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['articles'])" \
  "$real_dir/manifest.json")

rm -rf "$out" && mkdir -p "$out"
commands=()
for shards in 1 4 12; do
  say "index into $shards shard(s)"
  cap=$(((articles + shards - 1) / shards))
  command=("$build/bin/wiredesk-index" --db "$out/archive-$shards" --shard-by none
           --shard-max-articles "$cap" --threads "$(nproc)" --json --no-progress "$real_dir/jsonl")
  "${command[@]}" >"$out/index-$shards.json"
  commands+=("${command[*]}")
done

# Four xapian-tcpsrv processes serve the 4-shard archive's shards; stopped on exit.
servers=()
stop_servers() { for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_servers EXIT
free_port() { python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"; }
stub=$out/remote-4.stub
echo "auto $out/archive-4/meta" >"$stub"
for shard in $(sed -n 's/^auto //p' "$out/archive-4/XAPIANDB" | grep -v '^meta$'); do
  port=$(free_port)
  xapian-tcpsrv --interface 127.0.0.1 --port "$port" "$out/archive-4/$shard" \
    >"$out/tcpsrv-$shard.log" 2>&1 &
  servers+=($!)
  echo "remote 127.0.0.1:$port" >>"$stub"
  commands+=("xapian-tcpsrv --interface 127.0.0.1 --port $port $out/archive-4/$shard")
done
for _ in $(seq 50); do
  ready=1
  for port in $(sed -n 's/^remote 127.0.0.1://p' "$stub"); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || ready=0
  done
  ((ready)) && break
  sleep 0.1
done

say "queries"
for layout in 1 4 12 remote-4; do
  case $layout in
    remote-4) db=$stub ;;
    *) db=$out/archive-$layout ;;
  esac
  for mode in plain full; do
    command=("$tools/wiredesk-bench-query" "$db" "$queries" "$mode" "$runs")
    "${command[@]}" >"$out/query-$layout-$mode.json"
    commands+=("${command[*]}")
  done
done

say "report"
python3 - "$out" "$results_md" "$articles" "$runs" "${commands[@]}" <<'EOF'
import json, os, platform, statistics, subprocess, sys, time
out, results_md, articles, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
commands = sys.argv[5:]

def pct(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)

def sh(command):
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout.strip()

rows = []
base = {}
for layout, label in [("1", "1 local shard"), ("4", "4 local shards"), ("12", "12 local shards"),
                      ("remote-4", "4 remote shards (xapian-tcpsrv, loopback), meta local")]:
    for mode in ("plain", "full"):
        result = json.load(open(f"{out}/query-{layout}-{mode}.json"))
        lat = result["latencies_ms"]
        p50, p95, p99 = pct(lat, 50), pct(lat, 95), pct(lat, 99)
        if layout == "1":
            base[mode] = p50
        rows.append(f"| {label} | {mode} | {result['documents']:,} | {len(lat)} | {p50:.2f} | "
                    f"{p95:.2f} | {p99:.2f} | {p50 / base[mode]:.2f}× |")
index_rows = []
for shards in ("1", "4", "12"):
    summary = json.load(open(f"{out}/index-{shards}.json"))
    sizes = ", ".join(f"{s['articles']:,}" for s in summary["shards"])
    index_rows.append(f"| {shards} | {summary['articles']['total']:,} | {summary['seconds']:.1f} | {sizes} |")

section = f"""<!-- wiredesk-shards:begin -->
## Search latency as the archive is split into shards (issue 7)

Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `bench/shards.sh` on {sh('. /etc/os-release && echo $PRETTY_NAME')}, {os.cpu_count()} cores; load average at the end {sh('cat /proc/loadavg')}. The same {articles:,} real articles (the `real` set of bench/run.sh) in archives of 1, 4 and 12 equal shards (`--shard-by none --shard-max-articles N`), grouping on; the 4-shard archive also searched through a stub naming four `xapian-tcpsrv` processes on 127.0.0.1 (its `meta` database local). The 200 seeded queries of bench/run.sh through the searcher library, top 10: *plain* (snippets only) and *full* (facets, did-you-mean, grouping by story). One warm-up pass, then {runs} timed passes; p50/p95/p99 over all {runs * 200} timed queries (client and servers share the machine's cores).

| layout | mode | articles | queries | p50 ms | p95 ms | p99 ms | p50 vs 1 shard |
|---|---|---:|---:|---:|---:|---:|---:|
""" + "\n".join(rows) + """

| shards | articles | indexing s | articles per shard |
|---|---:|---:|---|
""" + "\n".join(index_rows) + """

Commands:

""" + "\n".join(f"- `{c.replace(os.getcwd() + '/', '')}`" for c in commands) + """
<!-- wiredesk-shards:end -->"""

text = open(results_md).read() if os.path.exists(results_md) else "# Benchmark and evaluation results\n"
begin, end = "<!-- wiredesk-shards:begin -->", "<!-- wiredesk-shards:end -->"
if begin in text:
    text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
open(results_md, "w").write(text)
print(section)
EOF
