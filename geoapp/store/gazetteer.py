"""The service's view of the gazetteer: one loaded instance per cache file, and
the copy of its entries kept in the ``places`` table for queries and exports."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from gazetteer import Gazetteer
from geoapp.store.models import Meta, Place

__all__ = ["get_gazetteer", "sync_places", "PLACE_KINDS"]

#: entry kinds copied to the places table (GeoNames villages stay in the gazetteer only
#: when they are outside Chongqing, to keep the table about the region served)
PLACE_KINDS = ("province", "city", "county", "township", "locality", "feature", "line")

_cache: dict[str, Gazetteer] = {}
_lock = threading.Lock()


def get_gazetteer(path: str | Path) -> Gazetteer:
    """The loaded gazetteer for ``path`` (built on first use if needed)."""
    key = str(path)
    with _lock:
        if key not in _cache:
            _cache[key] = Gazetteer.load(path)
        return _cache[key]


def sync_places(session: Session, gazetteer: Gazetteer, *, force: bool = False) -> int:
    """Copy the gazetteer's entries into ``places`` unless this build is already there.

    Returns the number of rows written (0 when already current).
    """
    build_key = gazetteer.data.meta.get("cache_key", "")
    stored = session.get(Meta, "gazetteer_key")
    if stored is not None and stored.value == build_key and not force:
        return 0
    session.execute(delete(Place))
    rows = []
    for e in gazetteer.entries:
        if e.kind not in PLACE_KINDS:
            continue
        if e.kind == "locality" and not e.admin_path.startswith("重庆市"):
            continue
        rows.append(
            {
                "id": e.id,
                "name": e.name,
                "kind": e.kind,
                "subtype": e.subtype or None,
                "code": e.code or None,
                "county_code": e.county_code or None,
                "admin_path": e.admin_path or None,
                "aliases": list(e.aliases),
                "precision": e.precision,
                "location_class": e.location_class,
                "radius_km": e.radius_km,
                "source": e.source,
                "geom": f"SRID=4326;{e.geometry.wkt}",
            }
        )
    for start in range(0, len(rows), 500):
        session.execute(insert(Place), rows[start : start + 500])
    if stored is None:
        session.add(Meta(key="gazetteer_key", value=build_key))
    else:
        stored.value = build_key
    return len(rows)
