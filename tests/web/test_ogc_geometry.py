"""Single-geometry collections (``projects-points`` …) and content negotiation's bad input.

The views must hold every feature of their mixed collection exactly once, share its
filters, CRSs, properties and downloads, and say which geometries they hold in their
metadata, queryables and the OpenAPI document. Unknown ``f`` values are a 400, and an
Accept header that matches nothing a 406 naming what is offered — never a 500.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest

from tests.web.test_ogc import drop, geojson, get, rels, seeded_app

KIND_TYPES = {"points": {"Point", "MultiPoint"}, "lines": {"LineString", "MultiLineString"},
              "areas": {"Polygon", "MultiPolygon"}}  # fmt: skip
FORMATS = {
    "points": "geometry-point-or-multipoint",
    "lines": "geometry-linestring-or-multilinestring",
    "areas": "geometry-polygon-or-multipolygon",
}  # fmt: skip (OGC API – Features Part 5)
EPSG_4490 = "http://www.opengis.net/def/crs/EPSG/0/4490"


@pytest.fixture(scope="module", params=["spatialite", "postgis"])
def ogc_app(request, templates, tmp_path_factory):
    app, url = seeded_app(request, templates, tmp_path_factory, max_page_size=1000, page_size=50)
    yield app
    drop(url)


@pytest.fixture(scope="module")
def client(ogc_app):
    return ogc_app.test_client()


def every_feature(client, path: str) -> list[dict]:
    """All features of an items URL, following the next links."""
    features, url = [], path + ("&" if "?" in path else "?") + "limit=1000"
    while url:
        _, doc = geojson(client, url)
        features += doc["features"]
        url = next((link["href"] for link in doc["links"] if link["rel"] == "next"), None)
    assert len(features) == doc["numberMatched"]
    return features


# ----------------------------------------------------------------------------- the views
@pytest.mark.parametrize("mixed", ["projects", "places"])
def test_views_hold_every_feature_once_with_its_own_kind(client, mixed):
    whole = {f["id"]: f for f in every_feature(client, f"/collections/{mixed}/items")}
    seen: list = []
    for kind, types in KIND_TYPES.items():
        features = every_feature(client, f"/collections/{mixed}-{kind}/items")
        assert {f["geometry"]["type"] for f in features} <= types, kind
        for f in features:  # the same feature as in the mixed collection
            assert f == whole[f["id"]]
        seen += [f["id"] for f in features]
    assert sorted(seen, key=str) == sorted(whole, key=str)
    assert {f["geometry"]["type"] for f in whole.values()} - set().union(*KIND_TYPES.values()) == set()


def test_views_share_filters_crs_and_paging(client):
    cql = quote("category = 'transport' OR precision <= 3")
    query = f"county=忠县&crs={quote(EPSG_4490)}&filter={cql}&limit=7&offset=3"
    _, whole = geojson(client, f"/collections/projects/items?{query.split('&limit')[0]}&limit=1000")
    for kind, types in KIND_TYPES.items():
        headers, view = geojson(client, f"/collections/projects-{kind}/items?{query}")
        _, param = geojson(client, f"/collections/projects/items?{query}&geometry_type={kind}")
        assert headers["Content-Crs"] == f"<{EPSG_4490}>"
        assert view["features"] == param["features"] and view["numberMatched"] == param["numberMatched"]
        mine = [f for f in whole["features"] if f["geometry"]["type"] in types]
        assert [f["id"] for f in view["features"]] == [f["id"] for f in mine[3:10]], kind
        assert view["numberMatched"] == len(mine)
        if view["numberMatched"] > 10:
            assert "offset=10" in next(link["href"] for link in view["links"] if link["rel"] == "next")


def test_a_view_serves_only_its_own_features(client):
    _, points = geojson(client, "/collections/projects-points/items?limit=1")
    fid = points["features"][0]["id"]
    _, one = geojson(client, f"/collections/projects-points/items/{fid}")
    _, same = geojson(client, f"/collections/projects/items/{fid}")
    assert one["geometry"] == same["geometry"] and one["properties"] == same["properties"]
    status, _, body = get(client, f"/collections/projects-lines/items/{fid}")
    assert status == 404 and body["code"] == "NotFound"


def test_view_metadata_says_what_geometry_it_holds(client):
    _, _, doc = get(client, "/collections")
    by_id = {c["id"]: c for c in doc["collections"]}
    for mixed in ("projects", "places"):
        assert set(by_id[mixed]["geometryTypes"]) == set().union(*KIND_TYPES.values())
        related = {link["href"].rsplit("/", 1)[1] for link in rels(by_id[mixed])["related"]}
        assert related == {f"{mixed}-{k}" for k in KIND_TYPES}
        for kind, types in KIND_TYPES.items():
            view = by_id[f"{mixed}-{kind}"]
            assert set(view["geometryTypes"]) == types and view["itemType"] == "feature"
            assert view["crs"] == by_id[mixed]["crs"] and view["storageCrs"] == by_id[mixed]["storageCrs"]
            assert rels(view)["related"][0]["href"].endswith(f"/collections/{mixed}")
            _, _, q = get(client, f"/collections/{mixed}-{kind}/queryables")
            assert q["properties"]["geometry"]["format"] == FORMATS[kind]
            assert (
                q["properties"].keys()
                == get(client, f"/collections/{mixed}/queryables")[2]["properties"].keys()
            )
    assert by_id["counties"]["geometryTypes"] == ["Polygon", "MultiPolygon"]
    assert by_id["corridors"]["geometryTypes"] == ["LineString", "MultiLineString"]
    downloads = [link["href"] for link in rels(by_id["projects-areas"])["enclosure"]]
    assert downloads and all(href.endswith("?geometry_type=areas") for href in downloads)


def test_views_in_the_html_pages(client):
    _, _, landing = get(client, "/?f=html")
    _, _, listing = get(client, "/collections?f=html")
    for kind in KIND_TYPES:
        assert (
            f"/collections/projects-{kind}?f=html" in landing
            and f"/collections/places-{kind}?f=html" in listing
        )
    status, _, page = get(client, "/collections/projects-areas?f=html")
    assert status == 200 and "Polygon, MultiPolygon" in page and "/collections/projects" in page
    status, _, items = get(client, "/collections/projects-points/items?f=html&limit=5")
    assert status == 200 and items.count("/collections/projects-points/items/") == 5


def test_the_openapi_document_types_each_collections_geometry(client):
    _, _, doc = get(client, "/api")
    schemas = doc["components"]["schemas"]
    for kind, types in KIND_TYPES.items():
        op = doc["paths"][f"/collections/projects-{kind}/items"]["get"]
        ref = op["responses"]["200"]["content"]["application/geo+json"]["schema"]["$ref"]
        feature = schemas[
            schemas[ref.rsplit("/", 1)[1]]["properties"]["features"]["items"]["$ref"].rsplit("/", 1)[1]
        ]
        assert set(feature["properties"]["geometry"]["properties"]["type"]["enum"]) == types
        assert ", ".join(sorted(types, key=len)) in op["description"]
        names = {p["$ref"].rsplit("/", 1)[1] for p in op["parameters"]}
        assert "geometry_type" not in names and {"county", "category", "filter", "crs"} <= names
        assert op["responses"]["406"]["$ref"].endswith("/NotAcceptable")
    mixed = {
        p["$ref"].rsplit("/", 1)[1] for p in doc["paths"]["/collections/projects/items"]["get"]["parameters"]
    }
    assert "geometry_type" in mixed
    download = doc["paths"]["/download/projects.{format}"]["get"]["parameters"]
    assert any(p.get("$ref", "").endswith("/geometry_type") for p in download)
    render = doc["paths"].get("/maps/render.{format}", {"get": {"parameters": []}})["get"]["parameters"]
    assert not any(p.get("$ref", "").endswith("/geometry_type") for p in render)  # the map has no such filter


def test_downloads_of_one_geometry_kind(client):
    _, lines = geojson(client, "/collections/projects-lines/items?limit=1")
    with client.get("/download/projects.csv?geometry_type=lines&county=忠县") as r:
        assert r.status_code == 200
        rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))  # the CSV opens with a BOM
    _, zhong = geojson(client, "/collections/projects-lines/items?county=忠县&limit=1")
    assert len(rows) == zhong["numberMatched"] <= lines["numberMatched"]
    assert rows and all(row["WKT"].startswith(("LINESTRING", "MULTILINESTRING")) for row in rows)


@pytest.mark.parametrize(
    "path, word",
    [
        ("/collections/projects/items?geometry_type=blobs", "geometry_type"),
        ("/collections/projects-points/items?geometry_type=points", "geometry_type"),
        ("/download/projects.csv?geometry_type=3", "geometry_type"),
        ("/collections/counties/items?geometry_type=areas", "geometry_type"),
    ],
)
def test_bad_geometry_type_is_400(client, path, word):
    status, _, body = get(client, path)
    assert status == 400 and body["code"] == "InvalidParameterValue" and word in body["description"]


# ----------------------------------------------------------------------------- negotiation
#: the choice of format happens before any query: one backend is enough
one_backend = pytest.mark.parametrize("ogc_app", ["spatialite"], indirect=True)
RESOURCES = {
    "/": "application/json",
    "/conformance": "application/json",
    "/api": "application/vnd.oai.openapi+json;version=3.0",
    "/collections": "application/json",
    "/collections/projects-areas": "application/json",
    "/collections/projects-areas/queryables": "application/schema+json",
    "/collections/projects-areas/items": "application/geo+json",
    "/collections/counties/items/adm:500233": "application/geo+json",
}


@one_backend
@pytest.mark.parametrize("path", list(RESOURCES))
@pytest.mark.parametrize("f", ["xml", "geojsonl", "%00", "json;html"])
def test_unknown_f_is_400(client, path, f):
    status, headers, body = get(client, f"{path}?f={f}")
    assert status == 400 and headers["Content-Type"].startswith("application/json")
    assert body["code"] == "InvalidParameterValue" and (
        "f=json" in body["description"] or "'f'" in body["description"]
    )


@one_backend
@pytest.mark.parametrize("path", list(RESOURCES))
@pytest.mark.parametrize(
    "accept", ["image/png", "application/xml, text/plain;q=0.5", "garbage", "text/html;q=0"]
)
def test_an_accept_header_matching_nothing_is_406_listing_what_is_offered(client, path, accept):
    status, headers, body = get(client, path, headers={"Accept": accept})
    assert status == 406 and headers["Content-Type"].startswith("application/json"), (path, accept)
    assert (
        body["code"] == "NotAcceptable"
        and RESOURCES[path] in body["offered"]
        and "text/html" in body["offered"]
    )
    assert all(t in body["description"] for t in body["offered"])
    assert get(client, f"{path}?f=json", headers={"Accept": accept})[0] == 200  # f decides when given


@one_backend
@pytest.mark.parametrize("path", list(RESOURCES))
def test_accept_headers_real_clients_send(client, path):
    mine = RESOURCES[path]
    for accept, expected in (
        (mine, mine.split(";")[0]),
        ("application/json", "application/json" if path == "/" else mine.split(";")[0]),
        ("*/*", mine.split(";")[0]),
        ("application/*;q=0.9, text/html;q=0.8", mine.split(";")[0]),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ):
        status, headers, _ = get(client, path, headers={"Accept": accept})
        assert status == 200 and headers["Content-Type"].startswith(expected), (
            path,
            accept,
            headers["Content-Type"],
        )


def test_datetime_combines_with_bbox_and_filter(client):
    """datetime is turned into the projects' years: bbox and filter must still be read as given."""
    parts = ["datetime=2021-01-01T00:00:00Z/2025-12-31T00:00:00Z", "bbox=107.5,30.0,108.5,30.7",
             "filter=" + quote("category = 'transport'"), "geometry_type=lines"]  # fmt: skip
    _, both = geojson(client, "/collections/projects/items?limit=1000&" + "&".join(parts))
    alone = [
        {f["id"] for f in geojson(client, f"/collections/projects/items?limit=1000&{p}")[1]["features"]}
        for p in parts
    ]
    assert {f["id"] for f in both["features"]} == set.intersection(*alone) and both["numberMatched"] > 0
