"""Project filters: one table (:data:`FILTERS`) drives their parsing, their SQL, their
caption, their query-string form, the OpenAPI parameters and the CLI options.

The web map, the JSON API, OGC API – Features, downloads and rendered images
all use the same :class:`ProjectFilter`, so a bookmark of the map and a
download with the same parameters select the same projects.

Parsing is strict for programs (first problem → :class:`InvalidParameter`,
answered with 400) and lenient for people (the map page drops what it cannot use
and says why). Values never reach SQL unparameterised.

A row of :data:`FILTERS` says how one query parameter is read (``parse``), which
conditions it adds to a query of ``projects`` (``sql``), how it reads in a caption
(``caption``) and how it is written back into a link (``params``). Rows that belong
together share a function, which runs once: ``year_from``, ``year_to`` and their
shorthand ``period`` are read together (a range reversed is swapped), as are the two
investment bounds; the two years make one caption.

>>> f, problems = parse_filters({"category": ["transport,water"], "year_from": ["2030"], "year_to": ["2025"]})
>>> f.categories, f.year_from, f.year_to
(('transport', 'water'), 2025, 2030)
>>> problems
['year_from is after year_to: swapped them']
>>> describe_filter(f, ["忠县"], None)
'忠县；类别 交通、水利；建设期 2025–2030 年'
>>> f.to_params()
{'category': 'transport,water', 'year_from': '2025', 'year_to': '2030'}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from geoapp.catalog.corridors import corridor_geometry
from geoapp.catalog.filter_parts import (
    Parsing,
    amount_text,
    choices,
    each_once,
    escape_like,
    last_raw,
    last_value,
    number_text,
    ordered_pair,
    parse_bbox,
    parse_number,
    values_of,
)
from geoapp.catalog.style import CATEGORIES, STATUSES, SUBTYPES, label
from geoapp.errors import InvalidParameter, NotFound
from geoapp.store.backend import Backend
from geoapp.store.models import Mention, Project, ProjectCounty

__all__ = [
    "ProjectFilter",
    "FilterParam",
    "FILTERS",
    "parse_filters",
    "filter_conditions",
    "describe_filter",
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
class ProjectFilter:
    """The parsed filters; each field is filled by a row of :data:`FILTERS`."""

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
        for row in FILTERS:
            if row.params is not None:
                out.update(row.params(self))
        return out

    def query_string(self) -> str:
        return urlencode(self.to_params())


Parser = Callable[[Parsing], None]
Clause = Callable[[ProjectFilter, Backend, Session], list[ColumnElement[bool]]]
#: (filter, county names, corridor name) → a part of the caption, or None
Caption = Callable[[ProjectFilter, list[str], str | None], str | None]
Params = Callable[[ProjectFilter], dict[str, str]]


@dataclass(frozen=True)
class FilterParam:
    """One project filter as every interface offers it: the query parameter (web map, JSON API,
    OGC API, downloads, images), its OpenAPI schema and the ``geoapp export``/``render`` option,
    and the functions that parse it, write its SQL, its caption and its query-string form.

    The table :data:`FILTERS` is the one list: a new filter is a row there (and the field it
    fills on :class:`ProjectFilter`).
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
    #: reads the parameter into :attr:`Parsing.values`, adding to :attr:`Parsing.problems`
    parse: Parser | None = None
    #: the conditions on ``projects`` it adds (none when the filter is not set)
    sql: Clause | None = None
    #: its part of the caption of images and reports
    caption: Caption | None = None
    #: its part of :meth:`ProjectFilter.to_params`
    params: Params | None = None
    #: its caption comes first (the place a map shows)
    leads_caption: bool = False

    @property
    def cli_names(self) -> tuple[str, ...]:
        return self.cli or ("--" + self.name.replace("_", "-"),)


# ----------------------------------------------------------------------------- the filters
def _codes(name: str, attr: str, allowed: tuple[str, ...], help: str, caption: str) -> FilterParam:
    """A filter choosing among the vocabulary's codes of column ``name``."""
    column = getattr(Project, name)

    def parse(p: Parsing) -> None:
        p.values[attr] = choices(name, values_of(p.args, name), allowed, p.problems)

    def sql(f: ProjectFilter, backend: Backend, session: Session) -> list[ColumnElement[bool]]:
        return [column.in_(getattr(f, attr))] if getattr(f, attr) else []

    def describe(f: ProjectFilter, counties: list[str], corridor: str | None) -> str | None:
        codes = getattr(f, attr)
        return f"{caption} " + "、".join(label(name, c) for c in codes) if codes else None

    def params(f: ProjectFilter) -> dict[str, str]:
        return {name: ",".join(getattr(f, attr))} if getattr(f, attr) else {}

    schema = {"type": "array", "items": {"type": "string", "enum": list(allowed)}}
    return FilterParam(name, help, schema, True, parse=parse, sql=sql, caption=describe, params=params)


def _parse_county(p: Parsing) -> None:
    counties: list[str] = []
    code: str | None
    for raw in values_of(p.args, "county"):
        if raw == MULTI_COUNTY:
            code = MULTI_COUNTY
        elif re.fullmatch(r"\d{6}", raw):
            code = raw
        else:
            code = p.county_resolver(raw) if p.county_resolver else None
        if code is None:
            p.problems.append(f"unknown county {raw[:40]!r}")
        elif code not in counties:
            counties.append(code)
    p.values["counties"] = tuple(counties)


def _county_sql(f: ProjectFilter, backend: Backend, session: Session) -> list[ColumnElement[bool]]:
    if not f.counties:
        return []
    codes = [c for c in f.counties if c != MULTI_COUNTY]
    alts: list[ColumnElement[bool]] = []
    if codes:
        alts.append(
            exists().where(ProjectCounty.project_id == Project.id, ProjectCounty.county_code.in_(codes))
        )
    if MULTI_COUNTY in f.counties:
        many = select(ProjectCounty.project_id).group_by(ProjectCounty.project_id).having(func.count() > 1)
        alts.append(Project.id.in_(many))
    return [or_(*alts)]


def _parse_corridor(p: Parsing) -> None:
    corridor = last_value(p.args, "corridor")
    if corridor:
        if p.corridor_exists is not None and not p.corridor_exists(corridor):
            p.problems.append(f"unknown corridor {corridor[:60]!r}")
        else:
            p.values["corridor"] = corridor


def _corridor_sql(f: ProjectFilter, backend: Backend, session: Session) -> list[ColumnElement[bool]]:
    if not f.corridor:
        return []
    corridor = corridor_geometry(session, f.corridor)
    if corridor is None:
        raise NotFound(f"unknown corridor {f.corridor!r}")
    return [backend.within_distance(Project.geom, corridor.wkt, f.distance_km * 1000)]


def _parse_distance(p: Parsing) -> None:
    distance = last_value(p.args, "distance_km")
    if distance is not None:
        d = parse_number("distance_km", distance, p.problems)
        if d is not None:
            if not 0 <= d <= MAX_CORRIDOR_KM:
                p.problems.append(f"distance_km must be between 0 and {MAX_CORRIDOR_KM:g}")
            else:
                p.values["distance_km"] = d


def _parse_years(p: Parsing) -> None:
    """``period`` (YYYY or YYYY-YYYY), then ``year_from`` and ``year_to`` over it."""
    years: dict[str, int] = {}
    period = last_value(p.args, "period")
    if period:
        m = re.fullmatch(r"(\d{4})(?:\s*[-–—/]\s*(\d{4}))?", period)
        if m:
            years["year_from"] = int(m.group(1))
            years["year_to"] = int(m.group(2) or m.group(1))
        else:
            p.problems.append(f"period={period[:40]!r} must be YYYY or YYYY-YYYY")
    for name in ("year_from", "year_to"):
        given = last_value(p.args, name)
        if given is None:
            continue
        if not re.fullmatch(r"\d{4}", given):
            p.problems.append(f"{name}={given[:40]!r} is not a year")
            continue
        year = int(given)
        if not _YEAR_RANGE[0] <= year <= _YEAR_RANGE[1]:
            p.problems.append(f"{name}={year} is outside {_YEAR_RANGE[0]}–{_YEAR_RANGE[1]}")
            continue
        years[name] = year
    ordered_pair(p, years, "year_from", "year_to", "year_from is after year_to: swapped them")


def _dated() -> ColumnElement[bool]:
    return Project.period_start.is_not(None) | Project.period_end.is_not(None)


def _year_from_sql(f: ProjectFilter, backend: Backend, session: Session) -> list[ColumnElement[bool]]:
    if f.year_from is None:
        return []
    return [or_(Project.period_end.is_(None), Project.period_end >= f.year_from), _dated()]


def _year_to_sql(f: ProjectFilter, backend: Backend, session: Session) -> list[ColumnElement[bool]]:
    if f.year_to is None:
        return []
    return [or_(Project.period_start.is_(None), Project.period_start <= f.year_to), _dated()]


def _years_caption(f: ProjectFilter, counties: list[str], corridor: str | None) -> str | None:
    if f.year_from is None and f.year_to is None:
        return None
    text = f"建设期 {f.year_from or ''}–{f.year_to or ''} 年"
    return text.replace(" –", " …–").replace("– 年", "–… 年")


def _parse_money(p: Parsing) -> None:
    money: dict[str, float] = {}
    for name in ("investment_min", "investment_max"):
        given = last_value(p.args, name)
        if given is None:
            continue
        v = parse_number(name, given, p.problems)
        if v is not None:
            if v < 0:
                p.problems.append(f"{name} cannot be negative")
            else:
                money[name] = v
    problem = "investment_min is above investment_max: swapped them"
    ordered_pair(p, money, "investment_min", "investment_max", problem)


def _investment(name: str, help: str, op: str) -> FilterParam:
    """A bound on the total investment (万元): ``op`` is ``>=`` or ``<=``."""
    sign = "≥" if op == ">=" else "≤"

    def sql(f: ProjectFilter, backend: Backend, session: Session) -> list[ColumnElement[bool]]:
        value = getattr(f, name)
        if value is None:
            return []
        return [Project.investment_wan >= value if op == ">=" else Project.investment_wan <= value]

    def describe(f: ProjectFilter, counties: list[str], corridor: str | None) -> str | None:
        value = getattr(f, name)
        return None if value is None else f"总投资 {sign} {amount_text(value)} 万元"

    def params(f: ProjectFilter) -> dict[str, str]:
        value = getattr(f, name)
        return {} if value is None else {name: number_text(value)}

    schema = {"type": "number", "minimum": 0}
    return FilterParam(name, help, schema, parse=_parse_money, sql=sql, caption=describe, params=params)


def _parse_text(p: Parsing) -> None:
    q = last_raw(p.args, "q")
    if q:
        q = q.strip()
        if len(q) > MAX_TEXT:
            p.problems.append(f"q is longer than {MAX_TEXT} characters: cut to {MAX_TEXT}")
            q = q[:MAX_TEXT]
        p.values["q"] = q


def _text_sql(f: ProjectFilter, backend: Backend, session: Session) -> list[ColumnElement[bool]]:
    if not f.q:
        return []
    like = f"%{escape_like(f.q)}%"
    return [
        or_(
            Project.name.like(like, escape="\\"),
            Project.description.like(like, escape="\\"),
            exists().where(Mention.project_id == Project.id, Mention.sentence.like(like, escape="\\")),
        )
    ]


def _parse_bbox(p: Parsing) -> None:
    bbox = last_raw(p.args, "bbox")
    if bbox:
        box = parse_bbox(bbox, p.problems)
        if box:
            p.values["bbox"] = box


def _bbox_sql(f: ProjectFilter, backend: Backend, session: Session) -> list[ColumnElement[bool]]:
    return [backend.bbox_filter("projects", Project.geom, Project.id, f.bbox)] if f.bbox else []


def _year_param(name: str) -> Params:
    return lambda f: {} if getattr(f, name) is None else {name: str(getattr(f, name))}


FILTERS: tuple[FilterParam, ...] = (
    _codes(
        "category", "categories", CATEGORIES, "Category code(s), comma-separated (e.g. transport).", "类别"
    ),
    _codes("subtype", "subtypes", SUBTYPES, "Subtype code(s), comma-separated (e.g. expressway).", "类型"),
    _codes("status", "statuses", STATUSES, "Status code(s), comma-separated.", "状态"),
    FilterParam(
        "county",
        "County name (e.g. 忠县) or 6-digit adcode, comma-separated; `multi` = projects crossing several counties.",
        {"type": "array", "items": {"type": "string"}},
        True,
        parse=_parse_county,
        sql=_county_sql,
        caption=lambda f, counties, corridor: "、".join(counties) if counties else None,
        params=lambda f: {"county": ",".join(f.counties)} if f.counties else {},
        leads_caption=True,
    ),
    FilterParam(
        "corridor",
        "Corridor id (see /collections/corridors): projects within distance_km of it.",
        {"type": "string"},
        parse=_parse_corridor,
        sql=_corridor_sql,
        caption=lambda f, counties, corridor: (
            f"{corridor} 两侧 {f.distance_km:g} 公里内" if corridor else None
        ),
        params=lambda f: {"corridor": f.corridor} if f.corridor else {},
    ),
    FilterParam(
        "distance_km",
        "Distance from the corridor in km (default 5).",
        {"type": "number", "minimum": 0, "maximum": MAX_CORRIDOR_KM, "default": DEFAULT_CORRIDOR_KM},
        parse=_parse_distance,  # its SQL and caption are the corridor's
        params=lambda f: {"distance_km": number_text(f.distance_km)} if f.corridor else {},
    ),
    FilterParam(
        "year_from",
        "Period overlaps from this year.",
        {"type": "integer"},
        parse=_parse_years,
        sql=_year_from_sql,
        caption=_years_caption,
        params=_year_param("year_from"),
    ),
    FilterParam(
        "year_to",
        "Period overlaps up to this year.",
        {"type": "integer"},
        parse=_parse_years,
        sql=_year_to_sql,
        caption=_years_caption,
        params=_year_param("year_to"),
    ),
    FilterParam(
        "period",
        "Construction period overlapping YYYY or YYYY-YYYY.",
        {"type": "string", "pattern": r"^\d{4}(-\d{4})?$"},
        parse=_parse_years,  # a shorthand: it sets year_from and year_to
    ),
    _investment("investment_min", "Minimum total investment (万元).", ">="),
    _investment("investment_max", "Maximum total investment (万元).", "<="),
    FilterParam(
        "q",
        "Text in the project name, description or source sentences.",
        {"type": "string"},
        cli=("-q", "--text"),
        parse=_parse_text,
        sql=_text_sql,
        caption=lambda f, counties, corridor: f"含“{f.q}”" if f.q else None,
        params=lambda f: {"q": f.q} if f.q else {},
    ),
    FilterParam(
        "bbox",
        "minlon,minlat,maxlon,maxlat (WGS84).",
        {"type": "string"},
        openapi=False,
        parse=_parse_bbox,
        sql=_bbox_sql,
        caption=lambda f, counties, corridor: (
            "指定范围 " + ",".join(f"{v:.3f}" for v in f.bbox) if f.bbox else None
        ),
        params=lambda f: {"bbox": ",".join(number_text(v) for v in f.bbox)} if f.bbox else {},
    ),
)

#: every query parameter the filters read
FILTER_PARAMS = tuple(f.name for f in FILTERS)


# ----------------------------------------------------------------------------- the three uses
def parse_filters(
    args: Mapping[str, Any],
    *,
    strict: bool = False,
    county_resolver: Callable[[str], str | None] | None = None,
    corridor_exists: Callable[[str], bool] | None = None,
) -> tuple[ProjectFilter, list[str]]:
    """Read a :class:`ProjectFilter` from query arguments.

    ``county_resolver(name) -> adcode | None`` turns county names into codes;
    ``corridor_exists(id) -> bool`` checks a corridor id. With ``strict`` the
    first problem raises :class:`InvalidParameter`; otherwise problems are
    returned as sentences and the offending values are left out.
    """
    p = Parsing(args, county_resolver, corridor_exists)
    for parse in each_once(row.parse for row in FILTERS):
        parse(p)
    if strict and p.problems:
        raise InvalidParameter(p.problems[0])
    return ProjectFilter(**p.values), p.problems


def filter_conditions(f: ProjectFilter, backend: Backend, session: Session) -> list[ColumnElement[bool]]:
    """The SQL conditions on ``projects`` that select what ``f`` selects."""
    return [c for sql in each_once(row.sql for row in FILTERS) for c in sql(f, backend, session)]


def describe_filter(f: ProjectFilter, county_names: list[str], corridor_name: str | None) -> str:
    """The filter in words, for subtitles and report headers (the place first)."""
    rows = sorted(FILTERS, key=lambda row: not row.leads_caption)
    parts = [
        text
        for caption in each_once(r.caption for r in rows)
        if (text := caption(f, county_names, corridor_name))
    ]
    return "；".join(parts) if parts else "全部项目"
