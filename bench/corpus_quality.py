"""The corpus part of bench/extraction_quality.py (``--corpus``): per document, per split."""

from __future__ import annotations

import time
from collections import defaultdict

from gazetteer import Gazetteer, UnknownPlace
from geoapp.ingest.corpus import corpus_documents, read_jsonl_annotation
from geoapp.ingest.document import analyse
from geoapp.ingest.evaluate import DocumentScore, evaluate_document


def score_document(doc, gaz: Gazetteer) -> DocumentScore:
    rows = read_jsonl_annotation(doc.annotation_path)
    try:
        items = analyse(doc.text_path, gaz).items
    except Exception as exc:  # noqa: BLE001 — a failing document scores zero, and says why
        print(f"  ! {doc.id}: extraction failed: {type(exc).__name__}: {str(exc)[:120]}")
        items = []
    return evaluate_document(items, rows, resolves=lambda n: bool(gaz.resolve(n, limit=1).matches),
                             allowed_provinces=provinces(doc, rows, gaz))  # fmt: skip


def provinces(doc, rows, gaz: Gazetteer) -> set[str]:
    """Two-digit codes of the provinces the document is about or its annotation names."""
    out = set()
    for name in {doc.county, *(c for r in rows for c in r["county"].split("|"))}:
        try:
            out.add(gaz.county(name).code[:2])
        except UnknownPlace:
            continue
    return out


class Totals:
    def __init__(self):
        self.n = self.total = self.found = self.cat = self.cty = 0
        self.extracted = self.true = self.routes = self.lines = self.far = 0

    def add(self, s: DocumentScore):
        self.n += 1
        for k in s.scores.values():
            self.total += k.total
            self.found += k.found
            self.cat += k.category_ok
            self.cty += k.county_ok
        self.extracted += s.extracted
        self.true += s.true_items
        self.routes += s.routes
        self.lines += s.routes_as_lines
        self.far += len(s.far)

    def line(self) -> str:
        pct = lambda a, b: f"{a / b:6.1%}" if b else "     –"  # noqa: E731
        return (f"docs {self.n:3}  recall {pct(self.found, self.total)} ({self.found}/{self.total})  "
                f"precision {pct(self.true, self.extracted)} ({self.true}/{self.extracted})  "
                f"category {pct(self.cat, self.found)}  county {pct(self.cty, self.found)}  "
                f"lines {pct(self.lines, self.routes)} ({self.lines}/{self.routes})  far {self.far}")  # fmt: skip


def report(gaz: Gazetteer, args) -> None:
    started = time.perf_counter()
    totals: dict[tuple[str, str], Totals] = defaultdict(Totals)
    missing = []
    for doc in corpus_documents():
        if (args.split and doc.split != args.split) or (args.origin and doc.origin != args.origin):
            continue
        if args.doc and doc.id != args.doc:
            continue
        if not doc.available:
            missing.append(doc.id)
            continue
        s = score_document(doc, gaz)
        totals[(doc.origin, doc.split)].add(s)
        one = Totals()
        one.add(s)
        print(f"{doc.origin:7} {doc.split:4} {doc.id[:28]:28} {one.line()}")
        if args.misses:
            for kind, k in s.scores.items():
                for row in k.misses:
                    print(f"    miss  {kind:7} {row['name']}  [{row['category']}/{row['subtype']}]")
        if args.extras:
            for it in s.false_items:
                print(f"    false {it.kind:7} {it.name}  [{it.category}/{it.subtype}] p{it.precision}")
            for it in s.far:
                print(f"    far   {it.kind:7} {it.name}  {it.county_names}")
    print()
    for (origin, split), t in sorted(totals.items()):
        print(f"== {origin:7} {split:4}  {t.line()}")
    if missing:
        print(f"(texts not in var/corpus/: {len(missing)} — see corpus/fetch-queries.md)")
    print(f"({time.perf_counter() - started:.1f} s)")
