"""geoapp.catalog.crs: the CRS registry, axis order, bbox transformation and GCJ-02."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import CRS, Transformer

from gazetteer.datum import gcj02_to_wgs84, wgs84_to_gcj02
from geoapp.catalog.crs import (
    CRS84,
    CRS84_URI,
    REGISTRY,
    STANDARD_URIS,
    bbox_to_crs84,
    content_crs,
    geometry_to_crs84,
    parse_crs,
    transform_geometries,
    transformer,
)
from geoapp.errors import InvalidParameter

ZHONGXIAN = (108.0377, 30.2997)  # 忠县 county seat, lon/lat


@pytest.mark.parametrize(
    "value, key",
    [
        (None, "CRS84"),
        ("", "CRS84"),
        ("CRS84", "CRS84"),
        ("OGC:CRS84", "CRS84"),
        ("[OGC:CRS84]", "CRS84"),
        (CRS84_URI, "CRS84"),
        ("https://www.opengis.net/def/crs/OGC/1.3/CRS84", "CRS84"),
        ("http://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326"),
        ("EPSG:4490", "EPSG:4490"),
        ("epsg:4544", "EPSG:4544"),
        ("[EPSG:4545]", "EPSG:4545"),
        ("urn:ogc:def:crs:EPSG::4545", "EPSG:4545"),
        ("gcj02", "gcj02"),
        ("GCJ-02", "gcj02"),
        ("urn:x-geoapp:crs:gcj02", "gcj02"),
    ],
)
def test_parse_crs_accepts_the_usual_spellings(value, key):
    assert parse_crs(value).key == key


@pytest.mark.parametrize(
    "value", ["EPSG:3857", "EPSG:4326x", "foo", "http://www.opengis.net/def/crs/EPSG/0/", "[EPSG:99]"]
)
def test_parse_crs_rejects_the_rest_naming_the_parameter(value):
    with pytest.raises(InvalidParameter, match="bbox-crs"):
        parse_crs(value, name="bbox-crs")


@pytest.mark.parametrize("key", [k for k in REGISTRY if k.startswith("EPSG")])
def test_axis_order_flags_match_the_epsg_definitions(key):
    crs = REGISTRY[key]
    axis = CRS.from_user_input(key).axis_info[0]
    assert crs.swap_xy == (axis.direction == "north")
    assert crs.projected == CRS.from_user_input(key).is_projected
    assert crs.uri in STANDARD_URIS and content_crs(crs) == f"<{crs.uri}>"


def test_gcj02_is_not_listed_as_a_standard_crs():
    assert REGISTRY["gcj02"].uri not in STANDARD_URIS and not REGISTRY["gcj02"].standard
    assert STANDARD_URIS[0] == CRS84_URI


def test_transformers_follow_the_crs_axis_order():
    lon, lat = np.array([ZHONGXIAN[0]]), np.array([ZHONGXIAN[1]])
    y, x = transformer(REGISTRY["EPSG:4326"])(lon, lat)
    assert (float(y[0]), float(x[0])) == pytest.approx((ZHONGXIAN[1], ZHONGXIAN[0]))
    north, east = transformer(REGISTRY["EPSG:4545"])(lon, lat)
    expected = Transformer.from_crs("OGC:CRS84", "EPSG:4545").transform(*ZHONGXIAN)
    assert (float(north[0]), float(east[0])) == pytest.approx(expected, abs=1e-6)
    assert 3_300_000 < float(north[0]) < 3_400_000 and abs(float(east[0]) - 500_000) < 5_000  # near CM 108°E
    east2, north2 = transformer(REGISTRY["EPSG:4545"], gis_order=True)(lon, lat)
    assert (float(east2[0]), float(north2[0])) == pytest.approx((float(east[0]), float(north[0])))
    back = transformer(REGISTRY["EPSG:4545"], inverse=True)(north, east)
    assert (float(back[0][0]), float(back[1][0])) == pytest.approx(ZHONGXIAN, abs=1e-9)


def test_cgcs2000_and_wgs84_agree_to_well_under_a_metre():
    lat, lon = transformer(REGISTRY["EPSG:4490"])(np.array([ZHONGXIAN[0]]), np.array([ZHONGXIAN[1]]))
    assert abs(float(lon[0]) - ZHONGXIAN[0]) < 1e-7 and abs(float(lat[0]) - ZHONGXIAN[1]) < 1e-7


def test_gcj02_round_trip():
    f = transformer(REGISTRY["gcj02"])
    g = transformer(REGISTRY["gcj02"], inverse=True)
    lon, lat = f(np.array([ZHONGXIAN[0]]), np.array([ZHONGXIAN[1]]))
    assert (float(lon[0]), float(lat[0])) == pytest.approx(wgs84_to_gcj02(*ZHONGXIAN))
    offset_m = np.hypot((lon[0] - ZHONGXIAN[0]) * 96_000, (lat[0] - ZHONGXIAN[1]) * 111_000)
    assert 100 < offset_m < 1000  # the famous few hundred metres
    back = g(lon, lat)
    assert (float(back[0][0]), float(back[1][0])) == pytest.approx(
        gcj02_to_wgs84(float(lon[0]), float(lat[0]))
    )


def test_transform_geometries_rounds_to_the_crs_precision():
    geoms = np.array([shapely.Point(*ZHONGXIAN), shapely.LineString([(108.123456789, 30.1), (108.2, 30.2)])])
    out = transform_geometries(geoms, CRS84)
    assert shapely.get_coordinates(out[1])[0].tolist() == [108.1234568, 30.1]
    metres = shapely.get_coordinates(transform_geometries(geoms, REGISTRY["EPSG:4544"]))
    assert np.allclose(metres, np.round(metres, 3))
    swapped = transform_geometries(geoms[:1], REGISTRY["EPSG:4326"])
    assert shapely.get_coordinates(swapped)[0].tolist() == [ZHONGXIAN[1], ZHONGXIAN[0]]


def test_bbox_to_crs84():
    assert bbox_to_crs84((107.0, 30.0, 108.0, 31.0), CRS84) == (107.0, 30.0, 108.0, 31.0)
    assert bbox_to_crs84((30.0, 107.0, 31.0, 108.0), REGISTRY["EPSG:4326"]) == pytest.approx(
        (107.0, 30.0, 108.0, 31.0)
    )
    t = Transformer.from_crs("OGC:CRS84", "EPSG:4545")
    n0, e0 = t.transform(107.5, 30.0)
    n1, e1 = t.transform(108.5, 30.7)
    box = bbox_to_crs84((n0, e0, n1, e1), REGISTRY["EPSG:4545"])
    # a rectangle in metres covers at least the corners it was made from
    assert (
        box[0] <= 107.5 + 1e-6 and box[2] >= 108.5 - 1e-6 and box[1] <= 30.0 + 1e-6 and box[3] >= 30.7 - 1e-6
    )
    assert box[2] - box[0] < 1.2 and box[3] - box[1] < 0.9


@pytest.mark.parametrize(
    "bbox, crs, message",
    [
        ((0, 95, 1, 96), CRS84, "outside"),
        ((95, 0, 96, 1), REGISTRY["EPSG:4326"], "outside"),  # latitude first: 95 is a latitude
        ((108, 30, 107, 31), CRS84, "lower corner"),
        ((1, 2, 3), CRS84, "4 finite numbers"),
        ((1, float("nan"), 3, 4), CRS84, "4 finite numbers"),
        ((-1e12, -1e12, 1e12, 1e12), REGISTRY["EPSG:4545"], "transformed"),
    ],
)
def test_bbox_problems_are_invalid_parameters(bbox, crs, message):
    with pytest.raises(InvalidParameter, match=message):
        bbox_to_crs84(bbox, crs)


def test_geometry_to_crs84():
    p = shapely.Point(ZHONGXIAN[1], ZHONGXIAN[0])  # as EPSG:4326 writes it
    assert geometry_to_crs84(p, REGISTRY["EPSG:4326"]).coords[0] == pytest.approx(ZHONGXIAN)
    assert geometry_to_crs84(p, CRS84) is p
