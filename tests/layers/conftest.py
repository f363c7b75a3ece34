"""Real layer files made by the tests: an OSM XML extract written as text, the same extract
as ``.osm.pbf`` written by libosmium (PyPI ``osmium``), a GBK Shapefile in CGCS2000
(EPSG:4490) without ``.cpg``, and a GCJ-02 CSV.

The features sit in 忠县 and carry names the test documents use: 忠州中学 (Shapefile),
忠县人民医院 (CSV), 梁忠石高速 as three OSM ways with ``ref=S26``, 忠县站, 乌杨工业园.
"""

from __future__ import annotations

# The spatial libraries must load before SpatiaLite can (see geoapp.store.backend).
import pyogrio  # noqa: F401  isort: skip

import sys
import zipfile
from pathlib import Path

import pytest
import shapely

from gazetteer.datum import wgs84_to_gcj02

#: WGS84 positions the tests assert
SCHOOL = (108.0312, 30.2953)
HOSPITAL = (108.0405, 30.2991)
STATION = (107.9951, 30.3302)
#: 梁忠石高速, north to south, as three ways sharing end nodes
ROUTE = [(107.86, 30.58), (107.93, 30.47), (107.99, 30.36), (108.05, 30.25), (108.09, 30.12)]
PARK = [(108.00, 30.22), (108.02, 30.22), (108.02, 30.24), (108.00, 30.24), (108.00, 30.22)]

NODES = {1: (STATION, {"railway": "station", "name": "忠县站", "alt_name": "忠州站"})}
WAYS = {
    100: ([10, 11], {"highway": "motorway", "name": "梁忠石高速", "ref": "S26"}),
    101: ([11, 12, 13], {"highway": "motorway", "name": "梁忠石高速", "ref": "S26"}),
    102: ([13, 14], {"highway": "motorway", "name": "梁忠石高速", "ref": "S26"}),
    103: ([20, 21, 22, 23, 20], {"landuse": "industrial", "name": "乌杨工业园", "old_name": "乌杨工业园区"}),
    104: ([10, 14], {"highway": "service"}),  # unnamed, unmapped: left out
}
COORDS = {10 + i: p for i, p in enumerate(ROUTE)} | {20 + i: p for i, p in enumerate(PARK[:4])}


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _nodes() -> list[tuple[int, tuple[float, float], dict[str, str]]]:
    """Every node in increasing id order (the OSM driver's default indexing needs it)."""
    plain = [(nid, p, {}) for nid, p in COORDS.items()]
    tagged = [(nid, p, tags) for nid, (p, tags) in NODES.items()]
    return sorted(plain + tagged)


def write_osm_xml(path: Path) -> Path:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="geoapp tests">']
    for nid, (lon, lat), tags in _nodes():
        out.append(f'<node id="{nid}" version="1" lat="{lat}" lon="{lon}">')
        out += [f'  <tag k="{k}" v="{_esc(v)}"/>' for k, v in tags.items()]
        out.append("</node>")
    for wid, (refs, tags) in WAYS.items():
        out.append(f'<way id="{wid}" version="1">')
        out += [f'  <nd ref="{r}"/>' for r in refs]
        out += [f'  <tag k="{k}" v="{_esc(v)}"/>' for k, v in tags.items()]
        out.append("</way>")
    out.append("</osm>")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def write_osm_pbf(path: Path) -> Path:
    osmium = pytest.importorskip("osmium")
    from osmium.osm.mutable import Node, Way

    with osmium.SimpleWriter(str(path)) as writer:
        for nid, (lon, lat), tags in _nodes():
            writer.add_node(Node(id=nid, version=1, location=osmium.osm.Location(lon, lat), tags=tags))
        for wid, (refs, tags) in WAYS.items():
            writer.add_way(Way(id=wid, version=1, nodes=refs, tags=tags))
    return path


def write_gbk_shapefile(folder: Path, *, cpg: bool = False) -> Path:
    """忠州中学 and 白公祠街小学 in CGCS2000 (EPSG:4490), attributes in GBK, no .cpg."""
    import geopandas as gpd

    folder.mkdir(parents=True, exist_ok=True)
    frame = gpd.GeoDataFrame(
        {"名称": ["忠州中学", "白公祠街小学"], "类别": ["学校", "学校"], "别名": ["忠县忠州中学校", ""]},
        geometry=[shapely.Point(SCHOOL), shapely.Point(108.0370, 30.2920)],
        crs="EPSG:4490",
    )
    path = folder / "schools.shp"
    pyogrio.write_dataframe(frame, path, encoding="GBK")
    if not cpg:
        (folder / "schools.cpg").unlink()
    return path


def zip_shapefile(shp: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w") as zf:
        for part in shp.parent.glob(shp.stem + ".*"):
            zf.write(part, part.name)
    return dest


def write_gcj02_csv(path: Path) -> Path:
    """忠县人民医院 as an Amap export would give it: GCJ-02 lon/lat columns."""
    lon, lat = wgs84_to_gcj02(*HOSPITAL)
    path.write_text(f"名称,lon,lat,类型\n忠县人民医院,{lon:.7f},{lat:.7f},医院\n", encoding="utf-8")
    return path


@pytest.fixture
def osm_xml(tmp_path) -> Path:
    return write_osm_xml(tmp_path / "zhong.osm")


@pytest.fixture
def osm_pbf(tmp_path) -> Path:
    return write_osm_pbf(tmp_path / "zhong.osm.pbf")


@pytest.fixture
def gbk_shapefile(tmp_path) -> Path:
    return write_gbk_shapefile(tmp_path / "shp")


@pytest.fixture
def gcj02_csv(tmp_path) -> Path:
    return write_gcj02_csv(tmp_path / "hospitals.csv")


@pytest.fixture
def data():
    """This module: the positions the files hold and the writers (tests cannot import a conftest)."""
    return sys.modules[__name__]
