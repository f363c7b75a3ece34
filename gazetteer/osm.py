"""OpenStreetMap extracts (``.osm`` XML, ``.osm.pbf``) → named features, via GDAL's OSM driver.

Contract: :func:`read_osm` reads the driver's ``points``, ``lines``, ``multilinestrings`` and
``multipolygons`` layers (no hand-written OSM parser) and keeps the features that have a
name and a tag listed in ``gazetteer/data/osm_tags.csv`` (first matching row wins; the file
says which OSM wiki page each mapping follows). Names come from ``name`` (else ``name:zh``);
``name:zh``, ``name:zh-Hans``, ``alt_name``, ``old_name``, ``official_name`` and, for roads
and railways, ``ref`` (``G50``) become aliases. GDAL puts tags its configuration does not
list in the ``other_tags`` column as hstore text (``"alt_name"=>"…","ref"=>"G50"``);
:func:`parse_hstore` reads it. OSM is WGS84; geometries GDAL builds invalid (self-touching
multipolygons are common in OSM) are repaired with ``make_valid``.

OSM data are © OpenStreetMap contributors, ODbL 1.0: :data:`OSM_LICENCE` is the
attribution a layer made from them carries.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np
import shapely

from gazetteer.errors import LayerError
from gazetteer.normalize import read_csv

__all__ = ["read_osm", "parse_hstore", "osm_kind", "OSM_LICENCE", "OSM_LAYERS"]

#: short, so that it survives in a Shapefile's 254-byte note field (https://www.openstreetmap.org/copyright)
OSM_LICENCE = "© OpenStreetMap contributors, ODbL 1.0"
OSM_LAYERS = ("points", "lines", "multilinestrings", "multipolygons")
_ALIAS_TAGS = ("name:zh", "name:zh-Hans", "alt_name", "old_name", "official_name", "short_name")
_REF_SUBTYPES = {"expressway", "national_highway", "road", "railway"}
_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def parse_hstore(text: str | None) -> dict[str, str]:
    """GDAL's ``other_tags`` text → a dict.

    >>> parse_hstore('"alt_name"=>"老城","ref"=>"G50"')
    {'alt_name': '老城', 'ref': 'G50'}
    """
    if not isinstance(text, str) or not text:
        return {}
    return {k.replace('\\"', '"'): v.replace('\\"', '"') for k, v in _HSTORE.findall(text)}


@cache
def _rules() -> tuple[tuple[str, str, str, int], ...]:
    return tuple(
        (r["key"], r["value"], r["subtype"], int(r["location_class"])) for r in read_csv("osm_tags.csv")
    )


def osm_kind(tags: dict[str, str]) -> tuple[str, int] | None:
    """(subtype, location class) of the first ``osm_tags.csv`` row the tags match, if any.

    >>> osm_kind({"railway": "station", "name": "忠县站"})
    ('station', 3)
    >>> osm_kind({"shop": "bakery"}) is None
    True
    """
    for key, value, subtype, klass in _rules():
        have = tags.get(key)
        if have is not None and (value == "*" or have == value):
            return subtype, klass
    return None


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.split(";") if p.strip()]


def _names(tags: dict[str, str], subtype: str) -> tuple[str, tuple[str, ...]]:
    name = tags.get("name") or tags.get("name:zh") or ""
    aliases: list[str] = []
    for key in _ALIAS_TAGS + (("ref",) if subtype in _REF_SUBTYPES else ()):
        aliases.extend(_split(tags.get(key, "")))
    name = _split(name)[0] if _split(name) else ""
    return name, tuple(dict.fromkeys(a for a in aliases if a != name))


def _read(path: Path, layer: str):
    import pyogrio

    try:
        return pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if "OSM_USE_CUSTOM_INDEXING" in first:
        # files edited in JOSM have negative or unsorted ids: GDAL's slower index reads them
        pyogrio.set_gdal_config_options({"OSM_USE_CUSTOM_INDEXING": "NO"})
        try:
            return pyogrio.read_dataframe(path, layer=layer)
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        finally:
            pyogrio.set_gdal_config_options({"OSM_USE_CUSTOM_INDEXING": None})
    raise LayerError(f"cannot read {path.name} as OpenStreetMap data: {first}")


def read_osm(path: Path):
    """The named, mapped features of an OSM extract as a :class:`~gazetteer.layerfile.LayerTable`."""
    from gazetteer.layerfile import LayerTable

    names, aliases, subtypes, classes, geoms = [], [], [], [], []
    total = 0
    for layer in OSM_LAYERS:
        frame = _read(path, layer)
        total += len(frame)
        for row, geom in zip(_tag_rows(frame), frame.geometry.values, strict=True):
            kind = osm_kind(row) if row else None
            if kind is None:
                continue
            name, alias = _names(row, kind[0])
            if len(name) < 2 or geom is None:
                continue
            names.append(name)
            aliases.append(alias)
            subtypes.append(kind[0])
            classes.append(kind[1])
            geoms.append(geom)
    g = np.array(geoms, dtype=object) if geoms else np.empty(0, dtype=object)
    bad = ~shapely.is_valid(g) if len(g) else np.zeros(0, bool)
    if bad.any():
        g[bad] = shapely.make_valid(g[bad])
    table = LayerTable(names, aliases, subtypes, classes, g, [""] * len(names), "EPSG:4326", total)
    table.notes.append(f"{len(names)} of {total} OSM features kept (named, with a tag in osm_tags.csv)")
    if bad.any():
        table.notes.append(f"{int(bad.sum())} invalid OSM geometries repaired")
    return table


def _tag_rows(frame) -> list[dict[str, str] | None]:
    """Each feature's tags (explicit columns + other_tags), or None when it has no name at all."""
    columns = [
        c for c in frame.columns if c not in ("geometry", "other_tags", "osm_id", "osm_way_id", "z_order")
    ]
    values = {c: frame[c].tolist() for c in columns}
    others = frame["other_tags"].tolist() if "other_tags" in frame.columns else [None] * len(frame)
    plain_names = values.get("name") or [None] * len(frame)
    rows: list[dict[str, str] | None] = []
    for i, other in enumerate(others):
        has_name = isinstance(plain_names[i], str) and plain_names[i]
        if not has_name and not (isinstance(other, str) and '"name:zh"' in other):
            rows.append(None)
            continue
        tags = parse_hstore(other)
        for c in columns:
            v = values[c][i]
            if isinstance(v, str) and v:
                tags[c] = v
        rows.append(tags)
    return rows
