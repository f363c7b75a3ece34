"""With an OSM-like layer of the seeds' named roads, stations and POIs, how many of the
projects that name one are placed on it? (issue 13 target: ≥ 90 %)

The layer is an ``.osm`` extract written from the hand annotations (tests/data/annotations):
every annotated project or place of a road/rail/station/POI subtype becomes a named OSM
feature with the tag ``gazetteer/data/osm_tags.csv`` maps to that subtype — a 3-node way for
roads and railways, a node otherwise — at a made-up position inside its county (positions
are not what is measured). The seeds are then ingested into a scratch SpatiaLite database
with the layer added, and each annotated name found among the projects (name or alias) is
checked: is it placed on a feature of the layer?

Run: .venv/bin/python bench/layer_coverage.py [--misses]
"""

from __future__ import annotations

# The spatial libraries must load before SpatiaLite can (see geoapp.store.backend).
import geoapp.store.backend  # noqa: F401  isort: skip

import argparse
import csv
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from gazetteer import Gazetteer  # noqa: E402
from gazetteer.layerfile import ReadOptions  # noqa: E402
from gazetteer.normalize import normalize, read_csv  # noqa: E402
from geoapp.ingest import ingest_files  # noqa: E402
from geoapp.store.database import Database  # noqa: E402
from geoapp.store.layers import add_layer  # noqa: E402
from geoapp.store.models import Project  # noqa: E402

LINES = {"road", "expressway", "national_highway", "railway", "high_speed_rail"}
POINTS = {
    "station",
    "school",
    "hospital",
    "park",
    "substation",
    "port",
    "reservoir",
    "bridge",
    "airport",
    "power_plant",
}
SUBTYPE_ALIASES = {"high_speed_rail": "railway"}


def annotated(kinds: set[str]) -> list[dict[str, str]]:
    rows = []
    for path in sorted((ROOT / "tests" / "data" / "annotations").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            rows += [r for r in csv.DictReader(fh) if r["subtype"] in kinds]
    unique = {(r["name"], r["county"]): r for r in rows}
    return list(unique.values())


def tag_for(subtype: str) -> tuple[str, str]:
    want = SUBTYPE_ALIASES.get(subtype, subtype)
    row = next(r for r in read_csv("osm_tags.csv") if r["subtype"] == want and r["value"] != "*")
    return row["key"], row["value"]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def write_osm(path: Path, rows: list[dict[str, str]], gaz: Gazetteer) -> None:
    rng = random.Random(5)
    nodes, ways = [], []
    nid = 1
    for wid, row in enumerate(rows, start=1):
        county = gaz.county(row["county"].split("|")[0])
        lon, lat = county.point
        key, value = tag_for(row["subtype"])
        tags = "".join(f'<tag k="{k}" v="{_esc(v)}"/>' for k, v in (("name", row["name"]), (key, value)))
        if row["subtype"] in LINES:
            refs = []
            for k in range(3):
                nodes.append(
                    f'<node id="{nid}" version="1" lon="{lon - 0.05 + 0.05 * k:.6f}" lat="{lat + rng.uniform(-0.02, 0.02):.6f}"/>'
                )
                refs.append(nid)
                nid += 1
            ways.append(
                f'<way id="{wid}" version="1">' + "".join(f'<nd ref="{r}"/>' for r in refs) + tags + "</way>"
            )
        else:
            x, y = lon + rng.uniform(-0.03, 0.03), lat + rng.uniform(-0.03, 0.03)
            nodes.append(f'<node id="{nid}" version="1" lon="{x:.6f}" lat="{y:.6f}">{tags}</node>')
            nid += 1
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        + "\n".join(nodes + ways)
        + "\n</osm>\n",
        encoding="utf-8",
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--misses", action="store_true", help="list the named projects not placed on the layer")
    args = ap.parse_args()
    gaz = Gazetteer.load()
    rows = annotated(LINES | POINTS)
    with tempfile.TemporaryDirectory() as tmp:
        osm = Path(tmp) / "seeds-like.osm"
        write_osm(osm, rows, gaz)
        db = Database(f"sqlite:///{tmp}/cov.sqlite")
        db.upgrade()
        result = add_layer(
            db, gaz, osm, ReadOptions(), source="OSM-like layer from the annotations", name="osm"
        )
        print(result.line())
        report = ingest_files(db, gaz, sorted((ROOT / "seeds").glob("*.txt")))
        assert report.failed == 0, report.lines()
        with db.session() as s:
            projects = s.execute(
                select(Project.name, Project.aliases, Project.gazetteer_ids, Project.precision)
            ).all()
        db.dispose()
    by_name: dict[str, tuple] = {}
    for name, aliases, ids, precision in projects:
        for n in (name, *(aliases or [])):
            by_name.setdefault(normalize(n), (ids, precision, name))
    found = [(r, by_name[normalize(r["name"])]) for r in rows if normalize(r["name"]) in by_name]
    on_layer = [(r, p) for r, p in found if any(i.startswith("layer:osm:") for i in p[0])]
    print(
        f"annotated roads/stations/POIs: {len(rows)}; among the projects (name or alias): {len(found)}; "
        f"placed on the layer: {len(on_layer)} = {len(on_layer) / max(1, len(found)):.1%}"
    )
    if args.misses:
        for r, (ids, precision, name) in found:
            if not any(i.startswith("layer:osm:") for i in ids):
                print(
                    f"  {r['name']} ({r['county']}, {r['subtype']}) → project {name!r} precision {precision} {ids[:2]}"
                )


if __name__ == "__main__":
    main()
