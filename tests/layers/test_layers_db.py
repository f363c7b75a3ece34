"""Layers stored in SpatiaLite and PostGIS: add, list, remove; projects placed on their
features at ingest and by ``regeocode``; removing a layer restores the earlier placement."""

from __future__ import annotations

import json

import pytest
import shapely
from sqlalchemy import func, select

from gazetteer.errors import LayerError
from gazetteer.layerfile import ReadOptions
from geoapp.ingest import ingest_files
from geoapp.ingest.regeocode import regeocode
from geoapp.store import layers as layers_module
from geoapp.store.layers import add_layer, list_layers, placer, remove_layer
from geoapp.store.models import GazetteerLayer, GazetteerLayerFeature, Project

PLAN = """忠县2024年重点项目工作方案
忠县人民政府
一、交通
加快建设梁忠石高速，推进忠州中学改扩建工程。建设忠县人民医院新院区。
"""
NAMES = ("梁忠石高速", "忠州中学", "忠县人民医院新院区")


def _add_all(db, gaz, osm_pbf, gbk_shapefile, gcj02_csv):
    add_layer(db, gaz, osm_pbf, ReadOptions(), source="OpenStreetMap extract (test)", name="osm")
    add_layer(
        db,
        gaz,
        gbk_shapefile,
        ReadOptions(name_field="名称", kind_field="类别", alias_field="别名"),
        source="忠县教委 学校点位 (test)",
        name="schools",
    )
    add_layer(
        db,
        gaz,
        gcj02_csv,
        ReadOptions(name_field="名称", kind="hospital", datum="gcj02"),
        source="高德导出 (test)",
        name="hospitals",
        radius_km=0.3,
    )


def _placements(db) -> dict[str, tuple]:
    with db.session() as s:
        rows = s.execute(
            select(Project.name, Project.precision, Project.geom.ST_AsText(), Project.location_note)
        )
        return {n: (p, shapely.from_wkt(w), note) for n, p, w, note in rows if n in NAMES}


def _layer_rows(db) -> tuple[int, int]:
    with db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(GazetteerLayer)),
            s.scalar(select(func.count()).select_from(GazetteerLayerFeature)),
        )


def test_add_list_remove(empty_db, gazetteer, osm_pbf, gbk_shapefile, gcj02_csv):
    _add_all(empty_db, gazetteer, osm_pbf, gbk_shapefile, gcj02_csv)
    listed = {layer.name: layer for layer in list_layers(empty_db)}
    assert sorted(listed) == ["hospitals", "osm", "schools"]
    assert (listed["osm"].feature_count, listed["osm"].crs) == (3, "EPSG:4326")
    assert "OpenStreetMap contributors, ODbL" in listed["osm"].licence
    assert (listed["schools"].feature_count, listed["schools"].crs) == (2, "EPSG:4490")
    assert (listed["hospitals"].crs, listed["hospitals"].radius_km) == ("GCJ-02", 0.3)
    assert listed["schools"].imported_at is not None
    assert remove_layer(empty_db, "schools") == 2
    assert [layer.name for layer in list_layers(empty_db)] == ["hospitals", "osm"]
    with pytest.raises(LayerError, match="no layer named 'schools' \\(layers: hospitals, osm\\)"):
        remove_layer(empty_db, "schools")


def test_projects_land_on_layer_features_and_removal_restores(
    empty_db, gazetteer, tmp_path, data, osm_pbf, gbk_shapefile, gcj02_csv
):
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    assert ingest_files(empty_db, gazetteer, [plan]).failed == 0
    before = _placements(empty_db)
    assert set(before) == set(NAMES)
    # the built-in data place them: the route through its towns, the school near the seat's
    # township (忠州 is 忠县's former name and its seat's), the county hospital at the seat
    assert [before[n][0] for n in NAMES] == [5, 2, 2]

    _add_all(empty_db, gazetteer, osm_pbf, gbk_shapefile, gcj02_csv)
    report = regeocode(empty_db, placer(empty_db, gazetteer))
    assert report.changed == 3 and report.after[1] == report.before[1] + 1  # the school: exact
    after = _placements(empty_db)
    road, school, hospital = (after[n] for n in NAMES)
    assert (
        road[0] == 2
        and shapely.equals_exact(road[1], shapely.LineString(data.ROUTE), 1e-6)
        or shapely.equals_exact(road[1], shapely.LineString(data.ROUTE[::-1]), 1e-6)
    )
    assert "图层“osm”" in road[2] and "OpenStreetMap" in road[2]
    assert school[0] == 1 and school[1].distance(shapely.Point(data.SCHOOL)) < 1e-6
    assert hospital[0] == 2 and hospital[1].distance(shapely.Point(data.HOSPITAL)) < 1e-6  # GCJ-02 undone
    assert "高德导出" in hospital[2]
    _exports_name_the_layers(empty_db, tmp_path)

    # a document ingested now is placed on the layers directly
    (tmp_path / "plan2.txt").write_text(PLAN.replace("2024", "2025"), encoding="utf-8")
    assert ingest_files(empty_db, gazetteer, [tmp_path / "plan2.txt"]).failed == 0
    assert {n: p[0] for n, p in _placements(empty_db).items()} == {n: p[0] for n, p in after.items()}

    for name in ("osm", "schools", "hospitals"):
        remove_layer(empty_db, name)
    report = regeocode(empty_db, placer(empty_db, gazetteer))
    assert report.changed == 3
    restored = _placements(empty_db)
    for name in NAMES:
        assert restored[name][0] == before[name][0]
        assert shapely.equals_exact(restored[name][1], before[name][1], 1e-7), name
    assert regeocode(empty_db, placer(empty_db, gazetteer)).changed == 0


def test_bad_imports_change_nothing(empty_db, gazetteer, gbk_shapefile, tmp_path, monkeypatch):
    options = ReadOptions(name_field="名称")
    add_layer(empty_db, gazetteer, gbk_shapefile, options, source="test", name="schools")
    with pytest.raises(LayerError, match="a layer named 'schools' exists already"):
        add_layer(empty_db, gazetteer, gbk_shapefile, options, source="test", name="schools")
    with pytest.raises(LayerError, match="no field 'NAME'"):
        add_layer(empty_db, gazetteer, gbk_shapefile, ReadOptions(name_field="NAME"), source="test", name="x")
    assert _layer_rows(empty_db) == (1, 2)

    # a failure while the features are written: the layer row goes too
    def fail_after_some(session, layer_id, table, codes):
        real(session, layer_id, table, codes)
        raise RuntimeError("disk full")

    real = layers_module._insert_features
    monkeypatch.setattr(layers_module, "_insert_features", fail_after_some)
    with pytest.raises(RuntimeError):
        add_layer(empty_db, gazetteer, gbk_shapefile, options, source="test", name="again")
    assert _layer_rows(empty_db) == (1, 2)


def test_ambiguity_across_layers_is_reported(empty_db, gazetteer, tmp_path):
    for name, lon in (("a", 108.03), ("b", 108.10)):
        path = tmp_path / f"{name}.csv"
        path.write_text(f"名称,lon,lat\n忠州中学,{lon},30.29\n", encoding="utf-8")
        add_layer(
            empty_db, gazetteer, path, ReadOptions(name_field="名称", crs="EPSG:4326"), source=name, name=name
        )
    best = placer(empty_db, gazetteer).geocode("忠州中学", county="忠县")[0]
    assert "2 features named 忠州中学 in layers a, b" in best.note
    assert len(best.ambiguous_with) == 1 and "layer" in best.ambiguous_with[0]


def test_county_field_gives_the_county(empty_db, gazetteer, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "名称,lon,lat,区县\n新田码头,108.1,30.4,忠县\n新田码头,107.4,30.3,垫江县\n", encoding="utf-8"
    )
    add_layer(
        empty_db,
        gazetteer,
        path,
        ReadOptions(name_field="名称", county_field="区县", crs="EPSG:4326"),
        source="test",
        name="wharves",
    )
    gaz = placer(empty_db, gazetteer)
    assert gaz.geocode("新田码头", county="垫江县")[0].geometry.x == pytest.approx(107.4)
    assert gaz.geocode("新田码头", county="忠县")[0].geometry.x == pytest.approx(108.1)
    bad = tmp_path / "bad.csv"
    bad.write_text("名称,lon,lat,区县\n新田码头,108.1,30.4,无此县\n", encoding="utf-8")
    with pytest.raises(LayerError, match="unknown county '无此县'"):
        add_layer(
            empty_db,
            gazetteer,
            bad,
            ReadOptions(name_field="名称", county_field="区县", crs="EPSG:4326"),
            source="test",
            name="bad",
        )


def _exports_name_the_layers(db, tmp_path):
    import json

    import pyogrio

    from geoapp.exports.downloads import export_projects_file
    from geoapp.settings import load_settings

    settings = load_settings()
    out = tmp_path / "p.geojson"
    export_projects_file(db, settings, {}, "geojson", out, "CRS84")
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert (
        "OpenStreetMap extract (test) (layer osm; © OpenStreetMap contributors, ODbL 1.0)"
        in collection["attribution"]
    )
    road = next(f for f in collection["features"] if f["properties"]["name"] == "梁忠石高速")
    assert "ODbL" in road["properties"]["location_note"]
    gpkg = tmp_path / "p.gpkg"
    export_projects_file(db, settings, {}, "gpkg", gpkg, "CRS84")
    assert "ODbL" in pyogrio.read_info(gpkg)["layer_metadata"]["DESCRIPTION"]


def test_the_web_geocoder_uses_the_layers(empty_db, gazetteer, gcj02_csv):
    """/api/geocode answers from the built-in gazetteer plus the stored layers."""
    from geoapp import create_app

    app = create_app({"database_url": empty_db.url})
    client = app.test_client()
    before = client.get("/api/geocode", query_string={"q": "忠县人民医院", "county": "忠县"}).get_json()
    add_layer(
        empty_db,
        gazetteer,
        gcj02_csv,
        ReadOptions(name_field="名称", kind="hospital", datum="gcj02"),
        source="高德导出 (test)",
        name="hospitals",
        radius_km=0.3,
    )
    after = client.get("/api/geocode", query_string={"q": "忠县人民医院", "county": "忠县"}).get_json()
    best = after["features"][0]
    assert best["properties"]["precision"] < 3 and "hospitals" in json.dumps(
        best["properties"], ensure_ascii=False
    )
    assert (
        before["features"] == []
        or before["features"][0]["properties"]["precision"] >= best["properties"]["precision"]
    )
    batch = client.post("/api/geocode", json={"names": ["忠县人民医院"], "county": "忠县"}).get_json()
    assert batch["matched"] == 1 and batch["results"][0]["features"][0]["geometry"] == best["geometry"]


def test_maps_credit_the_layers(empty_db, gazetteer, osm_pbf):
    """OpenStreetMap's ODbL credit (and every layer's source) is on the web map and on the
    static images, not only in the downloads."""
    import html as html_lib
    import re

    from geoapp import create_app
    from geoapp.maps.content import _footer, _layer_credits

    add_layer(empty_db, gazetteer, osm_pbf, ReadOptions(), source="OpenStreetMap extract (test)", name="osm")
    app = create_app({"database_url": empty_db.url})
    page = app.test_client().get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    config = re.search(
        r'<script id="geoapp-config" type="application/json">(.*?)</script>', page, re.S
    ).group(1)
    credits = json.loads(html_lib.unescape(config))["layerAttributions"]
    assert any("OpenStreetMap contributors" in c and "ODbL" in c for c in credits), credits
    with empty_db.session() as s:
        layers = _layer_credits(s)
    assert layers == credits
    assert "OpenStreetMap contributors" in _footer(gazetteer, [], 4545, 108, "2026-12-04", "", layers)[0]
