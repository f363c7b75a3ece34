"""What a report map is made of, and the frame it is drawn in.

Every map is drawn in the CGCS2000 3-degree Gauss–Krüger zone whose central
meridian is nearest the view's centre, so distances on the map are true metres
(scale factor 1 on the central meridian, < 0.15 % off at the zone edge) and
the scale bar can be trusted. The gazetteer is indexed once per loaded instance
(:class:`BaseIndex`) and projected outlines are cached per zone, so a warm request
projects only the project geometries. :class:`MapContent` (with its :class:`Mark`
and :class:`CountyShape` items) is what :mod:`geoapp.maps.content` builds and
:mod:`geoapp.maps.draw` draws.

>>> gk_zone(108.03)   # 忠县
(4545, 108)
>>> gk_zone(106.05)   # 铜梁区
(4544, 105)
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass, field
from functools import cache, cached_property

import shapely
from pyproj import Transformer
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from gazetteer import Gazetteer
from gazetteer import precision as P
from gazetteer.model import Entry

__all__ = [
    "MapContent",
    "Mark",
    "CountyShape",
    "gk_zone",
    "to_metres",
    "to_lonlat",
    "view_polygon_lonlat",
    "BaseIndex",
    "base_index",
    "simplify_tolerance",
]

#: EPSG:4534 is "CGCS2000 / 3-degree Gauss-Kruger CM 75E"; the zones follow every 3° to 4554 (CM 135E).
_FIRST_EPSG, _FIRST_CM, _LAST_CM = 4534, 75, 135


def gk_zone(lon: float) -> tuple[int, int]:
    """``(EPSG code, central meridian)`` of the 3-degree zone nearest ``lon``."""
    cm = min(max(int(round(lon / 3.0)) * 3, _FIRST_CM), _LAST_CM)
    return _FIRST_EPSG + (cm - _FIRST_CM) // 3, cm


@cache
def _forward(epsg: int) -> Transformer:
    # CGCS2000 and WGS84 agree to a few centimetres: no datum shift is needed or applied.
    return Transformer.from_crs(4326, epsg, always_xy=True)


@cache
def _inverse(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, 4326, always_xy=True)


def to_metres(geom: BaseGeometry, epsg: int) -> BaseGeometry:
    """A WGS84 geometry in the Gauss–Krüger zone ``epsg``."""
    return shapely.transform(geom, _forward(epsg).transform, interleaved=False)


def to_lonlat(geom: BaseGeometry, epsg: int) -> BaseGeometry:
    return shapely.transform(geom, _inverse(epsg).transform, interleaved=False)


def simplify_tolerance(view_width_m: float) -> float:
    """Simplification for outlines: about a third of a pixel of a 3000-px map,
    rounded to a power of two so nearby views share the cache."""
    raw = max(view_width_m / 9000.0, 20.0)
    return float(2 ** round(math.log2(raw)))


@dataclass
class BaseIndex:
    """The gazetteer's counties, towns and rivers, with a spatial index and a projection cache."""

    counties: list[Entry]
    rivers: list[Entry]
    towns_by_county: dict[str, list[Entry]]
    tree: STRtree
    _projected: dict[tuple[str, int, float], BaseGeometry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def counties_in(self, view_lonlat: BaseGeometry) -> list[Entry]:
        """Counties meeting a WGS84 area, in adcode order (stable drawing order)."""
        hits = self.tree.query(view_lonlat, predicate="intersects")
        return sorted((self.counties[int(i)] for i in hits), key=lambda e: e.code)

    @cached_property
    def _by_code(self) -> dict[str, Entry]:
        return {c.code: c for c in self.counties}

    def county(self, code: str) -> Entry | None:
        return self._by_code.get(code)

    def rivers_in(self, view_lonlat: BaseGeometry) -> list[Entry]:
        return [r for r in self.rivers if r.geometry.intersects(view_lonlat)]

    def projected(self, entry: Entry, epsg: int, tolerance: float) -> BaseGeometry:
        """``entry``'s geometry in metres, simplified to ``tolerance`` (cached)."""
        key = (entry.id, epsg, tolerance)
        geom = self._projected.get(key)
        if geom is None:
            geom = to_metres(entry.geometry, epsg)
            if geom.geom_type in ("Polygon", "MultiPolygon"):
                geom = shapely.make_valid(shapely.simplify(geom, tolerance, preserve_topology=True))
            with self._lock:
                self._projected[key] = geom
        return geom


_indexes: weakref.WeakKeyDictionary[Gazetteer, BaseIndex] = weakref.WeakKeyDictionary()
_index_lock = threading.Lock()


def base_index(gazetteer: Gazetteer) -> BaseIndex:
    """The (cached) :class:`BaseIndex` of a loaded gazetteer."""
    with _index_lock:
        index = _indexes.get(gazetteer)
        if index is None:
            counties = [e for e in gazetteer.entries if e.kind == "county"]
            towns: dict[str, list[Entry]] = {}
            for e in gazetteer.entries:
                if e.kind == "township" and e.county_code:
                    towns.setdefault(e.county_code, []).append(e)
            for entries in towns.values():
                entries.sort(key=lambda e: e.code or e.id)
            rivers = sorted(
                (e for e in gazetteer.entries if e.kind == "line" and e.subtype == "river"),
                key=lambda e: e.id,
            )
            index = BaseIndex(counties, rivers, towns, STRtree([c.geometry for c in counties]))
            _indexes[gazetteer] = index
        return index


def view_polygon_lonlat(bounds: tuple[float, float, float, float], epsg: int) -> BaseGeometry:
    """The WGS84 outline of a projected view rectangle (edges densified: they curve in lon/lat)."""
    rect = shapely.segmentize(box(*bounds), max((bounds[2] - bounds[0]) / 16, 1.0))
    return to_lonlat(rect, epsg)


# ----------------------------------------------------------------------------- what is drawn
@dataclass
class Mark:
    """One drawn project, in metres."""

    id: int
    name: str
    category: str
    subtype: str
    status: str
    precision: int
    kind: str  # point | line | area
    geom: BaseGeometry
    anchor: tuple[float, float]
    investment: float | None = None
    #: a person corrected it: drawn with a frame of its own, and a legend row
    corrected: bool = False

    @property
    def estimated(self) -> bool:
        return self.precision == P.ESTIMATED


@dataclass
class CountyShape:
    code: str
    name: str
    geom: BaseGeometry
    focus: bool
    label_at: tuple[float, float]
    #: projects of this county located only to the county (precision 3)
    county_level: int = 0


@dataclass
class MapContent:
    bounds: tuple[float, float, float, float]
    epsg: int
    central_meridian: int
    #: angle of true north from grid north (radians, positive = east of grid north)
    north_angle: float
    counties: list[CountyShape]
    towns: list[tuple[str, float, float]]
    rivers: list[tuple[str, BaseGeometry]]
    marks: list[Mark]
    title: str
    subtitle: str
    notes: list[str]
    footer: list[str]
    corridor: tuple[str, BaseGeometry, BaseGeometry] | None = None
    empty_note: str | None = None
    labels: bool = True
