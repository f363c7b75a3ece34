"""Finer placement from the words around a name, with the built-in gazetteer.

Contract: :func:`place_from_context` is asked only when a name itself says no more than
its county. It looks at the clause of the sentence that holds the name (between ，；。：
and the like):

1. the clause's list item that holds the name (clauses list several projects with 、, and a
   town in one item says nothing of the others) names exactly one township, street (街道),
   village or landmark *of that county* with a real point → the project is placed near it
   (precision 2, the radius stated in the note); two or more different ones → nothing;
2. the name, or its list item before it, says the county town (县城, 城区 … in
   ``geoapp/data/urban_area_words.csv``), or the name is the county's own institution
   (县人民医院, 区中医院: 县/区 + a word of ``geoapp/data/seat_institutions.csv``) → the county
   seat's urban area (precision 2, :data:`SEAT_RADIUS_KM`).

Otherwise it returns None and the project stays at county level.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import shapely

from gazetteer import Gazetteer
from gazetteer import precision as P
from gazetteer.model import Entry

__all__ = ["place_from_context", "clause_of", "SEAT_RADIUS_KM"]

#: how far an urban facility may be from the county seat's point (km): the county towns of
#: the seed counties are 3–8 km across
SEAT_RADIUS_KM = 5.0
#: radius stated for a place whose entry gives none (km)
DEFAULT_RADIUS_KM = 5.0
_CLAUSE_BREAK = re.compile(r"[，,；;。：:！？\n]")
_DATA = Path(__file__).resolve().parent.parent / "data"


@cache
def _words(file: str) -> tuple[str, ...]:
    with open(_DATA / file, encoding="utf-8", newline="") as fh:
        return tuple(sorted((row["word"].strip() for row in csv.DictReader(fh)), key=len, reverse=True))


def urban_words() -> tuple[str, ...]:
    return _words("urban_area_words.csv")


def _seat_institution(name: str) -> bool:
    return name[:1] in ("县", "区") and name[1:].startswith(_words("seat_institutions.csv"))


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


def place_from_context(gaz: Gazetteer, county: Entry | None, name: str, sentence: str | None, surface: str = ""):
    """A :class:`~geoapp.ingest.locate.Location` near what the clause names, or None."""
    from geoapp.ingest.locate import Location

    if county is None or county.kind != "county" or not sentence:
        return None
    clause, at = clause_of(sentence, surface or name)
    item, at = _list_item(clause, at)
    places = _local_places(gaz, item, county)
    if len(places) == 1:
        e = places[0]
        radius = e.radius_km or DEFAULT_RADIUS_KM
        return Location(
            geometry=shapely.Point(e.point),
            precision=P.NEAR,
            location_class=2,
            note=f"按所在句中的地点“{e.name}”定位（在其附近，半径约{radius:g}公里）",
            gazetteer_ids=[e.id],
            counties=[(county.code, county.name)],
        )
    if places:
        return None
    before = item[:at] if at >= 0 else ""
    if _seat_institution(name) or any(w in name or w in before for w in urban_words()):
        return Location(
            geometry=shapely.Point(county.point),
            precision=P.NEAR,
            location_class=2,
            note=f"按{county.name}县城（城区）定位（县城所在地附近，半径约{SEAT_RADIUS_KM:g}公里）",
            gazetteer_ids=[county.id],
            counties=[(county.code, county.name)],
        )
    return None
