"""Compare what ingestion extracts with a hand annotation (CSV).

Annotation columns: ``name, kind, category, subtype, county, status, line, evidence``
(see ``tests/data/annotations``). Used by the quality tests and by
``bench/extraction_quality.py``; handy for anyone annotating a new county's plan.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from gazetteer.normalize import normalize, strip_admin_suffix
from geoapp.ingest.document import Item
from geoapp.ingest.script import comparable_script
from geoapp.ingest.vocab import vocabulary
from geoapp.settings import PACKAGE_DATA

DATA = PACKAGE_DATA

__all__ = [
    "Score",
    "Evaluation",
    "DocumentScore",
    "evaluate_items",
    "evaluate_document",
    "matches",
    "read_annotation",
]

#: route kinds that name the same corridor (万开云城际 ~ 万开云铁路)
_ROUTE_KINDS = ("高速公路", "高速", "高铁", "城际铁路", "城际", "铁路", "公路", "快速通道", "通道")


@cache
def _key(name: str) -> str:
    # the extractor's names are normalised (full-width, dashes) and Simplified; an
    # annotation keeps the script of its text, so both sides are compared in Simplified
    name = normalize(comparable_script(name))
    name = re.sub(r"[（(][^）)]*[)）]", "", name)
    return re.sub(r"[“”\"'‘’《》\s·、]", "", name)


@cache
def _remark_words() -> tuple[str, ...]:
    """Words that follow a project's name to describe the work (geoapp/data/remark_words.csv,
    and the verbs that may stand after a name in geoapp/data/verbs.csv), longest first."""
    words = {r["word"] for r in read_annotation(DATA / "remark_words.csv")}
    words |= {w for w, (_, position) in vocabulary().verbs.items() if position in ("after", "both")}
    return tuple(sorted(words, key=len, reverse=True))


def _is_remark(rest: str) -> bool:
    """Is ``rest`` made only of remark words (改造工程, 提档升级, 扩能 …)?"""
    while rest:
        word = next((w for w in _remark_words() if rest.startswith(w)), None)
        if word is None:
            return False
        rest = rest[len(word) :]
    return True


def _core(k: str) -> str:
    for s in _ROUTE_KINDS:
        if k.endswith(s) and len(k) > len(s) + 1:
            return k[: -len(s)]
    return k


def matches(annotated: str, extracted: str) -> bool:
    """Does an extracted name denote the annotated item?

    Equal after removing quotes and parenthesised remarks; or equal but for the
    route kind or the administrative suffix (兴隆 ~ 兴隆镇); or the extracted name is the annotated one followed by its
    description (水坪新城 ~ 水坪新城产教融合实践创新区); or one contains the other and
    covers at least half of it — but a shorter extracted name that is only the
    start of the annotated one (乌杨新区 for 乌杨新区小学) is a different thing.
    """
    ka, kb = _key(annotated), _key(extracted)
    if not ka or not kb:
        return False
    if ka == kb or _core(ka) == _core(kb):
        return True
    # 兴隆 is 兴隆镇, 双凤桥 is 双凤桥街道: one place with and without its administrative suffix
    stem_a, stem_b = strip_admin_suffix(ka)[0], strip_admin_suffix(kb)[0]
    if len(stem_a) >= 2 and stem_a == stem_b:
        return True
    if kb.startswith(ka) and len(ka) >= 3:
        return True
    if ka.startswith(kb) and len(kb) >= 3 and _is_remark(ka[len(kb) :]):
        return True  # 统景温泉度假区 ~ 统景温泉度假区提档升级: the rest describes the work
    short, long_ = sorted((ka, kb), key=len)
    return short in long_ and len(short) / len(long_) >= 0.5 and not (kb == short and ka.startswith(kb))


def read_annotation(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@dataclass
class Score:
    total: int = 0
    found: int = 0
    category_ok: int = 0
    county_ok: int = 0
    misses: list[dict[str, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.total if self.total else 1.0

    @property
    def category_agreement(self) -> float:
        return self.category_ok / self.found if self.found else 1.0

    @property
    def county_agreement(self) -> float:
        return self.county_ok / self.found if self.found else 1.0


@dataclass
class Evaluation:
    scores: dict[str, Score]
    extra: list[Item]


def _best_hit(name: str, items: list[Item]) -> Item | None:
    exact = [it for it in items if any(_key(n) == _key(name) for n in (it.name, *it.aliases))]
    if exact:
        return exact[0]
    return next((it for it in items if any(matches(name, n) for n in (it.name, *it.aliases))), None)


def _row_hit(row: dict, items: list[Item]) -> Item | None:
    """The item denoting an annotated row, by its name or a given alias (Simplified form)."""
    for name in (row["name"], *row.get("aliases", ())):
        hit = _best_hit(name, items)
        if hit is not None:
            return hit
    return None


def evaluate_items(items: list[Item], rows: Iterable[dict[str, str]]) -> Evaluation:
    """Recall per kind (project/place), and category/county agreement on the matches."""
    scores = {"project": Score(), "place": Score()}
    used: set[str] = set()
    for row in rows:
        s = scores.setdefault(row["kind"], Score())
        s.total += 1
        hit = _row_hit(row, items)
        if hit is None:
            s.misses.append(row)
            continue
        used.add(hit.key)
        s.found += 1
        s.category_ok += hit.category == row["category"]
        counties = set(row["county"].split("|"))
        s.county_ok += bool(set(hit.county_names) & counties)
    return Evaluation(scores, [it for it in items if it.key not in used])


@dataclass
class DocumentScore:
    """Recall, precision, routes drawn as lines and far-away features for one document."""

    scores: dict[str, Score]
    extracted: int = 0
    #: extracted items that denote some annotated item (the rest are false positives)
    true_items: int = 0
    false_items: list[Item] = field(default_factory=list)
    #: annotated routes whose two ends the gazetteer resolves, and how many came out as lines
    routes: int = 0
    routes_as_lines: int = 0
    #: extracted items placed in a province neither the document nor its annotation names
    far: list[Item] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_items / self.extracted if self.extracted else 1.0


def _denotes_any(item: Item, rows: list[dict]) -> bool:
    names = (item.name, *item.aliases)
    return any(
        matches(name, n) for row in rows for name in (row["name"], *row.get("aliases", ())) for n in names
    )


def evaluate_document(
    items: list[Item],
    rows: list[dict],
    *,
    resolves=None,
    allowed_provinces: set[str] | None = None,
) -> DocumentScore:
    """Score one document against an exhaustive annotation (JSONL rows).

    ``resolves(name) -> bool`` says whether the gazetteer places a route stop (routes are
    counted only when both ends resolve); ``allowed_provinces`` holds the two-digit codes
    of the provinces the document or its annotation names: an item elsewhere is "far".
    """
    base = evaluate_items(items, rows)
    out = DocumentScore(scores=base.scores, extracted=len(items))
    for item in items:
        if _denotes_any(item, rows):
            out.true_items += 1
        else:
            out.false_items.append(item)
        codes = {code[:2] for code, _ in item.counties}
        if allowed_provinces is not None and codes and not codes & allowed_provinces:
            out.far.append(item)
    for row in rows:
        stops = row.get("stops") or []
        if row.get("geometry") != "line" or len(stops) < 2 or resolves is None:
            continue
        if not (resolves(stops[0]) and resolves(stops[-1])):
            continue
        out.routes += 1
        hit = _row_hit(row, items)
        out.routes_as_lines += bool(hit and hit.geometry.geom_type in ("LineString", "MultiLineString"))
    return out
