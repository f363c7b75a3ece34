"""Spreading a shared head over a list of places, in prose: one work per place.

Contract: :func:`distribute` takes the candidates of one document (in text order) and the
document's county, and returns them with every shared head spread over its list:

- ``鸭江、和顺、凤来110千伏变电站`` — the last item opens the found work's name → 鸭江110千伏变电站
  and 和顺110千伏变电站 are added (凤来110千伏变电站 is there already);
- ``八塘、七塘、河边三个镇的产业园区连接道`` — a count of places (三个镇, 两乡) says the head is
  shared → 八塘产业园区连接道, 七塘…, 河边… replace the bare 产业园区连接道.

Each listed item must be a place *of the document's county* that the gazetteer knows
(a township, locality or feature; a leading verb such as 新建 is left out of the first item);
otherwise nothing changes — a list of slogans or of works is not a list of places. The place
candidates of the listed items are then dropped: the places are named inside the works
(the corpus's convention, corpus/written/CONVENTIONS.md), and each work is placed at its place.
Lists inside one chunk or table cell are :mod:`geoapp.ingest.extract.lists`'s; this module
works across the candidates of the whole document.

:func:`station_lists` reads the other shape of list: the names first, then how many of what
(``设张家界西、回龙西、永顺等8座车站``, ``芙蓉镇站、古丈西站等4个站``) — every item is a station
(named with 站 if it lacks it), whether or not the gazetteer knows it: the count says so.
"""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from gazetteer import Gazetteer
from gazetteer.model import Entry
from gazetteer.normalize import normalize
from geoapp.settings import PACKAGE_DATA

if TYPE_CHECKING:
    from geoapp.ingest.extract import Candidate
    from geoapp.ingest.structure import Structure

__all__ = ["distribute", "station_lists"]

#: the last character of a list right before a work (…、凤来 ends in a name, so the work's own
#: first place follows 、 only after the prefix: checked on the name, not here)
_LIST_ENDS = frozenset("、和及与")
_MAX_LIST_CHARS = 80
_ITEM = r"[\u4e00-\u9fff]{2,8}"
_JOIN = r"[、和及与]"
#: the list right before a work whose name starts with the list's last place
_LIST_BEFORE = re.compile(rf"((?:{_ITEM}{_JOIN})+)$")
#: the list, then how many places it names, right before the shared work
_COUNTED_BEFORE = re.compile(
    rf"((?:{_ITEM}{_JOIN})+{_ITEM})[一二三四五六七八九十两\d]+个?(?:乡镇|镇街|镇|乡|街道|村|社区)的?$"
)
#: only settlements make lists of places; a list of features (水库, 景区) is a list of works
_PLACE_KINDS = ("township", "locality")
#: a count of places at the start of the shared head (碧山三镇农村公路 → 农村公路)
_ANY_COUNT = re.compile(r"^[一二三四五六七八九十两\d]+个")
_COUNT_HEAD = re.compile(r"^[一二三四五六七八九十两\d]+个?(?:乡镇|镇街|镇|乡|街道|村|社区)的?")
_MAX_PREFIX = 8
#: what follows a river's name in a work shared by a list of rivers (A河、B河流域综合治理)
_WATER_HEADS = ("流域", "水环境", "防洪", "河道", "水生态", "岸线", "综合治理", "生态修复")
#: per loaded gazetteer (weakly keyed: a rebuilt gazetteer never meets a stale answer)
_PLACE_CACHE: WeakKeyDictionary[Gazetteer, dict[tuple[str, str], bool]] = WeakKeyDictionary()


@cache
def _shared_words() -> frozenset[str]:
    """Generic works that a list of towns does not share by name (老旧小区 in 甲、乙街道老旧小区
    names where the programme runs, not three works): ``geoapp/data/stop_phrases.csv``."""
    with open(PACKAGE_DATA / "stop_phrases.csv", encoding="utf-8") as fh:
        return frozenset(row["phrase"] for row in csv.DictReader(fh))


def _local_place(name: str, gaz: Gazetteer, county: Entry) -> bool:
    """Is ``name`` a place of ``county`` by its full or short name?"""
    answers = _PLACE_CACHE.setdefault(gaz, {})
    key = (county.code, name)
    known = answers.get(key)
    if known is None:
        # most strings tried are no name at all: the index answers that without resolving
        known = gaz.knows(normalize(name)) and any(
            m.method == "exact" and m.kind in _PLACE_KINDS and county.code in m.county_codes
            for m in gaz.resolve(name, county=county.name, limit=8).matches
        )
        if len(answers) > 50_000:
            answers.clear()
        answers[key] = known
    return known


def _items(text: str, gaz: Gazetteer, county: Entry, water: bool = False) -> list[tuple[int, str]] | None:
    """(position in ``text``, name) of each place (with ``water``: each river or lake) of a
    、-list; the first may carry a verb."""

    def ok(piece: str) -> bool:
        return _water(piece) if water else _local_place(piece, gaz, county)

    parts, pos = [], 0
    for piece in re.split(f"({_JOIN})", text):
        if piece and not re.fullmatch(_JOIN, piece):
            parts.append((pos, piece))
        pos += len(piece)
    out = []
    for i, (at, piece) in enumerate(parts):
        if i == 0 and water:  # 实施嘉陵江北碚段 → 嘉陵江北碚段: after the clause's verb
            cut, piece = _first_station(piece)
            if not ok(piece):
                return None
            at += cut
        elif i == 0:  # 新建鸭江 → 鸭江
            cut = next((k for k in range(len(piece) - 1) if ok(piece[k:])), None)
            if cut is None:
                return None
            at, piece = at + cut, piece[cut:]
        elif not ok(piece):
            return None
        out.append((at, piece))
    return out


def _place_prefix(name: str, gaz: Gazetteer, county: Entry) -> str | None:
    """The longest start of ``name`` that is a place of ``county`` (凤来110千伏变电站 → 凤来),
    unless a longer known name starts there (白马山度假区 opens with 白马山, not 白马镇)."""
    for k in range(min(_MAX_PREFIX, len(name) - 2), 1, -1):
        if _local_place(name[:k], gaz, county):
            longer = any(gaz.knows(normalize(name[:j])) for j in range(k + 1, min(len(name), k + 4) + 1))
            return None if longer else name[:k]
    return None


@cache
def _water_pattern() -> re.Pattern[str]:
    from geoapp.ingest.vocab import vocabulary

    suffixes = "|".join(sorted(vocabulary().natural, key=len, reverse=True))
    # a river or lake by its generic (梁滩河, 龙凤溪), maybe with its section (嘉陵江北碚段)
    return re.compile(rf"[\u4e00-\u9fff]{{1,6}}(?:{suffixes})(?:[\u4e00-\u9fff]{{2,6}}段)?")


def _water(text: str) -> bool:
    return bool(_water_pattern().fullmatch(text))


def _water_prefix(name: str) -> str | None:
    """The river a water work is named after: 龙凤溪 of 龙凤溪流域水环境综合治理."""
    for k in range(min(_MAX_PREFIX + 4, len(name) - 2), 1, -1):
        if _water(name[:k]) and name[k:].startswith(_WATER_HEADS):
            return name[:k]
    return None


def _sentence_base(cand: Candidate) -> tuple[int, int] | None:
    """Where the candidate's sentence starts in the document, and where the candidate is in it."""
    rel = cand.start - cand.sentence_start
    hits = [m.start() for m in re.finditer(re.escape(cand.surface), cand.sentence)]
    if not hits:
        return None
    at = min(hits, key=lambda h: abs(h - rel))
    return cand.start - at, at


def _spread(
    cand: Candidate, gaz: Gazetteer, county: Entry
) -> tuple[list[Candidate], bool, list[tuple[int, int]]]:
    """The works ``cand``'s list adds, whether ``cand`` itself goes, and the listed spans."""
    where = _sentence_base(cand)
    if where is None:
        return [], False, []
    base, at = where
    # a list of places is short: looking at the last few dozen characters keeps the
    # end-anchored patterns from scanning whole sentences for every name
    tail = max(0, at - _MAX_LIST_CHARS)
    before = cand.sentence[tail:at]
    base += tail
    if not before or before[-1] not in _LIST_ENDS and not _COUNTED_BEFORE.search(before):
        return [], False, []  # nothing listed right before it (most names): no lookups
    counted = _COUNTED_BEFORE.search(before)
    if counted:
        items = _items(counted.group(1), gaz, county)
        head, offset, drop_self = cand.name, counted.start(1), True
    else:
        listed = _LIST_BEFORE.search(before)
        water = _water_prefix(cand.name) if listed else None
        prefix = water or (_place_prefix(cand.name, gaz, county) if listed else None)
        if not listed or prefix is None:
            return [], False, []
        items = _items(listed.group(1).rstrip("、和及与"), gaz, county, water=water is not None)
        head, offset, drop_self = cand.name[len(prefix) :], listed.start(1), False
    if head.startswith(("至", "到")) or "至" in cand.name:
        return [], False, []  # routes (A、B至C) list their stops, not places sharing a work
    counted_head = _COUNT_HEAD.sub("", head)
    if counted_head != head and not counted and items:
        # 回龙、大观、碧山三镇农村公路: the count is inside the found name, whose own place is
        # the list's last item
        head, drop_self = counted_head, True
        items = [*items, (len(before) - offset, prefix)]
    if _ANY_COUNT.match(head):
        return [], False, []  # 毛坝两个万亩茶叶基地: a count of works, not of places
    if not items or len(head) < 2 or _local_place(head, gaz, county) or head in _shared_words():
        return [], False, []
    made = [
        replace(cand, name=name + head, surface=name, start=base + offset + pos,
                end=base + offset + pos + len(name), entry_ids=())
        for pos, name in items
    ]  # fmt: skip
    spans = [(c.start, c.end) for c in made]
    if not drop_self:  # the place opening the work's own name (凤来 of 凤来110千伏变电站)
        spans.append((cand.start, cand.start + len(cand.name) - len(head)))
    return made, drop_self, spans


def distribute(candidates: list[Candidate], gaz: Gazetteer, county: Entry | None) -> list[Candidate]:
    """The candidates with shared heads spread (see the module docstring), in text order."""
    if county is None or county.kind != "county":
        return candidates
    added: list[Candidate] = []
    gone: set[int] = set()
    spans: list[tuple[int, int]] = []
    for cand in candidates:
        if cand.kind != "project" or cand.from_table:
            continue
        made, drop_self, listed = _spread(cand, gaz, county)
        if not made:
            continue
        added += made
        spans += listed
        if drop_self:
            gone.add(id(cand))
    if not added:
        return candidates

    def inside(c: Candidate) -> bool:
        return c.kind == "place" and any(s <= c.start and c.end <= e for s, e in spans)

    kept = [c for c in candidates if id(c) not in gone and not inside(c)]
    return sorted(kept + added, key=lambda c: (c.start, -c.end))


# ----------------------------------------------------------------------------- stations
_STATION_LIST = re.compile(
    rf"((?:[\u4e00-\u9fff]{{2,12}}{_JOIN})+[\u4e00-\u9fff]{{2,12}}?)等?"
    r"[一二三四五六七八九十两\d]+(?:座|个)(?:高铁|火车|客运|铁路)?(?:车站|站)"
)


@cache
def _station_leads() -> tuple[str, ...]:
    with open(PACKAGE_DATA / "station_list_leads.csv", encoding="utf-8") as fh:
        return tuple(sorted((row["word"] for row in csv.DictReader(fh)), key=len, reverse=True))


def _first_station(item: str) -> tuple[int, str]:
    """The first item without the words that open the list (设, 途经 …) or the clause
    (a verb of the vocabulary: 建设, 新建 …): where the name starts in ``item``, and the name."""
    from geoapp.ingest.vocab import vocabulary

    vocab = vocabulary()
    cut = 0
    for i in range(len(item) - 1):
        for word in (*_station_leads(), *(w for w in vocab.verbs if len(w) >= 2)):
            if item.startswith(word, i) and i + len(word) <= len(item) - 2:
                cut = max(cut, i + len(word))
    return cut, item[cut:]


def station_lists(structure: Structure, taken: list[Candidate]) -> list[Candidate]:
    """``taken`` with a project candidate for each station of a counted station list that no
    candidate names yet; a name the list's 等 glued to its last station (古丈西等站) goes."""
    from geoapp.ingest.extract import Candidate

    spans = {(c.start, c.end) for c in taken if c.kind == "project"}
    lists: list[tuple[int, int]] = []
    out = []
    for sentence in structure.sentences:
        for m in _STATION_LIST.finditer(sentence.text):
            lists.append((sentence.start + m.start(1), sentence.start + m.end()))
            pos = m.start(1)
            pieces = re.split(f"({_JOIN})", m.group(1))
            names = [p for p in pieces if p and not re.fullmatch(_JOIN, p)]
            for i, piece in enumerate(names):
                at = pos
                pos += len(piece) + 1  # the joiner after it
                if i == 0:
                    cut, piece = _first_station(piece)
                    at += cut
                start = sentence.start + at
                if len(piece) < 2 or (start, start + len(piece)) in spans:
                    continue
                out.append(Candidate(name=piece if piece.endswith("站") else piece + "站", surface=piece,
                                     start=start, end=start + len(piece), kind="project",
                                     sentence=sentence.text.strip(), sentence_start=sentence.start,
                                     subtype="station", category="transport"))  # fmt: skip
    if not out:
        return taken

    def glued(c: Candidate) -> bool:
        return c.kind == "project" and "等" in c.name and any(s <= c.start < e for s, e in lists)

    return [c for c in taken if not glued(c)] + out
