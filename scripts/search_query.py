#!/usr/bin/env python3
"""Answers a query from a built site's search index the way the theme's
script does (docs/search.md): for checking the index by hand and in CI.

usage: search_query.py [--transfer] PUBLIC_DIR "query words" [KIND=SLUG ...]

--transfer: also prints, on stderr, every index file the query reads (the
first page of 20 results included) and their bytes, raw and gzipped: what
a reader's first query downloads besides the page and its script.
"""
import gzip, json, os, re, sys, unicodedata

def fold(text):
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if not unicodedata.category(c).startswith("M"))
    return text.lower()

def words(text):
    return re.findall(r"[^\W_]+", fold(text))

def fnv1a(text):
    h = 2166136261
    for b in text.encode():
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h

def main():
    args = sys.argv[1:]
    transfer = args[:1] == ["--transfer"]
    root, query, *filters = args[1:] if transfer else args
    base = os.path.join(root, "search")
    read = set()

    def load(*p):
        path = os.path.join(base, *p)
        read.add(path)
        return json.load(open(path))

    manifest = load("index.json")
    qs = words(query)
    prefix = bool(qs) and not query.endswith(" ")
    totals = None
    for n, w in enumerate(qs):
        key = w[:2]
        lex = load("l", f"{fnv1a(key) % manifest['lexicon_shards']}.json")
        stems = {}
        if w in lex:
            stems[lex[w][0]] = lex[w][1]
        if prefix and n == len(qs) - 1 and len(w) >= 2:
            cands = sorted({(v[0], v[1]) for k, v in lex.items() if k.startswith(w)}, key=lambda s: (-s[1], s[0]))[:8]
            stems.update(dict(cands))
        best = {}
        for stem in stems:
            post = load("p", f"{fnv1a(stem) % manifest['posting_shards']}.json")[stem]
            doc = 0
            for i in range(0, len(post), 2):
                doc += post[i]
                best[doc] = max(best.get(doc, 0), post[i + 1])
        totals = best if totals is None else {d: totals[d] + s for d, s in best.items() if d in totals}
    if totals is None:
        totals = {}
    for f in filters:
        kind, slug = f.split("=", 1)
        keep, doc = set(), 0
        for d in load("f", kind, f"{slug}.json"):
            doc += d
            keep.add(doc)
        totals = {d: s for d, s in totals.items() if d in keep} if qs else {d: 0 for d in keep}
    ranked = sorted(totals.items(), key=lambda x: (-x[1], x[0]))
    chunk = manifest["chunk"]
    for doc, score in ranked[:20]:
        row = load("d", f"{doc // chunk}.json")[doc % chunk]
        print(f"{score}\t{row[1]}\t{row[0]}")
    if transfer:
        raw = gz = 0
        for path in sorted(read):
            data = open(path, "rb").read()
            size = len(gzip.compress(data, 6))
            raw, gz = raw + len(data), gz + size
            print(f"{os.path.relpath(path, base)}\t{len(data)}\t{size}", file=sys.stderr)
        print(f"{len(read)} files, {raw} bytes, {gz} gzipped", file=sys.stderr)

main()
