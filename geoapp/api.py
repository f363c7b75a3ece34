"""The JSON API as plain functions: ``(context, args) -> (headers, status, body)``.

No Flask here (pygeoapi style), so the same functions serve the routes, the CLI
and the tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from geoapp.backend import Backend
from geoapp.errors import InvalidParameter
from geoapp.filters import parse_filters
from geoapp.queries import count_projects, project_detail, project_features

__all__ = ["Context", "projects_geojson", "project", "parse_limit", "geocode_one", "geocode_batch"]

Result = tuple[dict[str, str], int, Any]


@dataclass
class Context:
    session: Session
    backend: Backend
    settings: dict[str, Any]

    @property
    def gazetteer(self):
        from geoapp.gaz import get_gazetteer

        return get_gazetteer(self.settings["gazetteer_cache"])

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
    result = ctx.gazetteer.resolve(q, county=county, limit=limit)
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
    limit = ctx.settings["max_geocode_batch"]
    if len(names) > limit:
        raise InvalidParameter(f"too many names: {len(names)} (at most {limit} per request)")
    county = _county_arg(ctx, county)
    gaz = ctx.gazetteer
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
