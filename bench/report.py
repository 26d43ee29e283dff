#!/usr/bin/env python3
"""Writes the speed sections of bench/RESULTS.md from the raw results of bench/run.sh.

  report.py --results build/bench-out/results.jsonl --markdown bench/RESULTS.md [--quick 1]

Only the text between the markers `<!-- wiredesk-bench:begin -->` and `<!-- wiredesk-bench:end -->`
is replaced; the rest of the file (other sections, e.g. grouping quality) is kept. Every number
comes from results.jsonl: each figure is the median over the runs, and each row names the command
that produced it (see the Commands list at the end of the section).
"""
import argparse
import json
import math
import os
import re
import statistics
from collections import defaultdict

BEGIN = "<!-- wiredesk-bench:begin (written by bench/run.sh from results.jsonl; do not edit by hand) -->"
END = "<!-- wiredesk-bench:end -->"
MIB = 1024.0


def pct(values, p):
    """Nearest-rank percentile."""
    values = sorted(values)
    if not values:
        return float("nan")
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


def med(values):
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return statistics.median(values) if values else None


def fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}×"


# The repository's root: commands are shown relative to it, so that they read the same on
# every machine that runs the benchmark.
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def shown(command):
    return command.replace(REPO_ROOT + "/", "")


class Commands:
    """Numbers the distinct commands so that table rows can cite them as [c1], [c2]..."""

    def __init__(self, out_dir):
        self.ids = {}
        self.out_dir = out_dir

    def cite(self, records):
        refs = []
        for command in sorted({r.get("command", "") for r in records if r.get("command")}):
            if command not in self.ids:
                self.ids[command] = "c%d" % (len(self.ids) + 1)
            refs.append(self.ids[command])
        return ", ".join("[%s]" % r for r in refs) if refs else ""

    def markdown(self):
        lines = []
        for command, ref in sorted(self.ids.items(), key=lambda kv: int(kv[1][1:])):
            lines.append(f"- [{ref}] `{shown(command)}`")
        return "\n".join(lines)


def dataset_order(name):
    if name == "real":
        return -1
    match = re.match(r"gen-(\d+)", name)
    return int(match.group(1)) if match else 10**12


def dataset_title(name, articles):
    if name == "real":
        return f"real articles ({articles:,}: reuters21578 + timeline17 + bbc_fulltext)"
    return f"generated archive, {articles:,} articles"


def load(path):
    records = [json.loads(line) for line in open(path) if line.strip()]
    machine = next((r for r in records if r["kind"] == "machine"), {})
    return machine, records


# ------------------------------------------------------------------------------ figures
def index_figures(records):
    """(dataset, engine, input) -> medians of the index runs."""
    groups = defaultdict(list)
    for r in records:
        if r["kind"] == "index" and r.get("exit_code") in (0, 3):
            groups[(r["dataset"], r["engine"], r["input"])].append(r)
    figures = {}
    for key, runs in groups.items():
        wall = med([r["wall_s"] for r in runs])
        articles = runs[0]["articles"]
        text_mb = runs[0]["text_bytes"] / 1e6
        grouping = None
        out = runs[0].get("output")
        if isinstance(out, dict) and "grouping" in out:
            grouping = out["grouping"]
        figures[key] = {
            "runs": runs, "n": len(runs), "wall": wall, "articles": articles,
            "aps": med([articles / r["wall_s"] for r in runs]),
            "mbps": med([text_mb / r["wall_s"] for r in runs]),
            "cpu": med([r["cpu_s"] for r in runs]),
            "rss_mib": med([r["maxrss_kib"] / MIB for r in runs]),
            "grouping": grouping,
        }
    return figures


def reindex_figures(records):
    groups = defaultdict(list)
    for r in records:
        if r["kind"] == "reindex":
            groups[(r["dataset"], r["engine"], r["input"])].append(r)
    return {k: {"runs": v, "wall": med([r["wall_s"] for r in v]), "cpu": med([r["cpu_s"] for r in v])}
            for k, v in groups.items()}


def size_figures(records):
    return {(r["dataset"], r["db"]): r for r in records if r["kind"] == "size"}


def query_figures(records):
    groups = defaultdict(list)
    for r in records:
        if r["kind"] in ("query", "http") and isinstance(r.get("output"), dict):
            groups[(r["dataset"], r["engine"], r["mode"], r["kind"])].append(r)
    figures = {}
    for key, runs in groups.items():
        lat = [r["output"]["latencies_ms"] for r in runs]
        fig = {"runs": runs, "n": len(runs),
               "p50": med([pct(l, 50) for l in lat]), "p95": med([pct(l, 95) for l in lat]),
               "p99": med([pct(l, 99) for l in lat]), "queries": len(lat[0]) if lat else 0}
        if key[3] == "http":
            server = [[x for x in r["output"]["server_total_ms"] if x is not None] for r in runs]
            fig["server_p50"] = med([pct(x, 50) for x in server])
            fig["server_p99"] = med([pct(x, 99) for x in server])
            fig["grouping_unavailable"] = any(r["output"].get("grouping_unavailable") for r in runs)
        fig["grouped"] = runs[0]["output"].get("grouped")
        if "slowest_query" in runs[0]["output"]:
            slow = max(runs, key=lambda r: r["output"]["slowest_ms"])["output"]
            fig["slowest"] = (slow["slowest_query"], slow["slowest_ms"])
        figures[key] = fig
    return figures


def wrk_figures(records):
    groups = defaultdict(list)
    for r in records:
        if r["kind"] == "wrk" and isinstance(r.get("output"), str) and "WRK_JSON" in r["output"]:
            r = dict(r)
            r["wrk"] = json.loads(r["output"].split("WRK_JSON", 1)[1])
            groups[(r["dataset"], r["clients"])].append(r)
    return {k: {"runs": v, "rps": med([r["wrk"]["rps"] for r in v]), "p50": med([r["wrk"]["p50_ms"] for r in v]),
                "p95": med([r["wrk"]["p95_ms"] for r in v]), "p99": med([r["wrk"]["p99_ms"] for r in v]),
                "errors": sum(r["wrk"]["errors"] for r in v)} for k, v in groups.items()}


# Parts of wiredesk-index's `writer_seconds` (its --json summary), in the order they are shown.
WRITER_PARTS = [("writing", "Xapian writing"), ("committing", "committing"), ("grouping", "grouping"),
                ("spelling", "spelling"), ("waiting_for_writes", "grouper waiting for writes"),
                ("waiting", "waiting for the workers")]


def growth_rows(idx):
    """Wiredesk's JSON Lines runs on the generated sizes, smallest first: per article, in ms, the
    wall time and each part of the writer's time (medians over the runs), with the commits and the
    grouping candidates per article. The rows that say how the cost grows with the archive."""
    rows = []
    for (ds, engine, inp), f in idx.items():
        if engine != "wiredesk" or inp != "jsonl" or not ds.startswith("gen-"):
            continue
        outs = [r["output"] for r in f["runs"] if isinstance(r.get("output"), dict)]
        if not outs or not all("writer_seconds" in o for o in outs):
            continue
        n = f["articles"]
        row = {"dataset": ds, "articles": n, "aps": f["aps"], "rss_mib": f["rss_mib"],
               "wall_ms": 1000 * f["wall"] / n, "runs": f["runs"],
               "commits": med([o.get("commits") for o in outs])}
        for key, _ in WRITER_PARTS:
            row[key] = med([1000 * o["writer_seconds"].get(key, 0) / n for o in outs])
        grouping = [o.get("grouping") for o in outs if isinstance(o.get("grouping"), dict)]
        row["copy_candidates"] = med([g.get("copy_candidates", 0) / n for g in grouping]) if grouping else None
        row["story_candidates"] = med([g.get("story_candidates", 0) / n for g in grouping]) if grouping else None
        rows.append(row)
    return sorted(rows, key=lambda r: dataset_order(r["dataset"]))


def growth_section(rows, cmds, L):
    if len(rows) < 2:
        return
    L.append("")
    L.append("#### Wiredesk as the generated archive grows")
    L.append("")
    L.append("Per article, in milliseconds, from the same runs as the tables above: wall time, and the parts of "
             "the writer's time that `wiredesk-index --json` reports (`writer_seconds`). The writer is two "
             "threads: Xapian's writing runs on one, grouping, spelling and committing on the other, so the "
             "parts overlap and add up to more than the wall time. Candidates: those grouping compared per "
             "article (copy and story level); they, not the archive's size, should set grouping's work.")
    L.append("")
    head = " | ".join(label for _, label in WRITER_PARTS)
    L.append(f"| dataset | articles | articles/s | wall | {head} | commits | copy / story candidates | "
             "peak RSS MiB | commands |")
    L.append("|---|---:|---:|---:|" + "---:|" * len(WRITER_PARTS) + "---:|---:|---:|---|")
    for r in rows:
        parts = " | ".join(f"{r[key]:.2f}" for key, _ in WRITER_PARTS)
        cands = (f"{r['copy_candidates']:.2f} / {r['story_candidates']:.2f}"
                 if r["copy_candidates"] is not None else "–")
        L.append(f"| {r['dataset']} | {r['articles']:,} | {fmt(r['aps'])} | {r['wall_ms']:.2f} | {parts} | "
                 f"{fmt(r['commits'], 0)} | {cands} | {fmt(r['rss_mib'])} | {cmds.cite(r['runs'])} |")
    L.append("")
    L.append(growth_summary(rows[0], rows[-1]))


def growth_summary(small, big):
    """What grew from one growth row to another: the wall time per article, and the three parts of
    the writer's time that grew most (waiting for the workers left out: it is idle time, not work).
    Under the growth table, and the start of the scale target's explanation."""
    grown = sorted(((big[key] - small[key], key, label) for key, label in WRITER_PARTS if key != "waiting"),
                   reverse=True)
    return (f"From {small['articles']:,} to {big['articles']:,} articles the wall time per article went from "
            f"{small['wall_ms']:.2f} to {big['wall_ms']:.2f} ms ({big['wall_ms'] / small['wall_ms']:.2f}×); "
            "the parts that grew most, per article: " +
            "; ".join(f"{label} {small[key]:.2f} → {big[key]:.2f} ms (+{delta:.2f})"
                      for delta, key, label in grown[:3] if delta > 0) + ".")


# ------------------------------------------------------------------------------ profiles
BUCKETS = [
    ("grouping (features, candidates, verification)", re.compile(r"group|Grouper|fingerprint|shingle|anchor|story", re.I)),
    ("Xapian: postings, positions, B-tree writes, commit", re.compile(r"libxapian|Xapian|Glass|glass", re.I)),
    ("ICU: word breaks, case folding, normalisation", re.compile(r"libicu|icu_", re.I)),
    ("language detection (CLD2)", re.compile(r"cld2|CLD2", re.I)),
    ("stemming (Snowball)", re.compile(r"stem|snowball", re.I)),
    ("JSON parsing and output", re.compile(r"nlohmann|json", re.I)),
    ("memory allocation and copying (libc)", re.compile(r"malloc|free|memcpy|memmove|memset|memcmp|_int_|operator new|operator delete|cfree", re.I)),
    ("kernel (I/O, page faults, scheduling)", re.compile(r"\[kernel|kallsyms", re.I)),
]


def parse_profile(path):
    """[(percent, dso, symbol)] from `perf report --stdio --sort dso,symbol -g none`."""
    rows = []
    if not path or not os.path.exists(path):
        return rows
    for line in open(path, errors="replace"):
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[[.kHgu]\]\s+(.*)", line)
        if m:
            # perf pads the symbol column and may append empty srcline columns ("-  -").
            rows.append((float(m.group(1)), m.group(2), re.split(r"\s{2,}", m.group(3).strip())[0]))
    return rows


def bucketize(rows):
    totals = defaultdict(float)
    for percent, dso, symbol in rows:
        text = dso + " " + symbol
        for name, pattern in BUCKETS:
            if pattern.search(text):
                totals[name] += percent
                break
        else:
            totals["other (Wiredesk code, libstdc++, readers)"] += percent
    return sorted(totals.items(), key=lambda kv: -kv[1])


def profile_section(records, lines):
    profiles = [r for r in records if r["kind"] == "profile"]
    summary = {}
    if not profiles:
        lines.append("No profile in this run (WIREDESK_BENCH_PROFILE=0, or perf failed).")
        return summary
    for p in profiles:
        rows = parse_profile(p.get("file"))
        what = "Indexing the real articles (one file per article)" if p["what"] == "index" else \
            f"The slowest query of the full mode on {p.get('dataset')}: `{p.get('query')}`, run 100 times"
        lines.append(f"#### {what}")
        lines.append("")
        lines.append(f"Command: `{shown(p['command'])}`. Flat profile, samples of the cpu-clock software event "
                     f"(hardware counters are not available in this VM), symbols above 1%; listed "
                     f"symbols add up to {sum(r[0] for r in rows):.0f}% of the samples.")
        lines.append("")
        buckets = bucketize(rows)
        summary[p["what"]] = {"rows": rows, "buckets": buckets}
        lines.append("| where the time goes | share of samples |")
        lines.append("|---|---:|")
        for name, share in buckets:
            lines.append(f"| {name} | {share:.1f}% |")
        lines.append("")
        lines.append("| % | library | symbol |")
        lines.append("|---:|---|---|")
        for percent, dso, symbol in rows[:15]:
            symbol = symbol.replace("|", "\\|")
            if len(symbol) > 110:
                symbol = symbol[:107] + "..."
            lines.append(f"| {percent:.1f} | {dso} | `{symbol}` |")
        lines.append("")
        threads = p.get("threads_file")
        if threads and os.path.exists(threads):
            split = []
            for line in open(threads, errors="replace"):
                m = re.match(r"\s*([\d.]+)%\s+(\S.*)", line)
                if m:
                    split.append(f"{m.group(2).strip()} {float(m.group(1)):.0f}%")
            if split:
                summary[p["what"]]["threads"] = split
                lines.append("Samples by thread (id:name; wiredesk-index is the main thread, which groups and "
                             "commits, wd-writer makes Xapian's writes, wd-worker reads and analyses): "
                             + ", ".join(split) + ".")
                lines.append("")
    return summary


# ------------------------------------------------------------------------------ document
def build(records, machine, quick, out_dir):
    cmds = Commands(out_dir)
    idx = index_figures(records)
    reidx = reindex_figures(records)
    sizes = size_figures(records)
    queries = query_figures(records)
    wrk = wrk_figures(records)
    datasets = sorted({k[0] for k in idx} | {k[0] for k in queries}, key=dataset_order)
    L = []
    L.append("## Speed: Wiredesk against the engines users would pick instead")
    L.append("")
    if quick:
        L.append("**Smoke run (WIREDESK_BENCH_QUICK=1): small samples and one run per figure. These "
                 "numbers check that the benchmark works; they are not the benchmark.**")
        L.append("")
    L.append(f"Measured {machine.get('date', '?')} by `bench/run.sh` on {machine.get('os', '?')}, "
             f"{machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, {machine.get('memory', '?')} RAM, "
             f"kernel {machine.get('kernel', '?')}; {machine.get('gxx', '')}; Xapian {machine.get('xapian', '?')}, "
             f"Omega {machine.get('omega', '?')}, Lucene {machine.get('lucene', '?')} on {machine.get('java', '?')}, "
             f"wrk {machine.get('wrk', '?')}. Load average at the start: {machine.get('load', '?')}. "
             f"Each figure is the median of {machine.get('runs', '?')} run(s). Wiredesk is a Release build with "
             f"`--threads {machine.get('threads', '?')}`; omindex and the raw-Xapian floor use one thread (they have "
             f"no other mode); Lucene is fed by {machine.get('threads', '?')} threads.")
    L.append("")
    grouping_note = ("Grouping at query time: `wiredesk-search --help` offers `--group`, and the HTTP figures ask for `group=story`."
                     if machine.get("grouping_query") else
                     "Grouping at query time is not in the searcher yet: the HTTP figures send `group=story`, and the "
                     "server answers ungrouped (it says so in a warning); they are labelled *grouping requested, not applied*.")
    L.append("Grouping at index time is whatever this build does by default (the `grouping` object of "
             "`wiredesk-index --json`, shown under the indexing table). " + grouping_note)
    L.append("")

    # ---- targets
    L.append("### Targets (issue, point 5)")
    L.append("")
    L.append("| target | measured | met | margin |")
    L.append("|---|---|:---:|---|")
    unmet = []

    def target(name, measured_text, ok, margin):
        if ok is None:
            L.append(f"| {name} | not measured in this run | – | – |")
            return
        L.append(f"| {name} | {measured_text} | {'yes' if ok else '**no**'} | {margin} |")
        if not ok:
            unmet.append(name)

    wd_real = idx.get(("real", "wiredesk", "files"))
    om_real = idx.get(("real", "omindex", "files"))
    fl_real = idx.get(("real", "xapian-floor", "jsonl"))
    lu_real = idx.get(("real", "lucene", "jsonl"))
    if wd_real and om_real:
        r = wd_real["aps"] / om_real["aps"]
        target("indexing the real articles: ≥ 2× omindex's articles/s",
               f"{fmt(wd_real['aps'])} vs {fmt(om_real['aps'])} articles/s = {r:.2f}×", r >= 2,
               f"{r / 2:.2f} of the target" if r < 2 else f"{(r / 2 - 1) * 100:.0f}% above")
    else:
        target("indexing the real articles: ≥ 2× omindex's articles/s", "", None, "")
    if wd_real and fl_real:
        r = wd_real["aps"] / fl_real["aps"]
        target("indexing the real articles: ahead of the raw-Xapian floor",
               f"{fmt(wd_real['aps'])} vs {fmt(fl_real['aps'])} articles/s = {r:.2f}×", r > 1,
               f"{(1 - r) * 100:.0f}% behind" if r <= 1 else f"{(r - 1) * 100:.0f}% ahead")
    else:
        target("indexing the real articles: ahead of the raw-Xapian floor", "", None, "")
    if wd_real and lu_real:
        r = wd_real["aps"] / lu_real["aps"]
        L.append(f"| gap to Lucene (reported, no target) | {fmt(wd_real['aps'])} vs {fmt(lu_real['aps'])} "
                 f"articles/s = {r:.2f}× | – | Lucene is {lu_real['aps'] / wd_real['aps']:.2f}× as fast |")
    re_real = reidx.get(("real", "wiredesk", "files"))
    if wd_real and re_real:
        share = re_real["wall"] / wd_real["wall"] * 100
        target("re-indexing the unchanged tree: < 5% of the first run",
               f"{fmt(re_real['wall'], 2)} s of {fmt(wd_real['wall'], 1)} s = {share:.1f}%", share < 5,
               f"{share / 5:.1f}× the limit" if share >= 5 else f"{5 - share:.1f} points under")
    else:
        target("re-indexing the unchanged tree: < 5% of the first run", "", None, "")
    for ds, p50_limit, p99_limit, label in [("real", 2, 20, "real articles"), ("gen-1000000", 20, 150, "1M generated")]:
        q = queries.get((ds, "wiredesk", "full", "query"))
        if q:
            target(f"queries at {label} with facets, snippets and grouping: p50 < {p50_limit} ms",
                   f"p50 {q['p50']:.2f} ms (in-process)", q["p50"] < p50_limit,
                   f"{q['p50'] / p50_limit:.2f} of the limit")
            target(f"queries at {label} with facets, snippets and grouping: p99 < {p99_limit} ms",
                   f"p99 {q['p99']:.2f} ms (in-process)", q["p99"] < p99_limit,
                   f"{q['p99'] / p99_limit:.2f} of the limit")
        else:
            target(f"queries at {label}: p50 < {p50_limit} ms, p99 < {p99_limit} ms", "", None, "")
        h = queries.get((ds, "wiredesk", "full+group", "http"))
        if h:
            applied = "grouping requested, not applied" if h.get("grouping_unavailable") else "grouped"
            target(f"same over HTTP, one client, group=story ({applied}): p50 < {p50_limit} ms, p99 < {p99_limit} ms",
                   f"p50 {h['p50']:.2f} ms, p99 {h['p99']:.2f} ms", h["p50"] < p50_limit and h["p99"] < p99_limit,
                   f"p50 {h['p50'] / p50_limit:.2f}, p99 {h['p99'] / p99_limit:.2f} of the limits")
    big = idx.get(("gen-1000000", "wiredesk", "jsonl"))
    small = idx.get(("gen-100000", "wiredesk", "jsonl"))
    if big:
        gib = big["rss_mib"] / 1024
        target("indexing 1M generated articles: peak RSS < 1.5 GiB", f"{gib:.2f} GiB", gib < 1.5,
               f"{gib / 1.5:.2f} of the limit")
    else:
        target("indexing 1M generated articles: peak RSS < 1.5 GiB", "", None, "")
    if big and small:
        r = big["aps"] / small["aps"]
        target("throughput at 1M within 30% of that at 100k", f"{fmt(big['aps'])} vs {fmt(small['aps'])} articles/s = {r:.2f}",
               r >= 0.7, f"{(1 - r) * 100:.0f}% slower" if r < 1 else "not slower")
    else:
        target("throughput at 1M within 30% of that at 100k", "", None, "")
    L.append("")

    # ---- indexing
    L.append("### Indexing")
    L.append("")
    L.append("Articles/s and MB/s count the articles' title and text bytes (the same number for every engine), "
             "over wall time from process start to exit. CPU is user + system seconds of the process and its "
             "children. Peak RSS is the largest resident set of one process (Lucene's includes the JVM heap). "
             "Compacted: `xapian-compact --multipass` (Xapian databases) or `forceMerge(1)` (Lucene). "
             "The page cache was warm (the articles are read once before the first run).")
    for ds in datasets:
        rows = [(k, v) for k, v in idx.items() if k[0] == ds]
        if not rows:
            continue
        L.append("")
        L.append(f"#### {dataset_title(ds, rows[0][1]['articles'])}")
        L.append("")
        L.append("| engine | input | runs | wall s | articles/s | MB/s | CPU s | peak RSS MiB | index MiB | compacted MiB | commands |")
        L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        order = {"wiredesk": 0, "omindex": 2, "xapian-floor": 3, "lucene": 4}
        rows.sort(key=lambda kv: (order.get(kv[0][1], 1), kv[0][2]))
        for (d, engine, inp), f in rows:
            db = {"wiredesk": f"wiredesk-{inp}", "omindex": "omindex", "xapian-floor": "xapian-floor",
                  "lucene": "lucene"}.get(engine, "wiredesk-nogroup")
            s = sizes.get((ds, db))
            L.append(f"| {engine} | {inp} | {f['n']} | {fmt(f['wall'], 2)} | {fmt(f['aps'])} | {fmt(f['mbps'], 2)} | "
                     f"{fmt(f['cpu'], 1)} | {fmt(f['rss_mib'])} | {fmt(s['index_kib'] / MIB) if s else '–'} | "
                     f"{fmt(s['compacted_kib'] / MIB) if s else '–'} | {cmds.cite(f['runs'])} |")
        wd = idx.get((ds, "wiredesk", "files")) or idx.get((ds, "wiredesk", "jsonl"))
        if wd:
            L.append("")
            L.append("Wiredesk (%s input) relative to each peer: articles/s ratio (above 1: Wiredesk faster), "
                     "CPU seconds ratio, peak RSS ratio, index size ratio (below 1: Wiredesk smaller)." %
                     ("files" if idx.get((ds, "wiredesk", "files")) else "JSON Lines"))
            L.append("")
            L.append("| peer | articles/s | CPU s | peak RSS | index size |")
            L.append("|---|---:|---:|---:|---:|")
            wd_db = "wiredesk-files" if idx.get((ds, "wiredesk", "files")) else "wiredesk-jsonl"
            for (d, engine, inp), f in rows:
                if engine == "wiredesk":
                    continue
                db = {"omindex": "omindex", "xapian-floor": "xapian-floor", "lucene": "lucene"}.get(engine, "wiredesk-nogroup")
                s_wd, s_peer = sizes.get((ds, wd_db)), sizes.get((ds, db))
                L.append(f"| {engine} ({inp}) | {ratio(wd['aps'], f['aps'])} | {ratio(wd['cpu'], f['cpu'])} | "
                         f"{ratio(wd['rss_mib'], f['rss_mib'])} | "
                         f"{ratio(s_wd['index_kib'], s_peer['index_kib']) if s_wd and s_peer else '–'} |")
            if wd.get("grouping") is not None:
                L.append("")
                L.append("Wiredesk's own `grouping` report for this run: `%s`" % json.dumps(wd["grouping"])[:600])
    growth_section(growth_rows(idx), cmds, L)
    L.append("")

    # ---- re-index
    L.append("### Re-indexing an unchanged tree")
    L.append("")
    L.append("The same command run again right after the first run, on the same database (median over runs).")
    L.append("")
    L.append("| dataset | engine | input | first run s | re-index s | share | commands |")
    L.append("|---|---|---|---:|---:|---:|---|")
    for key in sorted(reidx, key=lambda k: (dataset_order(k[0]), k[1], k[2])):
        first = idx.get(key)
        r = reidx[key]
        share = f"{r['wall'] / first['wall'] * 100:.1f}%" if first else "–"
        L.append(f"| {key[0]} | {key[1]} | {key[2]} | {fmt(first['wall'], 2) if first else '–'} | {fmt(r['wall'], 2)} | "
                 f"{share} | {cmds.cite(r['runs'])} |")
    L.append("")

    # ---- queries
    L.append("### Queries")
    L.append("")
    L.append("The same 200 seeded queries for every engine (`build/bench-data/queries.txt`, made by "
             "`bench/prepare_data.py queries`: 35% one word, 30% two, 15% three, 20% two-word phrases; all words "
             "must match), top 10, the 10 stored documents read. In each run one untimed pass warms the "
             "caches, then one timed pass; p50/p95/p99 over the 200 latencies, median over runs. "
             "*plain*: no facets, no spelling suggestion (Wiredesk still makes snippets; the peers do not). "
             "*facets*: plus facets over every match (sources, languages, date histogram) and did-you-mean. "
             "*full*: plus grouping of the results by story (`Request::group = kStory`), what the search page asks for. omindex's database is searched with the same "
             "raw-Xapian QueryParser code as the floor (no Omega CGI). HTTP: one keep-alive client against "
             "`wiredesk-serve`, client-side latency.")
    for ds in datasets:
        rows = [(k, v) for k, v in queries.items() if k[0] == ds]
        if not rows:
            continue
        L.append("")
        L.append(f"#### {ds}")
        L.append("")
        L.append("| engine | mode | runs | p50 ms | p95 ms | p99 ms | p50 vs Wiredesk plain | commands |")
        L.append("|---|---|---:|---:|---:|---:|---:|---|")
        base = queries.get((ds, "wiredesk", "plain", "query"))
        order = {"wiredesk": 0, "xapian-floor": 1, "omindex": 2, "lucene": 3}
        rows.sort(key=lambda kv: (order.get(kv[0][1], 9), kv[0][3], kv[0][2]))
        for (d, engine, mode, kind), f in rows:
            label = mode + (" (HTTP)" if kind == "http" else "")
            if kind == "http":
                label += f"; server's own timing p50 {f['server_p50']:.3f}, p99 {f['server_p99']:.3f}"
            if kind == "http" and f.get("grouping_unavailable"):
                label += ", grouping requested, not applied"
            if kind == "query" and mode == "full" and f.get("grouped") is False:
                label += " (no grouping in this build)"
            L.append(f"| {engine} | {label} | {f['n']} | {f['p50']:.3f} | {f['p95']:.3f} | {f['p99']:.3f} | "
                     f"{ratio(f['p50'], base['p50']) if base else '–'} | {cmds.cite(f['runs'])} |")
        slow = queries.get((ds, "wiredesk", "full", "query"), {}).get("slowest")
        if slow:
            L.append("")
            L.append(f"Slowest Wiredesk full query here: `{slow[0]}` ({slow[1]:.1f} ms).")
    L.append("")

    # ---- wrk
    L.append("### Concurrent clients (wrk against wiredesk-serve)")
    L.append("")
    L.append("`wiredesk-serve --threads 8 --rate-limit 0` on 127.0.0.1, wrk cycling through the 200 queries "
             "(`/api/search?limit=10&group=story&q=...`: facets and snippets on), each level for a fixed time. "
             "wrk runs on the same 2 cores as the server.")
    L.append("")
    L.append("| dataset | clients | runs | requests/s | p50 ms | p95 ms | p99 ms | errors | commands |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for key in sorted(wrk, key=lambda k: (dataset_order(k[0]), k[1])):
        f = wrk[key]
        L.append(f"| {key[0]} | {key[1]} | {len(f['runs'])} | {fmt(f['rps'])} | {f['p50']:.2f} | {f['p95']:.2f} | "
                 f"{f['p99']:.2f} | {f['errors']} | {cmds.cite(f['runs'])} |")
    L.append("")

    # ---- profiles
    L.append("### Profiles: where the time goes")
    L.append("")
    summary = profile_section(records, L)

    # ---- unmet targets
    L.append("### Targets not met: why, and what would close them")
    L.append("")
    if not unmet:
        L.append("Every target measured in this run is met." if any(True for _ in idx) else "Nothing measured.")
    for name in unmet:
        L.append(f"- **{name}.** " + explain(name, summary, idx, queries, machine))
    L.append("")
    L.append("#### Commands")
    L.append("")
    L.append("Every figure above cites its command. Paths are those of this run (data in "
             "`WIREDESK_BENCH_DATA`, indexes and raw results in `WIREDESK_BENCH_OUT`).")
    L.append("")
    L.append(cmds.markdown())
    L.append("")
    return "\n".join(L)


def top_buckets(summary, what, n=3):
    buckets = summary.get(what, {}).get("buckets", [])
    return ", ".join(f"{name} {share:.0f}%" for name, share in buckets[:n]) or "no profile in this run"


def cpu_bound(name, idx, machine):
    """For the real articles' indexing targets: the shortest wall time this run's CPU seconds
    allow on the machine's cores, against the wall time the target asks for. When the bound is
    over the target, no spreading of the same work over threads can meet it: only less work can.
    Returns the paragraph and whether that is so (the work, not its spreading, is over)."""
    wd = idx.get(("real", "wiredesk", "files"))
    if name.startswith("indexing the real articles: ≥ 2×"):
        peer, label, factor = idx.get(("real", "omindex", "files")), "2× omindex", 2.0
    elif name.startswith("indexing the real articles: ahead"):
        peer, label, factor = idx.get(("real", "xapian-floor", "jsonl")), "the floor", 1.0
    else:
        return "", False
    try:
        cores = int(machine.get("cores"))
    except (TypeError, ValueError):
        return "", False
    if not wd or not peer or cores < 1:
        return "", False
    bound = wd["cpu"] / cores
    wanted = peer["wall"] / factor
    text = (f"Wiredesk used {wd['cpu']:.1f} CPU seconds (user + system), so on {cores} cores its wall "
            f"time cannot go under {bound:.1f} s however the work is spread over threads; {label} means "
            f"{wanted:.1f} s or less (the peer took {peer['wall']:.1f} s wall and {peer['cpu']:.1f} CPU s). ")
    if bound > wanted:
        text += (f"So parallel writing alone cannot meet this target here: the work itself must shrink to "
                 f"{wanted * cores:.0f} CPU seconds or less, {100 * (1 - wanted * cores / wd['cpu']):.0f}% "
                 "under this run's. ")
        plain = idx.get(("real", f"wiredesk {machine.get('index_group_flag')}", "jsonl"))
        if plain and plain["cpu"] / cores <= wanted:
            text += (f"Without grouping the same articles took {plain['cpu']:.1f} CPU seconds, a bound of "
                     f"{plain['cpu'] / cores:.1f} s, under the target: there, spreading Xapian's writing over "
                     "threads (shards written in parallel, then merged) could reach it; with grouping, the "
                     "grouper's and the workers' extra work must shrink first. ")
    else:
        text += (f"The bound is {100 * (1 - bound / wanted):.0f}% under the target: meeting it needs the "
                 f"{cores} cores busy for at least {100 * bound / wanted:.0f}% of the run (in this run the wall "
                 f"time was {wd['wall'] / bound:.2f}× the bound), or less work. ")
    return text, bound > wanted


def scale_explanation(rows):
    """Why the throughput falls as the archive grows, from the growth rows of this run."""
    if len(rows) < 2:
        return "This run has fewer than two generated sizes with the writer's times, so it cannot say where."
    small, big = rows[0], rows[-1]
    text = growth_summary(small, big) + " "
    # Candidates are None for runs without grouping; a ratio needs some in the smaller run.
    if small["copy_candidates"] is not None and big["copy_candidates"] is not None and small["grouping"] and \
            small["copy_candidates"] + small["story_candidates"] > 0:
        candidates = ((big["copy_candidates"] + big["story_candidates"]) /
                      (small["copy_candidates"] + small["story_candidates"]))
        time = big["grouping"] / small["grouping"]
        text += (f"Grouping's candidates per article went from {small['copy_candidates']:.2f} / "
                 f"{small['story_candidates']:.2f} to {big['copy_candidates']:.2f} / {big['story_candidates']:.2f} "
                 f"(copy / story; {candidates:.2f}× together: the generated sizes span the same years, so the "
                 f"larger has more articles a day to compare with), and its time per article {time:.2f}×: ")
        text += ("it grew less than its candidates, so it follows them, not the archive's size. " if time <= candidates
                 else "it grew more than its candidates, and the difference is lookups in a larger database "
                      "(deeper B-trees, fewer of their blocks in the cache). ")
    text += ("An archive split by year (`wiredesk-index --shard-by year`) does not close it: measured by hand at "
             "1,000,000 generated articles (bench/RESULTS.md, \"Split by year at a million articles\"), its "
             "commits were cheaper, but grouping, which looks across every shard, took twice as long, Xapian's "
             "writing per article did not shrink, and searches were four to five times slower. Xapian's writing per "
             "article is then not set by the size of the database it writes into; what differs at a million "
             "is the batch (up to 5,000 articles, the cap, against up to about 3,300 at 100,000: an article's writing costs "
             "more the more the open batch holds) and the grouper's heavier work beside it on the same cores. "
             "What is left to try: fewer grouping lookups per candidate, and batches past the cap in a large "
             "database (fewer commits), which the memory margin under the 1.5 GiB target allows.")
    return text


def explain(name, summary, idx, queries, machine):
    """The why / what-would-close-it paragraph of an unmet target, from the profile's shares."""
    if name.startswith("throughput"):
        return scale_explanation(growth_rows(idx))
    if name.startswith("indexing the real") or name.startswith("indexing 1M"):
        text, work_over = cpu_bound(name, idx, machine)
        text += (f"The indexing profile puts the samples in: {top_buckets(summary, 'index', 4)}. ")
        threads = summary.get("index", {}).get("threads")
        if threads:
            text += "By thread: " + ", ".join(threads[:4]) + ". "
            shares = {}
            for entry in threads:
                m = re.match(r"(\d+):\S*\s+([\d.]+)%", entry)
                if m:
                    shares[int(m.group(1))] = float(m.group(2))
            if shares:
                ids = sorted(shares)
                main = shares[ids[0]]  # the main thread has the lowest id
                if len(ids) > 1 and main + shares[ids[1]] > 60:
                    text += (f"The two threads of the writer take {main:.0f}% and {shares[ids[1]]:.0f}% of all "
                             "samples: the main thread groups each article and commits, the other makes "
                             "Xapian's writes in order; the workers wait. Indexing is bound by one "
                             "Xapian writer and its commits (grouping already overlaps them), so more worker "
                             "threads cannot help; ")
                    text += ("what would close the gap is less work per article, on the writer's two threads "
                             "first (grouping's lookups, the terms each article adds) and then in the workers, "
                             "before any spreading of it. " if work_over else
                             "what would close the gap is writing several shards in parallel and merging them "
                             "with xapian-compact, and writing less per article. ")
                elif main > 50:
                    text += (f"The writer (the main thread) takes {main:.0f}% of all samples while the workers "
                             "wait: indexing is bound by the single writer thread (Xapian's document additions "
                             "and commits), so more worker threads cannot help; what would close the gap is "
                             "writing several shards in parallel and merging them with xapian-compact. ")
        buckets = dict(summary.get("index", {}).get("buckets", []))
        if name.startswith("indexing 1M"):
            text += ("Peak memory during indexing is the Xapian writer's buffered postings for one batch plus the "
                     "articles queued between workers and writer; a smaller `--batch` (fewer buffered changes per "
                     "commit) and a bounded queue lower it. ")
        if buckets.get("grouping (features, candidates, verification)", 0) > 15:
            text += ("Grouping is a large share: its decisions run in order on the writer's main thread (they "
                     "overlap Xapian's writing, which runs on another), so it does not scale with cores; "
                     "caching decoded candidates within a batch would shorten it. ")
        if buckets.get("Xapian: postings, positions, B-tree writes, commit", 0) > 30:
            text += ("Xapian's own writing (postings, positions, B-tree updates at commit) is a large share, and it "
                     "runs on one thread: that part is the floor every Xapian engine pays, so the way ahead is to "
                     "index fewer terms per article (e.g. no separate `S` positional copy of the headline) or to write "
                     "shards on several threads and merge them with `xapian-compact`. ")
        if buckets.get("ICU: word breaks, case folding, normalisation", 0) > 15:
            text += ("ICU analysis is a large share; the ASCII fast path and a cached break iterator per worker "
                     "are where to look. ")
        return text + "The shares per bucket are in the profile tables above."
    if name.startswith("re-indexing"):
        return ("An unchanged run still walks the tree, stats every file and reads every file state from the "
                "database metadata; with one file per article this is one metadata lookup per file. Reading the "
                "file states once into a map, or storing one state per directory, would bring it down. "
                f"(Profile of indexing: {top_buckets(summary, 'index')}.)")
    if name.startswith("same over HTTP"):
        gaps = [(k[0], f["p50"], f["server_p50"]) for k, f in queries.items() if k[3] == "http"]
        gap_text = "; ".join(f"{d}: client p50 {c:.1f} ms, server p50 {s:.1f} ms" for d, c, s in gaps)
        text = f"Client-side latency against the server's own timing: {gap_text}. "
        if any(c - s > 20 for _, c, s in gaps):
            text += ("Most of the client's time is not spent searching: on a keep-alive connection each answer "
                     "waits about 40 ms, the signature of Nagle's algorithm meeting delayed ACKs (the server writes "
                     "headers and body in separate small sends). A request on a fresh connection, or to an unknown "
                     "`/api/` path, shows the same gap on keep-alive and none without it. Setting TCP_NODELAY on "
                     "the server's sockets (cpp-httplib: `CPPHTTPLIB_TCP_NODELAY true`, defined before including "
                     "httplib.h in searcher/web) would close it; wrk's requests/s per client is capped by the same "
                     "wait. ")
        return text + "The in-process rows show what the search itself costs."
    if name.startswith("queries"):
        ds = "real" if "real" in name else "gen-1000000"
        parts = []
        for engine, mode in [("xapian-floor", "plain"), ("wiredesk", "plain"), ("wiredesk", "facets"), ("wiredesk", "full")]:
            f = queries.get((ds, engine, mode, "query"))
            if f:
                parts.append(f"{engine} {mode} p50 {f['p50']:.2f} / p99 {f['p99']:.2f} ms")
        text = ("Cost by layer at this size: " + "; ".join(parts) + ". The step from the floor to Wiredesk plain is "
                "query building (analyzer, name variants) and snippets; plain to facets is the exact counting; facets "
                "to full is grouping. ")
        text += f"The profile of the slowest query puts the samples in: {top_buckets(summary, 'query', 4)}. "
        buckets = dict(summary.get("query", {}).get("buckets", []))
        if buckets.get("ICU: word breaks, case folding, normalisation", 0) > 10:
            text += ("ICU's break iterator is the snippet maker tokenizing whole stored bodies (some timeline17 "
                     "pages are 100-200 KB); scanning only the windows around the matched terms' positions, or "
                     "capping the text tokenized per hit, would remove most of it. ")
        if buckets.get("JSON parsing and output", 0) > 3:
            text += ("Parsing each hit's JSON document data (the whole body) shows too; a binary or split record "
                     "(body apart from the small fields) would make it cheaper. ")
        text += ("Exact facets look at every match (match spies, check_at_least = all), so their cost grows with "
                 "the match count; counting on a sample for broad queries (Request::exact_counts = false) bounds it.")
        return text
    return "See the profile tables above."


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--markdown", required=True)
    parser.add_argument("--quick", default="0")
    args = parser.parse_args()
    machine, records = load(args.results)
    section = BEGIN + "\n" + build(records, machine, args.quick == "1", os.path.dirname(args.results)) + "\n" + END
    if os.path.exists(args.markdown):
        text = open(args.markdown).read()
        if BEGIN in text and END in text:
            before, rest = text.split(BEGIN, 1)
            after = rest.split(END, 1)[1]
            text = before + section + after
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
    else:
        text = ("# Wiredesk benchmark results\n\nEach section below is written by the command named in it; "
                "see bench/README.md.\n\n" + section + "\n")
    with open(args.markdown, "w") as f:
        f.write(text)
    print(f"report.py: wrote {args.markdown}")


if __name__ == "__main__":
    main()
