"""The gazetteer's two value types: :class:`Entry` (a known place) and :class:`Match`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from gazetteer.precision import describe

__all__ = ["Entry", "Match", "KINDS", "geojson_text", "cached_geojson"]


def _footprint(geometry: BaseGeometry) -> str:
    kind = geometry.geom_type
    return "point" if kind == "Point" else "line" if "LineString" in kind else "area"


def geojson_text(geometry: BaseGeometry) -> str:
    """GeoJSON of a geometry, written by GEOS, coordinates rounded to 7 decimals (≈ 1 cm)."""
    return shapely.to_geojson(shapely.transform(geometry, lambda c: np.round(c, 7)))


#: geometry object id → (the geometry, its GeoJSON). Entries share geometries (every township
#: without a point has its county's outline), so the text is written once per object, on
#: demand — resolving a name for ingestion never needs it.
_GEOJSON: dict[int, tuple[BaseGeometry, str]] = {}
_GEOJSON_MAX = 20_000


def cached_geojson(geometry: BaseGeometry) -> str:
    """:func:`geojson_text`, remembered for the same geometry object."""
    hit = _GEOJSON.get(id(geometry))
    if hit is not None and hit[0] is geometry:  # the object held here: its id cannot be reused
        return hit[1]
    text = geojson_text(geometry)
    if len(_GEOJSON) >= _GEOJSON_MAX:
        _GEOJSON.clear()
    _GEOJSON[id(geometry)] = (geometry, text)
    return text


#: Entry kinds, from largest to smallest administrative level, then non-administrative.
KINDS = ("country", "province", "city", "county", "township", "locality", "feature", "line")


@dataclass
class Entry:
    """One place the gazetteer knows.

    ``geometry`` is WGS84; ``point`` is a representative point (the seat of a
    county, the town point, a line's midpoint). ``precision`` is the IATI code of
    the geometry *as a location of this entry*; ``radius_km`` the uncertainty.
    """

    id: str
    name: str
    kind: str
    geometry: BaseGeometry
    point: tuple[float, float]
    precision: int
    location_class: int
    source: str
    short: str = ""
    aliases: tuple[str, ...] = ()
    subtype: str = ""
    code: str = ""
    county_code: str = ""
    county_codes: tuple[str, ...] = ()
    admin: tuple[str, ...] = ()
    radius_km: float | None = None
    anchor: str = ""
    waypoints: tuple[str, ...] = ()
    note: str = ""
    #: what the geometry stands for: "point" (the place), "extent" (a point standing for an
    #: area of ``radius_km``), "line" or "area" (the outline itself)
    footprint: str = ""
    #: a lighter outline of an administrative unit (~200 m), for display and for
    #: what lines cross; ``geometry`` keeps the detail point-in-polygon tests need
    outline: BaseGeometry | None = None

    @property
    def admin_path(self) -> str:
        return "/".join(part for part in self.admin if part)

    @property
    def display_geometry(self) -> BaseGeometry:
        return self.outline if self.outline is not None else self.geometry

    @property
    def point_geometry(self) -> BaseGeometry:
        return shapely.Point(self.point)


@dataclass
class Match:
    """A geocoding result: a geometry with an honest precision and where it came from.

    ``estimated`` is true when the geometry is not the place itself but derived
    from it (a line drawn through waypoints, a county standing in for a facility).
    """

    query: str
    matched_name: str
    geometry: BaseGeometry
    precision: int
    location_class: int
    score: float
    source: str
    kind: str
    gazetteer_id: str
    entry_ids: tuple[str, ...] = ()
    admin: tuple[str, ...] = ()
    county_codes: tuple[str, ...] = ()
    subtype: str = ""
    radius_km: float | None = None
    estimated: bool = False
    method: str = "exact"
    note: str = ""
    ambiguous_with: tuple[str, ...] = ()
    parts: list[dict[str, Any]] = field(default_factory=list)
    #: point / extent / line / area: what the geometry stands for (see Entry.footprint)
    footprint: str = ""
    #: the geometry as GeoJSON text, when already known (else written on demand, see
    #: :func:`cached_geojson`)
    geometry_json: str | None = field(default=None, repr=False)

    @property
    def admin_path(self) -> str:
        return "/".join(part for part in self.admin if part)

    def properties(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "matched_name": self.matched_name,
            "gazetteer_id": self.gazetteer_id,
            "entry_ids": list(self.entry_ids),
            "kind": self.kind,
            "subtype": self.subtype,
            "precision": self.precision,
            "precision_text": describe(self.precision, "zh"),
            "precision_text_en": describe(self.precision, "en"),
            "location_class": self.location_class,
            "estimated": self.estimated,
            "radius_km": self.radius_km,
            "geometry_kind": self.footprint or _footprint(self.geometry),
            "admin": self.admin_path,
            "county_codes": list(self.county_codes),
            "source": self.source,
            "confidence": round(self.score, 3),
            "method": self.method,
            "note": self.note,
            "ambiguous_with": list(self.ambiguous_with),
            "waypoints": self.parts,
        }

    def to_feature(self) -> dict[str, Any]:
        """This match as a GeoJSON Feature (WGS84)."""
        return json.loads(self.to_feature_json())

    def to_feature_json(self) -> str:
        """The GeoJSON Feature as text; the geometry is written by GEOS (fast for outlines)."""
        props = json.dumps(self.properties(), ensure_ascii=False, separators=(",", ":"))
        geometry = self.geometry_json or cached_geojson(self.geometry)
        return f'{{"type":"Feature","geometry":{geometry},"properties":{props}}}'
