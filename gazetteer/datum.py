"""Datum conversions: WGS84 ↔ GCJ-02 and WGS84 ↔ CGCS2000.

GCJ-02 is the obfuscated datum of Chinese web maps (Amap/高德, Tencent, GeoQ).
The forward transform (WGS84 → GCJ-02) is a public formula; the inverse has no
closed form and is solved by fixed-point iteration to well under a millimetre.
Outside China the offset is zero, as the web maps do.

The available PyPI packages (prcoords, eviltransform, coord-convert) are scalar,
unmaintained since 2018–2019, and some stop the inverse after one step (≈ 1–2 m
error); this module is vectorised with NumPy and tested against prcoords.

CGCS2000 (EPSG:4490) and WGS84 agree to well under a metre; PROJ treats the
transformation as a null shift, which is what we use (via pyproj).

>>> lon, lat = wgs84_to_gcj02(108.0, 30.3)
>>> round(lon - 108.0, 4), round(lat - 30.3, 4)
(0.0044, -0.0026)
>>> back = gcj02_to_wgs84(lon, lat)
>>> round(back[0], 7), round(back[1], 7)
(108.0, 30.3)
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "wgs84_to_cgcs2000",
    "cgcs2000_to_wgs84",
    "in_china",
    "transform_geometry",
]

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323


def in_china(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """The rough box inside which web maps apply the GCJ-02 offset."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 105.0
    y = lat - 35.0
    pi = math.pi
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * pi) + 320 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _unwrap(lon, lat, out_lon, out_lat):
    if np.ndim(lon) == 0 and np.ndim(lat) == 0:
        return float(out_lon), float(out_lat)
    return out_lon, out_lat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike):
    """WGS84 → GCJ-02. Scalars in, scalars out; arrays in, arrays out."""
    lo = np.asarray(lon, dtype=float)
    la = np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lo, la)
    return _unwrap(lon, lat, lo + dlon, la + dlat)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike, *, tolerance: float = 1e-10):
    """GCJ-02 → WGS84 by fixed-point iteration (error < 1 mm)."""
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(30):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = np.asarray(flon) - glon, np.asarray(flat) - glat
        wlon = wlon - elon
        wlat = wlat - elat
        if np.nanmax(np.abs(elon), initial=0) < tolerance and np.nanmax(np.abs(elat), initial=0) < tolerance:
            break
    return _unwrap(lon, lat, wlon, wlat)


def _cgcs_transformer(inverse: bool):
    from pyproj import Transformer

    src, dst = ("EPSG:4490", "EPSG:4326") if inverse else ("EPSG:4326", "EPSG:4490")
    return Transformer.from_crs(src, dst, always_xy=True)


def wgs84_to_cgcs2000(lon: ArrayLike, lat: ArrayLike):
    """WGS84 → CGCS2000 geographic (EPSG:4490), via PROJ."""
    return _cgcs_transformer(False).transform(lon, lat)


def cgcs2000_to_wgs84(lon: ArrayLike, lat: ArrayLike):
    """CGCS2000 geographic (EPSG:4490) → WGS84, via PROJ."""
    return _cgcs_transformer(True).transform(lon, lat)


def transform_geometry(geom, func):
    """Apply a vectorised ``func(lon_array, lat_array) -> (lon, lat)`` to a shapely geometry."""
    import shapely

    def _apply(coords: np.ndarray) -> np.ndarray:
        if len(coords) == 0:
            return coords
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, _apply)
