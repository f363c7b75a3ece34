"""Compare what ingestion extracts with the hand annotations.

Seeds (default): recall of named projects and places in tests/data, category/county
agreement on the matched ones, and (optionally) the misses and the extra items.

``--corpus``: the evaluation corpus in corpus/ (real texts when var/corpus/ holds them,
and the written genre documents), per document and per split (real and written apart,
dev and the frozen test split apart): recall, precision, category and county agreement,
annotated routes drawn as lines, and features outside the provinces the text names.

    .venv/bin/python bench/extraction_quality.py [--misses] [--extras] [--doc 000|other]
    .venv/bin/python bench/extraction_quality.py --corpus [--split test|dev] [--origin real|written]
                                                 [--misses] [--extras] [--doc ID]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gazetteer import Gazetteer  # noqa: E402
from geoapp.ingest.document import analyse  # noqa: E402
from geoapp.ingest.evaluate import Score, evaluate_items, read_annotation  # noqa: E402

ANNOTATIONS = ROOT / "tests" / "data" / "annotations"
OTHER = ROOT / "tests" / "data" / "other_county"


def pairs(only: str | None) -> list[tuple[Path, Path]]:
    out = []
    for ann in sorted(ANNOTATIONS.glob("*.csv")):
        doc = next((ROOT / "seeds").glob(ann.stem + "_*"), None)
        if doc and (not only or only == ann.stem):
            out.append((doc, ann))
    for ann in sorted(OTHER.glob("*.csv")):
        if not only or only == "other":
            out.append((ann.with_suffix(".txt"), ann))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--misses", action="store_true")
    ap.add_argument("--extras", action="store_true", help="list extracted items the annotation lacks")
    ap.add_argument("--doc", help="only this seed (e.g. 000) or 'other'; with --corpus, a corpus id")
    ap.add_argument("--corpus", action="store_true", help="score the evaluation corpus in corpus/")
    ap.add_argument("--split", choices=("dev", "test"))
    ap.add_argument("--origin", choices=("real", "written"))
    args = ap.parse_args()
    gaz = Gazetteer.load()
    if args.corpus:
        from corpus_quality import report

        report(gaz, args)
        return
    totals = {"project": Score(), "place": Score()}
    extracted = extra = 0
    started = time.perf_counter()
    for doc, ann in pairs(args.doc):
        items = analyse(doc, gaz).items
        result = evaluate_items(items, read_annotation(ann))
        extracted += len(items)
        extra += len(result.extra)
        for kind, s in result.scores.items():
            t = totals.setdefault(kind, Score())
            for attr in ("total", "found", "category_ok", "county_ok"):
                setattr(t, attr, getattr(t, attr) + getattr(s, attr))
            if args.misses:
                for row in s.misses:
                    print(
                        f"  miss {doc.name[:3]} {kind:7} {row['name']}  [{row['category']}/{row['subtype']}]  {row['evidence']}"
                    )
        if args.extras:
            for it in result.extra:
                print(
                    f"  extra {doc.name[:3]} {it.kind:7} {it.name}  [{it.category}/{it.subtype}] p{it.precision}"
                )
    print(
        f"extracted items: {extracted}; not in the annotation: {extra} ({time.perf_counter() - started:.1f} s)"
    )
    for kind, s in totals.items():
        if s.total:
            print(
                f"{kind:8} recall {s.found}/{s.total} = {s.recall:.1%}; "
                f"category agreement {s.category_agreement:.1%}; county agreement {s.county_agreement:.1%}"
            )


if __name__ == "__main__":
    main()
