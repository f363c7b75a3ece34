"""The query parameters of the OpenAPI document (``components/parameters``): one entry per
parameter the service reads, its schema built from the same tables the code checks against
(categories, statuses, CRS list, page sizes from the settings)."""

from __future__ import annotations

from typing import Any

from geoapp.catalog.crs import STANDARD_URIS
from geoapp.catalog.filters import FILTERS
from geoapp.catalog.sources.base import KINDS

__all__ = ["query_parameters", "query_parameter", "list_of"]


def query_parameter(name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema,
            "style": "form", "explode": False, **extra}  # fmt: skip


def list_of(values: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "enum": list(values)}}


def query_parameters(settings: dict[str, Any]) -> dict[str, Any]:
    crs_values = [*STANDARD_URIS, "gcj02"]
    crs_help = (
        "坐标参考系 CRS (OGC API – Features Part 2). Default CRS84 (lon/lat). EPSG:4326 and EPSG:4490 answer "
        "latitude first, EPSG:4544/4545 (CGCS2000 3° Gauss–Krüger, CM 105°E/108°E, metres) northing first, "
        "as those CRSs define. `gcj02` is a NON-STANDARD extension: GCJ-02 offset coordinates (lon/lat) "
        "for Chinese web basemaps (Amap, Tencent); it is not an EPSG CRS."
    )
    return {
        "f": query_parameter(
            "f",
            "Response format (otherwise the Accept header decides; JSON by default).",
            {"type": "string", "enum": ["json", "html"]},
        ),  # fmt: skip
        "limit": query_parameter(
            "limit",
            f"Features per page: default {settings['page_size']}, at most {settings['max_page_size']} "
            "(a larger limit is served as the maximum; 0, negative or non-integer values are a 400). "
            "Follow the `next` link for more.",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": settings["max_page_size"],
                "default": settings["page_size"],
            },
        ),
        "offset": query_parameter(
            "offset",
            "Features to skip (paging; the next/prev links set it).",
            {"type": "integer", "minimum": 0, "default": 0},
        ),  # fmt: skip
        "bbox": query_parameter(
            "bbox",
            "Only features whose geometry intersects this box: minx,miny,maxx,maxy in bbox-crs axis order "
            "(CRS84: lon,lat). Boxes crossing the antimeridian are not supported.",
            {
                "type": "array",
                "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
                "items": {"type": "number"},
            },  # fmt: skip
        ),
        "bbox-crs": query_parameter(
            "bbox-crs",
            "CRS of bbox (default CRS84). " + crs_help,
            {"type": "string", "enum": crs_values, "default": STANDARD_URIS[0]},
        ),  # fmt: skip
        "crs": query_parameter(
            "crs", crs_help, {"type": "string", "enum": crs_values, "default": STANDARD_URIS[0]}
        ),
        "datetime": query_parameter(
            "datetime",
            "Instant or interval (RFC 3339, '..' open). Projects: overlaps the construction period "
            "(years); projects without a period are left out. Other collections have no time.",
            {"type": "string"},
        ),
        "filter": query_parameter(
            "filter",
            "CQL2 filter over the collection's queryables, e.g. `category = 'transport' AND "
            "S_INTERSECTS(geometry, BBOX(107, 30, 108.5, 31))`.",
            {"type": "string"},
        ),
        "filter-lang": query_parameter(
            "filter-lang",
            "Language of filter.",
            {"type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text"},
        ),  # fmt: skip
        "filter-crs": query_parameter(
            "filter-crs",
            "CRS of geometries in filter (default CRS84).",
            {"type": "string", "enum": crs_values, "default": STANDARD_URIS[0]},
        ),  # fmt: skip
        # the project filters, from their one table
        **{f.name: query_parameter(f.name, f.help, f.schema) for f in FILTERS if f.openapi},
        "kind": query_parameter("kind", "Place kind(s).", list_of(("township", "locality", "feature"))),
        "name": query_parameter("name", "Part of the name.", {"type": "string"}),
        "code": query_parameter("code", "Administrative division code (adcode).", {"type": "string"}),
        "geometry_type": query_parameter(
            "geometry_type",
            "Only features of one kind of geometry: points (Point, MultiPoint), lines (LineString, "
            "MultiLineString) or areas (Polygon, MultiPolygon) — the same features as the collection "
            "`{id}-points`, `{id}-lines` or `{id}-areas`.",
            {"type": "string", "enum": list(KINDS)},
        ),
        "featureId": {
            "name": "featureId",
            "in": "path",
            "required": True,
            "description": "Feature id.",
            "schema": {"type": "string"},
        },  # fmt: skip
    }
