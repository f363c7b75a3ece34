"""Finer placement from the words around a name, with the built-in gazetteer.

Contract: :func:`place_from_context` is asked only when a name itself says no more than
its county. It looks at the clause of the sentence that holds the name (between ，；。：
and the like):

1. the clause's list item that holds the name (clauses list several projects with 、, and a
   town in one item says nothing of the others) names exactly one township, street (街道),
   village or landmark *of that county* with a real point → the project is placed near it
   (precision 2, the radius stated in the note); two or more different ones → nothing;
2. it names no such place but a village or urban community (村, 社区) of that county from
   the official list (``gazetteer/data/villages.csv``, NBS 2023), unique in the county →
   near the village's township (precision 2): village points are not published, township
   points are;
3. the list item names the county by a former name that is also the seat township's
   name (忠州 for 忠县, whose seat is 忠州街道: 忠州中学, 忠州三小) → that township;
4. the name, or its list item before it, says the county town (县城, 城区 … in
   ``geoapp/data/urban_area_words.csv``), or the name is the county's own institution
   (县人民医院, 忠县图书馆: 县/区/the county's name + a word of
   ``geoapp/data/seat_institutions.csv``), or it is a kind of facility that only a town has
   (老旧小区, 棚户区, 市政道路 … in ``geoapp/data/urban_facility_words.csv``), or a street
   (a name ending in 路/大道/街 of ``geoapp/data/urban_street_suffixes.csv`` that is not a
   highway or a generic road class, ``geoapp/data/rural_road_words.csv``) → the county
   seat's urban area (precision 2, :data:`SEAT_RADIUS_KM`), the note saying which rule.

Otherwise it returns None and the project stays at county level.
"""

from __future__ import annotations

import csv
import math
import re
from functools import cache

import shapely

from gazetteer import Gazetteer
from gazetteer import precision as P
from gazetteer.model import Entry
from geoapp.ingest.villages import find_villages, villages_of
from geoapp.settings import PACKAGE_DATA

__all__ = ["place_from_context", "clause_of", "SEAT_RADIUS_KM"]

#: how far an urban facility may be from the county seat's point (km): the county towns of
#: the seed counties are 3–8 km across
SEAT_RADIUS_KM = 5.0
#: radius stated for a place whose entry gives none (km)
DEFAULT_RADIUS_KM = 5.0
_ROUTE_JOIN = re.compile(r"[至到—–]")
_CLAUSE_BREAK = re.compile(r"[，,；;。：:！？\n]")
_DATA = PACKAGE_DATA


@cache
def _words(file: str) -> tuple[str, ...]:
    with open(_DATA / file, encoding="utf-8", newline="") as fh:
        return tuple(sorted((row["word"].strip() for row in csv.DictReader(fh)), key=len, reverse=True))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Rough ground distance (km) between two lon/lat points; enough to tell the seat's
    township (within a few km of the seat) from another one."""
    dx = (a[0] - b[0]) * 111.32 * math.cos(math.radians((a[1] + b[1]) / 2))
    dy = (a[1] - b[1]) * 110.57
    return math.hypot(dx, dy)


@cache
def _column(file: str, column: str) -> tuple[str, ...]:
    with open(_DATA / file, encoding="utf-8", newline="") as fh:
        return tuple(sorted((row[column].strip() for row in csv.DictReader(fh)), key=len, reverse=True))


def urban_words() -> tuple[str, ...]:
    return _words("urban_area_words.csv")


def _seat_institution(name: str, county: Entry) -> bool:
    """县人民医院, 区中医院, 忠县图书馆, 开州区人民医院: the county's own institution."""
    for owner in ("县", "区", county.name, *county.aliases):
        if (
            owner
            and name.startswith(owner)
            and name[len(owner) :].startswith(_words("seat_institutions.csv"))
        ):
            return True
    return False


def _core_name(name: str) -> str:
    """The name without the words that describe the work (人民路改扩建工程 → 人民路)."""
    remarks = _words("remark_words.csv")
    changed = True
    while changed and name:
        changed = False
        for w in remarks:
            if name.endswith(w) and len(name) > len(w):
                name, changed = name[: -len(w)], True
                break
    return name


@cache
def _road_words(kind: str) -> tuple[str, ...]:
    """Words of ``geoapp/data/rural_road_words.csv`` of one kind: ``route`` (a road between
    places) or ``generic`` (a road class or a figure of speech, never a street's name)."""
    with open(_DATA / "rural_road_words.csv", encoding="utf-8", newline="") as fh:
        return tuple(row["word"] for row in csv.DictReader(fh) if row["kind"] == kind)


def _is_street(name: str) -> bool:
    """人民路, 忠义大道, 人民路至忠万路 — a street of the town, not a highway or a road class."""
    core = _core_name(name)
    if any(w in core for w in _road_words("route") + _road_words("generic")):
        return False
    return len(core) >= 3 and core.endswith(_column("urban_street_suffixes.csv", "suffix"))


def _urban_reason(name: str, before: str, county: Entry) -> str | None:
    """Why a project is taken to be in the county town, or None.

    A route between places (城区至重庆新机场高速公路) is not in the town, however it starts;
    a word before the name counts only as the name's own modifier (城区棚户区改造), not as
    the other end of a route (城区至开州港 says nothing of 开州港)."""
    if any(w in name for w in _road_words("route")) or (_ROUTE_JOIN.search(name) and not _is_street(name)):
        return None
    before = _ROUTE_JOIN.split(before)[-1]
    if _seat_institution(name, county):
        return "县级机构位于县城"
    for w in urban_words():
        if w in name or w in before:
            return f"名称含“{w}”"
    for w in _words("urban_facility_words.csv"):
        if w in name:
            return f"“{w}”为城区设施"
    if _is_street(name):
        return "为城区街道"
    return None


def clause_of(sentence: str, surface: str) -> tuple[str, int]:
    """The clause of ``sentence`` holding ``surface``, and where ``surface`` starts in it."""
    at = sentence.find(surface) if surface else -1
    if at < 0:
        return sentence, -1
    starts = [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, at)]
    begin = starts[-1] if starts else 0
    end_match = _CLAUSE_BREAK.search(sentence, at + len(surface))
    end = end_match.start() if end_match else len(sentence)
    return sentence[begin:end], at - begin


def _list_item(clause: str, at: int) -> tuple[str, int]:
    """The 、-separated item of ``clause`` that starts before ``at`` (and where ``at`` is in it)."""
    if at < 0:
        return clause, at
    begin = clause.rfind("、", 0, at) + 1
    end = clause.find("、", at)
    return clause[begin : end if end >= 0 else len(clause)], at - begin


def _local_places(gaz: Gazetteer, clause: str, county: Entry) -> list[Entry]:
    found: dict[str, Entry] = {}
    for span in gaz.find_names(clause, kinds=("township", "locality", "feature")):
        for e in span.entries:
            if county.code in (e.county_code, *e.county_codes) and e.precision <= P.NEAR:
                found.setdefault(e.id, e)
                break
    return list(found.values())


def _village_townships(gaz: Gazetteer, text: str, county: Entry) -> tuple[str | None, list[Entry]]:
    """The village of ``county`` that ``text`` names (:func:`geoapp.ingest.villages.find_villages`)
    and its township, when both are unambiguous and the township has a real point."""
    found = {name for _, name in find_villages(text, county.code, frozenset(_words("generic_words.csv")))}
    if len(found) != 1:
        return None, []
    name = found.pop()
    townships = villages_of(county.code)[name]
    if len(townships) != 1:
        return None, []  # two villages of that name in the county: nothing decides
    e = gaz.get(f"twn:{townships[0]}")
    if e is None or e.precision > P.NEAR:
        return None, []
    return name, [e]


def _seat_by_former_name(gaz: Gazetteer, text: str, county: Entry) -> list[Entry]:
    """忠州中学: 忠州 names 忠县 (a former name) and is also the short name of the township
    holding the county seat (忠州街道) — the town, not the whole county, is meant."""
    found: dict[str, Entry] = {}
    for span in gaz.find_names(text, kinds=("county",)):
        if not any(e.id == county.id for e in span.entries) or span.text == county.name:
            continue
        for m in gaz.resolve(span.text, county=county.name).matches:
            e = gaz.get(m.gazetteer_id)
            if (
                e is not None
                and e.kind == "township"
                and m.method == "exact"
                and county.code in (e.county_code, *e.county_codes)
                and e.precision <= P.NEAR
                and _km(e.point, county.point) <= SEAT_RADIUS_KM
            ):
                found.setdefault(e.id, e)
    return list(found.values())


def place_from_context(
    gaz: Gazetteer, county: Entry | None, name: str, sentence: str | None, surface: str = ""
):
    """A :class:`~geoapp.ingest.locate.Location` near what the clause names, or None."""
    from geoapp.ingest.locate import Location

    if county is None or county.kind != "county" or not sentence:
        return None
    clause, at = clause_of(sentence, surface or name)
    item, at = _list_item(clause, at)
    places = _local_places(gaz, item, county)
    village = None
    if not places:
        village, places = _village_townships(gaz, item, county)
    places = places or _seat_by_former_name(gaz, item, county)
    if len(places) == 1:
        e = places[0]
        radius = e.radius_km or DEFAULT_RADIUS_KM
        where = f"村（社区）“{village}”所属的{e.name}" if village else f"地点“{e.name}”"
        return Location(
            geometry=shapely.Point(e.point),
            precision=P.NEAR,
            location_class=2,
            note=f"按所在句中的{where}定位（在其附近，半径约{radius:g}公里）",
            gazetteer_ids=[e.id],
            counties=[(county.code, county.name)],
        )
    if places:
        return None
    before = item[:at] if at >= 0 else ""
    reason = _urban_reason(name, before, county)
    if reason is not None:
        return Location(
            geometry=shapely.Point(county.point),
            precision=P.NEAR,
            location_class=2,
            note=f"按{county.name}县城（城区）定位（{reason}；县城所在地附近，半径约{SEAT_RADIUS_KM:g}公里）",
            gazetteer_ids=[county.id],
            counties=[(county.code, county.name)],
        )
    return None
