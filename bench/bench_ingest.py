"""Ingesting the five seed documents into a fresh database, end to end (read, structure,
extract, geocode, store), on SpatiaLite and on PostGIS, warm (gazetteer loaded,
schema and places in place). Target (issue 4): ≤ 3 s each.

    .venv/bin/python bench/bench_ingest.py [--runs 3]

PostGIS comes from GEOAPP_TEST_POSTGIS_URL, or a throwaway cluster is started.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import shapely  # noqa: E402,F401  (before SpatiaLite)

from gazetteer import Gazetteer  # noqa: E402
from geoapp.ingest import ingest_files  # noqa: E402
from geoapp.store.database import Database  # noqa: E402
from geoapp.store.gazetteer import sync_places  # noqa: E402

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@contextlib.contextmanager
def postgis():
    if os.environ.get("GEOAPP_TEST_POSTGIS_URL"):
        yield os.environ["GEOAPP_TEST_POSTGIS_URL"]
        return
    folder = tempfile.mkdtemp(prefix="geoapp-bench-pg.")
    script = ROOT / "scripts" / "pg-cluster.sh"
    url = subprocess.run(
        [str(script), "start", folder], check=True, capture_output=True, text=True
    ).stdout.strip()
    try:
        yield url
    finally:
        subprocess.run([str(script), "stop", folder], check=False)


def fresh(url: str, gaz: Gazetteer, n: int) -> str:
    """A new database (schema + places) for run ``n``; returns its URL."""
    if url.startswith("sqlite"):
        target = f"sqlite:///{tempfile.mkdtemp()}/ingest{n}.sqlite"
    else:
        import psycopg
        from sqlalchemy.engine import make_url

        u = make_url(url)
        name = f"bench_ingest_{n}"
        with psycopg.connect(
            host=u.host, port=u.port, user=u.username, dbname="postgres", autocommit=True
        ) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
        with psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=name, autocommit=True) as c:
            c.execute("CREATE EXTENSION postgis")
        target = u.set(database=name).render_as_string(hide_password=False)
    db = Database(target)
    db.upgrade()
    with db.session() as s:
        sync_places(s, gaz)
    db.dispose()
    return target


def run(label: str, url: str, gaz: Gazetteer, runs: int) -> None:
    times = []
    for n in range(runs):
        target = fresh(url, gaz, n)
        db = Database(target)
        t = time.perf_counter()
        report = ingest_files(db, gaz, SEEDS)
        times.append(time.perf_counter() - t)
        assert report.failed == 0, report.lines()
        db.dispose()
        if target.startswith("sqlite"):
            shutil.rmtree(Path(target[len("sqlite:///") :]).parent, ignore_errors=True)
    print(
        f"{label:10} ingest of the 5 seeds: median {statistics.median(times):.2f} s, "
        f"best {min(times):.2f} s over {runs} fresh databases"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    gaz = Gazetteer.load()
    # warm-up: module imports, vocabularies, gazetteer caches
    from geoapp.ingest.document import analyse

    analyse(SEEDS[0], gaz)
    run("spatialite", "sqlite://", gaz, args.runs)
    with postgis() as url:
        run("postgis", url, gaz, args.runs)


if __name__ == "__main__":
    main()
