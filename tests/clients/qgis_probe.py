"""Load OGC API – Features collections in QGIS, headless, and say what QGIS sees.

Run by Debian's Python (``/usr/bin/python3``, where python3-qgis lives), never a virtualenv's,
with ``QT_QPA_PLATFORM=offscreen``::

    /usr/bin/python3 tests/clients/qgis_probe.py http://127.0.0.1:5000/ projects places
    /usr/bin/python3 tests/clients/qgis_probe.py URL projects-points --file projects.gpkg

Prints one JSON object: per collection (and per ``--file``, read by QGIS's OGR provider),
whether the layer is valid, its geometry type and CRS, the features it loads, and how many
of them QGIS can draw — a layer has one geometry type (QGIS 3.22 takes it from the first
page), and a feature whose geometry is of another kind (a point in a line layer) is in the
layer but its symbol never draws it. Each layer is also rendered, and the pixels painted
counted. Ids, names and a sample of coordinates come back too, so the caller can check
them against the database and the server.

Only the standard library and QGIS: this file is not part of the app or its test venv.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

__all__ = ["probe", "oapif_layer", "file_layer"]


def oapif_layer(url: str, typename: str, srsname: str | None = None):
    """A collection as QGIS's *Add WFS / OGC API – Features layer* makes it."""
    from qgis.core import QgsDataSourceUri, QgsVectorLayer

    uri = QgsDataSourceUri()
    uri.setParam("url", url)
    uri.setParam("typename", typename)
    if srsname:
        uri.setParam("srsname", srsname)
    return QgsVectorLayer(uri.uri(), typename, "OAPIF")


def file_layer(path: str):
    from qgis.core import QgsVectorLayer

    return QgsVectorLayer(path, os.path.basename(path), "ogr")


def probe(layer, fields: tuple[str, ...] = ("name",), sample: int = 3) -> dict:
    """What QGIS makes of one layer."""
    from qgis.core import QgsWkbTypes

    out: dict = {"valid": layer.isValid()}
    if not layer.isValid():
        out["error"] = layer.dataProvider().error().summary() if layer.dataProvider() else "no provider"
        return out
    kind = layer.geometryType()  # point, line or polygon: what the layer's symbol draws
    ids, drawable, kinds, values, coords = [], [], {}, {f: [] for f in fields}, {}
    names = layer.fields().names()
    for feature in layer.getFeatures():
        geom = feature.geometry()
        if len(coords) < sample and not geom.isNull():
            coords[str(feature["id"])] = _first_vertex(geom)
        gtype = QgsWkbTypes.displayString(geom.wkbType()) if not geom.isNull() else "null"
        kinds[gtype] = kinds.get(gtype, 0) + 1
        fid = feature["id"] if "id" in names else feature.id()
        ids.append(fid)
        if not geom.isNull() and geom.type() == kind:
            drawable.append(fid)
        for f in fields:
            values[f].append(feature[f] if f in names else None)
    out.update(
        wkb_type=QgsWkbTypes.displayString(layer.wkbType()),
        geometry_type=QgsWkbTypes.geometryDisplayString(kind),
        crs=layer.crs().authid(),
        fields=names,
        loaded=len(ids),
        drawable=len(drawable),
        geometry_kinds=kinds,
        ids=ids,
        drawable_ids=drawable,
        values=values,
        first_vertex=coords,
        painted_pixels=_painted(layer),
    )
    return out


def _first_vertex(geom) -> list[float]:
    p = next(geom.vertices())
    return [p.x(), p.y()]


def _painted(layer, size: int = 160) -> int:
    """Pixels QGIS paints when it renders the layer alone (its default symbol, white ground)."""
    from qgis.core import QgsMapRendererSequentialJob, QgsMapSettings
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(
        layer.extent().buffered(max(layer.extent().width(), layer.extent().height()) * 0.02 or 0.01)
    )
    settings.setOutputSize(QSize(size, size))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    white = QColor(255, 255, 255).rgb()
    return sum(image.pixel(x, y) != white for x in range(size) for y in range(size))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the landing page, with a trailing slash")
    parser.add_argument("collections", nargs="*")
    parser.add_argument("--srsname", help="ask for this CRS (OGC API – Features Part 2)")
    parser.add_argument(
        "--file", action="append", default=[], help="also read this file (GeoPackage, /vsizip/…shp)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    result = {
        "qgis": __import__("qgis.core", fromlist=["Qgis"]).Qgis.version(),
        "collections": {c: probe(oapif_layer(args.url, c, args.srsname)) for c in args.collections},
        "files": {f: probe(file_layer(f)) for f in args.file},
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    # QGIS may crash while tearing down after exitQgis(): the answer is out, leave at once
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
