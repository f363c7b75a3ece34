"""The base of the feature collections: what a request selects, and what a collection must know."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import FromClause, Select, and_, func
from sqlalchemy.sql import ColumnElement

from geoapp.catalog.cql import Queryable
from geoapp.context import Context
from geoapp.context import values as param_values
from geoapp.errors import InvalidParameter

__all__ = [
    "GEOMETRY_PARAM",
    "GeometryKind",
    "KINDS",
    "Selection",
    "Source",
    "no_joins",
    "single",
    "choices",
    "like_pattern",
]

#: the query parameter of the mixed collections (and the downloads) selecting one kind of geometry
GEOMETRY_PARAM = "geometry_type"


@dataclass(frozen=True)
class GeometryKind:
    """One kind of geometry, as a GIS layer has one: its GeoJSON types, its format in a JSON
    Schema (OGC API – Features Part 5) and the SQL condition selecting it."""

    key: str
    geojson: tuple[str, ...]
    format: str
    zh: str
    en: str

    def condition(self, geom_col) -> ColumnElement:
        # GeometryType() answers POINT, MULTIPOINT … on PostGIS, and "POINT", "POINT Z" …
        # on SpatiaLite: the pattern matches the single and the multi type in both.
        return func.GeometryType(geom_col).like(f"%{self.geojson[0].upper()}%")


#: kind key → kind; the single-geometry collections are named ``{collection}-{key}``
KINDS: dict[str, GeometryKind] = {
    k.key: k
    for k in (
        GeometryKind("points", ("Point", "MultiPoint"), "geometry-point-or-multipoint", "点", "points"),
        GeometryKind(
            "lines",
            ("LineString", "MultiLineString"),
            "geometry-linestring-or-multilinestring",
            "线",
            "lines",
        ),
        GeometryKind("areas", ("Polygon", "MultiPolygon"), "geometry-polygon-or-multipolygon", "面", "areas"),
    )
}


@dataclass(frozen=True)
class Selection:
    """What one request selects, parsed and checked before anything is sent."""

    source: Source
    prepared: Any = None
    bbox: tuple[float, float, float, float] | None = None
    cql: ColumnElement | None = None


class Source:
    """One collection. Subclasses fill in the table, the columns and the properties."""

    id: str = ""
    title: str = ""
    description: str = ""
    #: query parameters of its own (besides bbox, limit, crs, filter …), documented in /api
    params: tuple[str, ...] = ()
    id_type = "string"
    #: the one kind of geometry of every feature (advertised, and enforced on every read); None: mixed
    geometry_kind: GeometryKind | None = None
    #: kind key → single-geometry view of this collection (see :mod:`geoapp.catalog.sources.views`)
    views: Mapping[str, Source] = {}

    @property
    def root(self) -> Source:
        """The collection this one is a view of (itself when it is none)."""
        return self

    @property
    def geometry_types(self) -> tuple[str, ...]:
        """The GeoJSON geometry types its features have."""
        if self.geometry_kind is not None:
            return self.geometry_kind.geojson
        return tuple(t for kind in KINDS.values() for t in kind.geojson)

    def frm(self) -> FromClause:
        raise NotImplementedError

    def hidden(self, ctx: Context) -> ColumnElement | None:
        """True for rows no output shows (None: every row is shown)."""
        return None

    @property
    def id_col(self) -> ColumnElement:
        raise NotImplementedError

    @property
    def geom_col(self) -> ColumnElement:
        raise NotImplementedError

    def order_by(self) -> tuple[ColumnElement, ...]:
        return (self.id_col,)

    def queryables(self) -> dict[str, Queryable]:
        raise NotImplementedError

    def prepare(self, ctx: Context, args: Mapping[str, Any]) -> Any:
        """Parse this collection's own parameters (raises :class:`InvalidParameter`)."""
        return []

    def apply(self, ctx: Context, stmt: Select, prepared: Any) -> Select:
        return stmt.where(and_(*prepared)) if prepared else stmt

    def bbox_condition(self, ctx: Context, bbox: tuple[float, ...]) -> ColumnElement:
        """Features whose geometry intersects ``bbox`` (index first, then the exact test)."""
        b = ctx.backend
        return and_(
            b.envelope_filter(self.geom_col, bbox),
            b.spatial_predicate("intersects", self.geom_col, b.envelope(bbox)),
        )

    def parse_id(self, raw: str) -> Any | None:
        return raw if 0 < len(raw) <= 300 else None

    def py_columns(self) -> list[ColumnElement]:
        raise NotImplementedError

    def py_properties(self, ctx: Context, rows: Sequence[Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def stored_properties(self, ctx: Context) -> ColumnElement | None:
        """A column holding every feature's properties as JSON text, when there is one
        and it is complete (readers then skip building them); None by default."""
        return None

    def stored_feature(self, ctx: Context, crs) -> ColumnElement | None:
        """A column holding every whole feature as GeoJSON text in ``crs``, when there is
        one and it is complete; None by default."""
        return None

    def sql_properties(
        self, ctx: Context, bulk: bool, id_range: tuple[int, int] | None = None
    ) -> tuple[list[tuple[str, Any]], Callable]:
        """(key, SQL value) pairs for :meth:`Backend.json_properties`, and a function adding joins.

        ``bulk``: the whole table is read (join side tables once, not per row);
        ``id_range``: only these ids will be read (a chunk of a parallel export).
        """
        raise NotImplementedError


# ----------------------------------------------------------------------------- helpers


def no_joins(frm):
    return frm


def single(args: Mapping[str, Any], name: str) -> str | None:
    given = [v.strip() for v in param_values(args, name) if v and v.strip()]
    return given[-1] if given else None


def choices(args: Mapping[str, Any], name: str, allowed: Sequence[str]) -> list[str]:
    raw = single(args, name)
    if raw is None:
        return []
    out = [v.strip() for v in raw.split(",") if v.strip()]
    for v in out:
        if v not in allowed:
            raise InvalidParameter(f"unknown {name} {v[:40]!r}; use one of: {', '.join(allowed)}")
    return out


def like_pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
