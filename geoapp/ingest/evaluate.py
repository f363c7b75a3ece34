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
from pathlib import Path

from gazetteer.normalize import normalize
from geoapp.ingest.document import Item

__all__ = ["Score", "Evaluation", "evaluate_items", "matches", "read_annotation"]

#: route kinds that name the same corridor (万开云城际 ~ 万开云铁路)
_ROUTE_KINDS = ("高速公路", "高速", "高铁", "城际铁路", "城际", "铁路", "公路", "快速通道", "通道")


def _key(name: str) -> str:
    name = normalize(name)  # the extractor's names are normalised (full-width, dashes)
    name = re.sub(r"[（(][^）)]*[)）]", "", name)
    return re.sub(r"[“”\"'‘’《》\s·、]", "", name)


def _core(k: str) -> str:
    for s in _ROUTE_KINDS:
        if k.endswith(s) and len(k) > len(s) + 1:
            return k[: -len(s)]
    return k


def matches(annotated: str, extracted: str) -> bool:
    """Does an extracted name denote the annotated item?

    Equal after removing quotes and parenthesised remarks; or equal but for the
    route kind; or the extracted name is the annotated one followed by its
    description (水坪新城 ~ 水坪新城产教融合实践创新区); or one contains the other and
    covers at least half of it — but a shorter extracted name that is only the
    start of the annotated one (乌杨新区 for 乌杨新区小学) is a different thing.
    """
    ka, kb = _key(annotated), _key(extracted)
    if not ka or not kb:
        return False
    if ka == kb or _core(ka) == _core(kb):
        return True
    if kb.startswith(ka) and len(ka) >= 3:
        return True
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


def evaluate_items(items: list[Item], rows: Iterable[dict[str, str]]) -> Evaluation:
    """Recall per kind (project/place), and category/county agreement on the matches."""
    scores = {"project": Score(), "place": Score()}
    used: set[str] = set()
    for row in rows:
        s = scores.setdefault(row["kind"], Score())
        s.total += 1
        hit = _best_hit(row["name"], items)
        if hit is None:
            s.misses.append(row)
            continue
        used.add(hit.key)
        s.found += 1
        s.category_ok += hit.category == row["category"]
        counties = set(row["county"].split("|"))
        s.county_ok += bool(set(hit.county_names) & counties)
    return Evaluation(scores, [it for it in items if it.key not in used])
