"""OGC API – Features (Part 1 core/geojson/html/oas30, Part 2 crs, Part 3 CQL2 filters)
as plain functions: ``(context, …, args, base_url) -> (headers, status, body)``.

No Flask here (pygeoapi style); ``geoapp.web.ogc_routes`` routes are one line each.
Large pages come back as a generator of text chunks (streamed by the web layer);
everything else as a dict or a string. Errors are :class:`InvalidParameter`
(400) and :class:`NotFound` (404), answered as OGC exceptions ``{code, description}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from itertools import chain
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.exc import DBAPIError

from geoapp.catalog.cql import queryables_schema
from geoapp.catalog.crs import CRS84_URI, REGISTRY, STANDARD_URIS, OutputCrs, content_crs, parse_crs
from geoapp.catalog.features import count, extent, iter_features
from geoapp.catalog.params import parse_items_args
from geoapp.catalog.sources import GEOMETRY_PARAM, SOURCES, Selection, Source
from geoapp.context import Context, page
from geoapp.context import pairs as query_pairs
from geoapp.errors import InvalidParameter, NotAcceptable, NotFound
from geoapp.ogcapi import html as ogc_html
from geoapp.ogcapi.openapi import openapi_document

__all__ = [
    "CONFORMANCE",
    "landing_page",
    "conformance",
    "openapi",
    "collections",
    "collection",
    "queryables",
    "items",
    "item",
]

Result = tuple[dict[str, str], int, Any]

CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    # Part 4 (draft) on the projects collection, with an editor's token; every write a correction
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/property-property",
)


JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
_REL = "http://www.opengis.net/def/rel/ogc/1.0/"
#: pages larger than this are streamed instead of built in memory
STREAM_ABOVE = 500


# ----------------------------------------------------------------------------- negotiation, links
def _format(
    args: Mapping[str, Any],
    accept: str | None,
    json_types: tuple[str, ...] = (JSON,),
    *,
    geojson: bool = False,
) -> str:
    """``json`` or ``html``: the ``f`` parameter wins, then the Accept header; JSON by default.

    ``json_types``: the JSON media types this resource is offered in (besides HTML). An
    Accept header naming none of them nor HTML (not even as ``*/*``) is a 406.
    """
    raw = args.get("f")
    if raw not in (None, ""):
        f = str(raw).strip().lower()
        if f in ("json", JSON, GEOJSON, *json_types) or (geojson and f == "geojson"):
            return "json"
        if f in ("html", "text/html"):
            return "html"
        raise InvalidParameter(f"f={str(raw)[:40]!r} is not supported; use f=json or f=html")
    if accept and accept.strip():
        from werkzeug.datastructures import MIMEAccept
        from werkzeug.http import parse_accept_header

        mime = parse_accept_header(accept, MIMEAccept)
        html_q = max(mime[HTML], mime["application/xhtml+xml"])
        json_q = max(mime[t] for t in json_types)
        if not html_q and not json_q:
            offered = (*json_types, HTML)
            raise NotAcceptable(
                f"none of the media types in the Accept header ({accept.strip()[:80]!r}) is offered here; "
                f"offered: {', '.join(offered)} (or use f=json / f=html)",
                offered,
            )
        if html_q > json_q:
            return "html"
    return "json"


#: the JSON media types of each kind of resource (other than the default, application/json)
_FEATURE_TYPES = (GEOJSON, JSON)
_SCHEMA_TYPES = ("application/schema+json", JSON)
_OPENAPI_TYPES = (OPENAPI_JSON, "application/vnd.oai.openapi+json", "application/openapi+json", JSON)


def _link(href: str, rel: str, type_: str, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": type_}
    if title:
        link["title"] = title
    return link


def _url(base_url: str, path: str, args: Mapping[str, Any] | None = None, **override: Any) -> str:
    """``base_url + path`` with ``args`` (all their values) and ``override`` (None removes)."""
    pairs: list[tuple[str, str]] = []
    if args is not None:
        pairs.extend((key, value) for key, value in query_pairs(args) if key not in override)
    for key, value in override.items():
        if value is not None:
            pairs.append((key, str(value)))
    query = urlencode(pairs)
    return f"{base_url}{path}" + (f"?{query}" if query else "")


def _json_alt_links(
    base_url: str, path: str, args: Mapping[str, Any], fmt: str, json_type: str = JSON
) -> list:
    """``self`` for the format answered, ``alternate`` for the other one."""
    as_json = _link(
        _url(base_url, path, args, f="json"), "self" if fmt == "json" else "alternate", json_type, "JSON"
    )
    as_html = _link(
        _url(base_url, path, args, f="html"), "self" if fmt == "html" else "alternate", HTML, "HTML"
    )
    return [as_json, as_html] if fmt == "json" else [as_html, as_json]


def _source(collection_id: str) -> Source:
    src = SOURCES.get(collection_id)
    if src is None:
        raise NotFound(f"no collection {collection_id[:80]!r}; collections: {', '.join(SOURCES)}")
    return src


# ----------------------------------------------------------------------------- landing, conformance, api
def landing_page(ctx: Context, args: Mapping[str, Any], base_url: str, accept: str | None = None) -> Result:
    """``/`` as the OGC API landing page (JSON by default, HTML with f=html)."""
    fmt = _format(args, accept)
    body = {
        "title": "geoapp 规划项目地图服务",
        "description": (
            "县级规划文件中的项目、地名与区县：OGC API – Features（GeoJSON、HTML、CRS、CQL2）与文件下载。"
            " Projects named in Chinese county planning documents as OGC API – Features."
        ),
        "links": [
            *_json_alt_links(base_url, "/", {}, fmt),
            _link(f"{base_url}/", "alternate", HTML, "项目地图"),
            _link(f"{base_url}/api", "service-desc", OPENAPI_JSON, "OpenAPI 3.0 definition"),
            _link(f"{base_url}/api?f=html", "service-doc", HTML, "API documentation"),
            _link(f"{base_url}/conformance", "conformance", JSON, "conformance classes"),
            _link(f"{base_url}/conformance", _REL + "conformance", JSON, "conformance classes"),
            _link(f"{base_url}/collections", "data", JSON, "collections"),
            _link(f"{base_url}/collections", _REL + "data", JSON, "collections"),
            _link(
                f"{base_url}/download/projects.gpkg",
                "enclosure",
                "application/geopackage+sqlite3",
                "all projects (GeoPackage)",
            ),
        ],
    }
    if fmt == "html":
        return _html("ogc_landing.html", base_url, doc=body, collections=list(SOURCES.values()))
    return {"Content-Type": f"{JSON}; charset=utf-8"}, 200, body


def conformance(ctx: Context, args: Mapping[str, Any], base_url: str, accept: str | None = None) -> Result:
    fmt = _format(args, accept)
    body = {"conformsTo": list(CONFORMANCE), "links": _json_alt_links(base_url, "/conformance", {}, fmt)}
    if fmt == "html":
        return _html("ogc_conformance.html", base_url, doc=body)
    return {"Content-Type": f"{JSON}; charset=utf-8"}, 200, body


def openapi(
    ctx: Context,
    args: Mapping[str, Any],
    base_url: str,
    accept: str | None = None,
    routes: set[str] | None = None,
) -> Result:
    """``/api``: the OpenAPI 3.0 document of everything the service offers."""
    fmt = _format(args, accept, _OPENAPI_TYPES)
    doc = openapi_document(base_url, ctx.settings, routes)
    if fmt == "html":
        return _html("ogc_api.html", base_url, doc=doc)
    return {"Content-Type": f"{OPENAPI_JSON}; charset=utf-8"}, 200, doc


# ----------------------------------------------------------------------------- collections
def _collection_doc(ctx: Context, src: Source, base_url: str, fmt: str) -> dict[str, Any]:
    path = f"/collections/{src.id}"
    box = extent(ctx, src)
    doc: dict[str, Any] = {
        "id": src.id,
        "title": src.title,
        "description": src.description,
        "itemType": "feature",
        # not in Part 1: the GeoJSON geometry types of the features (one kind for GIS layers)
        "geometryTypes": list(src.geometry_types),
        "links": [
            *_json_alt_links(base_url, path, {}, fmt),
            _link(f"{base_url}{path}/items?f=json", "items", GEOJSON, "features as GeoJSON"),
            _link(f"{base_url}{path}/items?f=html", "items", HTML, "features as HTML"),
            _link(
                f"{base_url}{path}/queryables", _REL + "queryables", "application/schema+json", "queryables"
            ),
            *_related_links(src, base_url),
        ],
        "extent": {"spatial": {"bbox": [box or [-180, -90, 180, 90]], "crs": CRS84_URI}},
        "crs": list(STANDARD_URIS),
        "storageCrs": CRS84_URI,
        # not in the standard: page sizes (also in /api) and the GCJ-02 extension
        "pageSize": {"default": ctx.settings["page_size"], "maximum": ctx.settings["max_page_size"]},
        "nonStandardCrs": [{"id": "gcj02", "uri": REGISTRY["gcj02"].uri, "title": REGISTRY["gcj02"].title}],
    }
    if src.root.id == "projects":
        # the downloads of exactly these features (a view: its geometry_type)
        query = f"?{GEOMETRY_PARAM}={src.geometry_kind.key}" if src is not src.root else ""
        for fmt_ in _DOWNLOAD_TYPES:
            doc["links"].append(
                _link(
                    f"{base_url}/download/projects.{fmt_}{query}",
                    "enclosure",
                    _DOWNLOAD_TYPES[fmt_],
                    f"download ({fmt_})",
                )
            )
    return doc


def _related_links(src: Source, base_url: str) -> list[dict[str, str]]:
    """A mixed collection links its single-geometry views; a view links the whole collection."""
    if src is not src.root:
        return [
            _link(
                f"{base_url}/collections/{src.root.id}",
                "related",
                JSON,
                f"{src.root.title} (every geometry type)",
            )
        ]
    return [_link(f"{base_url}/collections/{v.id}", "related", JSON, v.title) for v in src.views.values()]


_DOWNLOAD_TYPES = {
    "geojson": GEOJSON,
    "gpkg": "application/geopackage+sqlite3",
    "shp.zip": "application/zip",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "kml": "application/vnd.google-earth.kml+xml",
    "kmz": "application/vnd.google-earth.kmz",
    "fgb": "application/flatgeobuf",
}


def collections(ctx: Context, args: Mapping[str, Any], base_url: str, accept: str | None = None) -> Result:
    fmt = _format(args, accept)
    body = {
        "links": _json_alt_links(base_url, "/collections", {}, fmt),
        "collections": [_collection_doc(ctx, src, base_url, fmt) for src in SOURCES.values()],
        "crs": list(STANDARD_URIS),
    }
    if fmt == "html":
        return _html("ogc_collections.html", base_url, doc=body)
    return {"Content-Type": f"{JSON}; charset=utf-8"}, 200, body


def collection(
    ctx: Context, collection_id: str, args: Mapping[str, Any], base_url: str, accept: str | None = None
) -> Result:
    src = _source(collection_id)
    fmt = _format(args, accept)
    body = _collection_doc(ctx, src, base_url, fmt)
    if fmt == "html":
        return _html("ogc_collection.html", base_url, doc=body)
    return {"Content-Type": f"{JSON}; charset=utf-8"}, 200, body


def queryables(
    ctx: Context, collection_id: str, args: Mapping[str, Any], base_url: str, accept: str | None = None
) -> Result:
    src = _source(collection_id)
    fmt = _format(args, accept, _SCHEMA_TYPES)
    url = f"{base_url}/collections/{src.id}/queryables"
    kind = src.geometry_kind
    body = queryables_schema(
        src.queryables(), url, f"{src.title} queryables", kind.format if kind else "geometry-any"
    )
    if fmt == "html":
        return _html("ogc_queryables.html", base_url, doc=body, collection=src)
    return {"Content-Type": "application/schema+json; charset=utf-8"}, 200, body


# ----------------------------------------------------------------------------- items
def _guard(ctx: Context, sel: Selection, run):
    """Run a query; a database error caused by a user's CQL2 filter is a 400, not a 500."""
    try:
        return run()
    except DBAPIError as exc:
        if sel.cql is None:
            raise
        ctx.session.rollback()
        first = (str(exc.orig).strip().splitlines() or ["error"])[0]
        raise InvalidParameter(f"the filter cannot be evaluated: {first[:200]}") from None


def items(
    ctx: Context, collection_id: str, args: Mapping[str, Any], base_url: str, accept: str | None = None
) -> Result:
    """``/collections/{id}/items``: a page of features (streamed when large)."""
    src = _source(collection_id)
    fmt = _format(args, accept, _FEATURE_TYPES, geojson=True)
    # Above the maximum a page is served at the maximum, as OGC API – Features permits: GDAL's
    # OAPIF driver asks for limit=1000 whatever the API advertises. Nonsense is still a 400.
    limit, offset = page(args, ctx.settings, clamp=True)
    crs = parse_crs(args.get("crs"))
    sel = parse_items_args(ctx, src, args)
    matched = _guard(ctx, sel, lambda: count(ctx, sel))
    batches = iter_features(ctx, sel, crs if fmt == "json" else parse_crs(None), limit=limit, offset=offset)
    # the first batch now, so that a query the database rejects is still a clean 400
    first = _guard(ctx, sel, lambda: next(batches, None))
    batches = chain([first] if first is not None else [], batches)

    path = f"/collections/{src.id}/items"
    links = _json_alt_links(base_url, path, args, fmt, GEOJSON)
    if offset + limit < matched:
        links.append(
            _link(
                _url(base_url, path, args, offset=offset + limit, limit=limit, f="json"),
                "next",
                GEOJSON,
                "next page",
            )
        )
    if offset > 0:
        links.append(
            _link(
                _url(base_url, path, args, offset=max(0, offset - limit), limit=limit, f="json"),
                "prev",
                GEOJSON,
                "previous page",
            )
        )
    links.append(_link(f"{base_url}/collections/{src.id}", "collection", JSON, src.title))
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    if fmt == "html":
        features = [f for batch in batches for f in batch.features()]
        return _html("ogc_items.html", base_url, collection=src, features=features, links=links,
                     matched=matched, offset=offset, limit=limit)  # fmt: skip
    head = json.dumps(
        {"type": "FeatureCollection", "timeStamp": stamp, "numberMatched": matched, "links": links},
        ensure_ascii=False,
        separators=(",", ":"),
    )[:-1]
    headers = {"Content-Type": f"{GEOJSON}; charset=utf-8", "Content-Crs": content_crs(crs)}

    def chunks() -> Iterator[bytes]:
        # bytes throughout: large reads come from the database as UTF-8 bytes already
        n = 0
        yield (head + ',"features":[').encode()
        for batch in batches:
            if batch.count:
                if n:
                    yield b","
                yield batch.text if isinstance(batch.text, bytes) else batch.text.encode()
                n += batch.count
        yield f'],"numberReturned":{n}}}'.encode()

    if limit > STREAM_ABOVE:
        return headers, 200, chunks()
    return headers, 200, b"".join(chunks())


def item(
    ctx: Context,
    collection_id: str,
    feature_id: str,
    args: Mapping[str, Any],
    base_url: str,
    accept: str | None = None,
) -> Result:
    """``/collections/{id}/items/{featureId}``: one feature (404 when absent)."""
    src = _source(collection_id)
    fmt = _format(args, accept, _FEATURE_TYPES, geojson=True)
    unknown = sorted(k for k in args if k not in ("f", "crs"))
    if unknown:
        raise InvalidParameter(f"unknown query parameter {unknown[0][:40]!r}; a feature takes f and crs")
    crs: OutputCrs = parse_crs(args.get("crs")) if fmt == "json" else parse_crs(None)
    fid = src.parse_id(feature_id)
    batch = (
        None
        if fid is None
        else next(iter_features(ctx, Selection(src, src.prepare(ctx, {})), crs, ids=[fid]), None)
    )
    if batch is None or not batch.count:
        raise NotFound(f"no feature {feature_id[:80]!r} in collection {src.id!r}")
    path = f"/collections/{src.id}/items/{feature_id}"
    links = [
        *_json_alt_links(base_url, path, args, fmt, GEOJSON),
        _link(f"{base_url}/collections/{src.id}", "collection", JSON, src.title),
    ]
    if fmt == "html":
        return _html("ogc_feature.html", base_url, collection=src, feature=batch.features()[0], links=links)
    text = batch.text[:-1] + ',"links":' + json.dumps(links, ensure_ascii=False, separators=(",", ":")) + "}"
    return {"Content-Type": f"{GEOJSON}; charset=utf-8", "Content-Crs": content_crs(crs)}, 200, text


def _html(template: str, base_url: str, **context: Any) -> Result:
    return (
        {"Content-Type": "text/html; charset=utf-8"},
        200,
        ogc_html.render(template, base_url=base_url, **context),
    )
