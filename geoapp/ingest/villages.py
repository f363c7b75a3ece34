"""Villages and urban communities (村, 社区) of the official list, named in a document.

Contract: :func:`villages_of` gives a county's villages (name → codes of the townships
having a village of that name) from ``gazetteer/data/villages.csv`` (NBS 2023, see
``gazetteer/data/SOURCES.md``); :func:`village_candidates` adds a *place* candidate for
each village of the document's county that a sentence names in full (安澜镇永寿村 → 永寿村)
and that no other candidate covers (a village inside a work's name, 独珠村美丽乡村建设, is
part of that name). Villages are not gazetteer entries: a short village name (新村, 团结村)
is too often an ordinary word elsewhere, so only the county a document is about is searched,
and only names ending in 村 or 社区 of at least :data:`MIN_NAME` characters.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from typing import TYPE_CHECKING

from gazetteer.model import Entry
from gazetteer.normalize import DATA_DIR

if TYPE_CHECKING:
    from geoapp.ingest.extract import Candidate
    from geoapp.ingest.structure import Structure

__all__ = ["villages_of", "village_candidates", "find_villages", "MIN_NAME"]

DATA = DATA_DIR / "villages.csv"
#: shortest village name taken, suffix included (独珠村): 新村, 东村 are words too often
MIN_NAME = 3
MAX_NAME = 8
_END = re.compile(r"村|社区")


@cache
def _all() -> dict[str, dict[str, tuple[str, ...]]]:
    by_county: dict[str, dict[str, set[str]]] = {}
    with open(DATA, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            by_county.setdefault(row["code"][:6], {}).setdefault(row["name"], set()).add(row["township_code"])
    return {c: {n: tuple(sorted(t)) for n, t in names.items()} for c, names in by_county.items()}


def villages_of(county_code: str) -> dict[str, tuple[str, ...]]:
    """Village name → the codes of the townships of ``county_code`` having one so named."""
    return _all().get(county_code, {})


def find_villages(
    text: str, county_code: str, generic: frozenset[str] = frozenset()
) -> list[tuple[int, str]]:
    """(position, name) of each village of the county named in ``text``: the longest known
    name ending at each 村/社区."""
    names = villages_of(county_code)
    found = []
    for m in _END.finditer(text):
        end = m.end()
        for length in range(min(end, MAX_NAME), MIN_NAME - 1, -1):
            name = text[end - length : end]
            if name in names and name not in generic:
                found.append((end - length, name))
                break
    return found


def village_candidates(structure: Structure, county: Entry | None, taken: list[Candidate]) -> list[Candidate]:
    """Place candidates for the villages of ``county`` the document's sentences name."""
    from geoapp.ingest.extract import Candidate

    if county is None or county.kind != "county" or not villages_of(county.code):
        return []
    spans = [(c.start, c.end) for c in taken]
    out = []
    for sentence in structure.sentences:
        text = sentence.text
        for pos, name in find_villages(text, county.code):
            start = sentence.start + pos
            end = start + len(name)
            if any(s < end and start < e for s, e in spans):
                continue
            out.append(Candidate(name=name, surface=name, start=start, end=end, kind="place",
                                 sentence=text.strip(), sentence_start=sentence.start,
                                 subtype="other", category="urban"))  # fmt: skip
            spans.append((start, end))
    return out
