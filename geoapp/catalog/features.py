"""Reading features of a :class:`~geoapp.catalog.sources.Source`: counts, extents and
GeoJSON text in batches, for the OGC API pages and the downloads; GeoJSON dicts for the JSON
API and a project's page (:func:`project_features`, :func:`project_detail`). This is the one
feature pipeline: a project's feature is assembled here, its properties by the property table
(:mod:`geoapp.catalog.properties`, in SQL or by ``ProjectsSource.py_properties`` in Python).

Three ways, fastest first:

* PostGIS, a whole export or a large page of integer-id features: the ids are
  read first, then chunks of them by ``parallel_reads`` connections at once (the
  JSON building is CPU-bound in the database), each chunk coming back joined
  into one text;
* PostGIS otherwise: one query writing whole features, Python joins them;
* SpatiaLite, or GCJ-02 (which no database knows): Python builds the properties
  or reprojects.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Select, func, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from geoapp.catalog.crs import CRS84, OutputCrs, transform_geometries
from geoapp.catalog.filters import ProjectFilter
from geoapp.catalog.sources import ProjectsSource, Selection, Source
from geoapp.context import Context
from geoapp.errors import NotFound
from geoapp.store.models import Project

__all__ = [
    "Batch",
    "count",
    "extent",
    "feature_json",
    "iter_features",
    "iter_feature_dicts",
    "iter_records",
    "project_features",
    "project_detail",
    "BULK_THRESHOLD",
]

#: above this many features a page joins the side tables once instead of looking up per row
BULK_THRESHOLD = 2_000
BATCH = 1_000
#: features per chunk of a parallel read
CHUNK = 5_000
_JSON: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}


@dataclass(frozen=True)
class Batch:
    """``count`` features as GeoJSON text joined with commas (UTF-8 bytes where the
    database's answer is passed through untouched)."""

    count: int
    text: str | bytes

    def features(self) -> list[dict[str, Any]]:
        text = self.text.decode() if isinstance(self.text, bytes) else self.text
        return json.loads(f"[{text}]")


def _where(ctx: Context, stmt: Select, sel: Selection) -> Select:
    src = sel.source
    stmt = src.apply(ctx, stmt, sel.prepared)
    hidden = src.hidden(ctx)
    if hidden is not None:  # what people said is not there (projects rejected by an editor)
        stmt = stmt.where(~hidden)
    if sel.bbox is not None:
        stmt = stmt.where(src.bbox_condition(ctx, sel.bbox))
    if sel.cql is not None:
        stmt = stmt.where(sel.cql)
    if src.geometry_kind is not None:  # a single-geometry collection promises its kind
        stmt = stmt.where(src.geometry_kind.condition(src.geom_col))
    return stmt


def count(ctx: Context, sel: Selection) -> int:
    """How many features the selection matches (numberMatched)."""
    stmt = _where(ctx, select(func.count()).select_from(sel.source.frm()), sel)
    return int(ctx.session.scalar(stmt) or 0)


def extent(ctx: Context, source: Source) -> list[float] | None:
    """The CRS84 bounding box of the whole collection."""
    stmt = _where(
        ctx, select(*ctx.backend.extent(source.geom_col)).select_from(source.frm()), Selection(source)
    )
    row = ctx.session.execute(stmt).first()
    if row is None or row[0] is None:
        return None
    return [round(float(v), 6) for v in row]


def feature_json(fid: Any, geometry: str, properties: str) -> str:
    """One GeoJSON Feature from its JSON parts."""
    return f'{{"type":"Feature","id":{json.dumps(fid, ensure_ascii=False)},"geometry":{geometry},"properties":{properties}}}'


def iter_features(
    ctx: Context,
    sel: Selection,
    crs: OutputCrs,
    *,
    limit: int | None = None,
    offset: int = 0,
    ids: Sequence[Any] | None = None,
) -> Iterator[Batch]:
    """The selected features (``limit``/``offset`` in id order; ``ids``: only those) as batches."""
    src, b = sel.source, ctx.backend
    geom_sql = None if crs.key == "gcj02" else b.geojson_in(src.geom_col, crs.epsg, crs.swap_xy, crs.digits)
    big = ids is None and (limit is None or limit > BULK_THRESHOLD)
    if big:
        b.before_bulk_read(ctx.session)
    # a server-side cursor only where results are large: it costs two more round trips
    options = {"yield_per": BATCH} if ids is None and (limit is None or limit > BATCH) else {}
    if b.builds_json and geom_sql is not None:
        if big and src.id_type == "integer" and b.parallel_reads > 1:
            yield from _chunked(ctx, sel, crs, geom_sql, offset, limit)
            return
        stmt = _features_sql(ctx, src, crs, geom_sql, big)
        if limit is None and not offset:
            stmt = _paged(_where(ctx, stmt, sel), src, ids, 0, None)
        else:
            # The page's ids first (indexes only), then features for just those: the
            # per-row lookups and JSON are not spent on rows an offset skips.
            page = _paged(_where(ctx, select(src.id_col), sel), src, ids, offset, limit).subquery()
            stmt = stmt.where(src.id_col.in_(select(page.c[0]))).order_by(*src.order_by())
        result = ctx.session.execute(stmt.execution_options(**options))
        for part in result.scalars().partitions(BATCH):
            yield Batch(len(part), ",".join(part))
        return
    yield from _python_features(ctx, sel, crs, geom_sql, big, _paged_args(src, ids, offset, limit), options)


# Building the feature SELECT (CASE tables, joins, the LATERAL row) costs a few ms of
# Python per request: it is built once per source, CRS and mode, and reused (SQLAlchemy
# expressions are immutable; filters are added to copies).
_built: dict[tuple, Select] = {}


def _features_sql(ctx: Context, src: Source, crs: OutputCrs, geom_sql, bulk: bool, id_range=None) -> Select:
    """SELECT one text column: whole features, written by the database."""
    b = ctx.backend
    whole = src.stored_feature(ctx, crs)
    stored = src.stored_properties(ctx) if whole is None else None
    key = (src.id, type(b).__name__, crs.key, crs.swap_xy, bulk, stored is not None, whole is not None)
    if id_range is None and key in _built:
        return _built[key]
    if whole is not None:
        # The whole feature, written when the data changed: the database only reads it.
        stmt = select(whole.label("feature")).select_from(src.frm())
    elif stored is not None:
        # Properties written when the data changed: one table, no joins, no JSON building.
        feature = b.feature_text(src.id_col, geom_sql, stored).label("feature")
        stmt = select(feature).select_from(src.frm())
    else:
        pairs, joins = src.sql_properties(ctx, bulk, id_range)
        built = b.json_properties(pairs)
        assert built is not None  # only on backends that build JSON (builds_json)
        row, props = built
        feature = b.feature_text(src.id_col, geom_sql, props).label("feature")
        stmt = select(feature).select_from(joins(src.frm()).join(row, true()))
    if id_range is None:
        _built[key] = stmt
    return stmt


def _paged_args(src: Source, ids, offset: int, limit: int | None):
    return lambda stmt: _paged(stmt, src, ids, offset, limit)


def _paged(stmt: Select, src: Source, ids: Sequence[Any] | None, offset: int, limit: int | None) -> Select:
    if ids is not None:
        stmt = stmt.where(src.id_col.in_(list(ids)))
    return stmt.order_by(*src.order_by()).offset(offset or None).limit(limit)


def _chunked(
    ctx: Context, sel: Selection, crs: OutputCrs, geom_sql: ColumnElement, offset: int, limit: int | None
) -> Iterator[Batch]:
    """Ids first, then chunks of them read by ``parallel_reads`` connections at once, in order.

    The helpers read the request's snapshot, so the result is as consistent as one
    query's would be.
    """
    src, b = sel.source, ctx.backend
    snapshot = b.export_snapshot(ctx.session)
    engine = ctx.session.get_bind()

    def read(lo: int | None = None, hi: int | None = None):
        with Session(engine) as session:
            b.import_snapshot(session, snapshot)
            b.before_bulk_read(session)
            part = Context(session, b, ctx.settings)
            if lo is None:  # the ids of the page, in order, to cut into chunks
                stmt = (
                    _where(part, select(src.id_col), sel)
                    .order_by(src.id_col)
                    .offset(offset or None)
                    .limit(limit)
                )
                return session.execute(stmt).scalars().all()
            stmt = _where(part, _features_sql(part, src, crs, geom_sql, True, (lo, hi)), sel)
            return b.joined_text(session, stmt.where(src.id_col.between(lo, hi)).order_by(src.id_col))

    pool = ThreadPoolExecutor(b.parallel_reads, thread_name_prefix="geoapp-read")
    try:
        ids = pool.submit(read).result()
        ranges = iter([(ids[i], ids[min(i + CHUNK, len(ids)) - 1]) for i in range(0, len(ids), CHUNK)])
        pending = deque(pool.submit(read, *r) for r in islice(ranges, b.parallel_reads + 1))
        while pending:
            n, blob = pending.popleft().result()
            following = next(ranges, None)
            if following is not None:
                pending.append(pool.submit(read, *following))
            yield Batch(n, blob)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _python_select(ctx: Context, sel: Selection, geom_expr) -> Select:
    src = sel.source
    return _where(ctx, select(*src.py_columns(), geom_expr.label("geom")).select_from(src.frm()), sel)


def _geometries(rows: Sequence[Any], crs: OutputCrs, geom_sql) -> list[Any]:
    """The rows' geometries as GeoJSON text: as the database wrote them, or reprojected here."""
    if geom_sql is not None:
        return [r.geom for r in rows]
    shapes = shapely.from_wkb(np.array([bytes(r.geom) for r in rows], dtype=object))
    return list(shapely.to_geojson(transform_geometries(shapes, crs)))


def _python_rows(
    ctx: Context, sel: Selection, crs: OutputCrs, geom_sql, paged, options: dict, **properties: Any
) -> Iterator[tuple[list[dict[str, Any]], list[Any]]]:
    """(properties, GeoJSON geometry texts) of the selected rows, a batch at a time, built in
    Python: properties by the source (``properties``: its options), geometry by the database
    unless it must be reprojected here."""
    src = sel.source
    geom_expr = geom_sql if geom_sql is not None else func.ST_AsBinary(src.geom_col)
    stmt = _python_select(ctx, sel, geom_expr)
    for rows in ctx.session.execute(paged(stmt).execution_options(**options)).partitions(BATCH):
        geoms = _geometries(rows, crs, geom_sql)
        yield src.py_properties(ctx, rows, **properties), geoms


def _python_features(
    ctx: Context, sel: Selection, crs: OutputCrs, geom_sql, bulk: bool, paged, options: dict
) -> Iterator[Batch]:
    """Features assembled in Python: properties from the database on PostGIS (GCJ-02 output),
    from Python on SpatiaLite; geometry from the database unless it must be reprojected here."""
    src, b = sel.source, ctx.backend
    if not b.builds_json:
        for dicts, geoms in _python_rows(ctx, sel, crs, geom_sql, paged, options):
            props = [json.dumps(d, **_JSON) for d in dicts]
            parts = (feature_json(d["id"], g, p) for d, g, p in zip(dicts, geoms, props, strict=True))
            yield Batch(len(dicts), ",".join(parts))
        return
    pairs, joins = src.sql_properties(ctx, bulk)
    built = b.json_properties(pairs)
    assert built is not None  # only on backends that build JSON (builds_json)
    row, props_sql = built
    geom_expr = geom_sql if geom_sql is not None else func.ST_AsBinary(src.geom_col)
    stmt = select(src.id_col.label("fid"), props_sql.label("props"), geom_expr.label("geom"))
    stmt = _where(ctx, stmt.select_from(joins(src.frm()).join(row, true())), sel)
    for rows in ctx.session.execute(paged(stmt).execution_options(**options)).partitions(BATCH):
        geoms = _geometries(rows, crs, geom_sql)
        parts = (feature_json(r.fid, g, r.props) for r, g in zip(rows, geoms, strict=True))
        yield Batch(len(rows), ",".join(parts))


def iter_feature_dicts(
    ctx: Context,
    sel: Selection,
    crs: OutputCrs,
    *,
    limit: int | None = None,
    offset: int = 0,
    ids: Sequence[Any] | None = None,
    **properties: Any,
) -> Iterator[dict[str, Any]]:
    """The selected features (``limit``/``offset`` in id order; ``ids``: only those) as GeoJSON
    dicts built in Python on every backend, ``properties`` passed to the source's
    ``py_properties`` (a project's language and mentions): the JSON API and a project's page."""
    src = sel.source
    geom_sql = ctx.backend.geojson_in(src.geom_col, crs.epsg, crs.swap_xy, crs.digits)
    options = {"yield_per": BATCH} if ids is None and (limit is None or limit > BATCH) else {}
    paged = _paged_args(src, ids, offset, limit)
    for dicts, geoms in _python_rows(ctx, sel, crs, geom_sql, paged, options, **properties):
        for d, g in zip(dicts, geoms, strict=True):
            geometry = json.loads(g) if g is not None else None
            yield {"type": "Feature", "id": d["id"], "geometry": geometry, "properties": d}


#: the JSON API's geometry: CRS84 with 6 decimals (≈10 cm), what the map has always read
MAP_CRS = replace(CRS84, digits=6)
_PROJECTS = ProjectsSource()


def project_features(
    ctx: Context, f: ProjectFilter, *, limit: int | None = None, offset: int = 0, lang: str = "zh"
) -> list[dict[str, Any]]:
    """The filtered projects as GeoJSON features in id order (the JSON API, the map's layer):
    labels in ``lang``, the first mention's fields when there is one."""
    sel = Selection(_PROJECTS, f)
    return list(
        iter_feature_dicts(ctx, sel, MAP_CRS, limit=limit, offset=offset, lang=lang, mentions="first")
    )


def project_detail(ctx: Context, project_id: int, lang: str = "zh") -> dict[str, Any]:
    """One project as a feature with every mention and its description; :class:`NotFound` if
    absent or rejected by an editor."""
    project = ctx.session.get(Project, project_id)
    if project is None or project.rejected:
        raise NotFound(f"no project with id {project_id}")
    sel = Selection(_PROJECTS, ProjectFilter())
    feature = next(iter_feature_dicts(ctx, sel, CRS84, ids=[project_id], lang=lang, mentions="all"))
    props = feature["properties"]
    props["gazetteer_ids"] = list(project.gazetteer_ids or [])
    props["description"] = project.description
    props["annual_investment_wan"] = project.annual_investment_wan
    return feature


def iter_records(
    ctx: Context, sel: Selection, *, batch: int = 5_000
) -> Iterator[tuple[list[dict], np.ndarray]]:
    """The selected features as (property dicts, CRS84 shapely geometries) batches, for file exports."""
    src = sel.source
    stmt = _python_select(ctx, sel, func.ST_AsBinary(src.geom_col)).order_by(*src.order_by())
    for rows in ctx.session.execute(stmt.execution_options(yield_per=batch)).partitions():
        shapes = shapely.from_wkb(np.array([bytes(r.geom) for r in rows], dtype=object))
        yield src.py_properties(ctx, rows), shapes
