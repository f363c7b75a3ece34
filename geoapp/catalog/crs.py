"""The coordinate reference systems the feature API and the downloads offer.

Storage is CRS84 (WGS 84 longitude/latitude). On the way out, geometries can be
given in:

===========  ==================================================  ===========
key          what                                                axis order
===========  ==================================================  ===========
CRS84        WGS 84 lon/lat (the default, OGC:CRS84)             lon, lat
EPSG:4326    WGS 84 as EPSG defines it                           lat, lon
EPSG:4490    CGCS2000 geographic (China's national datum)        lat, lon
EPSG:4544    CGCS2000 / 3-degree Gauss–Krüger CM 105°E (metres)  north, east
EPSG:4545    CGCS2000 / 3-degree Gauss–Krüger CM 108°E (metres)  north, east
gcj02        GCJ-02, the offset datum of Amap/Tencent web maps   lon, lat
===========  ==================================================  ===========

OGC API – Features Part 2 requires coordinates in the axis order the CRS
defines, so ``crs=EPSG:4326`` answers latitude first. Files (GeoPackage,
Shapefile, …) always use the traditional GIS order (east/longitude first),
which is what GDAL and QGIS expect in files; :func:`transformer` takes the order.

GCJ-02 is not an EPSG CRS and not part of any standard: it is offered as a
clearly labelled extension (``crs=gcj02``) for web developers who draw on
Chinese basemaps (see :mod:`gazetteer.datum`).

>>> parse_crs("http://www.opengis.net/def/crs/EPSG/0/4326").key
'EPSG:4326'
>>> parse_crs("[EPSG:4545]").swap_xy
True
>>> bbox_to_crs84((30.0, 107.0, 31.0, 108.0), parse_crs("EPSG:4326"))
(107.0, 30.0, 108.0, 31.0)
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely

from geoapp.errors import InvalidParameter

__all__ = [
    "OutputCrs",
    "CRS84",
    "CRS84_URI",
    "GCJ02_URI",
    "REGISTRY",
    "STANDARD_URIS",
    "parse_crs",
    "content_crs",
    "transformer",
    "transform_geometries",
    "bbox_to_crs84",
    "geometry_to_crs84",
]

CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#: not a registered URI: GCJ-02 has none (it is an obfuscation, not a datum)
GCJ02_URI = "urn:x-geoapp:crs:gcj02"
_EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"


@dataclass(frozen=True)
class OutputCrs:
    key: str
    uri: str
    title: str
    #: EPSG code for PostGIS ST_Transform and GDAL (None: CRS84 itself, or GCJ-02)
    epsg: int | None
    #: True when the CRS's own first axis is north (latitude or northing)
    swap_xy: bool
    projected: bool
    standard: bool
    #: decimals written: 7 for degrees (≈1 cm), 3 for metres (1 mm)
    digits: int

    @property
    def pyproj_id(self) -> str:
        return "OGC:CRS84" if self.epsg is None else f"EPSG:{self.epsg}"


CRS84 = OutputCrs("CRS84", CRS84_URI, "WGS 84 经纬度 (CRS84, lon/lat)", None, False, False, True, 7)
REGISTRY: dict[str, OutputCrs] = {
    c.key: c
    for c in (
        CRS84,
        OutputCrs(
            "EPSG:4326", _EPSG_URI.format(4326), "WGS 84 (EPSG:4326, lat/lon)", 4326, True, False, True, 7
        ),
        OutputCrs(
            "EPSG:4490",
            _EPSG_URI.format(4490),
            "CGCS2000 大地坐标 (EPSG:4490, lat/lon)",
            4490,
            True,
            False,
            True,
            7,
        ),
        OutputCrs(
            "EPSG:4544",
            _EPSG_URI.format(4544),
            "CGCS2000 3度带高斯-克吕格 中央经线105°E (EPSG:4544, 米, north/east)",
            4544,
            True,
            True,
            True,
            3,
        ),
        OutputCrs(
            "EPSG:4545",
            _EPSG_URI.format(4545),
            "CGCS2000 3度带高斯-克吕格 中央经线108°E (EPSG:4545, 米, north/east)",
            4545,
            True,
            True,
            True,
            3,
        ),
        OutputCrs(
            "gcj02",
            GCJ02_URI,
            "GCJ-02 火星坐标 (非标准扩展: 高德/腾讯底图用, lon/lat)",
            None,
            False,
            False,
            False,
            7,
        ),
    )
}
#: the URIs a collection lists in its ``crs`` member (GCJ-02 is not a CRS URI)
STANDARD_URIS = tuple(c.uri for c in REGISTRY.values() if c.standard)

_URI = re.compile(r"^https?://www\.opengis\.net/def/crs/(OGC|EPSG)/[0-9.]+/(\w+)$", re.IGNORECASE)
_URN = re.compile(r"^urn:ogc:def:crs:(OGC|EPSG):[0-9.]*:(\w+)$", re.IGNORECASE)
_SHORT = re.compile(r"^\[?(OGC|EPSG):(\w+)\]?$", re.IGNORECASE)


def parse_crs(value: str | None, *, name: str = "crs") -> OutputCrs:
    """The :class:`OutputCrs` for a URI, URN, ``[EPSG:n]``, ``EPSG:n``, ``CRS84`` or ``gcj02``.

    Unknown or unsupported values raise :class:`InvalidParameter` naming ``name``.
    """
    if value is None or not value.strip():
        return CRS84
    raw = value.strip()
    low = raw.lower()
    if low in ("gcj02", "gcj-02", GCJ02_URI):
        return REGISTRY["gcj02"]
    if low in ("crs84", "wgs84"):
        return CRS84
    match = _URI.match(raw) or _URN.match(raw) or _SHORT.match(raw)
    if match:
        authority, code = match.group(1).upper(), match.group(2).upper()
        key = "CRS84" if authority == "OGC" and code == "CRS84" else f"{authority}:{code}"
        if key in REGISTRY:
            return REGISTRY[key]
    supported = ", ".join(c.uri for c in REGISTRY.values() if c.standard)
    raise InvalidParameter(f"{name}={raw[:100]!r} is not supported; use one of {supported} (or gcj02)")


def content_crs(crs: OutputCrs) -> str:
    """The ``Content-Crs`` header value: the URI in angle brackets."""
    return f"<{crs.uri}>"


# pyproj transformers are costly to create and not meant to be shared between
# threads, so each thread keeps its own.
_local = threading.local()

Coords = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def transformer(crs: OutputCrs, *, inverse: bool = False, gis_order: bool = False) -> Coords:
    """A vectorised ``f(x, y) -> (x, y)`` from CRS84 to ``crs`` (or back with ``inverse``).

    Coordinates on the ``crs`` side are in its own axis order unless ``gis_order``
    (east/longitude first, as files use). CRS84 is always lon, lat.
    """
    key = (crs.key, crs.swap_xy, inverse, gis_order)
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    if key not in cache:
        cache[key] = _make_transformer(crs, inverse, gis_order)
    return cache[key]


def _make_transformer(crs: OutputCrs, inverse: bool, gis_order: bool) -> Coords:
    swap = crs.swap_xy and not gis_order
    if crs.key == "CRS84":
        return lambda x, y: (x, y)
    if crs.key == "gcj02":
        from gazetteer.datum import gcj02_to_wgs84, wgs84_to_gcj02

        convert = gcj02_to_wgs84 if inverse else wgs84_to_gcj02

        def shifted(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            lon, lat = convert(x, y)
            return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

        return shifted
    from pyproj import Transformer

    if inverse:
        t = Transformer.from_crs(crs.pyproj_id, "OGC:CRS84", always_xy=True)
        return lambda x, y: t.transform(y, x) if swap else t.transform(x, y)
    t = Transformer.from_crs("OGC:CRS84", crs.pyproj_id, always_xy=True)

    def forward(x, y):
        ox, oy = t.transform(x, y)
        return (oy, ox) if swap else (ox, oy)

    return forward


def transform_geometries(geoms: np.ndarray, crs: OutputCrs, *, gis_order: bool = False) -> np.ndarray:
    """CRS84 shapely geometries → ``crs``, rounded to its precision (all at once, vectorised)."""
    if crs.key == "CRS84":
        f = None
    else:
        f = transformer(crs, gis_order=gis_order)

    def apply(coords: np.ndarray) -> np.ndarray:
        if len(coords) == 0:
            return coords
        if f is not None:
            x, y = f(coords[:, 0], coords[:, 1])
            coords = np.column_stack([x, y])
        return np.round(coords, crs.digits)

    return shapely.transform(geoms, apply)


def _check_geographic(values: tuple[float, ...], crs: OutputCrs, name: str) -> None:
    if crs.projected:
        return
    lat_first = crs.swap_xy
    lons = values[1::2] if lat_first else values[0::2]
    lats = values[0::2] if lat_first else values[1::2]
    if any(not -90 <= v <= 90 for v in lats) or any(not -180 <= v <= 180 for v in lons):
        order = "lat,lon" if lat_first else "lon,lat"
        raise InvalidParameter(f"{name} is outside -180..180 / -90..90 (axis order {order} for {crs.key})")


def bbox_to_crs84(
    bbox: tuple[float, ...], crs: OutputCrs, *, name: str = "bbox"
) -> tuple[float, float, float, float]:
    """A bbox given in ``crs`` (its axis order) → the CRS84 envelope covering it.

    Edges are densified before transforming, since a straight edge in a
    projected CRS is curved in degrees.
    """
    if len(bbox) != 4 or not all(math.isfinite(v) for v in bbox):
        raise InvalidParameter(f"{name} must be 4 finite numbers")
    _check_geographic(bbox, crs, name)
    a1, a2, b1, b2 = bbox
    if a1 > b1 or a2 > b2:
        raise InvalidParameter(
            f"{name} lower corner is above or right of its upper corner "
            "(boxes crossing the antimeridian are not supported)"
        )
    if crs.key == "CRS84":
        return (a1, a2, b1, b2)
    n = 21
    t = np.linspace(0.0, 1.0, n)
    xs = np.concatenate([a1 + (b1 - a1) * t, np.full(n, b1), b1 - (b1 - a1) * t, np.full(n, a1)])
    ys = np.concatenate([np.full(n, a2), a2 + (b2 - a2) * t, np.full(n, b2), b2 - (b2 - a2) * t])
    lon, lat = transformer(crs, inverse=True)(xs, ys)
    lon, lat = np.asarray(lon), np.asarray(lat)
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))):
        raise InvalidParameter(
            f"{name} cannot be transformed from {crs.key} to CRS84 (outside its area of use?)"
        )
    box = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
    if not (-180 <= box[0] <= box[2] <= 180 and -90 <= box[1] <= box[3] <= 90):
        raise InvalidParameter(f"{name} lies outside the world once transformed from {crs.key}")
    return box


def geometry_to_crs84(geom, crs: OutputCrs):
    """A shapely geometry given in ``crs`` (its axis order) → CRS84."""
    if crs.key == "CRS84":
        return geom
    f = transformer(crs, inverse=True)

    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = f(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    out = shapely.transform(geom, apply)
    if not np.all(np.isfinite(shapely.get_coordinates(out))):
        raise InvalidParameter(f"a geometry in the filter cannot be transformed from {crs.key} to CRS84")
    return out
