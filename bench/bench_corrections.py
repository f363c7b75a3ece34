"""Corrections at scale, on SpatiaLite and PostGIS: the server time of one save,
re-ingesting the five seeds (as new versions of the same files) with 500 corrections present,
and ``corrections from-layer`` of the projects' GeoPackage with 500 projects moved (dry run,
then written). Targets (issue 16): ≤ 2 s per save; re-ingest ≤ 5 s, keeping all 500.

    .venv/bin/python bench/bench_corrections.py [--corrections 500]

PostGIS comes from GEOAPP_TEST_POSTGIS_URL, or a throwaway cluster is started.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import shapely  # noqa: E402,F401  (before SpatiaLite)
from bench_ingest import SEEDS, fresh, postgis  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from gazetteer import Gazetteer  # noqa: E402
from geoapp.context import Context  # noqa: E402
from geoapp.editing import correct  # noqa: E402
from geoapp.ingest import ingest_files  # noqa: E402
from geoapp.store.accounts import add_user  # noqa: E402
from geoapp.store.database import Database  # noqa: E402
from geoapp.store.models import Correction, Project  # noqa: E402


def run(label: str, url: str, gaz: Gazetteer, count: int) -> None:
    db = Database(fresh(url, gaz, 99))
    report = ingest_files(db, gaz, SEEDS)
    assert report.failed == 0, report.lines()
    with db.session() as session:
        user = add_user(session, "bench", "editor")
        ids = list(session.scalars(select(Project.id).order_by(Project.id)))
    ctx = Context(session=None, backend=db.backend, settings={}, database=db)  # type: ignore[arg-type]
    saves = []
    for n in range(count):
        pid = ids[n % len(ids)]
        lon, lat = 107.5 + (n % 50) * 0.01, 29.8 + (n // 50) * 0.01
        body = {
            "changes": {"geometry": {"type": "Point", "coordinates": [lon, lat]}},
            "comment": f"bench {n}",
        }
        t = time.perf_counter()
        correct(ctx, user, pid, body)
        saves.append(time.perf_counter() - t)
    # new versions of the same five files: every document is replaced and re-read
    folder = Path(tempfile.mkdtemp())
    changed = []
    for seed in SEEDS:
        copy = folder / seed.name
        copy.write_text(seed.read_text(encoding="utf-8") + "\n\n（附件另发。）\n", encoding="utf-8")
        changed.append(copy)
    t = time.perf_counter()
    report = ingest_files(db, gaz, changed)
    reingest = time.perf_counter() - t
    assert report.failed == 0, report.lines()
    with db.session() as session:
        active = session.scalar(
            select(func.count()).select_from(Correction).where(Correction.state == "active")
        )
        orphaned = session.scalar(
            select(func.count()).select_from(Correction).where(Correction.flag == "orphaned")
        )
        corrected = session.scalar(select(func.count()).select_from(Project).where(Project.corrected))
    layer = from_layer_timing(db, ctx, user, count)
    db.dispose()
    saves.sort()
    print(
        f"{label:10} save: median {statistics.median(saves) * 1000:.0f} ms, p95 "
        f"{saves[int(len(saves) * 0.95)] * 1000:.0f} ms, max {saves[-1] * 1000:.0f} ms over {count} (target ≤ 2 s)"
    )
    print(
        f"{label:10} re-ingest of the 5 seeds with {count} corrections: {reingest:.2f} s (target ≤ 5 s); "
        f"{active} active kept, {orphaned} orphaned, {corrected} projects corrected"
    )
    print(f"{label:10} {layer}")


def from_layer_timing(db: Database, ctx: Context, user, count: int) -> str:
    """Export the projects as a GeoPackage, move ``count`` of them by ~100 m, read it back."""
    import pyogrio

    from geoapp.editing.from_layer import from_layer
    from geoapp.exports.downloads import write_projects

    path = Path(tempfile.mkdtemp()) / "projects.gpkg"
    with db.session() as session:
        write_projects(Context(session, db.backend, {}, database=db), {}, "gpkg", path)
    frame = pyogrio.read_dataframe(path)
    n = min(count, len(frame))
    frame.loc[: n - 1, "geometry"] = frame.geometry.iloc[:n].translate(0.001, 0.001)
    edited = path.with_name("edited.gpkg")
    pyogrio.write_dataframe(frame, edited, layer="projects")
    t = time.perf_counter()
    dry = from_layer(ctx, user, edited, id_field="id", comment="bench", dry_run=True)
    dry_s = time.perf_counter() - t
    t = time.perf_counter()
    done = from_layer(ctx, user, edited, id_field="id", comment="bench")
    done_s = time.perf_counter() - t
    assert len(done.changes) == len(dry.changes) == n, (len(dry.changes), n)
    return (
        f"from-layer of {len(frame)} rows, {n} moved: dry run {dry_s:.2f} s, "
        f"{len(done.changes)} corrections written in {done_s:.2f} s"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corrections", type=int, default=500)
    args = ap.parse_args()
    gaz = Gazetteer.load()
    run("spatialite", "sqlite://", gaz, args.corrections)
    with postgis() as url:
        run("postgis", url, gaz, args.corrections)


if __name__ == "__main__":
    main()
