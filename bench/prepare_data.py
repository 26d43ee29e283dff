#!/usr/bin/env python3
"""Prepares the benchmark's articles under a data directory (never in the source tree).

  prepare_data.py real  --corpus ../shared/corpus --out DIR [--limit N]
      The real articles (reuters21578 + timeline17 + bbc_fulltext), written twice:
      DIR/files/<dataset>/<nnn>/<id>.txt (one file per article, for file indexers) and
      DIR/jsonl/<dataset>.jsonl (JSON Lines: id, title, text, date, source, url).

  prepare_data.py generate --corpus ../shared/corpus --out DIR --articles N [--seed S]
                           [--per-day D]
      A generated archive of N articles in JSON Lines shards of 10,000 (DIR/jsonl/part-NNNN.jsonl).
      Each article recombines real paragraphs taken from *different* articles of one dataset under
      a new id, date and source; it is not a copy of any one article. About 15% are wire copies of
      an earlier generated article, edited the way republishers edit wire copy: a new headline, a
      dateline and credit line, a trimmed tail, a local paragraph, a few changed words, another
      outlet, a few hours to three days later. Copies are what index-time grouping has to find.
      Dates run from 2015 over eleven years whatever N is, so a larger archive is a denser one;
      with --per-day D they advance by D articles a day instead, so a larger archive covers more
      days at the same density (what grouping's cost per article should not grow with).

  prepare_data.py queries --corpus ../shared/corpus --out FILE [--count 200] [--seed S]
      A fixed, seeded set of queries: one to three words and two-word phrases, drawn from words
      of moderate document frequency in the real articles.

Every mode writes DIR/manifest.json (articles, bytes of title+text) for articles/s and MB/s.
Deterministic for a given corpus and seed. Python 3.11 standard library only.
"""
import argparse
import datetime as dt
import gzip
import json
import os
import random
import re
import sys
from collections import Counter

DATASETS = ["reuters21578", "timeline17", "bbc_fulltext"]
SHARD = 10_000


def read_corpus(corpus, limit=None):
    """Yields (dataset, record) for the three real datasets, in file order."""
    for name in DATASETS:
        with gzip.open(os.path.join(corpus, name + ".jsonl.gz"), "rt", encoding="utf-8") as f:
            for n, line in enumerate(f):
                if limit is not None and n >= limit:
                    break
                yield name, json.loads(line)


def article_bytes(title, text):
    return len((title or "").encode()) + len((text or "").encode())


def write_manifest(out, **fields):
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(fields, f, indent=1)


# ---------------------------------------------------------------------------------------- real
def prepare_real(args):
    files_root = os.path.join(args.out, "files")
    jsonl_root = os.path.join(args.out, "jsonl")
    os.makedirs(jsonl_root, exist_ok=True)
    count = 0
    total_bytes = 0
    per_dataset_limit = None
    if args.limit:
        per_dataset_limit = max(1, args.limit // len(DATASETS))
    outputs = {}
    for name, rec in read_corpus(args.corpus, per_dataset_limit):
        if name not in outputs:
            outputs[name] = [open(os.path.join(jsonl_root, name + ".jsonl"), "w", encoding="utf-8"), 0]
        out, n = outputs[name]
        outputs[name][1] += 1
        title = rec.get("title") or ""
        text = rec.get("text") or ""
        record = {"id": rec["id"], "title": title, "text": text, "date": rec.get("date"),
                  "source": rec.get("source"), "url": rec.get("url")}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        # One file per article: mail-style headers, a blank line, the body.
        folder = os.path.join(files_root, name, "%03d" % (n // 1000))
        os.makedirs(folder, exist_ok=True)
        safe_id = re.sub(r"[^A-Za-z0-9._-]", "_", rec["id"])
        with open(os.path.join(folder, safe_id + ".txt"), "w", encoding="utf-8") as f:
            f.write("Title: %s\n" % title.replace("\n", " "))
            if rec.get("date"):
                f.write("Date: %s\n" % rec["date"])
            if rec.get("source"):
                f.write("Source: %s\n" % rec["source"])
            if rec.get("url"):
                f.write("URL: %s\n" % rec["url"])
            f.write("\n" + text + "\n")
        count += 1
        total_bytes += article_bytes(title, text)
    for out, _ in outputs.values():
        out.close()
    write_manifest(args.out, kind="real", articles=count, text_bytes=total_bytes,
                   datasets=DATASETS, limit=args.limit)
    print(f"real: {count} articles, {total_bytes / 1e6:.1f} MB of text -> {args.out}")


# ------------------------------------------------------------------------------------ generate
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def paragraphs_of(text):
    """Real paragraphs; a very long line (web extraction) is cut at sentence ends into ~600 chars."""
    out = []
    for line in (text or "").split("\n"):
        line = line.strip()
        if len(line) < 30:
            continue
        if len(line) <= 1200:
            out.append(line)
            continue
        chunk = ""
        for sentence in SENTENCE_END.split(line):
            chunk = (chunk + " " + sentence).strip()
            if len(chunk) >= 600:
                out.append(chunk)
                chunk = ""
        if len(chunk) >= 30:
            out.append(chunk)
    return out


OUTLETS = [
    "Harbor Wire", "Northfield Courier", "Lakeside Gazette", "Capital Ledger", "Valley Herald",
    "Eastern Tribune", "Coastal Times", "Metro Dispatch", "Prairie Post", "Summit Journal",
    "River City Star", "Bay Chronicle", "Granite Observer", "Pine County News", "Harbor Daily",
    "Westgate Register", "Highland Sentinel", "Mill Town Record", "Union Examiner", "Delta Report",
    "Ridge Press", "Frontier Bulletin", "Atlantic Monitor", "Central Standard", "Southern Mail",
    "Northern Echo Online", "Bridgeport Review", "Crescent Times", "Old Port Herald", "Plains Daily",
]
WIRES = ["Associated Press", "Reuters", "Agence France-Presse", "Press Association", "Wire Service One"]
CITIES = ["LONDON", "NEW YORK", "WASHINGTON", "PARIS", "BERLIN", "TOKYO", "NAIROBI", "SYDNEY",
          "CHICAGO", "MADRID", "CAIRO", "DELHI", "TORONTO", "MEXICO CITY", "BRUSSELS", "GENEVA"]
EPOCH_START = dt.datetime(2015, 1, 1, tzinfo=dt.timezone.utc)
EPOCH_DAYS = 11 * 365


def edit_words(paragraph, rng, edits):
    """A few word-level edits: drop, duplicate or swap neighbouring words (sub-editing)."""
    words = paragraph.split(" ")
    for _ in range(edits):
        if len(words) < 6:
            break
        i = rng.randrange(1, len(words) - 1)
        kind = rng.random()
        if kind < 0.4:
            del words[i]
        elif kind < 0.7:
            words[i], words[i + 1] = words[i + 1], words[i]
        else:
            words.insert(i, rng.choice(["also", "now", "reportedly", "still", "officially"]))
    return " ".join(words)


def generate(args):
    rng = random.Random(args.seed)
    # Pools per dataset: paragraphs with the index of the article they came from, titles, and the
    # paragraph counts of real articles (the length distribution to imitate).
    pools = {}
    for name, rec in read_corpus(args.corpus):
        pool = pools.setdefault(name, {"paras": [], "owner": [], "titles": [], "lengths": []})
        paras = paragraphs_of(rec.get("text"))
        if not paras:
            continue
        owner = len(pool["lengths"])
        pool["lengths"].append(min(len(paras), 40))
        pool["paras"].extend(paras)
        pool["owner"].extend([owner] * len(paras))
        if rec.get("title"):
            pool["titles"].append(rec["title"])
    names = list(pools)
    weights = [len(pools[n]["lengths"]) for n in names]
    all_titles = [t for n in names for t in pools[n]["titles"]]

    jsonl_root = os.path.join(args.out, "jsonl")
    os.makedirs(jsonl_root, exist_ok=True)
    recent = []  # recent originals a wire copy can be taken from
    total_bytes = 0
    copies = 0
    out = None
    for n in range(args.articles):
        if n % SHARD == 0:
            if out:
                out.close()
            out = open(os.path.join(jsonl_root, "part-%04d.jsonl" % (n // SHARD)), "w", encoding="utf-8")
        # Dates advance with the id, with jitter, so that copies of a story fall within days.
        if args.per_day:
            day = n / args.per_day + rng.uniform(-2, 2)
        else:
            day = EPOCH_DAYS * n / max(1, args.articles) + rng.uniform(-2, 2)
        when = EPOCH_START + dt.timedelta(days=max(0.0, day), seconds=rng.randrange(86400))
        if recent and rng.random() < args.copy_share:
            copies += 1
            orig = rng.choice(recent)
            paras = list(orig["paras"])
            keep = max(1, round(len(paras) * rng.uniform(0.6, 1.0)))  # trimmed tail
            paras = paras[:keep]
            paras = [edit_words(p, rng, rng.randrange(0, 3)) if rng.random() < 0.3 else p for p in paras]
            if rng.random() < 0.3:  # a local paragraph
                pool = pools[rng.choices(names, weights)[0]]
                paras.insert(rng.randrange(1, len(paras) + 1), rng.choice(pool["paras"]))
            if rng.random() < 0.6:  # dateline and credit line
                paras[0] = "%s (%s) - %s" % (rng.choice(CITIES), orig["wire"], paras[0])
            title = orig["title"]
            if rng.random() < 0.5:
                title = rng.choice(all_titles) if rng.random() < 0.3 else edit_words(title, rng, 1)
            source = rng.choice(OUTLETS)
            when = orig["when"] + dt.timedelta(hours=rng.uniform(0.1, 72))
            wire = orig["wire"]
        else:
            pool = pools[rng.choices(names, weights)[0]]
            length = rng.choice(pool["lengths"])
            # Paragraphs from different articles: no two from the same source article.
            paras, owners = [], set()
            while len(paras) < length:
                i = rng.randrange(len(pool["paras"]))
                if pool["owner"][i] in owners and len(owners) < len(pool["lengths"]):
                    continue
                owners.add(pool["owner"][i])
                paras.append(pool["paras"][i])
            title = rng.choice(pool["titles"]) if pool["titles"] else paras[0][:80]
            wire = rng.choice(WIRES)
            source = wire if rng.random() < 0.3 else rng.choice(OUTLETS)
            recent.append({"paras": paras, "title": title, "when": when, "wire": wire})
            if len(recent) > 3000:
                recent.pop(0)
        text = "\n".join(paras)
        record = {"id": "gen%d-%07d" % (args.seed, n), "title": title, "text": text,
                  "date": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "source": source,
                  "url": "https://news.example/%s/%07d" % (source.lower().replace(" ", "-"), n)}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        total_bytes += article_bytes(title, text)
    if out:
        out.close()
    days = args.articles / args.per_day if args.per_day else EPOCH_DAYS
    write_manifest(args.out, kind="generated", articles=args.articles, text_bytes=total_bytes,
                   seed=args.seed, copies=copies, copy_share=args.copy_share,
                   days=round(days), per_day=round(args.articles / max(days, 1), 1))
    print(f"generated: {args.articles} articles ({copies} wire copies), "
          f"{total_bytes / 1e6:.1f} MB of text -> {args.out}")


# ------------------------------------------------------------------------------------- queries
WORD = re.compile(r"[A-Za-z]{3,}")
STOP = set("""the and for that with from this have were said has was are its but not they which
will their been would had also more after his her she him who one two than other about into over
there when out all some can what could new year years last may only first our them any such
these most very should per those then both being because said says mln dlrs pct cts reuter""".split())


def make_queries(args):
    rng = random.Random(args.seed)
    df = Counter()
    texts = []
    for _, rec in read_corpus(args.corpus):
        text = (rec.get("title") or "") + "\n" + (rec.get("text") or "")
        words = [w.lower() for w in WORD.findall(text)]
        df.update(set(words))
        if rng.random() < 0.1:
            texts.append(words)
    n_docs = sum(1 for _ in read_corpus(args.corpus))
    # Moderate document frequency: between 0.05% and 5% of the articles.
    vocab = sorted(w for w, c in df.items()
                   if w not in STOP and n_docs * 0.0005 <= c <= n_docs * 0.05)
    common = sorted(w for w, c in df.items() if w not in STOP and n_docs * 0.005 <= c <= n_docs * 0.2)
    queries = []
    while len(queries) < args.count:
        kind = rng.random()
        if kind < 0.35:
            q = rng.choice(vocab)
        elif kind < 0.65:
            q = "%s %s" % (rng.choice(common), rng.choice(vocab))
        elif kind < 0.80:
            q = "%s %s %s" % (rng.choice(common), rng.choice(common), rng.choice(vocab))
        else:  # a phrase that occurs in the text
            words = rng.choice(texts)
            if len(words) < 3:
                continue
            i = rng.randrange(len(words) - 1)
            if words[i] in STOP or words[i + 1] in STOP:
                continue
            q = '"%s %s"' % (words[i], words[i + 1])
        if q not in queries:
            queries.append(q)
    with open(args.out, "w") as f:
        f.write("\n".join(queries) + "\n")
    print(f"queries: {len(queries)} -> {args.out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["real", "generate", "queries"])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--limit", type=int, help="real: at most this many articles (a sample)")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--copy-share", type=float, default=0.15)
    parser.add_argument("--per-day", type=float,
                        help="generate: articles a day (default: any N spread over eleven years)")
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    {"real": prepare_real, "generate": generate, "queries": make_queries}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
