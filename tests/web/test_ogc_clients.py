"""Real OGC API – Features clients against a live local server: OWSLib, GDAL's OAPIF
driver and QGIS.

The server is a werkzeug server in a thread, on SpatiaLite and PostGIS. GDAL runs
in a child process (it would otherwise hold the interpreter while the server
thread it talks to needs it); QGIS runs in Debian's own Python
(``tests/clients/qgis_probe.py``, with python3-qgis): missing, its tests are skipped,
or fail under ``CI``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import shapely
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from geoapp import create_app
from geoapp.store.database import forget_database
from geoapp.store.models import Project
from tests.conftest import ARTIFACTS, ROOT, require

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
    yield f"http://127.0.0.1:{srv.server_port}", app.extensions["geoapp.database"]
    srv.shutdown()
    thread.join(5)
    srv.server_close()
    forget_database(url)
    if request.param == "postgis":
        import psycopg

        u = make_url(url)
        with psycopg.connect(
            host=u.host, port=u.port, user=u.username, dbname="postgres", autocommit=True
        ) as c:
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
        w = Features(server[0] + "/")  # reads the landing page
        assert {"service-desc", "conformance", "data"} <= {link["rel"] for link in w.links}
        assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in w.conformance()["conformsTo"]
        assert w.feature_collections() == COLLECTIONS
        page = w.collection_items("projects", limit=2)
        assert page["numberReturned"] == 2
        one = w.collection_item("projects", str(page["features"][0]["id"]))
        assert one["id"] == page["features"][0]["id"]
        points = w.collection_items("projects-points", limit=20)
        assert points["numberReturned"] == 20 and {f["geometry"]["type"] for f in points["features"]} <= {
            "Point",
            "MultiPoint",
        }
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
    assert water["numberMatched"] > 0 and {f["properties"]["category"] for f in water["features"]} == {
        "water"
    }
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
    assert {"category", "category_label", "status", "county", "precision", "precision_text"} <= set(
        out["columns"]
    )
    assert "CRS84" in out["crs"] or "4326" in out["crs"]
    assert {"Point", "LineString"} <= set(out["types"])
    with db.session() as s:
        n_water = s.scalar(select(func.count()).select_from(Project).where(Project.category == "water"))
        rows = s.execute(select(Project.id, func.ST_AsText(Project.geom))).all()
    box = shapely.box(*BOX)
    assert set(out["box"]) == {pid for pid, wkt in rows if shapely.from_wkt(wkt).intersects(box)}
    assert out["water"] == ["water"] and out["n_water"] == n_water


# ----------------------------------------------------------------------------- QGIS
QGIS_PYTHON = "/usr/bin/python3"  # python3-qgis is for Debian's own Python, not a virtualenv's
PROBE = ROOT / "tests" / "clients" / "qgis_probe.py"
EPSG_4490 = "http://www.opengis.net/def/crs/EPSG/0/4490"
#: the files QGIS reads besides the collections: downloads in CGCS2000 (whole, and one geometry kind)
DOWNLOADS = {
    "projects-4490.gpkg": f"/download/projects.gpkg?crs={EPSG_4490}",
    "areas-4490.gpkg": f"/download/projects.gpkg?crs={EPSG_4490}&geometry_type=areas",
    "projects-4490.shp.zip": f"/download/projects.shp.zip?crs={EPSG_4490}",
}


@pytest.fixture(scope="module")
def qgis_python():
    found = (
        Path(QGIS_PYTHON).exists()
        and subprocess.run(
            [QGIS_PYTHON, "-c", "import qgis.core"],
            capture_output=True,
            timeout=60,
            env=_qgis_env(Path("/tmp")),
        ).returncode
        == 0
    )
    if not found:
        require(
            "QGIS",
            "python3-qgis is not installed (apt-get install python3-qgis qgis-providers; `make test` does)",
        )
    return QGIS_PYTHON


def _qgis_env(home: Path) -> dict[str, str]:
    # Debian's Python with nothing of the test virtualenv; QGIS's settings and caches in ``home``
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return {**env, "QT_QPA_PLATFORM": "offscreen", "QGIS_CUSTOM_CONFIG_PATH": str(home), "XDG_RUNTIME_DIR": str(home),
            "HOME": str(home)}  # fmt: skip


@pytest.fixture(scope="module")
def qgis_seen(qgis_python, server, tmp_path_factory):
    """What QGIS 3.22 (headless) makes of every collection and of the CGCS2000 downloads."""
    if server[1].url.startswith("sqlite") and POSTGIS_URL:
        # QGIS takes a minute per run: it reads the PostGIS server, whose features are built
        # in SQL; OWSLib and GDAL read both servers (on SpatiaLite when there is no PostGIS)
        pytest.skip("QGIS reads the PostGIS server in this suite")
    base, _ = server
    tmp = tmp_path_factory.mktemp("qgis")
    for name, path in DOWNLOADS.items():
        with urllib.request.urlopen(base + path, timeout=120) as r:
            (tmp / name).write_bytes(r.read())
    files = [str(tmp / "projects-4490.gpkg"), str(tmp / "areas-4490.gpkg"),
             f"/vsizip/{tmp / 'projects-4490.shp.zip'}/projects-epsg4490_point.shp"]  # fmt: skip
    started = time.monotonic()
    result = subprocess.run(
        [qgis_python, str(PROBE), base + "/", *COLLECTIONS, *(a for f in files for a in ("--file", f))],
        capture_output=True, text=True, timeout=600, env=_qgis_env(tmp), cwd=tmp,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    seen["seconds"] = round(time.monotonic() - started, 1)
    seen["files"] = dict(zip(("whole", "areas", "shp_points"), seen["files"].values(), strict=True))
    # for people: what QGIS loads and draws per collection (test-artifacts/qgis-<backend>.json)
    ARTIFACTS.mkdir(exist_ok=True)
    summary = {k: {m: v.get(m) for m in ("wkb_type", "crs", "loaded", "drawable", "painted_pixels")}
               for k, v in (seen["collections"] | seen["files"]).items()}  # fmt: skip
    (ARTIFACTS / f"qgis-{server[1].url.split(':')[0]}.json").write_text(
        json.dumps(
            {"qgis": seen["qgis"], "seconds": seen["seconds"], "layers": summary},
            ensure_ascii=False,
            indent=1,
        )
    )
    return seen


def _matched(base: str, collection: str) -> int:
    with urllib.request.urlopen(f"{base}/collections/{collection}/items?limit=1&f=json", timeout=60) as r:
        return json.loads(r.read())["numberMatched"]


def test_qgis_loads_every_collection(qgis_seen, server):
    base, _ = server
    for cid in COLLECTIONS:
        layer = qgis_seen["collections"][cid]
        assert layer["valid"], (cid, layer.get("error"))
        assert layer["loaded"] == _matched(base, cid) > 0, cid
        assert layer["crs"] in (
            "EPSG:4326",
            "OGC:CRS84",
        )  # CRS84 data (QGIS 3.22 calls every OGC API layer EPSG:4326)
        assert len(set(layer["ids"])) == layer["loaded"], cid  # every feature once


@pytest.mark.parametrize("mixed", ["projects", "places"])
def test_qgis_draws_every_feature_in_the_single_geometry_collections(qgis_seen, server, mixed):
    """A QGIS layer has one geometry type: the mixed collection leaves most features
    undrawn, its -points, -lines and -areas collections together draw every one, once."""
    every = qgis_seen["collections"][mixed]["ids"]
    drawn: list = []
    for kind, geometry_type in (("points", "Point"), ("lines", "Line"), ("areas", "Polygon")):
        layer = qgis_seen["collections"][f"{mixed}-{kind}"]
        assert layer["geometry_type"] == geometry_type
        assert layer["drawable"] == layer["loaded"], (kind, layer["geometry_kinds"])
        assert layer["painted_pixels"] > 0, kind  # and QGIS really paints them
        drawn += layer["drawable_ids"]
    assert sorted(drawn, key=str) == sorted(every, key=str)
    if mixed == "projects":
        assert len(drawn) == len(db_projects(server[1]))


def test_qgis_reads_chinese_attributes_intact(qgis_seen, server):
    expected = db_projects(server[1])
    for kind in ("points", "lines", "areas"):
        layer = qgis_seen["collections"][f"projects-{kind}"]
        names = dict(zip(layer["ids"], layer["values"]["name"], strict=True))
        assert names == {pid: expected[pid] for pid in names}, kind
        assert any(re.search(r"[\u4e00-\u9fff]", name) for name in names.values())


def test_qgis_reads_cgcs2000_downloads_as_epsg_4490(qgis_seen, server):
    """A layer asked for in EPSG:4490 comes back in EPSG:4490: the GeoPackage and the
    Shapefile, with the coordinates the server gives in that CRS. (QGIS 3.22's OGC API
    provider itself always reads CRS84: it has no Part 2.)"""
    base, db = server
    files = qgis_seen["files"]
    for name, layer in files.items():
        assert layer["valid"] and layer["crs"] == "EPSG:4490", (name, layer.get("error"))
    whole = files["whole"]
    assert whole["loaded"] == len(db_projects(db))
    assert dict(zip(whole["ids"], whole["values"]["name"], strict=True)) == db_projects(db)
    for fid, (x, y) in whole["first_vertex"].items():
        with urllib.request.urlopen(
            f"{base}/collections/projects/items/{fid}?crs={EPSG_4490}", timeout=60
        ) as r:
            feature = json.loads(r.read())
        lat, lon = next(_vertices(feature["geometry"]["coordinates"]))  # EPSG:4490 is latitude first
        assert abs(lon - x) < 1e-6 and abs(lat - y) < 1e-6, fid
    areas = files["areas"]  # the download of one geometry kind is one drawable layer
    assert areas["drawable"] == areas["loaded"] == qgis_seen["collections"]["projects-areas"]["loaded"]
    assert files["shp_points"]["loaded"] == qgis_seen["collections"]["projects-points"]["loaded"]


def _vertices(coords):
    if isinstance(coords[0], (int, float)):
        yield coords
        return
    for part in coords:
        yield from _vertices(part)
