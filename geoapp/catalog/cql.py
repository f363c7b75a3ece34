"""CQL2 filters (OGC API – Features Part 3) → SQLAlchemy conditions.

pygeofilter parses ``cql2-text`` and ``cql2-json`` into an AST; :class:`_ToSQL`
walks that AST over a whitelist of :class:`Queryable` columns, so a filter can
only reach the columns a collection advertises, every literal is a bound
parameter, and a literal of the wrong type is a 400 here instead of a database
error later.

Supported: ``AND OR NOT``, ``= <> < <= > >=``, ``LIKE``, ``BETWEEN``, ``IN``,
``IS NULL`` and the spatial predicates ``S_INTERSECTS S_DISJOINT S_CONTAINS
S_WITHIN S_TOUCHES S_CROSSES S_OVERLAPS S_EQUALS`` against WKT/GeoJSON
geometries or ``BBOX(…)``. Temporal and array operators and functions are
answered with 400.

>>> parse_filter("category = 'water' AND precision <= 3").__class__.__name__
'And'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import shapely
import shapely.geometry
from pygeofilter import ast, values
from pygeofilter.backends.evaluator import Evaluator, handle
from sqlalchemy import and_, literal, not_, or_
from sqlalchemy.sql import ColumnElement

from geoapp.catalog.crs import CRS84, OutputCrs, geometry_to_crs84
from geoapp.errors import InvalidParameter
from geoapp.store.backend import Backend

__all__ = ["Queryable", "FILTER_LANGS", "parse_filter", "to_sql", "queryables_schema"]

FILTER_LANGS = ("cql2-text", "cql2-json")
MAX_FILTER = 20_000
MAX_VERTICES = 10_000


@dataclass(frozen=True)
class Queryable:
    """A property a filter may use: its SQL expression and JSON-schema type."""

    name: str
    column: Any
    type: str  # "string", "integer", "number" or "geometry"
    title: str = ""
    enum: tuple[str, ...] = field(default=())


def parse_filter(text: str, lang: str | None = None) -> ast.Node:
    """Parse a CQL2 filter; any syntax problem is an :class:`InvalidParameter`."""
    lang = (lang or "cql2-text").strip().lower()
    if lang not in FILTER_LANGS:
        raise InvalidParameter(f"filter-lang={lang[:40]!r} is not supported; use cql2-text or cql2-json")
    if len(text) > MAX_FILTER:
        raise InvalidParameter(f"filter is longer than {MAX_FILTER} characters")
    try:
        if lang == "cql2-json":
            from pygeofilter.parsers.cql2_json import parse

            node = parse(json.loads(text))
        else:
            from pygeofilter.parsers.cql2_text import parse

            node = parse(text)
    except InvalidParameter:
        raise
    except Exception as exc:  # lark and json raise many kinds; all mean "malformed"
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InvalidParameter(f"filter is not valid {lang}: {first[:200]}") from None
    if not isinstance(node, ast.Node):
        raise InvalidParameter("filter must be a condition")
    return node


def to_sql(
    node: ast.Node,
    queryables: Mapping[str, Queryable],
    backend: Backend,
    filter_crs: OutputCrs = CRS84,
) -> ColumnElement:
    """The SQL condition for a parsed filter over ``queryables``."""
    try:
        result = _ToSQL(queryables, backend, filter_crs).evaluate(node)
    except RecursionError:
        raise InvalidParameter("filter is nested too deeply") from None
    if not isinstance(result, ColumnElement):
        raise InvalidParameter("filter must be a condition, not a value")
    return result


def queryables_schema(
    queryables: Mapping[str, Queryable], url: str, title: str, geometry_format: str = "geometry-any"
) -> dict[str, Any]:
    """The JSON Schema document of ``/collections/{id}/queryables``; ``geometry_format`` says
    which geometries the collection has (OGC API – Features Part 5: ``geometry-point-or-multipoint`` …)."""
    props: dict[str, Any] = {}
    for q in queryables.values():
        if q.type == "geometry":
            schema: dict[str, Any] = {"format": geometry_format, "title": q.title or q.name,
                                      "x-ogc-role": "primary-geometry"}  # fmt: skip
        else:
            schema = {"type": q.type, "title": q.title or q.name}
            if q.enum:
                schema["enum"] = list(q.enum)
        props[q.name] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": title,
        "properties": props,
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class _Col:
    """An attribute reference, kept apart from literals until its use is checked."""

    q: Queryable


_COMPARE = {
    ast.ComparisonOp.EQ: lambda a, b: a == b,
    ast.ComparisonOp.NE: lambda a, b: a != b,
    ast.ComparisonOp.LT: lambda a, b: a < b,
    ast.ComparisonOp.LE: lambda a, b: a <= b,
    ast.ComparisonOp.GT: lambda a, b: a > b,
    ast.ComparisonOp.GE: lambda a, b: a >= b,
}


class _ToSQL(Evaluator):
    def __init__(self, queryables: Mapping[str, Queryable], backend: Backend, filter_crs: OutputCrs):
        self.queryables = queryables
        self.backend = backend
        self.filter_crs = filter_crs

    # -- leaves
    @handle(ast.Attribute)
    def attribute(self, node):
        q = self.queryables.get(node.name)
        if q is None:
            names = ", ".join(self.queryables)
            raise InvalidParameter(f"unknown queryable {node.name[:60]!r} in filter; use one of: {names}")
        return _Col(q)

    @handle(str, int, float, bool)
    def literal(self, node):
        # The databases hold 64-bit integers; a longer literal cannot be bound (OverflowError).
        if isinstance(node, int) and not isinstance(node, bool) and not -(2**63) <= node < 2**63:
            raise InvalidParameter("filter holds an integer outside the 64-bit range")
        if isinstance(node, str) and "\x00" in node:
            raise InvalidParameter("filter holds a NUL character")
        return node

    @handle(values.Geometry)
    def geometry(self, node):
        try:
            geom = shapely.geometry.shape(node.geometry)
        except Exception:
            raise InvalidParameter("filter holds a malformed geometry") from None
        return self._geom(geom)

    @handle(values.Envelope)
    def envelope(self, node):
        return self._geom(shapely.box(node.x1, node.y1, node.x2, node.y2))

    @handle(ast.Function)
    def function(self, node, *args):
        if node.name.lower() == "bbox" and len(args) in (4, 6) and all(_is_number(a) for a in args):
            nums = [float(a) for a in args]
            if len(nums) == 6:
                nums = [nums[0], nums[1], nums[3], nums[4]]
            if nums[0] > nums[2] or nums[1] > nums[3]:
                raise InvalidParameter("BBOX in the filter has its lower corner above its upper corner")
            return self._geom(shapely.box(*nums))
        raise InvalidParameter(f"function {node.name[:40]!r} is not supported in filters")

    def _geom(self, geom) -> ColumnElement:
        if geom.is_empty or not geom.is_valid:
            raise InvalidParameter("filter holds an empty or invalid geometry")
        if shapely.get_num_coordinates(geom) > MAX_VERTICES:
            raise InvalidParameter(f"filter geometries may have at most {MAX_VERTICES} vertices")
        geom = geometry_to_crs84(geom, self.filter_crs)
        return self.backend.geom_from_text(geom.wkt)

    # -- logic
    @handle(ast.Not)
    def not_(self, node, sub):
        return not_(self._cond(sub))

    def evaluate(self, node, adopt_result: bool = True):
        # A long chain "a OR b OR c …" parses as a tree as deep as it is long; pygeofilter
        # walks it recursively (RecursionError at ~300 terms). Flatten each chain of one
        # operator with a loop and join its terms at once: depth then follows the real
        # nesting of the filter, not its length.
        if type(node) in (ast.And, ast.Or):
            kind, terms, stack = type(node), [], [node]
            while stack:
                n = stack.pop()
                if type(n) is kind:
                    stack.extend((n.rhs, n.lhs))
                else:
                    terms.append(n)
            join = and_ if kind is ast.And else or_
            return join(*(self._cond(self.evaluate(t)) for t in terms))
        return super().evaluate(node, adopt_result)

    # -- predicates
    @handle(ast.Comparison, subclasses=True)
    def comparison(self, node, lhs, rhs):
        a, b = self._pair(lhs, rhs)
        return _COMPARE[node.op](a, b)

    @handle(ast.Between)
    def between(self, node, lhs, low, high):
        col = self._column(lhs, ("integer", "number", "string"))
        cond = col.q.column.between(self._value(low, col), self._value(high, col))
        return not_(cond) if node.not_ else cond

    @handle(ast.Like)
    def like(self, node, lhs):
        col = self._column(lhs, ("string",))
        if not isinstance(node.pattern, str):
            raise InvalidParameter("LIKE needs a text pattern")
        # CQL2 wildcards are SQL's own (% and _); backslash escapes them.
        expr = col.q.column.ilike if node.nocase else col.q.column.like
        cond = expr(node.pattern, escape="\\")
        return not_(cond) if node.not_ else cond

    @handle(ast.In)
    def in_(self, node, lhs, *options):
        col = self._column(lhs, ("integer", "number", "string"))
        vals = [self._value(v, col) for v in options]
        cond = col.q.column.in_(vals)
        return not_(cond) if node.not_ else cond

    @handle(ast.IsNull)
    def is_null(self, node, lhs):
        col = self._column(lhs, ("integer", "number", "string", "geometry"))
        return col.q.column.is_not(None) if node.not_ else col.q.column.is_(None)

    @handle(ast.SpatialComparisonPredicate, subclasses=True)
    def spatial(self, node, lhs, rhs):
        a, b = (self._spatial_operand(v) for v in (lhs, rhs))
        return self.backend.spatial_predicate(node.op.value.lower(), a, b)

    def adopt(self, node, *sub_args):
        name = getattr(node, "op", None)
        what = name.value if name is not None and hasattr(name, "value") else type(node).__name__
        raise InvalidParameter(f"{what} is not supported in filters")

    # -- helpers
    @staticmethod
    def _cond(value):
        if not isinstance(value, ColumnElement) or isinstance(value, _Col):
            raise InvalidParameter("AND, OR and NOT need conditions on both sides")
        return value

    def _column(self, value, types: tuple[str, ...]) -> _Col:
        if not isinstance(value, _Col):
            raise InvalidParameter("the left side of a comparison must be a queryable")
        if value.q.type not in types:
            raise InvalidParameter(f"{value.q.name} is a {value.q.type}: this operator does not apply")
        return value

    def _value(self, value, col: _Col):
        if isinstance(value, _Col):
            self._same_family(col, value)
            return value.q.column
        if col.q.type == "string":
            if not isinstance(value, str):
                raise InvalidParameter(f"{col.q.name} is text: compare it with a quoted string")
            return value
        if not _is_number(value):
            raise InvalidParameter(f"{col.q.name} is a number: compare it with a number")
        return value if col.q.type == "number" or isinstance(value, int) else float(value)

    @staticmethod
    def _same_family(a: _Col, b: _Col) -> None:
        numeric = ("integer", "number")
        if (a.q.type in numeric) != (b.q.type in numeric) or "geometry" in (a.q.type, b.q.type):
            raise InvalidParameter(f"{a.q.name} and {b.q.name} cannot be compared")

    def _pair(self, lhs, rhs):
        if (
            isinstance(lhs, _Col)
            and lhs.q.type == "geometry"
            or isinstance(rhs, _Col)
            and rhs.q.type == "geometry"
        ):
            raise InvalidParameter("compare geometries with spatial predicates (S_INTERSECTS …)")
        if isinstance(lhs, _Col):
            return lhs.q.column, self._value(rhs, lhs)
        if isinstance(rhs, _Col):
            return self._value(lhs, rhs), rhs.q.column
        return literal(lhs), literal(rhs)

    def _spatial_operand(self, value):
        if isinstance(value, _Col):
            if value.q.type != "geometry":
                raise InvalidParameter(f"{value.q.name} is not a geometry")
            return value.q.column
        if isinstance(value, ColumnElement):
            return value
        raise InvalidParameter("spatial predicates need geometries")


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
