"""Single-geometry views of a mixed collection, for GIS clients whose layers have one
geometry type.

QGIS 3.22 types an OGC API layer from the first features it reads: in a collection of
points, lines and areas it draws only the features of that first kind (the rest are in
the layer, invisible). ``projects-points``, ``projects-lines`` and ``projects-areas`` (and
the same of ``places``) are the mixed collection read with one more condition — the kind
of the geometry — and share everything else with it: parameters, filters, queryables,
properties, CRSs, paging, stored JSON. Together they hold every feature exactly once
(every geometry here is a point, a line or an area).

The same selection is the ``geometry_type`` parameter of the mixed collection and of the
downloads: :func:`geoapp.catalog.params.parse_items_args` reads through the view.
"""

from __future__ import annotations

from geoapp.catalog.sources.base import GEOMETRY_PARAM, KINDS, GeometryKind, Source

__all__ = ["GeometryView", "with_views"]


class GeometryView(Source):
    """``base`` restricted to geometries of ``kind`` (the condition is added by
    :func:`geoapp.catalog.features.count` and the other readers, from :attr:`geometry_kind`)."""

    def __init__(self, base: Source, kind: GeometryKind) -> None:
        self.base = base
        self.geometry_kind = kind
        self.id = f"{base.id}-{kind.key}"
        self.title = f"{base.title}：{kind.zh} {kind.en.capitalize()}"
        self.description = (
            f"{base.id} 中几何为{kind.zh}（{'、'.join(kind.geojson)}）的要素，供一个图层只有一种几何类型的 GIS "
            f"客户端（QGIS）使用；与 {base.id} 的参数、属性、坐标系相同。 The features of {base.id} whose "
            f"geometry is a {' or '.join(kind.geojson)}, for GIS clients whose layers have one geometry type."
        )
        self.params = tuple(p for p in base.params if p != GEOMETRY_PARAM)
        self.id_type = base.id_type

    @property
    def root(self) -> Source:
        return self.base

    # everything else is the base's
    def frm(self):
        return self.base.frm()

    def hidden(self, ctx):
        return self.base.hidden(ctx)

    @property
    def id_col(self):
        return self.base.id_col

    @property
    def geom_col(self):
        return self.base.geom_col

    def order_by(self):
        return self.base.order_by()

    def queryables(self):
        return self.base.queryables()

    def prepare(self, ctx, args):
        return self.base.prepare(ctx, args)

    def apply(self, ctx, stmt, prepared):
        return self.base.apply(ctx, stmt, prepared)

    def bbox_condition(self, ctx, bbox):
        return self.base.bbox_condition(ctx, bbox)

    def parse_id(self, raw):
        return self.base.parse_id(raw)

    def py_columns(self):
        return self.base.py_columns()

    def py_properties(self, ctx, rows):
        return self.base.py_properties(ctx, rows)

    def stored_properties(self, ctx):
        return self.base.stored_properties(ctx)

    def stored_feature(self, ctx, crs):
        return self.base.stored_feature(ctx, crs)

    def sql_properties(self, ctx, bulk, id_range=None):
        return self.base.sql_properties(ctx, bulk, id_range)


def with_views(source: Source) -> list[Source]:
    """``source`` (given a ``geometry_type`` parameter and its :attr:`~Source.views`) and its views."""
    source.params = (*source.params, GEOMETRY_PARAM)
    source.views = {key: GeometryView(source, kind) for key, kind in KINDS.items()}
    return [source, *source.views.values()]
