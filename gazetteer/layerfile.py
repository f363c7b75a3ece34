"""Reading a user's GIS layer into named WGS84 features (no database here).

Contract: :func:`read_layer` takes a file (GeoPackage, Shapefile as ``.shp``, ``.zip`` or
folder, GeoJSON, FlatGeobuf, CSV with lon/lat or WKT columns, OpenStreetMap ``.osm`` /
``.osm.pbf``) and returns a :class:`LayerTable`: one name, aliases, subtype and location
class per feature, and shapely geometries in WGS84 (EPSG:4326). Every file is read through
GDAL (pyogrio); OpenStreetMap through GDAL's OSM driver (see :mod:`gazetteer.osm`).

It either returns a complete, valid table or raises :class:`~gazetteer.errors.LayerError`
with one line saying what is wrong: missing or empty names, empty or invalid geometries,
an unknown or missing CRS, coordinates outside China, a file GDAL cannot read.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from gazetteer.datum import gcj02_to_wgs84, in_china
from gazetteer.errors import LayerError

__all__ = [
    "LayerTable",
    "ReadOptions",
    "read_layer",
    "read_rows",
    "file_format",
    "merge_lines",
    "split_aliases",
]

#: pieces of a line with one name closer than this (degrees, ~2 km) are one line
_LINE_GAP_DEG = 0.02

#: column names a CSV's coordinates may have (GDAL CSV driver open options)
_CSV_X = ("lon", "lng", "longitude", "x", "经度", "LON", "LNG", "X")
_CSV_Y = ("lat", "latitude", "y", "纬度", "LAT", "Y")
_CSV_WKT = ("wkt", "WKT", "geometry", "geom", "the_geom")


@dataclass
class ReadOptions:
    """How to read a layer: which fields hold what, and the file's coordinate system."""

    name_field: str | None = None
    layer: str | None = None
    alias_field: str | None = None
    kind_field: str | None = None
    kind: str | None = None
    county_field: str | None = None
    crs: str | None = None
    datum: str | None = None
    encoding: str | None = None
    skip_unnamed: bool = False


@dataclass
class LayerTable:
    """Named features of one layer, WGS84, ready to index."""

    names: list[str]
    aliases: list[tuple[str, ...]]
    subtypes: list[str]
    classes: list[int]
    geometries: np.ndarray
    #: the county each feature is in as the file says (``--county-field``), else empty
    counties: list[str]
    #: the file's coordinate system as understood (``EPSG:4490``, ``GCJ-02`` …)
    crs: str
    #: features in the file before unnamed/unmapped ones were left out
    source_count: int
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.names)


def file_format(path: Path) -> str:
    """``osm``, ``csv``, ``shapefile`` or ``ogr`` (anything else GDAL opens)."""
    name = path.name.lower()
    if name.endswith((".osm", ".osm.pbf", ".pbf")):
        return "osm"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".shp", ".zip")) or path.is_dir():
        return "shapefile"
    return "ogr"


def read_layer(path: str | Path, options: ReadOptions) -> LayerTable:
    """Read ``path`` into a :class:`LayerTable` (WGS84), or raise :class:`LayerError`."""
    path = Path(path)
    _check_options(path, options)
    fmt = file_format(path)
    if fmt == "osm":
        from gazetteer.osm import read_osm

        table = read_osm(path)
    else:
        frame = _read_frame(path, fmt, options)
        if not len(frame):
            raise LayerError(
                f"{path.name} has no features" + (f" in layer {options.layer!r}" if options.layer else "")
            )
        table = _table_from_frame(frame, options)
    _validate(table, options)
    merge_lines(table)
    return table


def read_rows(path: str | Path, options: ReadOptions | None = None):
    """Every feature of ``path`` as it is, in file order: its attributes (a pandas DataFrame,
    without the geometry column) and its geometries in WGS84 (``None`` where a feature has
    none; no row left out, merged or checked — for callers that judge each row themselves,
    e.g. ``geoapp corrections from-layer``). Raises :class:`LayerError` for a file GDAL cannot
    read, several layers without ``options.layer``, a missing or unknown CRS."""
    path = Path(path)
    o = options or ReadOptions()
    if not path.exists():
        raise LayerError(f"no such file: {path}")
    fmt = file_format(path)
    if fmt == "osm":
        raise LayerError(f"{path.name}: OpenStreetMap files cannot be read row by row here")
    frame = _read_frame(path, fmt, o)
    geoms = (
        np.asarray(frame.geometry.values, dtype=object) if "geometry" in frame else np.full(len(frame), None)
    )
    if len(frame):
        geoms = _to_wgs84(geoms, frame.crs, o)
    attributes = frame.drop(columns=["geometry"]) if "geometry" in frame else frame
    return attributes, geoms


# --------------------------------------------------------------------------- options
def _check_options(path: Path, o: ReadOptions) -> None:
    if not path.exists():
        raise LayerError(f"no such file: {path}")
    if o.kind_field and o.kind:
        raise LayerError("give --kind-field or --kind, not both")
    if o.crs and o.datum:
        raise LayerError("give --crs or --datum, not both")
    if o.datum and o.datum.lower() != "gcj02":
        raise LayerError(f"unknown datum {o.datum!r}: the only one known is gcj02")
    if file_format(path) != "osm" and not o.name_field:
        raise LayerError("--name-field is required (the attribute that holds each feature's name)")


def _crs_of(text: str):
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise LayerError(f"unknown CRS {text!r}: give it as EPSG:4490, EPSG:4326, EPSG:4545 …") from None


# --------------------------------------------------------------------------- reading
def _read_frame(path: Path, fmt: str, o: ReadOptions):
    import pyogrio

    if not o.layer and fmt != "csv":
        _one_layer(path)
    kwargs: dict = {"layer": o.layer} if o.layer else {}
    if fmt == "csv":
        kwargs.update(_csv_options(path))
    encodings = [o.encoding] if o.encoding else _encodings(path, fmt, o.layer)
    last: Exception | None = None
    for encoding in encodings:
        try:
            return pyogrio.read_dataframe(path, encoding=encoding, **kwargs)
        except UnicodeDecodeError as exc:
            last = exc
        except Exception as exc:  # GDAL: unreadable, truncated, no such layer …
            raise LayerError(f"cannot read {path.name}: {_first_line(exc)}") from None
    raise LayerError(f"cannot decode the attributes of {path.name} ({last}): give --encoding")


def _one_layer(path: Path) -> None:
    """A file of several layers (a GeoPackage, a folder of Shapefiles) needs ``--layer``."""
    import pyogrio

    try:
        names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:
        raise LayerError(f"cannot read {path.name}: {_first_line(exc)}") from None
    if len(names) > 1:
        shown = ", ".join(names[:10]) + (" …" if len(names) > 10 else "")
        raise LayerError(f"{path.name} has {len(names)} layers ({shown}): choose one with --layer")


def _encodings(path: Path, fmt: str, layer: str | None) -> list[str | None]:
    """A Shapefile without ``.cpg`` is decoded as UTF-8, else as GB18030 (GBK's superset)."""
    if fmt != "shapefile":
        return [None]
    import pyogrio

    try:
        info = pyogrio.read_info(path, layer=layer)
    except Exception as exc:
        raise LayerError(f"cannot read {path.name}: {_first_line(exc)}") from None
    if (info.get("encoding") or "").upper() in ("", "ISO-8859-1"):
        return ["utf-8", "gb18030"]
    return [None]


def _csv_options(path: Path) -> dict[str, str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    wkt = [c for c in header if c in _CSV_WKT]
    if wkt:
        return {"GEOM_POSSIBLE_NAMES": wkt[0], "KEEP_GEOM_COLUMNS": "NO"}
    xs = [c for c in header if c in _CSV_X]
    ys = [c for c in header if c in _CSV_Y]
    if xs and ys:
        return {"X_POSSIBLE_NAMES": xs[0], "Y_POSSIBLE_NAMES": ys[0], "KEEP_GEOM_COLUMNS": "NO"}
    raise LayerError(
        f"{path.name} has no coordinate columns: name them lon/lat (or 经度/纬度), or give a WKT column named wkt"
    )


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# --------------------------------------------------------------------------- columns
def _field(frame, name: str | None, what: str) -> list[str] | None:
    if not name:
        return None
    if name not in frame.columns:
        fields = ", ".join(str(c) for c in frame.columns if c != "geometry")
        raise LayerError(f"no field {name!r} for the {what} (fields: {fields})")
    return [_text(v) for v in frame[name].tolist()]


def _text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def split_aliases(value: str) -> tuple[str, ...]:
    """``a；b|c、d`` → the names, as downloads join them (``、``) and people type them."""
    parts = value.replace("；", ";").replace("|", ";").replace("、", ";").split(";")
    return tuple(p.strip() for p in parts if p.strip())


def _table_from_frame(frame, o: ReadOptions) -> LayerTable:
    names = _field(frame, o.name_field, "name") or []
    n = len(names)
    aliases = [split_aliases(a) for a in (_field(frame, o.alias_field, "aliases") or [""] * n)]
    kinds = _field(frame, o.kind_field, "kind") or [o.kind or ""] * n
    counties = _field(frame, o.county_field, "county") or [""] * n
    geoms = np.asarray(frame.geometry.values, dtype=object) if "geometry" in frame else np.full(n, None)
    geoms = _to_wgs84(geoms, frame.crs, o)
    crs = "GCJ-02" if o.datum else (o.crs or (frame.crs.to_string() if frame.crs else ""))
    return LayerTable(names, aliases, kinds, [3] * n, geoms, counties, crs, n)


def _to_wgs84(geoms: np.ndarray, file_crs, o: ReadOptions) -> np.ndarray:
    if o.datum:
        return shapely.transform(geoms, lambda c: np.column_stack(gcj02_to_wgs84(c[:, 0], c[:, 1])))
    crs = _crs_of(o.crs) if o.crs else file_crs
    if crs is None:
        raise LayerError(
            "the file does not say its coordinate system: give --crs EPSG:4490 (or --datum gcj02)"
        )
    if crs.to_epsg() == 4326 or crs.equals("OGC:CRS84"):
        return geoms
    from pyproj import Transformer

    try:
        tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    except Exception:
        raise LayerError(f"cannot convert {crs.to_string()} to WGS84: give --crs EPSG:…") from None
    return shapely.transform(geoms, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))


# --------------------------------------------------------------------------- checks
def _validate(t: LayerTable, o: ReadOptions) -> None:
    if not len(t):
        raise LayerError("the layer has no named features")
    _check_names(t, o)
    g = t.geometries
    missing = np.flatnonzero(shapely.is_missing(g) | shapely.is_empty(g))
    if len(missing):
        raise LayerError(_rows(missing, t, "have no geometry (empty or null)"))
    invalid = np.flatnonzero(~shapely.is_valid(g))
    if len(invalid):
        reason = shapely.is_valid_reason(g[invalid[0]])
        raise LayerError(_rows(invalid, t, f"have invalid geometries ({reason}); repair them in a GIS first"))
    bounds = shapely.bounds(g)
    inside = in_china(bounds[:, 0], bounds[:, 1]) & in_china(bounds[:, 2], bounds[:, 3])
    outside = np.flatnonzero(~inside | np.isnan(bounds).any(axis=1))
    if len(outside):
        first = bounds[outside[0]]
        raise LayerError(
            _rows(outside, t, f"lie outside China (e.g. at {first[0]:.4f},{first[1]:.4f})")
            + ": is the CRS right? (--crs / --datum)"
        )


def _check_names(t: LayerTable, o: ReadOptions) -> None:
    empty = [i for i, name in enumerate(t.names) if len(name) < 2]
    if empty and o.skip_unnamed and len(empty) < len(t.names):
        keep = np.array([len(name) >= 2 for name in t.names])
        _keep(t, keep)
        t.notes.append(f"{len(empty)} features without a name left out")
        return
    if empty:
        hint = "" if o.skip_unnamed else " (--skip-unnamed imports the named ones)"
        raise LayerError(
            _rows(np.array(empty), t, f"have an empty or one-character name in {o.name_field!r}") + hint
        )


def _keep(t: LayerTable, mask: np.ndarray) -> None:
    idx = np.flatnonzero(mask)
    t.names = [t.names[i] for i in idx]
    t.aliases = [t.aliases[i] for i in idx]
    t.subtypes = [t.subtypes[i] for i in idx]
    t.classes = [t.classes[i] for i in idx]
    t.counties = [t.counties[i] for i in idx]
    t.geometries = t.geometries[idx]


def _rows(idx: np.ndarray, t: LayerTable, what: str) -> str:
    first = int(idx[0])
    label = f"feature {first + 1}" + (
        f" ({t.names[first]})" if first < len(t.names) and t.names[first] else ""
    )
    return f"{len(idx)} of {len(t.names)} features {what}; first: {label}"


# --------------------------------------------------------------------------- lines
def merge_lines(t: LayerTable) -> None:
    """Join the pieces of one named line (OSM and road layers split roads into many ways).

    Pieces with the same name and kind that touch or lie within ~2 km of each other become
    one (Multi)LineString; two far-apart roads of the same name stay two features.
    """
    from collections import defaultdict

    types = shapely.get_type_id(t.geometries)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i in np.flatnonzero((types == 1) | (types == 5)):
        groups[(t.names[i], t.subtypes[i])].append(int(i))
    drop = np.zeros(len(t), dtype=bool)
    for idx in groups.values():
        if len(idx) < 2:
            continue
        for cluster in _clusters(t.geometries[idx]):
            if len(cluster) < 2:
                continue
            rows = [idx[k] for k in cluster]
            parts = shapely.get_parts(t.geometries[rows])
            t.geometries[rows[0]] = shapely.line_merge(shapely.multilinestrings(parts))
            t.aliases[rows[0]] = tuple(dict.fromkeys(a for r in rows for a in t.aliases[r]))
            drop[rows[1:]] = True
    if drop.any():
        _keep(t, ~drop)
        t.notes.append(f"{int(drop.sum())} line pieces joined to lines of the same name")


def _clusters(geoms: np.ndarray) -> list[list[int]]:
    """Groups of geometries linked by being within :data:`_LINE_GAP_DEG` (union-find)."""
    from shapely.strtree import STRtree

    parent = list(range(len(geoms)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs = STRtree(geoms).query(geoms, predicate="dwithin", distance=_LINE_GAP_DEG)
    for a, b in pairs.T:
        ra, rb = find(int(a)), find(int(b))
        if ra != rb:
            parent[ra] = rb
    out: dict[int, list[int]] = {}
    for i in range(len(geoms)):
        out.setdefault(find(i), []).append(i)
    return list(out.values())
