"""Users' GIS layers as managed gazetteer sources, stored in the database (both backends).

Contract:

* :func:`add_layer` reads a file (:func:`gazetteer.layerfile.read_layer`) and stores it as one
  layer with its features in **one transaction**: a bad file, a layer name in use or any
  failure raises :class:`~gazetteer.errors.LayerError` (one line) and leaves the database as
  it was.
* :func:`list_layers` and :func:`remove_layer` manage them.
* :func:`placer` is the gazetteer that places projects: the built-in one plus every stored
  layer (loaded once per set of layers and cached in the process).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import shapely
from sqlalchemy import Table, delete, func, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from gazetteer import Gazetteer, UnknownPlace
from gazetteer import precision as P
from gazetteer.errors import LayerError
from gazetteer.layerfile import LayerTable, ReadOptions, file_format, read_layer
from gazetteer.layers import LayerFeatures, LayerIndex, LayerInfo
from gazetteer.osm import OSM_LICENCE
from geoapp.store import data_version
from geoapp.store.database import Database
from geoapp.store.models import GazetteerLayer, GazetteerLayerFeature

__all__ = [
    "AddResult",
    "add_layer",
    "list_layers",
    "remove_layer",
    "placer",
    "layer_index",
    "layer_attributions",
]

_CHUNK = 5000


@dataclass
class AddResult:
    name: str
    features: int
    source_features: int
    crs: str
    seconds: float
    notes: list[str]

    def line(self) -> str:
        extra = "; " + "; ".join(self.notes) if self.notes else ""
        return (
            f"layer {self.name}: {self.features} named features from {self.source_features} in the file "
            f"(CRS {self.crs} → WGS84) in {self.seconds:.1f} s{extra}"
        )


def default_name(path: Path) -> str:
    name = path.name
    for suffix in (".osm.pbf", ".osm", ".pbf", ".zip", ".shp", ".gpkg", ".geojson", ".json", ".fgb", ".csv"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _check_meta(name: str, precision: int, radius_km: float | None, source: str) -> None:
    if not name or len(name) > 100:
        raise LayerError("a layer name must have 1 to 100 characters (--name)")
    if precision not in (P.EXACT, P.NEAR):
        raise LayerError(f"--precision must be 1 (exact) or 2 (near), not {precision}")
    if radius_km is not None and not 0 < radius_km <= 100:
        raise LayerError(f"--radius-km must be between 0 and 100, not {radius_km}")
    if not source.strip():
        raise LayerError("--source must say where the data come from")


def add_layer(
    db: Database,
    gaz: Gazetteer,
    path: Path,
    options: ReadOptions,
    *,
    source: str,
    name: str | None = None,
    licence: str | None = None,
    precision: int = P.EXACT,
    radius_km: float | None = None,
) -> AddResult:
    """Import ``path`` as the layer ``name`` (default: the file name); see the module doc."""
    started = datetime.now(UTC)
    name = (name or default_name(path)).strip()
    _check_meta(name, precision, radius_km, source)
    _require_schema(db)
    with db.session() as session:
        if session.scalar(select(GazetteerLayer.id).where(GazetteerLayer.name == name)) is not None:
            raise LayerError(
                f"a layer named {name!r} exists already: remove it first or choose another --name"
            )
    table = read_layer(path, options)
    codes = _county_codes(gaz, table)
    if licence is None and file_format(path) == "osm":
        licence = OSM_LICENCE
    layer_row = {
        "name": name,
        "source": source.strip(),
        "licence": licence,
        "precision": precision,
        "radius_km": radius_km,
        "crs": table.crs,
        "file_name": path.name,
        "options": {k: v for k, v in vars(options).items() if v not in (None, False)},
        "feature_count": len(table),
        "source_feature_count": table.source_count,
        "imported_at": started,
    }
    try:
        with db.session() as session:
            layer_id = session.execute(
                insert(_table(GazetteerLayer)).returning(GazetteerLayer.id), [layer_row]
            ).scalar_one()
            _insert_features(session, layer_id, table, codes)
            data_version.bump(session)  # exports name the layers' sources
    except IntegrityError:
        raise LayerError(
            f"a layer named {name!r} exists already: remove it first or choose another --name"
        ) from None
    seconds = (datetime.now(UTC) - started).total_seconds()
    return AddResult(name, len(table), table.source_count, table.crs, seconds, table.notes)


def _require_schema(db: Database) -> None:
    if not inspect(db.engine).has_table("gazetteer_layers"):
        from geoapp.errors import DatabaseError

        raise DatabaseError("the database has no layer tables: run `geoapp db init` first")


def _county_codes(gaz: Gazetteer, table: LayerTable) -> list[str | None]:
    """The ``--county-field`` values as adcodes (None where the file gave none)."""
    known: dict[str, str] = {}
    out: list[str | None] = []
    for value in table.counties:
        if not value:
            out.append(None)
            continue
        if value not in known:
            try:
                entry = gaz.county(value)
            except UnknownPlace:
                raise LayerError(f"unknown county {value!r} in the county field") from None
            known[value] = entry.code
        out.append(known[value])
    return out


def _table(model: Any) -> Table:
    """A model's Core table (typed: ``__table__`` is declared as the wider ``FromClause``)."""
    return cast(Table, model.__table__)


def _insert_features(session, layer_id: int, table: LayerTable, codes: list[str | None]) -> None:
    wkt = shapely.to_wkt(table.geometries, rounding_precision=7, trim=True)
    stmt = insert(_table(GazetteerLayerFeature))
    for start in range(0, len(table), _CHUNK):
        end = min(start + _CHUNK, len(table))
        rows = [
            {
                "layer_id": layer_id,
                "name": table.names[i][:300],
                "aliases": "|".join(table.aliases[i]) or None,
                "subtype": table.subtypes[i][:60] or None,
                "location_class": table.classes[i],
                "county_codes": codes[i],
                "geom": f"SRID=4326;{wkt[i]}",
            }
            for i in range(start, end)
        ]
        session.execute(stmt, rows)


# --------------------------------------------------------------------------- list, remove
def list_layers(db: Database) -> list[GazetteerLayer]:
    _require_schema(db)
    with db.session() as session:
        return list(session.scalars(select(GazetteerLayer).order_by(GazetteerLayer.name)))


def remove_layer(db: Database, name: str) -> int:
    """Delete the layer ``name`` and its features; the number of features removed."""
    _require_schema(db)
    with db.session() as session:
        layer = session.scalar(select(GazetteerLayer).where(GazetteerLayer.name == name))
        if layer is None:
            names = (
                ", ".join(session.scalars(select(GazetteerLayer.name).order_by(GazetteerLayer.name)))
                or "none"
            )
            raise LayerError(f"no layer named {name!r} (layers: {names})")
        deleted = session.execute(
            delete(GazetteerLayerFeature).where(GazetteerLayerFeature.layer_id == layer.id)
        )
        n = deleted.rowcount  # type: ignore[attr-defined]  # a DML result (CursorResult) has it
        session.delete(layer)
        data_version.bump(session)
    return n


def layer_attributions(session) -> list[str]:
    """ "source (layer name; licence)" of every stored layer, for exports' attribution."""
    if not inspect(session.get_bind()).has_table("gazetteer_layers"):
        return []
    rows = session.execute(
        select(GazetteerLayer.name, GazetteerLayer.source, GazetteerLayer.licence).order_by(
            GazetteerLayer.name
        )
    )
    return [LayerInfo(name, source, licence or "").attribution for name, source, licence in rows]


# --------------------------------------------------------------------------- the placing gazetteer
_cache: dict[str, tuple[tuple, LayerIndex | None]] = {}
_lock = threading.Lock()


def _fingerprint(session) -> tuple:
    rows = session.execute(select(GazetteerLayer.id, GazetteerLayer.imported_at).order_by(GazetteerLayer.id))
    return tuple((i, str(t)) for i, t in rows)


_HAS_TABLES: set[str] = set()


def _has_layer_tables(db: Database) -> bool:
    # Reflection costs several queries; once the tables exist they stay (migrations only
    # add), so a database URL seen with them is not asked again (the geocoder asks per request).
    if db.url not in _HAS_TABLES and inspect(db.engine).has_table("gazetteer_layers"):
        _HAS_TABLES.add(db.url)
    return db.url in _HAS_TABLES


def layer_index(db: Database, gaz: Gazetteer) -> LayerIndex | None:
    """Every stored layer as one index (None when there are none, or no layer tables)."""
    if not _has_layer_tables(db):
        return None
    with db.session() as session:
        # a weak reference: equal while it is the same live gazetteer, never after a rebuild
        key = (weakref.ref(gaz), _fingerprint(session))
        with _lock:
            cached = _cache.get(db.url)
            if cached is not None and cached[0] == key:
                return cached[1]
        layers = _load(session) if key[1] else []
    index = LayerIndex(layers, counties=_counties_of(gaz), skip=gaz.layer_skip_keys()) if layers else None
    with _lock:
        _cache[db.url] = (key, index)
    return index


def placer(db: Database, gaz: Gazetteer) -> Gazetteer:
    """The gazetteer that places projects: built-in entries plus the stored layers."""
    return gaz.with_layers(layer_index(db, gaz))


def _counties_of(gaz: Gazetteer):
    def counties(geom) -> tuple[str, ...]:
        if geom.geom_type == "Point":
            c = gaz.county_at(geom.x, geom.y)
            return (c.code,) if c else ()
        return tuple(c.code for c in gaz.counties_along(geom))

    return counties


def _load(session) -> list[LayerFeatures]:
    layers = {}
    for row in session.scalars(select(GazetteerLayer).order_by(GazetteerLayer.id)):
        info = LayerInfo(row.name, row.source, row.licence or "", row.precision, row.radius_km, row.crs)
        layers[row.id] = LayerFeatures(info)
    f = GazetteerLayerFeature
    query = select(
        f.layer_id,
        f.id,
        f.name,
        f.aliases,
        f.subtype,
        f.location_class,
        f.county_codes,
        func.ST_AsBinary(f.geom),
    ).order_by(f.layer_id, f.id)
    for layer_id, fid, name, aliases, subtype, klass, codes, wkb in session.execute(query):
        layer = layers[layer_id]
        layer.fids.append(fid)
        layer.names.append(name)
        layer.aliases.append(tuple(aliases.split("|")) if aliases else ())
        layer.subtypes.append(subtype or "")
        layer.classes.append(klass)
        layer.county_codes.append(tuple(codes.split("|")) if codes else ())
        layer.wkb.append(bytes(wkb))
    return list(layers.values())
