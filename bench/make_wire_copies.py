#!/usr/bin/env python3
"""Writes a labelled wire-copy evaluation set from real articles of ../shared/corpus.

Each original (a real article of BASIL, BBC or Reuters-21578 with at least 8 paragraphs' worth of
text) is republished 1-8 times with the edits wire copy goes through: a new headline, dateline or
byline added or removed, trimmed from the bottom, a paragraph dropped or a local one added,
boilerplate tails, photo captions, house-style spellings, straight/curly quotes and typos.
Some originals get a follow-up: a new lead (from another article) over two of the original's
background paragraphs, a few days later - a hard negative that must not join the copy group.
Unrelated real articles are added as distractors.

Output (in --out, default a fresh temporary directory; never committed):
  wire_copies.jsonl   records {id, title, text, date, source, copy_cluster, story_cluster, kind}
  followups.jsonl     pairs {id1, id2} of originals and their follow-ups (negatives)
Standard library only; deterministic for a given --seed.
"""
import argparse
import datetime
import gzip
import json
import os
import random
import tempfile

OUTLETS = ["Harbor Wire", "Northern Ledger", "Continental Post", "The Meridian Post",
           "Metro Pulse", "ETV Bharat", "Gulf Dispatch", "Savanna Times", "Coastal Times",
           "Deccan Daily Post", "Alpine Courier", "Lowlands Herald", "Reykjavik Review",
           "Andes Report", "Southern Cross Daily", "Iberia Today"]
HOUSE_STYLE = [("per cent", "percent"), ("labour", "labor"), ("centre", "center"),
               ("organisation", "organization"), ("Kyiv", "Kiev"), ("defence", "defense"),
               ("programme", "program"), ("favour", "favor"), ("colour", "color"),
               ("analyse", "analyze"), ("realise", "realize"), ("travelled", "traveled")]
TAILS = ["Copyright {year} {agency}. All rights reserved.",
         "Follow us on X and Facebook for the latest news.",
         "{agency} contributed to this report.",
         "This material may not be published, broadcast, rewritten or redistributed.",
         "Sign up for our daily newsletter."]


def read(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def paragraphs(text):
    return [p.strip() for p in (text or "").split("\n") if p.strip()]


def typo(word, rng):
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # swap
    if kind == 1:
        return word[:i] + word[i + 1:]  # drop
    return word[:i] + word[i] + word[i:]  # double


def edit(paras, meta, rng, unrelated):
    """One republication of `paras`; returns (title, text, edits)."""
    out = list(paras)
    edits = []
    if rng.random() < 0.5:  # dateline removed or added
        first = out[0]
        if " - " in first[:60] or " \u2013 " in first[:60]:
            sep = " - " if " - " in first[:60] else " \u2013 "
            out[0] = first.split(sep, 1)[1]
            edits.append("dateline-removed")
        else:
            out[0] = "%s (%s) - %s" % (meta["place"].upper(), meta["agency"], first)
            edits.append("dateline-added")
    if rng.random() < 0.4:  # trimmed from the bottom
        keep = max(2, int(len(out) * rng.uniform(0.4, 0.9)))
        out = out[:keep]
        edits.append("trimmed")
    if len(out) > 4 and rng.random() < 0.3:
        del out[rng.randrange(2, len(out) - 1)]
        edits.append("paragraph-dropped")
    if rng.random() < 0.3:
        local = rng.choice(unrelated)
        out.insert(rng.randrange(1, len(out) + 1), local)
        edits.append("paragraph-added")
    if rng.random() < 0.4:
        out.insert(0, "By %s %s" % (rng.choice(["Anna", "Joost", "Priya", "Tom", "Lena"]),
                                    rng.choice(["de Vries", "Okafor", "Iyer", "Brandt", "Silva"])))
        edits.append("byline")
    if rng.random() < 0.3:
        out.insert(1, "A view of the scene on %s. (%s Photo)" % (meta["day"], meta["agency"]))
        edits.append("caption")
    if rng.random() < 0.5:
        out.extend(t.format(year=meta["year"], agency=meta["agency"])
                   for t in rng.sample(TAILS, rng.randrange(1, 3)))
        edits.append("boilerplate")
    text = "\n".join(out)
    if rng.random() < 0.5:
        for a, b in HOUSE_STYLE:
            text = text.replace(a, b) if rng.random() < 0.5 else text.replace(b, a)
        edits.append("house-style")
    if rng.random() < 0.5:
        if "\u201c" in text or "\u2019" in text:
            text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
        else:
            text = text.replace("'", "\u2019")
        edits.append("quotes")
    if rng.random() < 0.5:
        words = text.split(" ")
        for _ in range(rng.randrange(1, 6)):
            i = rng.randrange(len(words))
            words[i] = typo(words[i], rng)
        text = " ".join(words)
        edits.append("typos")
    title = meta["title"]
    if rng.random() < 0.8:
        title = rng.choice(["Update: ", "", "Breaking: ", "World: "]) + " ".join(
            rng.sample(title.split(), max(1, len(title.split()) - 1)))
        edits.append("headline")
    return title, text, edits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--corpus", default=os.path.join(here, "..", "..", "shared", "corpus"))
    parser.add_argument("--out", default=None)
    parser.add_argument("--originals", type=int, default=200)
    parser.add_argument("--distractors", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out_dir = args.out or tempfile.mkdtemp(prefix="wiredesk-wire-copies-")
    os.makedirs(out_dir, exist_ok=True)

    pool = []
    for name, agency in [("basil_triplets", "AP"), ("bbc_fulltext", "AFP"),
                         ("reuters21578", "Reuters")]:
        for record in read(os.path.join(args.corpus, name + ".jsonl.gz")):
            paras = paragraphs(record.get("text"))
            if len(paras) >= 5 and sum(len(p.split()) for p in paras) >= 150:
                pool.append((record, paras, agency))
    rng.shuffle(pool)
    originals = pool[:args.originals]
    distractors = pool[args.originals:args.originals + args.distractors]
    spare = [p for _, paras, _ in pool[args.originals + args.distractors:] for p in paras]

    records, negatives = [], []
    base_day = datetime.date(2025, 3, 1)
    for n, (record, paras, agency) in enumerate(originals):
        day = base_day + datetime.timedelta(days=rng.randrange(0, 300))
        meta = {"title": record.get("title") or paras[0][:60], "agency": agency,
                "place": rng.choice(["Rotterdam", "Nairobi", "Lima", "Osaka", "Oslo", "Quito"]),
                "day": day.strftime("%A"), "year": day.year}
        cluster = "wire-%d" % n
        records.append({"id": "orig-%d" % n, "title": meta["title"], "text": "\n".join(paras),
                        "date": day.isoformat(), "source": agency, "copy_cluster": cluster,
                        "story_cluster": cluster, "kind": "original"})
        for k in range(rng.randrange(1, 9)):
            title, text, edits = edit(paras, meta, rng, spare)
            when = day + datetime.timedelta(days=rng.choice([0, 0, 0, 1, 1, 2]))
            records.append({"id": "copy-%d-%d" % (n, k), "title": title, "text": text,
                            "date": when.isoformat(), "source": rng.choice(OUTLETS),
                            "copy_cluster": cluster, "story_cluster": cluster,
                            "kind": "copy:" + ",".join(edits)})
        if rng.random() < 0.4 and len(paras) >= 6:
            other = rng.choice(distractors)[1]
            lead = other[:rng.randrange(2, 4)]
            background = paras[3:5]
            when = day + datetime.timedelta(days=rng.randrange(1, 6))
            fid = "followup-%d" % n
            records.append({"id": fid, "title": "Follow-up: " + meta["title"],
                            "text": "\n".join(lead + background + other[4:6]),
                            "date": when.isoformat(), "source": agency,
                            "copy_cluster": fid, "story_cluster": fid, "kind": "followup"})
            negatives.append({"id1": "orig-%d" % n, "id2": fid})
    for n, (record, paras, agency) in enumerate(distractors):
        day = base_day + datetime.timedelta(days=rng.randrange(0, 300))
        did = "distractor-%d" % n
        records.append({"id": did, "title": record.get("title") or "", "text": "\n".join(paras),
                        "date": day.isoformat(), "source": agency, "copy_cluster": did,
                        "story_cluster": did, "kind": "distractor"})
    rng.shuffle(records)
    with open(os.path.join(out_dir, "wire_copies.jsonl"), "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    with open(os.path.join(out_dir, "followups.jsonl"), "w", encoding="utf-8") as f:
        for pair in negatives:
            f.write(json.dumps(pair) + "\n")
    print(out_dir)


if __name__ == "__main__":
    main()
