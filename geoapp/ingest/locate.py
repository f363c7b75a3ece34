"""Placing a candidate: gazetteer match → geometry, IATI precision, counties.

Never a null geometry and never a made-up point: when nothing more specific is
known, the project gets its county's outline with precision 3 and a note saying
so. A route named with a county section ("渝万高铁忠县段") is clipped to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry

from gazetteer import Gazetteer, Match
from gazetteer import precision as P
from gazetteer.layers import is_layer_id, layer_of
from gazetteer.model import Entry

__all__ = ["Location", "locate"]

_ADMIN_SUFFIX = re.compile(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|自治州|地区|县|区)$")
_COUNTY_SECTION = re.compile(r"(.+?)([\u4e00-\u9fff]{1,6}?(?:县|区|市))段")


@dataclass
class Location:
    geometry: BaseGeometry
    precision: int
    location_class: int
    note: str
    gazetteer_ids: list[str] = field(default_factory=list)
    counties: list[tuple[str, str]] = field(default_factory=list)  # (adcode, name)
    exact_entry: str | None = None  # the gazetteer entry that *is* this thing


def _county_list(gaz: Gazetteer, geom: BaseGeometry, codes: tuple[str, ...] = ()) -> list[Entry]:
    """The counties a geometry lies in; outside the region loaded with county detail,
    the city or province it belongs to stands in (the finest unit known)."""
    entries = [gaz.get(f"adm:{c}") for c in codes]
    found = [e for e in entries if e is not None and e.kind == "county"]
    if not found:
        if geom.geom_type == "Point":
            c = gaz.county_at(geom.x, geom.y)
            found = [c] if c else []
        else:
            found = gaz.counties_along(geom)
    if not found:
        found = [e for e in entries if e is not None and e.kind in ("city", "province")][:1]
    return found


def _from_match(gaz: Gazetteer, m: Match, name: str) -> Location:
    geom = m.geometry
    # Notes are written for planners, in Chinese: they say what the location is estimated from.
    note_parts = []
    if is_layer_id(m.gazetteer_id):
        note_parts.append(_layer_note(m))
    elif m.method == "contains" and m.kind in ("township", "locality", "feature"):
        note_parts.append(f"按名称中的地点“{m.matched_name}”定位（在其附近）")
    elif m.method == "contains":
        note_parts.append(f"仅知所在区域：{m.matched_name}")
    elif m.method in ("segment", "corridor"):
        note_parts.append(f"按途经地点{m.matched_name}连线，走向为估计")
    elif m.kind == "line":
        note_parts.append(f"{m.matched_name}按途经地点连线，走向为估计")
    if m.kind == "township" and m.precision == P.COUNTY:
        note_parts.append(f"{m.matched_name}无坐标，以所在区县范围表示")
    if m.ambiguous_with:
        note_parts.append("同名地点还有：" + "；".join(m.ambiguous_with[:3]))
    if not note_parts and m.precision == P.ESTIMATED:
        note_parts.append(f"{m.matched_name}的走向为估计")
    if not note_parts and m.precision in (P.COUNTY, P.PROVINCE):
        unit = "区县" if m.precision == P.COUNTY else "市或省"
        note_parts.append(f"地名库中{m.matched_name}仅精确到{unit}")
    precision = m.precision
    # A facility placed at a town point is near the town, not at it.
    if m.kind in ("township", "locality") and m.method == "contains":
        precision = P.NEAR
    counties = _county_list(gaz, geom, m.county_codes)
    # Only a name that *is* a gazetteer entry shares its identity ("G350…段" is part of G350, not G350).
    # A user's layer places a project but is not its identity: removing the layer must not
    # change which project a mention belongs to.
    exact = (
        m.gazetteer_id
        if m.method == "exact" and m.kind in ("feature", "line") and not is_layer_id(m.gazetteer_id)
        else None
    )
    loc = Location(
        geometry=geom,
        precision=precision,
        location_class=m.location_class,
        note="；".join(note_parts),
        gazetteer_ids=list(m.entry_ids),
        counties=[(c.code, c.name) for c in counties],
        exact_entry=exact,
    )
    _clip_to_county_section(gaz, loc, name)
    return loc


def _builtin_identity(matches: list[Match]) -> str | None:
    """The built-in entry a layer-placed name also is: the project keeps that identity, so
    adding or removing a layer never splits or merges projects."""
    for m in matches:
        if m.method == "exact" and m.kind in ("feature", "line") and not is_layer_id(m.gazetteer_id):
            return m.gazetteer_id
    return None


def _layer_note(m: Match) -> str:
    """Where a layer placed it, naming the layer and its source."""
    how = "沿其实际线位" if m.kind == "line" else "在其附近" if m.precision == P.NEAR else "即该要素"
    return f"按图层“{layer_of(m.gazetteer_id)}”中的要素“{m.matched_name}”定位（{how}；来源：{m.source}）"


def _clip_to_county_section(gaz: Gazetteer, loc: Location, name: str) -> None:
    """ "渝万高铁忠县段": keep the part of the route inside 忠县."""
    if loc.geometry.geom_type not in ("LineString", "MultiLineString"):
        return
    m = _COUNTY_SECTION.search(name)
    if not m:
        return
    try:
        county = gaz.county(m.group(2))
    except Exception:
        return
    if county.kind != "county":
        return
    part = shapely.intersection(loc.geometry, county.geometry)
    if part.is_empty or part.length == 0:
        return
    loc.geometry = part
    loc.counties = [(county.code, county.name)]
    loc.note = (loc.note + "；" if loc.note else "") + f"只取{county.name}境内部分"


def locate(
    gaz: Gazetteer,
    name: str,
    county: Entry | None,
    *,
    hint: str = "point",
    description: str | None = None,
    entry_ids: tuple[str, ...] = (),
    sentence: str | None = None,
    surface: str = "",
) -> Location:
    """Where ``name`` (named in a document about ``county``) is.

    When the name says no more than its county, the table row's ``description`` and then
    the clause of ``sentence`` around ``surface`` may (:mod:`geoapp.ingest.nearby`)."""
    context = county.name if county is not None else None
    # the entries extraction recognised may rank below the first few (a same-named town of
    # another county, named with its county): look far enough down to find them
    result = gaz.resolve(name, county=context, limit=50 if entry_ids else 5)
    matches = result.matches
    if entry_ids:
        # the entries extraction recognised — or a user's layer feature of the same name
        preferred = [m for m in matches if m.gazetteer_id in entry_ids or is_layer_id(m.gazetteer_id)]
        matches = preferred or matches
    matches, rejected = _without_far_homonyms(
        gaz, matches, county, f"{sentence or ''}{description or ''}{name}"
    )
    # A lone county hit for a facility is only county precision: fine, but a
    # town named in the project's description can do better.
    best = matches[0] if matches else None
    if best is not None and not _only_county(best):
        loc = _from_match(gaz, best, name)
        if is_layer_id(best.gazetteer_id):
            loc.exact_entry = _builtin_identity(matches)
        if loc.precision != P.COUNTY or best.kind != "feature" or hint == "line" or county is None:
            return loc
        # A known work whose entry has no better position than its county (忠县通用机场):
        # the words around it may still say where it is; it keeps its identity either way.
        finer = _from_words(gaz, county, name, description, sentence, surface)
        if finer is not None:
            finer.exact_entry = loc.exact_entry
            finer.note = f"{finer.note}；{loc.note}" if loc.note else finer.note
            return finer
        return loc
    finer = _from_words(gaz, county, name, description, sentence, surface)
    if finer is not None:
        return finer
    if best is not None:
        return _from_match(gaz, best, name)
    if county is not None:
        unused = f"；外省同名地点（{'、'.join(rejected[:3])}）文中无佐证，未采用" if rejected else ""
        return Location(
            geometry=county.geometry,
            precision=P.COUNTY,
            location_class=1,
            note=f"地名库中没有此名称，仅知所在区县（{county.name}）{unused}",
            gazetteer_ids=[county.id],
            counties=[(county.code, county.name)],
        )
    raise LookupError(f"cannot place {name!r}: no gazetteer match and no county context")


def _province_words(admin: tuple[str, ...]) -> list[str]:
    """The names that tell a reader which province a place is in: its province, city and
    county, full and short (贵州省 → 贵州, 六盘水市 → 六盘水)."""
    words = []
    for unit in admin[:-1]:
        words.append(unit)
        short = _ADMIN_SUFFIX.sub("", unit)
        if len(short) >= 2:
            words.append(short)
    return words


def _without_far_homonyms(
    gaz: Gazetteer, matches: list[Match], county: Entry | None, text: str
) -> tuple[list[Match], list[str]]:
    """Matches outside the document's province need evidence in the text: the province, city
    or county they are in, named there (北碚老城 is not 湖北松滋's 老城镇; 桃花新城核心区 is not
    西安's 新城区). An administrative unit named by its full name is its own evidence (桂林市).
    Returns the matches kept and the rejected ones, described for the note."""
    if county is None or not county.admin:
        return matches, []
    kept, rejected = [], []
    for m in matches:
        e = gaz.get(m.gazetteer_id)
        if e is not None and not e.admin and m.kind == "line" and not is_layer_id(m.gazetteer_id):
            # a line (a river, a route) drawn only outside the document's province: the part
            # of it the text means is not drawn — unless the text names where it is drawn
            if _line_elsewhere(gaz, m, county, text):
                rejected.append(m.matched_name)
            else:
                kept.append(m)
        elif e is None or not e.admin or e.admin[0] == county.admin[0] or is_layer_id(m.gazetteer_id):
            kept.append(m)
        elif m.kind in ("county", "city", "province") and m.method == "exact":
            kept.append(m)
        elif any(w in text for w in _province_words(e.admin)):
            kept.append(m)
        else:
            rejected.append("".join(e.admin[:-1]) + m.matched_name)
    return kept, rejected


def _line_elsewhere(gaz: Gazetteer, m: Match, county: Entry, text: str) -> bool:
    """Is the line drawn only in provinces other than the document's, none named in the text?"""
    if not m.county_codes or any(code[:2] == county.code[:2] for code in m.county_codes):
        return False
    admins = [gaz.get(f"adm:{code}") for code in m.county_codes]
    words = {w for a in admins if a is not None and a.admin for w in _province_words((*a.admin, a.name))}
    return not any(w in text for w in words)


def _only_county(m: Match) -> bool:
    """The name says no more than the county (or city, province) it is in."""
    return m.kind in ("county", "city", "province") and m.method == "contains"


def _from_words(
    gaz: Gazetteer,
    county: Entry | None,
    name: str,
    description: str | None,
    sentence: str | None,
    surface: str,
) -> Location | None:
    """A finer place from the table row's description, then from the sentence's clause."""
    if description:
        for span in gaz.find_names(description, kinds=("township", "feature")):
            local = [
                e for e in span.entries if county is None or county.code in (e.county_code, *e.county_codes)
            ]
            if local and local[0].precision <= P.NEAR:
                e = local[0]
                pt = shapely.Point(e.point)
                return Location(
                    geometry=pt,
                    precision=P.NEAR,
                    location_class=2,
                    note=f"按建设内容中的地点“{e.name}”定位（在其附近）",
                    gazetteer_ids=[e.id],
                    counties=[(c.code, c.name) for c in _county_list(gaz, pt)],
                )
    from geoapp.ingest.nearby import place_from_context

    return place_from_context(gaz, county, name, sentence, surface)
