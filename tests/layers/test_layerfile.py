"""Reading users' layers: formats, encodings, CRS and datum, OSM tags, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from gazetteer.errors import LayerError
from gazetteer.layerfile import ReadOptions, read_layer
from gazetteer.osm import osm_kind, parse_hstore


def _xy(geom) -> tuple[float, float]:
    return (round(geom.x, 6), round(geom.y, 6))


@pytest.mark.parametrize("fixture", ["osm_xml", "osm_pbf"])
def test_osm_extract_gives_named_mapped_features(request, fixture, data):
    table = read_layer(request.getfixturevalue(fixture), ReadOptions())
    by_name = dict(zip(table.names, range(len(table)), strict=True))
    assert set(by_name) == {"忠县站", "梁忠石高速", "乌杨工业园"}
    station = by_name["忠县站"]
    assert _xy(table.geometries[station]) == data.STATION
    assert table.subtypes[station] == "station" and table.aliases[station] == ("忠州站",)
    road = by_name["梁忠石高速"]
    # three ways joined into one line from end to end; the ref is an alias
    assert table.geometries[road].geom_type == "LineString"
    assert list(table.geometries[road].coords) in (data.ROUTE, data.ROUTE[::-1])
    assert table.subtypes[road] == "expressway" and "S26" in table.aliases[road]
    park = by_name["乌杨工业园"]
    assert table.geometries[park].geom_type in ("Polygon", "MultiPolygon")
    assert table.subtypes[park] == "industrial_park" and table.aliases[park] == ("乌杨工业园区",)
    assert table.crs == "EPSG:4326" and table.source_count > len(table)


def test_hstore_and_tag_table():
    assert parse_hstore('"name:zh"=>"忠县","note"=>"a \\"q\\""') == {"name:zh": "忠县", "note": 'a "q"'}
    assert parse_hstore(None) == {}
    assert osm_kind({"highway": "motorway"}) == ("expressway", 3)
    assert osm_kind({"historic": "monument"}) == ("heritage_site", 3)
    assert osm_kind({"highway": "service"}) is None


def test_gbk_shapefile_in_cgcs2000_without_cpg(gbk_shapefile, data):
    table = read_layer(gbk_shapefile, ReadOptions(name_field="名称", kind_field="类别", alias_field="别名"))
    assert table.names == ["忠州中学", "白公祠街小学"]
    assert table.subtypes == ["学校", "学校"] and table.aliases[0] == ("忠县忠州中学校",)
    assert table.crs == "EPSG:4490"
    # CGCS2000 and WGS84 agree to well under a metre
    assert np.allclose(shapely.get_coordinates(table.geometries[0])[0], data.SCHOOL, atol=1e-7)


def test_zipped_and_folder_shapefile(tmp_path, data):
    shp = data.write_gbk_shapefile(tmp_path / "a", cpg=True)
    zipped = data.zip_shapefile(shp, tmp_path / "schools.zip")
    for path in (zipped, shp.parent):
        assert read_layer(path, ReadOptions(name_field="名称")).names == ["忠州中学", "白公祠街小学"]


def test_gcj02_csv_is_converted_to_wgs84(gcj02_csv, data):
    table = read_layer(gcj02_csv, ReadOptions(name_field="名称", kind="hospital", datum="gcj02"))
    assert table.names == ["忠县人民医院"] and table.crs == "GCJ-02" and table.subtypes == ["hospital"]
    lon, lat = shapely.get_coordinates(table.geometries[0])[0]
    assert abs(lon - data.HOSPITAL[0]) < 1e-6 and abs(lat - data.HOSPITAL[1]) < 1e-6  # ~0.1 m


def test_wkt_csv_geojson_geopackage_flatgeobuf(tmp_path):
    import geopandas as gpd
    import pyogrio

    (tmp_path / "w.csv").write_text('name,wkt\n黄钦水库,"POINT (107.9 30.45)"\n', encoding="utf-8")
    assert read_layer(tmp_path / "w.csv", ReadOptions(name_field="name", crs="EPSG:4326")).names == [
        "黄钦水库"
    ]
    frame = gpd.GeoDataFrame(
        {"NAME": ["汉丰湖"]}, geometry=[shapely.Point(108.39, 31.17).buffer(0.01)], crs=4326
    )
    for suffix in ("geojson", "gpkg", "fgb"):
        path = tmp_path / f"lake.{suffix}"
        pyogrio.write_dataframe(frame, path)
        table = read_layer(path, ReadOptions(name_field="NAME"))
        assert table.names == ["汉丰湖"] and table.geometries[0].geom_type == "Polygon"


# --------------------------------------------------------------------------- bad input
def _geojson(tmp_path, features, name="bad.geojson"):
    path = tmp_path / name
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8"
    )
    return path


def _feature(name, geometry):
    return {"type": "Feature", "properties": {"name": name}, "geometry": geometry}


POINT = {"type": "Point", "coordinates": [108.03, 30.29]}
BOWTIE = {"type": "Polygon", "coordinates": [[[108, 30], [108.1, 30.1], [108.1, 30], [108, 30.1], [108, 30]]]}


@pytest.mark.parametrize(
    ("features", "options", "message"),
    [
        (
            [_feature("忠州中学", POINT)],
            {"name_field": "名称"},
            "no field '名称' for the name (fields: name)",
        ),
        (
            [_feature("忠州中学", POINT), _feature("", POINT)],
            {},
            "1 of 2 features have an empty or one-character name",
        ),
        ([_feature("忠州中学", None)], {}, "1 of 1 features have no geometry"),
        ([_feature("忠州中学", BOWTIE)], {}, "have invalid geometries (Self-intersection"),
        ([_feature("忠州中学", {"type": "Point", "coordinates": [2.35, 48.85]})], {}, "lie outside China"),
        ([_feature("忠州中学", POINT)], {"crs": "EPSG:999999"}, "unknown CRS 'EPSG:999999'"),
        (
            [_feature("忠州中学", POINT)],
            {"kind": "school", "kind_field": "name"},
            "give --kind-field or --kind",
        ),
        ([], {}, "bad.geojson has no features"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, features, options, message):
    path = _geojson(tmp_path, features)
    with pytest.raises(LayerError) as exc:
        read_layer(path, ReadOptions(**{"name_field": "name", **options}))
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_projected_coordinates_read_as_degrees_are_outside_china(tmp_path):
    path = tmp_path / "gk.csv"
    path.write_text("name,x,y\n忠州中学,36500123.5,3352345.1\n", encoding="utf-8")
    with pytest.raises(LayerError, match="outside China.*is the CRS right"):
        read_layer(path, ReadOptions(name_field="name", crs="EPSG:4490"))
    # with the right CRS (CGCS2000 3-degree Gauss–Krüger zone 36, CM 108°E) it is in 忠县's region
    table = read_layer(path, ReadOptions(name_field="name", crs="EPSG:4524"))
    assert 105 < table.geometries[0].x < 111


def test_missing_crs_and_unnamed_features(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("name,lon,lat\n忠州中学,108.03,30.29\n,108.04,30.3\n", encoding="utf-8")
    with pytest.raises(LayerError, match="does not say its coordinate system"):
        read_layer(path, ReadOptions(name_field="name"))
    with pytest.raises(LayerError, match="--skip-unnamed"):
        read_layer(path, ReadOptions(name_field="name", crs="EPSG:4326"))
    table = read_layer(path, ReadOptions(name_field="name", crs="EPSG:4326", skip_unnamed=True))
    assert table.names == ["忠州中学"] and "1 features without a name left out" in table.notes


@pytest.mark.parametrize("name", ["corrupt.gpkg", "corrupt.geojson", "corrupt.osm.pbf", "nocoords.csv"])
def test_corrupt_files(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(
        b"name,foo\n\x00\x01garbage" if name.endswith(".csv") else b"\x00\x01 not a real file \xff" * 50
    )
    with pytest.raises(LayerError) as exc:
        read_layer(path, ReadOptions(name_field="name"))
    assert name in str(exc.value) and "\n" not in str(exc.value)


def test_truncated_pbf(osm_pbf, tmp_path):
    data = osm_pbf.read_bytes()
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(LayerError, match="cut.osm.pbf"):
        read_layer(cut, ReadOptions())


def test_osm_with_negative_unsorted_ids_as_josm_writes_them(tmp_path):
    path = tmp_path / "josm.osm"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><osm version="0.6" generator="JOSM">'
        '<node id="-5" lat="30.33" lon="107.99"><tag k="name" v="忠县站"/><tag k="railway" v="station"/></node>'
        '<node id="-9" lat="30.30" lon="108.00"><tag k="name" v="忠县汽车站"/><tag k="amenity" v="bus_station"/></node>'
        "</osm>",
        encoding="utf-8",
    )
    assert sorted(read_layer(path, ReadOptions()).names) == ["忠县汽车站", "忠县站"]


def test_a_file_of_several_layers_needs_layer(tmp_path):
    import geopandas as gpd
    import pyogrio

    path = tmp_path / "poi.gpkg"
    for layer, name in (("学校", "忠州中学"), ("医院", "忠县人民医院")):
        frame = gpd.GeoDataFrame({"名称": [name]}, geometry=[shapely.Point(108.03, 30.29)], crs=4490)
        pyogrio.write_dataframe(frame, path, layer=layer)
    with pytest.raises(LayerError, match=r"poi.gpkg has 2 layers \(学校, 医院\): choose one with --layer"):
        read_layer(path, ReadOptions(name_field="名称"))
    assert read_layer(path, ReadOptions(name_field="名称", layer="医院")).names == ["忠县人民医院"]
    with pytest.raises(LayerError, match="cannot read poi.gpkg"):
        read_layer(path, ReadOptions(name_field="名称", layer="道路"))
