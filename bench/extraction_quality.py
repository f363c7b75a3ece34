"""Compare what ingestion extracts with the hand annotations in tests/data.

Prints recall of named projects and places, category/county agreement on the
matched ones, and the misses. Usage:

    .venv/bin/python bench/extraction_quality.py [--misses] [--doc 000]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gazetteer import Gazetteer  # noqa: E402
from geoapp.ingest.document import analyse  # noqa: E402

ANNOTATIONS = ROOT / "tests" / "data" / "annotations"
OTHER = ROOT / "tests" / "data" / "other_county"


def key(name: str) -> str:
    name = re.sub(r"[（(][^）)]*[)）]", "", name)
    return re.sub(r"[“”\"'‘’《》\s·、]", "", name)


SUFFIXES = ("高速公路", "高速", "高铁", "城际铁路", "城际", "铁路", "公路", "快速通道", "通道")


def core(k: str) -> str:
    for s in SUFFIXES:
        if k.endswith(s) and len(k) > len(s) + 1:
            return k[: -len(s)]
    return k


def matches(annotated: str, extracted: str) -> bool:
    """Does an extracted name denote the annotated item?

    Equal after removing quotes and parenthesised remarks, or equal but for the
    route kind (万开云城际 ~ 万开云铁路), or the extracted name is the annotated one
    followed by its description (水坪新城 ~ 水坪新城产教融合实践创新区), or one contains
    the other and covers at least half of it."""
    ka, kb = key(annotated), key(extracted)
    if not ka or not kb:
        return False
    if ka == kb or core(ka) == core(kb):
        return True
    if kb.startswith(ka) and len(ka) >= 3:
        return True
    short, long_ = sorted((ka, kb), key=len)
    return short in long_ and len(short) / len(long_) >= 0.5 and not (kb == short and ka.startswith(kb))


def best_hit(name: str, items):
    """The extracted item that matches the annotated name best (exact before partial)."""
    exact = [it for it in items if any(key(n) == key(name) for n in (it.name, *it.aliases))]
    if exact:
        return exact[0]
    return next((it for it in items if any(matches(name, n) for n in (it.name, *it.aliases))), None)


@dataclass
class Score:
    total: int = 0
    found: int = 0
    category_ok: int = 0
    county_ok: int = 0


def evaluate(
    pairs: list[tuple[Path, Path]], gaz: Gazetteer, show_misses: bool, show_extras: bool = False
) -> dict[str, Score]:
    scores = {"project": Score(), "place": Score()}
    extra = 0
    extracted_total = 0
    for doc_path, ann_path in pairs:
        analysis = analyse(doc_path, gaz)
        items = analysis.items
        extracted_total += len(items)
        with open(ann_path, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        used = set()
        for row in rows:
            s = scores[row["kind"]]
            s.total += 1
            hit = best_hit(row["name"], items)
            if hit is None:
                if show_misses:
                    print(f"  miss {doc_path.name[:3]} {row['kind']:7} {row['name']}  [{row['category']}/{row['subtype']}]  {row['evidence']}")
                continue
            used.add(hit.name)
            s.found += 1
            s.category_ok += hit.category == row["category"]
            ann_counties = set(row["county"].split("|"))
            s.county_ok += bool(set(hit.county_names) & ann_counties) or hit.county_name in ann_counties
        unmatched = [it for it in items if it.name not in used]
        extra += len(unmatched)
        if show_extras:
            for it in unmatched:
                print(f"  extra {doc_path.name[:3]} {it.kind:7} {it.name}  [{it.category}/{it.subtype}] p{it.precision}")
    print(f"extracted items: {extracted_total}; not in the annotation: {extra}")
    return scores


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--misses", action="store_true")
    ap.add_argument("--extras", action="store_true", help="list extracted items the annotation lacks")
    ap.add_argument("--doc", help="only this seed (e.g. 000) or 'other'")
    args = ap.parse_args()
    gaz = Gazetteer.load()
    pairs = []
    for ann in sorted(ANNOTATIONS.glob("*.csv")):
        doc = next((ROOT / "seeds").glob(ann.stem + "_*"), None)
        if doc and (not args.doc or args.doc == ann.stem):
            pairs.append((doc, ann))
    for ann in sorted(OTHER.glob("*.csv")):
        if not args.doc or args.doc == "other":
            pairs.append((ann.with_suffix(".txt"), ann))
    scores = evaluate(pairs, gaz, args.misses, args.extras)
    for kind, s in scores.items():
        if s.total:
            print(
                f"{kind:8} recall {s.found}/{s.total} = {s.found / s.total:.1%}; "
                f"category agreement {s.category_ok / max(1, s.found):.1%}; "
                f"county agreement {s.county_ok / max(1, s.found):.1%}"
            )


if __name__ == "__main__":
    main()
