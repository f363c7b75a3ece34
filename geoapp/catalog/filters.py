"""Project filters: parsed once from request arguments or CLI options, applied to SQL.

The web map, the JSON API, OGC API – Features, downloads and rendered images
all use the same :class:`ProjectFilter`, so a bookmark of the map and a
download with the same parameters select the same projects.

Parsing is strict for programs (first problem → :class:`InvalidParameter`,
answered with 400) and lenient for people (the map page drops what it cannot use
and says why). Values never reach SQL unparameterised.

>>> f, problems = parse_filters({"category": ["transport,water"], "year_from": ["2030"], "year_to": ["2025"]})
>>> f.categories, f.year_from, f.year_to
(('transport', 'water'), 2025, 2030)
>>> problems
['year_from is after year_to: swapped them']
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

from geoapp.catalog.style import CATEGORIES, STATUSES, SUBTYPES
from geoapp.context import values as param_values
from geoapp.errors import InvalidParameter

__all__ = [
    "ProjectFilter",
    "FilterParam",
    "FILTERS",
    "parse_filters",
    "MULTI_COUNTY",
    "FILTER_PARAMS",
    "MAX_CORRIDOR_KM",
]

#: county value meaning "crosses several counties"
MULTI_COUNTY = "multi"
MAX_CORRIDOR_KM = 100.0
DEFAULT_CORRIDOR_KM = 5.0
MAX_TEXT = 200
_YEAR_RANGE = (1949, 2100)


@dataclass(frozen=True)
class FilterParam:
    """One project filter as every interface offers it: the query parameter (web map, JSON API,
    OGC API, downloads, images), its OpenAPI schema and the ``geoapp export``/``render`` option.

    The table below is the one list: a new filter is a row here, its parsing in
    :func:`parse_filters` and its SQL in :func:`geoapp.catalog.queries.apply_filter`.
    """

    name: str
    #: one line for the OpenAPI document and ``--help``
    help: str
    schema: dict[str, Any]
    #: several values (repeated or comma-separated)
    multiple: bool = False
    #: the command-line spelling(s), when not ``--name-with-dashes``
    cli: tuple[str, ...] = ()
    #: in the OpenAPI document's parameters (``bbox`` there is OGC's own, with ``bbox-crs``)
    openapi: bool = True

    @property
    def cli_names(self) -> tuple[str, ...]:
        return self.cli or ("--" + self.name.replace("_", "-"),)


def _codes(values: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "enum": list(values)}}


FILTERS: tuple[FilterParam, ...] = (
    FilterParam("category", "Category code(s), comma-separated (e.g. transport).", _codes(CATEGORIES), True),
    FilterParam("subtype", "Subtype code(s), comma-separated (e.g. expressway).", _codes(SUBTYPES), True),
    FilterParam("status", "Status code(s), comma-separated.", _codes(STATUSES), True),
    FilterParam(
        "county",
        "County name (e.g. 忠县) or 6-digit adcode, comma-separated; `multi` = projects crossing several counties.",
        {"type": "array", "items": {"type": "string"}},
        True,
    ),
    FilterParam(
        "corridor",
        "Corridor id (see /collections/corridors): projects within distance_km of it.",
        {"type": "string"},
    ),
    FilterParam(
        "distance_km",
        "Distance from the corridor in km (default 5).",
        {"type": "number", "minimum": 0, "maximum": MAX_CORRIDOR_KM, "default": DEFAULT_CORRIDOR_KM},
    ),
    FilterParam("year_from", "Period overlaps from this year.", {"type": "integer"}),
    FilterParam("year_to", "Period overlaps up to this year.", {"type": "integer"}),
    FilterParam(
        "period",
        "Construction period overlapping YYYY or YYYY-YYYY.",
        {"type": "string", "pattern": r"^\d{4}(-\d{4})?$"},
    ),
    FilterParam("investment_min", "Minimum total investment (万元).", {"type": "number", "minimum": 0}),
    FilterParam("investment_max", "Maximum total investment (万元).", {"type": "number", "minimum": 0}),
    FilterParam(
        "q",
        "Text in the project name, description or source sentences.",
        {"type": "string"},
        cli=("-q", "--text"),
    ),
    FilterParam("bbox", "minlon,minlat,maxlon,maxlat (WGS84).", {"type": "string"}, openapi=False),
)

#: every query parameter the filters read
FILTER_PARAMS = tuple(f.name for f in FILTERS)


@dataclass(frozen=True)
class ProjectFilter:
    categories: tuple[str, ...] = ()
    subtypes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    #: county adcodes, or :data:`MULTI_COUNTY`
    counties: tuple[str, ...] = ()
    corridor: str | None = None
    distance_km: float = DEFAULT_CORRIDOR_KM
    year_from: int | None = None
    year_to: int | None = None
    investment_min: float | None = None
    investment_max: float | None = None
    q: str | None = None
    bbox: tuple[float, float, float, float] | None = None

    def is_empty(self) -> bool:
        return self == ProjectFilter()

    def without(self, name: str) -> ProjectFilter:
        """The same filter with one dimension cleared (for facet counts)."""
        default: dict[str, Any] = {f.name: f.default for f in fields(self)}
        return replace(self, **{name: default[name]})

    def to_params(self) -> dict[str, str]:
        """Query parameters that reproduce this filter (for links and bookmarks)."""
        out: dict[str, str] = {}
        if self.categories:
            out["category"] = ",".join(self.categories)
        if self.subtypes:
            out["subtype"] = ",".join(self.subtypes)
        if self.statuses:
            out["status"] = ",".join(self.statuses)
        if self.counties:
            out["county"] = ",".join(self.counties)
        if self.corridor:
            out["corridor"] = self.corridor
            out["distance_km"] = _num(self.distance_km)
        if self.year_from is not None:
            out["year_from"] = str(self.year_from)
        if self.year_to is not None:
            out["year_to"] = str(self.year_to)
        if self.investment_min is not None:
            out["investment_min"] = _num(self.investment_min)
        if self.investment_max is not None:
            out["investment_max"] = _num(self.investment_max)
        if self.q:
            out["q"] = self.q
        if self.bbox:
            out["bbox"] = ",".join(_num(v) for v in self.bbox)
        return out

    def query_string(self) -> str:
        return urlencode(self.to_params())


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _values(args: Mapping[str, Any], name: str) -> list[str]:
    """All values of a parameter, comma-separated lists flattened."""
    out: list[str] = []
    for item in param_values(args, name):
        out.extend(p.strip() for p in str(item).split(",") if p.strip())
    return out


def _single(args: Mapping[str, Any], name: str) -> str | None:
    values = _values(args, name) if name != "q" else _raw(args, name)
    return values[-1] if values else None


def _raw(args: Mapping[str, Any], name: str) -> list[str]:
    return [v for v in param_values(args, name) if v.strip()]


def _float(name: str, raw: str, problems: list[str]) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"{name}={raw[:40]!r} is not a number")
        return None
    if not math.isfinite(value):
        problems.append(f"{name}={raw[:40]!r} is not a finite number")
        return None
    return value


def _choices(
    name: str, values: Iterable[str], allowed: tuple[str, ...], problems: list[str]
) -> tuple[str, ...]:
    good = []
    for v in values:
        if v in allowed:
            if v not in good:
                good.append(v)
        else:
            problems.append(f"unknown {name} {v[:40]!r}")
    return tuple(good)


def parse_bbox(raw: str, problems: list[str]) -> tuple[float, float, float, float] | None:
    parts = [p for p in raw.split(",")]
    if len(parts) not in (4, 6):
        problems.append(f"bbox must have 4 numbers (minlon,minlat,maxlon,maxlat), got {len(parts)}")
        return None
    parsed = [_float("bbox", p.strip(), problems) for p in parts]
    nums = [n for n in parsed if n is not None]
    if len(nums) != len(parsed):
        return None
    if len(nums) == 6:  # 3-D bbox: drop the heights
        nums = [nums[0], nums[1], nums[3], nums[4]]
    minx, miny, maxx, maxy = nums
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90):
        problems.append("bbox is outside -180..180 / -90..90")
        return None
    if miny > maxy:
        problems.append("bbox minimum latitude is above its maximum")
        return None
    if minx > maxx:
        problems.append("bbox crossing the antimeridian (minlon > maxlon) is not supported")
        return None
    return (minx, miny, maxx, maxy)


def parse_filters(  # noqa: C901 — over the limit; see CONTRIBUTING.md, "Complexity"
    args: Mapping[str, Any],
    *,
    strict: bool = False,
    county_resolver=None,
    corridor_exists=None,
) -> tuple[ProjectFilter, list[str]]:
    """Read a :class:`ProjectFilter` from query arguments.

    ``county_resolver(name) -> adcode | None`` turns county names into codes;
    ``corridor_exists(id) -> bool`` checks a corridor id. With ``strict`` the
    first problem raises :class:`InvalidParameter`; otherwise problems are
    returned as sentences and the offending values are left out.
    """
    problems: list[str] = []
    values: dict[str, Any] = {}
    values["categories"] = _choices("category", _values(args, "category"), CATEGORIES, problems)
    values["subtypes"] = _choices("subtype", _values(args, "subtype"), SUBTYPES, problems)
    values["statuses"] = _choices("status", _values(args, "status"), STATUSES, problems)

    counties: list[str] = []
    code: str | None
    for raw in _values(args, "county"):
        if raw == MULTI_COUNTY:
            code = MULTI_COUNTY
        elif re.fullmatch(r"\d{6}", raw):
            code = raw
        else:
            code = county_resolver(raw) if county_resolver else None
        if code is None:
            problems.append(f"unknown county {raw[:40]!r}")
        elif code not in counties:
            counties.append(code)
    values["counties"] = tuple(counties)

    corridor = _single(args, "corridor")
    if corridor:
        if corridor_exists is not None and not corridor_exists(corridor):
            problems.append(f"unknown corridor {corridor[:60]!r}")
        else:
            values["corridor"] = corridor
    distance = _single(args, "distance_km")
    if distance is not None:
        d = _float("distance_km", distance, problems)
        if d is not None:
            if not 0 <= d <= MAX_CORRIDOR_KM:
                problems.append(f"distance_km must be between 0 and {MAX_CORRIDOR_KM:g}")
            else:
                values["distance_km"] = d

    years: dict[str, int] = {}
    period = _single(args, "period")
    if period:
        m = re.fullmatch(r"(\d{4})(?:\s*[-–—/]\s*(\d{4}))?", period)
        if m:
            years["year_from"] = int(m.group(1))
            years["year_to"] = int(m.group(2) or m.group(1))
        else:
            problems.append(f"period={period[:40]!r} must be YYYY or YYYY-YYYY")
    for name in ("year_from", "year_to"):
        given = _single(args, name)
        if given is None:
            continue
        if not re.fullmatch(r"\d{4}", given):
            problems.append(f"{name}={given[:40]!r} is not a year")
            continue
        year = int(given)
        if not _YEAR_RANGE[0] <= year <= _YEAR_RANGE[1]:
            problems.append(f"{name}={year} is outside {_YEAR_RANGE[0]}–{_YEAR_RANGE[1]}")
            continue
        years[name] = year
    if "year_from" in years and "year_to" in years and years["year_from"] > years["year_to"]:
        years["year_from"], years["year_to"] = years["year_to"], years["year_from"]
        problems.append("year_from is after year_to: swapped them")
    values.update(years)

    money: dict[str, float] = {}
    for name in ("investment_min", "investment_max"):
        given = _single(args, name)
        if given is None:
            continue
        v = _float(name, given, problems)
        if v is not None:
            if v < 0:
                problems.append(f"{name} cannot be negative")
            else:
                money[name] = v
    if (
        "investment_min" in money
        and "investment_max" in money
        and money["investment_min"] > money["investment_max"]
    ):
        money["investment_min"], money["investment_max"] = money["investment_max"], money["investment_min"]
        problems.append("investment_min is above investment_max: swapped them")
    values.update(money)

    q = _single(args, "q")
    if q:
        q = q.strip()
        if len(q) > MAX_TEXT:
            problems.append(f"q is longer than {MAX_TEXT} characters: cut to {MAX_TEXT}")
            q = q[:MAX_TEXT]
        values["q"] = q

    bbox = _single_raw(args, "bbox")
    if bbox:
        box = parse_bbox(bbox, problems)
        if box:
            values["bbox"] = box

    if strict and problems:
        raise InvalidParameter(problems[0])
    return ProjectFilter(**values), problems


def _single_raw(args: Mapping[str, Any], name: str) -> str | None:
    raw = _raw(args, name)
    return raw[-1] if raw else None
