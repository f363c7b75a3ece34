"""Real OGC API – Features clients against a live local server: OWSLib and GDAL's OAPIF driver.

The server is a werkzeug server in a thread, on SpatiaLite and PostGIS. GDAL runs
in a child process (it would otherwise hold the interpreter while the server
thread it talks to needs it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest
import shapely
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from geoapp import create_app
from geoapp.db import forget_database
from geoapp.models import Project

POSTGIS_URL = os.environ.get("GEOAPP_TEST_POSTGIS_URL")
BOX = [107.5, 30.0, 108.5, 30.7]
COLLECTIONS = ["projects", "projects-points", "projects-lines", "projects-areas",
               "places", "places-points", "places-lines", "places-areas", "counties", "corridors"]  # fmt: skip


@pytest.fixture(scope="module", params=["spatialite", "postgis"])
def server(request, templates, tmp_path_factory):
    """(base URL, Database) of a live server on a copy of the seeded database."""
    from werkzeug.serving import make_server

    if request.param == "postgis" and not POSTGIS_URL:
        if os.environ.get("CI"):
            pytest.fail("PostGIS is required in CI")
        pytest.skip("GEOAPP_TEST_POSTGIS_URL is not set (run the suite with `make test`)")
    url = templates.copy(request.param, True, tmp_path_factory.mktemp(f"clients-{request.param}"))
    app = create_app({"database_url": url, "map_feature_limit": 0, "max_page_size": 500})
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}", app.extensions["geoapp.db"]
    srv.shutdown()
    thread.join(5)
    srv.server_close()
    forget_database(url)
    if request.param == "postgis":
        import psycopg

        u = make_url(url)
        with psycopg.connect(host=u.host, port=u.port, user=u.username, dbname="postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')


def db_projects(db) -> dict[int, str]:
    with db.session() as s:
        return dict(s.execute(select(Project.id, Project.name)).all())


# ----------------------------------------------------------------------------- OWSLib
@pytest.fixture
def owslib_features(server):
    from owslib.ogcapi import REQUEST_HEADERS
    from owslib.ogcapi.features import Features

    saved = dict(REQUEST_HEADERS)
    try:
        # OWSLib keeps one module-wide header dict; ask for JSON (``/`` is also the map page)
        yield Features(server[0] + "/", headers={"Accept": "application/json"})
    finally:
        REQUEST_HEADERS.clear()
        REQUEST_HEADERS.update(saved)


def test_owslib_with_its_default_headers(server):
    """OWSLib as GIS staff use it: no Accept header of ours. ``/`` answers JSON to it."""
    from owslib.ogcapi import REQUEST_HEADERS
    from owslib.ogcapi.features import Features

    saved = dict(REQUEST_HEADERS)
    try:
        w = Features(server[0] + "/")
        assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in w.conformance()["conformsTo"]
        assert "projects" in w.feature_collections()
        page = w.collection_items("projects", limit=2)
        assert page["numberReturned"] == 2
        one = w.collection_item("projects", str(page["features"][0]["id"]))
        assert one["id"] == page["features"][0]["id"]
    finally:
        REQUEST_HEADERS.clear()
        REQUEST_HEADERS.update(saved)


def test_owslib_reads_the_service_description(owslib_features):
    w = owslib_features
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in w.conformance()["conformsTo"]
    api = w.api()  # found through the landing page's service-desc link
    assert api["openapi"].startswith("3.0") and "/collections/projects/items" in api["paths"]
    assert w.feature_collections() == COLLECTIONS
    meta = w.collection("projects")
    assert meta["extent"]["spatial"]["bbox"][0][0] < meta["extent"]["spatial"]["bbox"][0][2]
    assert "category" in w.collection_queryables("projects")["properties"]


def test_owslib_pages_through_all_projects(owslib_features, server):
    expected = db_projects(server[1])
    seen: dict[int, str] = {}
    offset = 0
    while True:
        page = owslib_features.collection_items("projects", limit=200, offset=offset)
        assert page["numberMatched"] == len(expected)
        assert page["numberReturned"] == len(page["features"]) <= 200
        seen.update({f["id"]: f["properties"]["name"] for f in page["features"]})
        if not any(link["rel"] == "next" for link in page["links"]):
            break
        offset += 200
    assert seen == expected  # every id once, names in Chinese as stored


def test_owslib_bbox_limit_filter_and_single_items(owslib_features):
    page = owslib_features.collection_items("projects", bbox=BOX, limit=25)
    assert 0 < page["numberReturned"] <= 25 <= page["numberMatched"]
    box = shapely.box(*BOX)
    assert all(shapely.geometry.shape(f["geometry"]).intersects(box) for f in page["features"])
    water = owslib_features.collection_items("projects", filter="category = 'water'", limit=100)
    assert water["numberMatched"] > 0 and {f["properties"]["category"] for f in water["features"]} == {"water"}
    one = owslib_features.collection_item("projects", str(page["features"][0]["id"]))
    assert one["id"] == page["features"][0]["id"] and one["properties"]["name"]
    county = owslib_features.collection_items("counties", name="忠县")
    assert [f["properties"]["code"] for f in county["features"]] == ["500233"]


# ----------------------------------------------------------------------------- GDAL
def gdal(code: str) -> dict:
    """Run ``code`` (which prints one JSON line) in a child interpreter with pyogrio."""
    script = "import json, pyogrio\n" + textwrap.dedent(code)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def oapif():
    import pyogrio

    if "OAPIF" not in pyogrio.list_drivers():
        pytest.skip(
            f"the GDAL bundled with pyogrio ({pyogrio.__gdal_version_string__}) has no OAPIF driver; "
            "OWSLib covers the same reads (test_owslib_*)"
        )


def test_gdal_oapif_reads_projects_with_attributes_and_filters(oapif, server):
    base, db = server
    out = gdal(
        f"""
        layers = [name for name, _ in pyogrio.list_layers("OAPIF:{base}/")]
        df = pyogrio.read_dataframe("OAPIF:{base}/", layer="projects")
        box = pyogrio.read_dataframe("OAPIF:{base}/", layer="projects", bbox=({", ".join(map(str, BOX))}))
        water = pyogrio.read_dataframe("OAPIF:{base}/", layer="projects", where="category = 'water'")
        print(json.dumps({{"layers": layers, "n": len(df), "ids": [int(v) for v in df["id"]],
                          "names": list(df["name"]), "columns": list(df.columns),
                          "crs": df.crs.to_string(), "types": sorted(set(df.geometry.geom_type)),
                          "box": [int(v) for v in box["id"]], "water": sorted(set(water["category"])),
                          "n_water": len(water)}}, ensure_ascii=False))
        """
    )
    expected = db_projects(db)
    assert out["layers"] == COLLECTIONS
    assert out["n"] == len(expected) and sorted(out["ids"]) == sorted(expected)
    assert dict(zip(out["ids"], out["names"], strict=True)) == expected  # Chinese names intact
    assert {"category", "category_label", "status", "county", "precision", "precision_text"} <= set(out["columns"])
    assert "CRS84" in out["crs"] or "4326" in out["crs"]
    assert {"Point", "LineString"} <= set(out["types"])
    with db.session() as s:
        n_water = s.scalar(select(func.count()).select_from(Project).where(Project.category == "water"))
        rows = s.execute(select(Project.id, func.ST_AsText(Project.geom))).all()
    box = shapely.box(*BOX)
    assert set(out["box"]) == {pid for pid, wkt in rows if shapely.from_wkt(wkt).intersects(box)}
    assert out["water"] == ["water"] and out["n_water"] == n_water
