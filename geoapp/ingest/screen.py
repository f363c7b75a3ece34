"""Screening candidates: titles are not works, qualifiers are not places.

Contract: :func:`screen` takes the candidates of one document (as
:func:`geoapp.ingest.extract.extract_candidates` returns them, in text order) and returns
those that should become items, in the same order.

*Qualifiers.* A county or city named right before a township of its own (万州区双河口街道,
南川区兴隆镇 — often in a note on same-named places) only says which township is meant: the
township becomes the place candidate (of that other county), the qualifier none.

*Names inside a work's name.* A place named only inside the name of a work found at the
same spot (东温泉镇 in 东温泉镇康养旅游区提档升级, 江北 in 嘉陵江北碚段) is not an item of its own:
the work is, placed at that place. A route's stops (A至B公路, A—B) stay places: the route
is drawn through them and a planner looks for them on their own. A place named elsewhere
on its own is still an item — only the contained mention goes.

*Titles.* It removes a *project* candidate whose
name is a title rather than a work's name: it opens with a scope
(``geoapp/data/designation_scopes.csv``: 国家级, 全市, 川渝, 渝东北 …), ends with what such a title
designates (``geoapp/data/designation_heads.csv``: 基地, 示范区, 枢纽 …), and names no place
of its own between them (国家级杂交水稻种子生产基地, 渝东南综合交通枢纽, 国家AAAA级旅游景区). A
name that does (川渝东北一体化水资源配置工程 is not a title; 重庆忠县新生港 names 忠县) stays,
and so does every table row: a table lists works.
"""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from gazetteer import Gazetteer
from geoapp.settings import PACKAGE_DATA

if TYPE_CHECKING:
    from geoapp.ingest.extract import Candidate

__all__ = ["screen", "is_title"]

_DATA = PACKAGE_DATA
#: place kinds whose presence in a name makes it a local work, not a title
_LOCAL_KINDS = ("county", "township", "locality", "feature", "line")
#: how a route's name joins its stops (A至B, A—B): a place inside such a name is a stop
_STOP_JOIN = re.compile(r"[至到—–]")
#: longest township name looked for after a qualifier (…街道, …民族乡)
_MAX_TOWNSHIP_NAME = 10


@cache
def _words(file: str) -> tuple[str, ...]:
    with open(_DATA / file, encoding="utf-8", newline="") as fh:
        return tuple(sorted((row["word"].strip() for row in csv.DictReader(fh)), key=len, reverse=True))


def is_title(name: str, gaz: Gazetteer) -> bool:
    """True for a designation such as 国家级杂交水稻种子生产基地.

    >>> from gazetteer import Gazetteer
    >>> gaz = Gazetteer.load()
    >>> is_title("国家AAAA级旅游景区", gaz), is_title("忠县国家农业科技园区", gaz)
    (True, False)
    """
    scope = next((w for w in _words("designation_scopes.csv") if name.startswith(w)), None)
    if scope is None or not name.endswith(_words("designation_heads.csv")):
        return False
    rest = name[len(scope) :]
    return not any(e.kind in _LOCAL_KINDS for span in gaz.find_names(rest) for e in span.entries)


def _qualified(cand: Candidate, gaz: Gazetteer) -> Candidate | None:
    """The township that ``cand`` (a county or city) qualifies, as a candidate, or None."""
    entries = [gaz.get(i) for i in cand.entry_ids]
    units = [e for e in entries if e is not None and e.kind in ("county", "city")]
    if cand.kind != "place" or not units:
        return None
    rel = cand.start - cand.sentence_start
    at = cand.sentence.find(cand.surface, max(0, rel - 8))
    if at < 0:
        return None
    after = cand.sentence[at + len(cand.surface) : at + len(cand.surface) + _MAX_TOWNSHIP_NAME]
    spans = gaz.find_names(after, kinds=("township",))
    if not spans or spans[0].start != 0:
        return None
    codes = {u.code for u in units}
    towns = [
        e
        for e in spans[0].entries
        if e.county_code in codes or any(u.kind == "city" and u.name in e.admin for u in units)
    ]
    if not towns:
        return None
    start = cand.end
    return replace(cand, name=spans[0].text, surface=spans[0].text, start=start, end=start + spans[0].end,
                   entry_ids=tuple(e.id for e in towns))  # fmt: skip


def _without_qualifiers(candidates: list[Candidate], gaz: Gazetteer) -> list[Candidate]:
    out: list[Candidate] = []
    taken = {(c.start, c.end) for c in candidates}
    for c in candidates:
        town = _qualified(c, gaz)
        if town is None:
            out.append(c)
        elif (town.start, town.end) not in taken:
            out.append(town)
            taken.add((town.start, town.end))
    return out


def _inside_a_work(place: Candidate, works: list[Candidate]) -> bool:
    """Inside a longer work's name — or at the very words a work is named by (永顺 of the
    station list 永顺、古丈西等站, whose work is 永顺站)."""
    size = place.end - place.start
    return any(
        w.start <= place.start and place.end <= w.end and (w.end - w.start > size or w.name != place.name)
        for w in works
    )


def screen(candidates: list[Candidate], gaz: Gazetteer) -> list[Candidate]:
    """The candidates that are items of their own (see the module docstring)."""
    kept = [c for c in candidates if c.kind != "project" or c.from_table or not is_title(c.name, gaz)]
    works = [c for c in kept if c.kind == "project" and not c.from_table and not _STOP_JOIN.search(c.surface)]
    kept = [c for c in kept if c.kind != "place" or c.from_table or not _inside_a_work(c, works)]
    return _without_qualifiers(kept, gaz)
