"""OGC API – Features: landing page, conformance, OpenAPI, collections, items, CRS, CQL2.

Runs against the real app on SpatiaLite and PostGIS with the five seed documents
(one database per backend for the module: every test here only reads). The
conformance checks cover what OGC CITE catches most often: numberMatched vs
numberReturned, bbox edges, bbox-crs, limits, CRS negotiation and axis order.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from urllib.parse import urlsplit

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from gazetteer.datum import wgs84_to_gcj02
from geoapp import create_app
from geoapp.catalog.filters import ProjectFilter
from geoapp.catalog.queries import count_projects
from geoapp.store.database import forget_database
from geoapp.store.models import Place, Project

POSTGIS_URL = os.environ.get("GEOAPP_TEST_POSTGIS_URL")
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"
ZHONG_BOX = (107.5, 30.0, 108.5, 30.7)  # around 忠县


# ----------------------------------------------------------------------------- fixtures
def seeded_app(request, templates, tmp_path_factory, **settings):
    """A module's own app on a copy of the seeded template (read-only tests share it)."""
    backend = request.param
    if backend == "postgis" and not POSTGIS_URL:
        if os.environ.get("CI"):
            pytest.fail("PostGIS is required in CI")
        pytest.skip("GEOAPP_TEST_POSTGIS_URL is not set (run the suite with `make test`)")
    url = templates.copy(backend, True, tmp_path_factory.mktemp(f"ogc-{backend}"))
    app = create_app({"database_url": url, "map_feature_limit": 0, **settings})
    app.config["TESTING"] = True
    app.config["TEST_BACKEND"] = backend
    return app, url


def drop(url: str) -> None:
    forget_database(url)
    if url.startswith("postgresql"):
        import psycopg

        u = make_url(url)
        with psycopg.connect(
            host=u.host, port=u.port, user=u.username, dbname="postgres", autocommit=True
        ) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')


@pytest.fixture(scope="module", params=["spatialite", "postgis"])
def ogc_app(request, templates, tmp_path_factory):
    app, url = seeded_app(request, templates, tmp_path_factory, max_page_size=1000, page_size=50)
    yield app
    drop(url)


@pytest.fixture(scope="module")
def client(ogc_app):
    return ogc_app.test_client()


@pytest.fixture(scope="module")
def db(ogc_app):
    return ogc_app.extensions["geoapp.database"]


def get(client, url, **kw):
    """(status, headers, body: dict | str)"""
    with client.get(url, **kw) as r:
        data = r.get_data(as_text=True)
        body = json.loads(data) if "json" in (r.mimetype or "") else data
        return r.status_code, r.headers, body


def geojson(client, url, **kw):
    status, headers, body = get(client, url, **kw)
    assert status == 200, body
    return headers, body


def local(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + ("?" + parts.query if parts.query else "")


def rels(doc) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for link in doc["links"]:
        assert {"href", "rel", "type"} <= set(link), link
        out.setdefault(link["rel"], []).append(link)
    return out


def total_projects(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Project))


# ----------------------------------------------------------------------------- landing, conformance, api
def test_landing_page_links(client):
    _, headers, doc = get(client, "/?f=json")
    assert headers["Content-Type"].startswith("application/json")
    links = rels(doc)
    assert any(
        urlsplit(link["href"]).path == "/api" and "openapi" in link["type"] for link in links["service-desc"]
    )
    assert links["service-doc"][0]["type"] == "text/html"
    assert urlsplit(links["conformance"][0]["href"]).path == "/conformance"
    assert urlsplit(links["data"][0]["href"]).path == "/collections"
    assert any(
        urlsplit(link["href"]).path == "/collections"
        for link in links["http://www.opengis.net/def/rel/ogc/1.0/data"]
    )
    the_map = [link for link in links["alternate"] if link["title"] == "项目地图"]
    assert the_map and the_map[0]["type"] == "text/html" and urlsplit(the_map[0]["href"]).path == "/"
    assert links["self"][0]["type"] == "application/json"


def test_landing_page_by_accept_header_and_as_html(client):
    _, _, doc = get(client, "/", headers={"Accept": "application/json"})
    assert isinstance(doc, dict) and "links" in doc
    status, headers, html = get(client, "/?f=html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "数据集合" in html and "/collections/projects/items?f=html" in html


def test_landing_page_function_is_framework_free(ogc_app):
    from geoapp.context import Context
    from geoapp.ogcapi import core as ogc

    db = ogc_app.extensions["geoapp.database"]
    with db.session() as s:
        ctx = Context(s, db.backend, ogc_app.config["GEOAPP"])
        headers, status, body = ogc.landing_page(ctx, {}, "http://example.org/geo")
        assert status == 200 and body["links"][0]["href"] == "http://example.org/geo/?f=json"
        _, _, html = ogc.landing_page(ctx, {"f": "html"}, "http://example.org/geo")
        assert html.lstrip().startswith("<!doctype html>")


def test_conformance(client):
    _, _, doc = get(client, "/conformance")
    classes = set(doc["conformsTo"])
    for part in ("core", "geojson", "html", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{part}" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter" in classes


def _resolve(doc, ref):
    node = doc
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def test_openapi_document(client, ogc_app):
    _, headers, doc = get(client, "/api")
    assert headers["Content-Type"].startswith("application/vnd.oai.openapi+json;version=3.0")
    assert doc["openapi"].startswith("3.0")
    text = json.dumps(doc)
    for ref in set(re.findall(r'"\$ref": "([^"]+)"', text)):
        assert _resolve(doc, ref) is not None, ref
    for sid in ("projects", "places", "counties", "corridors"):
        op = doc["paths"][f"/collections/{sid}/items"]["get"]
        params = [_resolve(doc, p["$ref"]) if "$ref" in p else p for p in op["parameters"]]
        names = {p["name"] for p in params}
        assert {
            "bbox",
            "bbox-crs",
            "limit",
            "offset",
            "crs",
            "f",
            "filter",
            "filter-lang",
            "datetime",
        } <= names
        limit = next(p for p in params if p["name"] == "limit")
        assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}
        assert limit["style"] == "form" and limit["explode"] is False
        bbox = next(p for p in params if p["name"] == "bbox")
        assert bbox["schema"]["type"] == "array" and bbox["schema"]["items"]["type"] == "number"
        assert doc["paths"][f"/collections/{sid}/items/{{featureId}}"]["get"]["responses"]["404"]
    projects = {
        p["$ref"].rsplit("/", 1)[1] for p in doc["paths"]["/collections/projects/items"]["get"]["parameters"]
    }
    assert {"category", "county", "status", "corridor", "distance_km", "subtype", "period"} <= projects
    assert "/download/projects.{format}" in doc["paths"]
    assert "gcj02" in doc["components"]["parameters"]["crs"]["schema"]["enum"]
    for path, ops in doc["paths"].items():
        for op in ops.values():
            assert op["responses"], path
    # geocoding is described whenever the app serves it
    served = {rule.rule for rule in ogc_app.url_map.iter_rules()}
    assert ("/api/geocode" in doc["paths"]) == ("/api/geocode" in served)


def test_openapi_describes_geocoding_and_places():
    from geoapp.ogcapi.openapi import openapi_document
    from geoapp.settings import load_settings

    doc = openapi_document("http://h", load_settings(), {"/api/geocode", "/api/projects/<int:project_id>"})
    assert {"get", "post"} <= set(doc["paths"]["/api/geocode"])
    assert "/api/projects/{projectId}" in doc["paths"] and "/api/projects.geojson" not in doc["paths"]
    assert "/collections/places/items" in doc["paths"] and "/collections/counties/items" in doc["paths"]
    assert "/api/geocode" not in openapi_document("http://h", load_settings(), set())["paths"]


def test_api_as_html(client):
    status, _, html = get(client, "/api?f=html")
    assert status == 200 and "/collections/projects/items" in html and "bbox-crs" in html


# ----------------------------------------------------------------------------- collections
def test_collections(client):
    _, _, doc = get(client, "/collections")
    ids = [c["id"] for c in doc["collections"]]
    assert ids == ["projects", "projects-points", "projects-lines", "projects-areas",
                   "places", "places-points", "places-lines", "places-areas", "counties", "corridors"]  # fmt: skip
    assert "self" in rels(doc) and "alternate" in rels(doc)
    for c in doc["collections"]:
        assert c["itemType"] == "feature" and c["storageCrs"] == CRS84
        assert c["crs"][0] == CRS84 and {EPSG.format(n) for n in (4326, 4490, 4544, 4545)} <= set(c["crs"])
        minx, miny, maxx, maxy = c["extent"]["spatial"]["bbox"][0]
        assert -180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90
        assert c["pageSize"] == {"default": 50, "maximum": 1000}
        items = [link for link in c["links"] if link["rel"] == "items"]
        assert {link["type"] for link in items} == {"application/geo+json", "text/html"}
    _, _, one = get(client, "/collections/projects")
    assert one["id"] == "projects" and one["extent"] == doc["collections"][0]["extent"]


def test_queryables(client):
    _, headers, doc = get(client, "/collections/projects/queryables")
    assert headers["Content-Type"].startswith("application/schema+json")
    props = doc["properties"]
    assert props["category"]["type"] == "string" and "transport" in props["category"]["enum"]
    assert props["geometry"]["format"] == "geometry-any" and props["precision"]["type"] == "integer"
    status, _, html = get(client, "/collections/places/queryables?f=html")
    assert status == 200 and "admin_path" in html


# ----------------------------------------------------------------------------- items: paging, counts
def test_items_page(client, db):
    headers, doc = geojson(client, "/collections/projects/items?limit=7")
    assert headers["Content-Type"].startswith("application/geo+json")
    assert headers["Content-Crs"] == f"<{CRS84}>"
    assert doc["type"] == "FeatureCollection"
    assert doc["numberMatched"] == total_projects(db)
    assert doc["numberReturned"] == len(doc["features"]) == 7
    datetime.strptime(doc["timeStamp"], "%Y-%m-%dT%H:%M:%SZ")
    links = rels(doc)
    assert {"self", "alternate", "next", "collection"} <= set(links) and "prev" not in links
    f = doc["features"][0]
    assert isinstance(f["id"], int) and f["properties"]["id"] == f["id"]
    for key in (
        "name",
        "category_label",
        "county",
        "counties",
        "precision",
        "precision_text",
        "sentence",
        "document",
    ):
        assert key in f["properties"]


def test_the_json_api_and_the_collection_describe_a_project_alike(client):
    """One feature pipeline (geoapp.catalog.features): the map's JSON API has the collection's
    properties but the mention lists, and its geometry with 6 decimals instead of 7."""
    api = client.get("/api/projects.geojson?limit=60&category=transport,water").get_json()["features"]
    _, doc = geojson(client, "/collections/projects/items?limit=60&category=transport,water")
    assert [f["id"] for f in api] == [f["id"] for f in doc["features"]] and len(api) > 10
    for mine, theirs in zip(api, doc["features"], strict=True):
        props = {k: v for k, v in theirs["properties"].items() if k not in ("documents", "mentions")}
        if "sentence" not in mine["properties"]:  # no mention: the collection says None
            props = {k: v for k, v in props.items() if k not in ("sentence", "section", "document")}
        assert mine["properties"] == props
        assert mine["geometry"]["type"] == theirs["geometry"]["type"]
        first, second = _flat(mine["geometry"]["coordinates"]), _flat(theirs["geometry"]["coordinates"])
        assert len(first) == len(second) and np.allclose(first, second, atol=1e-6)


def _flat(coordinates) -> list[float]:
    if isinstance(coordinates, (int, float)):
        return [coordinates]
    return [x for part in coordinates for x in _flat(part)]


def test_items_are_utf8_chinese_not_escapes(client):
    with client.get("/collections/projects/items?limit=20") as r:
        raw = r.get_data()
    assert b"\\u" not in raw
    assert "县" in raw.decode("utf-8")


def test_paging_covers_every_feature_once(client, db):
    seen, url, pages = [], "/collections/projects/items?limit=300&category=urban,water", 0
    matched = None
    while url:
        _, doc = geojson(client, url)
        matched = doc["numberMatched"] if matched is None else matched
        assert doc["numberMatched"] == matched and doc["numberReturned"] == len(doc["features"])
        seen += [f["id"] for f in doc["features"]]
        links = rels(doc)
        assert ("prev" in links) == (pages > 0)
        url = local(links["next"][0]["href"]) if "next" in links else None
        pages += 1
    with db.session() as s:
        expected = count_projects(s, ProjectFilter(categories=("urban", "water")), db.backend)
    assert len(seen) == len(set(seen)) == matched == expected
    assert seen == sorted(seen) and pages == -(-matched // 300)


def test_offset_past_the_end(client):
    _, doc = geojson(client, "/collections/projects/items?offset=100000&limit=5")
    assert doc["numberReturned"] == 0 and doc["features"] == [] and doc["numberMatched"] > 0
    assert "next" not in rels(doc)


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=-5", "limit=abc", "limit=2.5", "limit=99999999999999999999", "offset=-1", "offset=x"],
)
def test_bad_limits_are_400(client, query):
    status, _, body = get(client, f"/collections/projects/items?{query}")
    assert status == 400 and body["code"] == "InvalidParameterValue"
    assert ("limit" in body["description"]) or ("offset" in body["description"])


def test_limit_at_the_maximum_is_honoured(client):
    _, doc = geojson(client, "/collections/places/items?limit=1000")
    assert doc["numberReturned"] == len(doc["features"]) == min(1000, doc["numberMatched"])


@pytest.mark.parametrize("limit", [1001, 2**31 - 1])
def test_limit_above_the_maximum_is_served_at_the_maximum(client, limit):
    # OGC API – Features /req/core/fc-limit-response: never more than the advertised maximum
    _, doc = geojson(client, f"/collections/places/items?limit={limit}")
    assert doc["numberMatched"] > 1000
    assert doc["numberReturned"] == len(doc["features"]) == 1000
    nxt = rels(doc)["next"][0]["href"]
    assert "limit=1000" in nxt and "offset=1000" in nxt


def test_large_pages_are_streamed(client):
    with client.get("/collections/places/items?limit=1000") as r:
        assert "Content-Length" not in r.headers  # sent as it is read
        doc = json.loads(r.get_data())
    assert doc["numberReturned"] == len(doc["features"]) == min(1000, doc["numberMatched"])
    with client.get("/collections/places/items?limit=10") as r:
        assert int(r.headers["Content-Length"]) == len(r.get_data())


# ----------------------------------------------------------------------------- bbox
def _shape(feature):
    return shapely.geometry.shape(feature["geometry"])


def test_bbox_selects_intersecting_geometries(client, db):
    bbox = ",".join(map(str, ZHONG_BOX))
    _, doc = geojson(client, f"/collections/projects/items?bbox={bbox}&category=transport&limit=1000")
    box = shapely.box(*ZHONG_BOX)
    assert doc["numberMatched"] > 10
    assert all(_shape(f).intersects(box) for f in doc["features"])
    # and nothing that intersects is missing
    with db.session() as s:
        rows = s.execute(
            select(Project.id, func.ST_AsText(Project.geom)).where(Project.category == "transport")
        ).all()
    expected = {pid for pid, wkt in rows if shapely.from_wkt(wkt).intersects(box)}
    assert {f["id"] for f in doc["features"]} == expected


@pytest.mark.parametrize("bbox", ["-180,-90,180,90", "-180,-90,-100,180,90,100"])
def test_world_bbox_matches_everything(client, db, bbox):
    _, doc = geojson(client, f"/collections/projects/items?bbox={bbox}&limit=1")
    assert doc["numberMatched"] == total_projects(db)


@pytest.mark.parametrize("bbox", ["-180,85,180,90", "-180,-90,180,-85", "179,-10,180,10"])
def test_edge_bboxes_are_valid_and_empty(client, bbox):
    _, doc = geojson(client, f"/collections/projects/items?bbox={bbox}")
    assert doc["numberMatched"] == doc["numberReturned"] == 0 and doc["features"] == []


@pytest.mark.parametrize(
    "bbox",
    [
        "107,30,108",
        "107,30,108,31,1",
        "107,95,108,96",
        "200,30,201,31",
        "108,30,107,31",
        "107,31,108,30",
        "a,b,c,d",
        "nan,1,2,3",
    ],
)
def test_bad_bbox_is_400(client, bbox):
    status, _, body = get(client, f"/collections/projects/items?bbox={bbox}")
    assert status == 400 and body["code"] == "InvalidParameterValue" and "bbox" in body["description"]


def test_bbox_crs(client):
    minx, miny, maxx, maxy = ZHONG_BOX
    items = "/collections/projects/items?category=transport&limit=1000"
    _, lonlat = geojson(client, f"{items}&bbox={minx},{miny},{maxx},{maxy}")
    ids = {f["id"] for f in lonlat["features"]}
    # EPSG:4326 is latitude first
    _, latlon = geojson(client, f"{items}&bbox={miny},{minx},{maxy},{maxx}&bbox-crs={EPSG.format(4326)}")
    assert {f["id"] for f in latlon["features"]} == ids
    # a box in Gauss–Krüger metres (north, east) covering the same area selects at least as much
    t = Transformer.from_crs("OGC:CRS84", "EPSG:4545")
    north, east = t.transform(np.array([minx, maxx, minx, maxx]), np.array([miny, miny, maxy, maxy]))
    box = f"{north.min() - 1},{east.min() - 1},{north.max() + 1},{east.max() + 1}"
    _, gk = geojson(client, f"{items}&bbox={box}&bbox-crs=EPSG:4545")
    assert ids <= {f["id"] for f in gk["features"]}
    status, _, body = get(client, "/collections/projects/items?bbox=1,2,3,4&bbox-crs=EPSG:3857")
    assert status == 400 and "bbox-crs" in body["description"]


# ----------------------------------------------------------------------------- crs
def _a_point(client):
    _, doc = geojson(client, "/collections/places/items?kind=locality&limit=1")
    f = doc["features"][0]
    assert f["geometry"]["type"] == "Point"
    return f["id"], f["geometry"]["coordinates"]


@pytest.mark.parametrize(
    "crs", [EPSG.format(4326), "EPSG:4326", "[EPSG:4326]", "urn:ogc:def:crs:EPSG::4326", EPSG.format(4490)]
)
def test_geographic_crs_are_latitude_first(client, crs):
    fid, (lon, lat) = _a_point(client)
    headers, f = geojson(client, f"/collections/places/items/{fid}?crs={crs}")
    assert f["geometry"]["coordinates"] == pytest.approx([lat, lon], abs=1e-6)
    code = "4490" if "4490" in crs else "4326"
    assert headers["Content-Crs"] == f"<{EPSG.format(code)}>"


@pytest.mark.parametrize("code, cm", [(4544, 105), (4545, 108)])
def test_gauss_kruger_is_northing_first_in_metres(client, code, cm):
    fid, (lon, lat) = _a_point(client)
    headers, f = geojson(client, f"/collections/places/items/{fid}?crs={EPSG.format(code)}")
    north, east = Transformer.from_crs("OGC:CRS84", f"EPSG:{code}").transform(lon, lat)
    assert f["geometry"]["coordinates"] == pytest.approx([north, east], abs=0.002)
    assert abs(east - 500_000) / 1000 < abs(lon - cm) * 100 + 1  # false easting at the central meridian
    assert headers["Content-Crs"] == f"<{EPSG.format(code)}>"


def test_gcj02_is_the_documented_nonstandard_offset(client):
    fid, (lon, lat) = _a_point(client)
    headers, f = geojson(client, f"/collections/places/items/{fid}?crs=gcj02")
    assert f["geometry"]["coordinates"] == pytest.approx(list(wgs84_to_gcj02(lon, lat)), abs=1e-6)
    assert headers["Content-Crs"] == "<urn:x-geoapp:crs:gcj02>"
    _, _, coll = get(client, "/collections/projects")
    assert coll["nonStandardCrs"][0]["id"] == "gcj02" and "urn:x-geoapp:crs:gcj02" not in coll["crs"]


def test_crs_applies_to_pages_of_every_geometry_type(client):
    _, plain = geojson(client, "/collections/projects/items?limit=200")
    _, swapped = geojson(client, f"/collections/projects/items?limit=200&crs={EPSG.format(4326)}")
    assert {f["geometry"]["type"] for f in plain["features"]} >= {"Point", "LineString", "Polygon"}
    for a, b in zip(plain["features"], swapped["features"], strict=True):
        xy = shapely.get_coordinates(_shape(a))
        yx = shapely.get_coordinates(_shape(b))
        assert np.allclose(xy[:, ::-1], yx, atol=1e-6), a["id"]


@pytest.mark.parametrize(
    "crs", ["EPSG:3857", "EPSG:99999", "foo", "http://www.opengis.net/def/crs/EPSG/0/4545x"]
)
def test_unknown_crs_is_400(client, crs):
    status, _, body = get(client, f"/collections/projects/items?crs={crs}")
    assert status == 400 and body["code"] == "InvalidParameterValue" and "crs" in body["description"]


# ----------------------------------------------------------------------------- property filters
def test_property_filters_match_the_shared_filter(client, db):
    _, doc = geojson(
        client, "/collections/projects/items?category=transport&status=built,under_construction&limit=1000"
    )
    with db.session() as s:
        expected = count_projects(
            s, ProjectFilter(categories=("transport",), statuses=("built", "under_construction")), db.backend
        )
    assert doc["numberMatched"] == expected == len(doc["features"]) > 0
    assert all(f["properties"]["category"] == "transport" for f in doc["features"])


def test_county_period_and_subtype_filters(client):
    _, doc = geojson(client, "/collections/projects/items?county=忠县&limit=1000")
    assert doc["numberMatched"] > 0 and all("忠县" in f["properties"]["counties"] for f in doc["features"])
    _, by_code = geojson(client, "/collections/projects/items?county=500233&limit=1")
    assert by_code["numberMatched"] == doc["numberMatched"]
    _, period = geojson(client, "/collections/projects/items?period=2021-2025&limit=1000")
    for f in period["features"]:
        start, end = f["properties"]["period_start"], f["properties"]["period_end"]
        assert (start or end) and (start is None or start <= 2025) and (end is None or end >= 2021)
    _, dt = geojson(
        client, "/collections/projects/items?datetime=2021-01-01T00:00:00Z/2025-12-31T00:00:00Z&limit=1"
    )
    assert dt["numberMatched"] == period["numberMatched"]
    _, sub = geojson(client, "/collections/projects/items?subtype=expressway&limit=1000")
    assert all(f["properties"]["subtype"] == "expressway" for f in sub["features"])


def test_corridor_filter(client):
    _, corridors = geojson(client, "/collections/corridors/items?limit=500")
    expressway = next(f for f in corridors["features"] if f["properties"]["subtype"] == "expressway")
    line = _shape(expressway)
    _, near = geojson(
        client, f"/collections/projects/items?corridor={expressway['id']}&distance_km=2&limit=300"
    )
    _, far = geojson(client, f"/collections/projects/items?corridor={expressway['id']}&distance_km=8&limit=1")
    assert 0 < near["numberMatched"] <= far["numberMatched"]
    for f in near["features"]:  # within 2 km (0.03° is ~3 km at 30°N)
        assert _shape(f).distance(line) < 0.03


@pytest.mark.parametrize(
    "query, word",
    [
        ("category=rockets", "category"),
        ("status=done", "status"),
        ("county=火星县", "county"),
        ("corridor=line:nowhere", "corridor"),
        ("distance_km=500", "distance_km"),
        ("period=20-30", "period"),
        ("datetime=yesterday", "datetime"),
        ("colour=red", "colour"),
        ("f=xml", "f="),
    ],
)
def test_bad_property_filters_are_400(client, query, word):
    status, _, body = get(client, f"/collections/projects/items?{query}")
    assert status == 400 and body["code"] == "InvalidParameterValue" and word in body["description"]


# ----------------------------------------------------------------------------- CQL2
def cql(client, expression, extra=""):
    from urllib.parse import quote

    return get(client, f"/collections/projects/items?limit=300&filter={quote(expression)}{extra}")


def test_cql2_comparisons(client, db):
    status, _, doc = cql(client, "category = 'transport' AND precision <= 3")
    assert status == 200 and doc["numberMatched"] > 0
    assert all(
        f["properties"]["category"] == "transport" and f["properties"]["precision"] <= 3
        for f in doc["features"]
    )
    _, _, like = cql(client, "name LIKE '%高速%'")
    assert like["numberMatched"] > 0 and all("高速" in f["properties"]["name"] for f in like["features"])
    _, _, inside = cql(client, "status IN ('built', 'planned') AND NOT (category = 'urban')")
    assert all(f["properties"]["status"] in ("built", "planned") for f in inside["features"])
    _, _, between = cql(client, "period_start BETWEEN 2020 AND 2025")
    assert all(2020 <= f["properties"]["period_start"] <= 2025 for f in between["features"])
    _, _, null = cql(client, "lead_unit IS NULL OR investment_wan > 1000000")
    assert null["numberMatched"] > 0


def test_cql2_spatial_predicates_agree_with_bbox(client):
    bbox = ",".join(map(str, ZHONG_BOX))
    _, by_bbox = geojson(client, f"/collections/projects/items?bbox={bbox}&category=transport&limit=300")
    ids = {f["id"] for f in by_bbox["features"]}
    _, _, by_filter = cql(client, f"S_INTERSECTS(geometry, BBOX({bbox}))", "&category=transport")
    assert {f["id"] for f in by_filter["features"]} == ids
    minx, miny, maxx, maxy = ZHONG_BOX
    poly = f"POLYGON(({minx} {miny},{maxx} {miny},{maxx} {maxy},{minx} {maxy},{minx} {miny}))"
    _, _, within = cql(client, f"S_WITHIN(geometry, {poly})", "&category=transport")
    box = shapely.box(*ZHONG_BOX)
    assert 0 < within["numberMatched"] <= len(ids)
    assert all(box.contains(_shape(f)) or box.covers(_shape(f)) for f in within["features"])
    # the same polygon given latitude first with filter-crs=EPSG:4326
    flipped = f"POLYGON(({miny} {minx},{miny} {maxx},{maxy} {maxx},{maxy} {minx},{miny} {minx}))"
    _, _, crs = cql(
        client, f"S_WITHIN(geometry, {flipped})", f"&category=transport&filter-crs={EPSG.format(4326)}"
    )
    assert crs["numberMatched"] == within["numberMatched"]


def test_cql2_json(client):
    expression = json.dumps({"op": "=", "args": [{"property": "category"}, "water"]})
    status, _, doc = cql(client, expression, "&filter-lang=cql2-json")
    assert status == 200 and doc["numberMatched"] > 0
    assert all(f["properties"]["category"] == "water" for f in doc["features"])


@pytest.mark.parametrize(
    "expression, extra",
    [
        ("category =", ""),
        ("category = 'water' AND", ""),
        ("colour = 'red'", ""),
        ("precision = 'high'", ""),
        ("name > 3", ""),
        ("casei(name) = 'x'", ""),
        ("T_AFTER(period_start, TIMESTAMP('2020-01-01T00:00:00Z'))", ""),
        ("S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 1 0, 0 1, 0 0)))", ""),
        ("S_INTERSECTS(geometry, BBOX(5,5,1,1))", ""),
        ("category = 'water'", "&filter-lang=ecql"),
        ("category = 'water'", "&filter-crs=EPSG:3857"),
        ("{not json", "&filter-lang=cql2-json"),
    ],
)
def test_bad_cql2_is_400(client, expression, extra):
    status, _, body = cql(client, expression, extra)
    assert status == 400, body
    assert body["code"] == "InvalidParameterValue" and body["description"]


# ----------------------------------------------------------------------------- single features, other collections
def test_feature_by_id(client):
    _, page = geojson(client, "/collections/projects/items?limit=1")
    fid = page["features"][0]["id"]
    headers, f = geojson(client, f"/collections/projects/items/{fid}")
    assert f["type"] == "Feature" and f["id"] == fid and headers["Content-Crs"] == f"<{CRS84}>"
    assert f["properties"] == page["features"][0]["properties"]
    assert {"self", "alternate", "collection"} <= set(rels(f))


@pytest.mark.parametrize(
    "path",
    [
        "/collections/projects/items/99999999",
        "/collections/projects/items/abc",
        "/collections/places/items/no:such",
        "/collections/places/items/adm:500233",  # a county: in /collections/counties
        "/collections/nope/items",
        "/collections/nope",
        "/collections/nope/items/1",
    ],
)
def test_unknown_features_and_collections_are_404(client, path):
    status, _, body = get(client, path)
    assert status == 404 and body["code"] == "NotFound" and body["description"]


def test_places_counties_and_corridors(client, db):
    _, places = geojson(client, "/collections/places/items?kind=feature&limit=1000")
    with db.session() as s:
        features = s.scalar(select(func.count()).select_from(Place).where(Place.kind == "feature"))
    assert places["numberMatched"] == features and all(
        f["properties"]["kind"] == "feature" for f in places["features"]
    )
    assert all(isinstance(f["id"], str) for f in places["features"])
    _, county = geojson(client, "/collections/counties/items?name=忠县")
    assert county["numberMatched"] == 1 and county["features"][0]["properties"]["code"] == "500233"
    _, zhong = geojson(client, "/collections/counties/items/adm:500233")
    assert zhong["properties"]["name"] == "忠县" and zhong["geometry"]["type"] in ("Polygon", "MultiPolygon")
    _, corridors = geojson(client, "/collections/corridors/items?limit=500")
    kinds = {f["properties"]["kind"] for f in corridors["features"]}
    assert kinds <= {"gazetteer", "project"} and "gazetteer" in kinds
    one = next(f for f in corridors["features"] if f["properties"]["kind"] == "project")
    _, again = geojson(client, f"/collections/corridors/items/{one['id']}")
    assert again["properties"]["name"] == one["properties"]["name"]


def test_places_filters(client):
    _, doc = geojson(client, "/collections/places/items?county=忠县&kind=township&limit=1000")
    assert doc["numberMatched"] > 10
    assert all(f["properties"]["county_code"] == "500233" for f in doc["features"])
    status, _, body = get(client, "/collections/places/items?kind=planet")
    assert status == 400 and "kind" in body["description"]


# ----------------------------------------------------------------------------- HTML
@pytest.mark.parametrize(
    "path",
    ["/collections", "/collections/projects", "/collections/projects/items?limit=5", "/conformance"],
)
def test_html_pages(client, path):
    sep = "&" if "?" in path else "?"
    status, headers, html = get(client, f"{path}{sep}f=html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert not re.search(r'(src|href)="https?://(?!localhost)', html)  # nothing from other hosts
    status, _, by_accept = get(client, path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert status == 200 and by_accept.lstrip().startswith("<!doctype html>")


def test_html_items_and_feature_show_the_projects(client):
    _, page = geojson(client, "/collections/projects/items?limit=3")
    name = page["features"][0]["properties"]["name"]
    _, _, html = get(client, "/collections/projects/items?limit=3&f=html")
    assert name in html and "/static/vendor/leaflet-1.9.3/dist/leaflet.js" in html
    _, _, feature = get(client, f"/collections/projects/items/{page['features'][0]['id']}?f=html")
    assert name in feature and "precision_text" in feature


# ----------------------------------------------------------------------------- PostGIS builds the same JSON
def test_database_built_json_equals_python_built(ogc_app):
    """On PostGIS the database writes the features; compare with the Python path, field by field."""
    import copy

    from geoapp.catalog.crs import parse_crs
    from geoapp.catalog.features import iter_features
    from geoapp.catalog.sources import SOURCES, Selection
    from geoapp.context import Context

    db = ogc_app.extensions["geoapp.database"]
    if not db.backend.builds_json:
        pytest.skip("SpatiaLite: features are always built in Python")
    python = copy.copy(db.backend)
    python.builds_json = False
    cases = [("projects", "CRS84", None), ("projects", "CRS84", 40)]  # whole table (joins), a page (LATERAL)
    cases += [(sid, "CRS84", 60) for sid in ("places", "counties", "corridors")]
    cases += [(sid, "EPSG:4545", 40) for sid in SOURCES]
    with db.session() as s:
        for sid, crs, limit in cases:
            src = SOURCES[sid]
            runs = []
            for backend in (db.backend, python):
                ctx = Context(s, backend, ogc_app.config["GEOAPP"])
                sel = Selection(src, src.prepare(ctx, {}))
                runs.append(
                    [f for b in iter_features(ctx, sel, parse_crs(crs), limit=limit) for f in b.features()]
                )
            by_db, by_python = runs
            assert len(by_db) == len(by_python) > 0
            for a, b in zip(by_db, by_python, strict=True):
                assert (a["id"], a["properties"]) == (b["id"], b["properties"]), (sid, a["id"])
                ca, cb = shapely.get_coordinates(_shape(a)), shapely.get_coordinates(_shape(b))
                assert np.abs(ca - cb).max() < (1e-6 if crs == "CRS84" else 0.002), (sid, crs, a["id"])


def test_parallel_chunked_reads_keep_order(ogc_app, monkeypatch):
    """Large reads on PostGIS go in id chunks over several connections: same features, same order."""
    import geoapp.catalog.features as reading
    from geoapp.catalog.crs import CRS84 as crs84
    from geoapp.catalog.sources import SOURCES, Selection
    from geoapp.context import Context

    db = ogc_app.extensions["geoapp.database"]
    if db.backend.parallel_reads < 2:
        pytest.skip("SpatiaLite reads over one connection")
    monkeypatch.setattr(reading, "CHUNK", 97)
    monkeypatch.setattr(reading, "BULK_THRESHOLD", 100)
    src = SOURCES["projects"]
    with db.session() as s:
        ctx = Context(s, db.backend, ogc_app.config["GEOAPP"])
        sel = Selection(src, src.prepare(ctx, {}))
        batches = list(reading.iter_features(ctx, sel, crs84))
        everything = [f["id"] for b in batches for f in b.features()]
        assert len(batches) > 3 and sum(b.count for b in batches) == len(everything) == total_projects(db)
        assert everything == sorted(everything)
        page = [
            f["id"]
            for b in reading.iter_features(ctx, sel, crs84, limit=300, offset=200)
            for f in b.features()
        ]
        assert page == everything[200:500]
    # the helpers' connections went back to the pool with their usual text loader
    from sqlalchemy import text

    sessions = [db.sessionmaker() for _ in range(db.backend.parallel_reads + 1)]
    try:
        assert all(s.execute(text("SELECT '忠县'::text")).scalar() == "忠县" for s in sessions)
    finally:
        for s in sessions:
            s.close()
