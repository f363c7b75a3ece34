"""Shapefile downloads: one Shapefile per geometry family (a Shapefile holds one type) and the
README that travels with them (field names, encoding, coordinate system, attribution)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geoapp.catalog.crs import OutputCrs
from geoapp.context import pairs
from geoapp.exports.cells import SHAPEFILE_FIELDS

__all__ = ["SHAPEFILE_GROUPS", "write_shapefiles", "shapefile_readme"]


SHAPEFILE_GROUPS = {
    "point": ("Point", "MultiPoint"),
    "line": ("LineString", "MultiLineString"),
    "polygon": ("Polygon", "MultiPolygon"),
}


def write_shapefiles(gdf, folder: Path, stem: str) -> list[Path]:
    """One Shapefile per geometry family (a Shapefile holds one type); lines and polygons as multi."""
    from pyogrio import write_dataframe

    written = []
    types = gdf.geometry.geom_type
    for group, names in SHAPEFILE_GROUPS.items():
        part = gdf[types.isin(names)]
        if part.empty and not (group == "point" and gdf.empty):
            continue
        path = folder / f"{stem}_{group}.shp"
        multi = group != "point" or bool((part.geometry.geom_type == "MultiPoint").any())
        write_dataframe(
            part, path, layer=path.stem, driver="ESRI Shapefile", encoding="UTF-8", promote_to_multi=multi
        )
        written.append(path)
    return written


def shapefile_readme(
    crs: OutputCrs,
    n: int,
    args: Mapping[str, Any],
    files: list[str],
    attribution: str,
    source: str = "projects",
    columns: tuple[str, ...] = (),
) -> str:
    filters = dict(pairs(args))
    renamed = {
        full: short
        for full, short in SHAPEFILE_FIELDS.items()
        if short != full and (not columns or short in columns)
    }
    kept = [c for c in columns if c not in renamed.values() and c != "geometry"]
    lines = [
        f"geoapp — {source} exported as Shapefiles",
        f"Generated: {datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"Features: {n}",
        f"Files: {', '.join(files)} (one Shapefile per geometry type)",
        f"Coordinate system: {crs.title} ({crs.uri}); axis order east/north (lon/lat) as in all files.",
        f"Filters: {filters or 'none'}",
        "Encoding: UTF-8 (see the .cpg files). Text longer than 254 bytes is cut and ends with '…'.",
        "Lists (aliases, counties, documents) are joined with '、', county codes with ','. "
        "Every mention of a project (document, section, sentence, status phrase) is in the "
        "GeoPackage, GeoJSON, CSV and KML downloads as the JSON field 'mentions'; a Shapefile "
        "field holds only 254 bytes, so here 'document'/'sentence' give the first mention.",
        "",
        "Field names (Shapefile fields hold at most 10 characters):",
        *(f"  {short:<10}  {full}" for full, short in renamed.items()),
        f"  (the other fields keep their names: {', '.join(kept)})" if kept else "",
        "",
        "Attribution:",
        attribution,
    ]
    if crs.key == "gcj02":
        lines += [
            "",
            "NOTE: GCJ-02 is not a standard CRS; use these coordinates only on Chinese web basemaps.",
        ]
    return "\n".join(lines) + "\n"
