"""The values of a correction, checked before anything is written: the vocabulary (categories,
subtypes, statuses), IATI precision codes, names of sane length, a valid GeoJSON geometry inside
China, and a required comment (why the change was made).

>>> validate_changes({"status": "built", "name": " 新生港二期 "})
{'status': 'built', 'name': '新生港二期'}
>>> validate_changes({"status": "finished"})
Traceback (most recent call last):
geoapp.errors.InvalidParameter: status must be one of built, under_construction, planned, mentioned
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import shape

from gazetteer.precision import PRECISION
from geoapp.catalog.style import CATEGORIES, STATUSES, SUBTYPES
from geoapp.errors import InvalidParameter
from geoapp.store.corrections import FIELDS, MERGE_FIELDS

__all__ = ["validate_changes", "require_comment", "CHINA_BOUNDS", "MAX_COMMENT", "MAX_TEXT"]

_JSON = {"Content-Type": "application/json; charset=utf-8"}
#: lon/lat box a corrected geometry must lie in (China with its islands, generously)
CHINA_BOUNDS = (73.0, 3.0, 135.5, 54.0)
_GEOMETRY_TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")
MAX_COMMENT = 2000
MAX_TEXT = 300


def validate_changes(changes: Any, *, merge: bool = False, empty: bool = False) -> dict[str, Any]:
    """The changes of a correction, checked: a dict of editable fields and sound values
    (``merge``: also the fields only a merge sets; ``empty``: none at all, as the kept side of a
    split may have)."""
    if not isinstance(changes, dict) or not (changes or empty):
        raise InvalidParameter("changes must be an object with at least one field")
    unknown = sorted(
        (set(changes) - set(FIELDS)) | (set(changes) & set(MERGE_FIELDS) if not merge else set())
    )
    if unknown:
        raise InvalidParameter(f"these fields cannot be corrected: {', '.join(unknown)[:200]}")
    out: dict[str, Any] = {}
    for name, value in changes.items():
        out[name] = _check(name, value)
    if "geometry" in out and "precision" not in out:
        out["precision"] = 1  # a person placing it on the map places it exactly
    return out


def _check(name: str, value: Any) -> Any:
    allowed = {"category": CATEGORIES, "subtype": SUBTYPES, "status": STATUSES}
    if name in allowed:
        if value not in allowed[name]:
            raise InvalidParameter(f"{name} must be one of {', '.join(allowed[name])}")
        return value
    if name in ("name", "location_note"):
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
            raise InvalidParameter(f"{name} must be text of 1–{MAX_TEXT} characters")
        return value.strip()
    if name == "aliases":
        if not isinstance(value, list) or not all(
            isinstance(a, str) and 0 < len(a) <= MAX_TEXT for a in value
        ):
            raise InvalidParameter("aliases must be a list of names")
        return list(dict.fromkeys(a.strip() for a in value if a.strip()))
    if name in MERGE_FIELDS:
        if not isinstance(value, str) or not 0 < len(value) <= MAX_TEXT:
            raise InvalidParameter(f"{name} must be a project key")
        return value
    if name == "rejected":
        if not isinstance(value, bool):
            raise InvalidParameter("rejected must be true (not a project) or false")
        return value
    if name == "precision":
        if not isinstance(value, int) or isinstance(value, bool) or value not in PRECISION:
            raise InvalidParameter(f"precision must be an IATI code: {', '.join(map(str, PRECISION))}")
        return value
    return _check_geometry(value)


def _check_geometry(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get("type") not in _GEOMETRY_TYPES:
        raise InvalidParameter(f"geometry must be GeoJSON: one of {', '.join(_GEOMETRY_TYPES)}")
    try:
        geom = shape(value)
    except Exception:  # shapely says a great many things about broken coordinates
        raise InvalidParameter("geometry is not valid GeoJSON (coordinates)") from None
    if geom.is_empty:
        raise InvalidParameter("geometry is empty")
    if not geom.is_valid:
        raise InvalidParameter(f"geometry is not valid: {shapely.is_valid_reason(geom)[:120]}")
    minx, miny, maxx, maxy = geom.bounds
    w, s, e, n = CHINA_BOUNDS
    if minx < w or miny < s or maxx > e or maxy > n:
        raise InvalidParameter("geometry lies outside China (WGS84 longitude, latitude expected)")
    return shapely.geometry.mapping(geom)


def require_comment(body: dict[str, Any]) -> str:
    comment = body.get("comment")
    if not isinstance(comment, str) or not comment.strip():
        raise InvalidParameter("comment is required: say why (a source, a site visit …)")
    if len(comment) > MAX_COMMENT:
        raise InvalidParameter(f"comment is longer than {MAX_COMMENT} characters")
    return comment.strip()
