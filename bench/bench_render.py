"""Report-map rendering times: cold, warm and cached, per image.

Builds (once) ``var/bench-render.sqlite`` from the seed documents plus synthetic
projects that bring 垫江县 to 300 projects, then renders county maps the way
``GET /maps/render.png`` does and prints the numbers against the targets
(warm ≤ 1 s per image, cached ≤ 20 ms):

    .venv/bin/python bench/bench_render.py [--rebuild] [--repeat 5] [--formats png,svg,pdf]

first  = the first image of a case and format; the very first one (*) is cold: the gazetteer,
         fonts and base layers load with it
warm   = a new image with everything loaded (the cache cleared before each run)
cached = the same request again (in-process LRU), direct and over HTTP (Flask test client)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import shapely  # noqa: E402  (before SpatiaLite: see geoapp.store.backend)
from sqlalchemy import func, insert, select  # noqa: E402

from geoapp.catalog.style import CATEGORIES, STATUSES  # noqa: E402
from geoapp.settings import load_settings  # noqa: E402
from geoapp.store.database import Database  # noqa: E402
from geoapp.store.gazetteer import get_gazetteer, sync_places  # noqa: E402
from geoapp.store.models import Document, Mention, Meta, Project, ProjectCounty  # noqa: E402

DB_FILE = ROOT / "var" / "bench-render.sqlite"
TARGET_COUNTY, TARGET_CODE, TARGET_N = "垫江县", "500231", 300
WARM_LIMIT_S, CACHED_LIMIT_S = 1.0, 0.020


def build(path: Path, settings: dict) -> None:
    """Seeds + synthetic projects in TARGET_COUNTY up to TARGET_N (into a temporary file first)."""
    from geoapp.ingest import ingest_files

    tmp = path.with_suffix(".tmp")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    db = Database(f"sqlite:///{tmp}")
    db.upgrade()
    gaz = get_gazetteer(settings["gazetteer_cache"])
    with db.session() as s:
        sync_places(s, gaz)
    report = ingest_files(db, gaz, sorted((ROOT / "seeds").glob("*.txt")))
    assert report.failed == 0, report.lines()
    with db.session() as s:
        have = s.scalar(
            select(func.count()).select_from(ProjectCounty).where(ProjectCounty.county_code == TARGET_CODE)
        )
        add_synthetic(s, gaz, TARGET_N - have)
        s.add(Meta(key="bench_render", value="complete"))
    db.dispose()
    tmp.rename(path)


def add_synthetic(session, gaz, n: int, seed: int = 7) -> None:
    """``n`` projects in TARGET_COUNTY with the product's mix: 80 % points near towns (precision 2),
    15 % estimated lines (5), 5 % county-level (3); every one with a mention."""
    rng = random.Random(seed)
    county = gaz.county(TARGET_COUNTY)
    area = county.geometry
    doc = Document(
        file_name="bench_render.txt",
        sha256="b" * 64,
        title="合成规划文件",
        county_code=TARGET_CODE,
        county_name=TARGET_COUNTY,
        text="合成",
    )
    session.add(doc)
    session.flush()
    works = ["公路", "污水处理厂", "产业园", "水库", "物流园", "景区", "综合管廊", "光伏电站", "学校", "医院"]
    for i in range(n):
        x0, y0, x1, y1 = area.bounds
        while True:
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if area.contains(shapely.Point(x, y)):
                break
        r = rng.random()
        if r < 0.80:
            wkt, precision = f"POINT({x:.6f} {y:.6f})", 2
        elif r < 0.95:
            wkt, precision = (
                f"LINESTRING({x:.6f} {y:.6f},{x + 0.04:.6f} {y + 0.02:.6f},{x + 0.08:.6f} {y + 0.01:.6f})",
                5,
            )
        else:
            wkt, precision = area.wkt, 3
        name = f"合成{works[i % len(works)]}{i + 1}号"
        pid = session.execute(
            insert(Project).returning(Project.id),
            [
                {
                    "key": f"bench-render:{i}",
                    "kind": "project",
                    "name": name,
                    "aliases": [],
                    "category": CATEGORIES[i % len(CATEGORIES)],
                    "subtype": "other",
                    "status": STATUSES[i % len(STATUSES)],
                    "county_code": TARGET_CODE,
                    "county_name": TARGET_COUNTY,
                    "investment_wan": float(rng.randrange(500, 500_000)) if rng.random() < 0.4 else None,
                    "period_start": 2023,
                    "period_end": 2027,
                    "precision": precision,
                    "location_class": 3,
                    "gazetteer_ids": [],
                    "geom": f"SRID=4326;{wkt}",
                }
            ],
        ).scalar_one()
        session.add(
            ProjectCounty(project_id=pid, county_code=TARGET_CODE, county_name=TARGET_COUNTY, position=0)
        )
        session.add(
            Mention(
                project_id=pid,
                document_id=doc.id,
                section="合成",
                start=0,
                end=len(name),
                surface=name,
                sentence=name,
                status="planned",
            )
        )


def timed(fn) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rebuild", action="store_true", help="rebuild the benchmark database")
    ap.add_argument("--repeat", type=int, default=5, help="warm runs per case")
    ap.add_argument("--formats", default="png,svg,pdf")
    opts = ap.parse_args()

    settings = load_settings(overrides={"database_url": f"sqlite:///{DB_FILE}"})
    if opts.rebuild or not DB_FILE.exists():
        t, _, _ = timed(lambda: build(DB_FILE, settings))
        print(f"built {DB_FILE.relative_to(ROOT)} in {t:.1f} s")

    t_import, _, _ = timed(lambda: __import__("geoapp.maps.render"))
    from geoapp import create_app
    from geoapp.context import Context
    from geoapp.maps import render as rendering

    db = Database(settings["database_url"])
    app = create_app({"database_url": settings["database_url"]})
    client = app.test_client()
    with db.session() as s:
        counts = {
            name: s.scalar(
                select(func.count()).select_from(ProjectCounty).where(ProjectCounty.county_code == code)
            )
            for name, code in (("忠县", "500233"), (TARGET_COUNTY, TARGET_CODE))
        }
    print(f"database: {DB_FILE.relative_to(ROOT)} — projects per county: {counts}")
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; import geoapp.maps.render {t_import:.2f} s"
    )
    print("image: 1600 × 1200 px at 150 dpi (the default); times in seconds (wall / CPU)\n")

    cases = [("忠县 (seeds)", {"county": ["忠县"]})]
    cases.append((f"{TARGET_COUNTY} ({counts[TARGET_COUNTY]} projects)", {"county": [TARGET_COUNTY]}))
    header = f"{'case':<28} {'fmt':<4} {'first':>12} {'warm median':>14} {'warm max':>10} {'cached':>9} {'HTTP cached':>12}  drawn/labels"
    print(header)
    print("-" * len(header))
    failures = []
    first = True
    with db.session() as s:
        ctx = Context(s, db.backend, settings)
        for name, args in cases:
            for fmt in opts.formats.split(","):
                rendering.clear_cache()
                cold_w, cold_c, image = timed(lambda a=args, f=fmt: rendering.render_map(ctx, a, f))
                cold = f"{cold_w:.2f}/{cold_c:.2f}" + ("*" if first else "")
                first = False
                warm = []
                for _ in range(opts.repeat):
                    rendering.clear_cache()
                    warm.append(timed(lambda a=args, f=fmt: rendering.render_map(ctx, a, f))[:2])
                cached = [timed(lambda a=args, f=fmt: rendering.render_map(ctx, a, f))[0] for _ in range(50)]
                url = f"/maps/render.{fmt}?county={args['county'][0]}"
                client.get(url)
                http = [timed(lambda u=url: client.get(u))[0] for _ in range(50)]
                wall_med = statistics.median(w for w, _ in warm)
                cpu_med = statistics.median(c for _, c in warm)
                print(
                    f"{name:<28} {fmt:<4} {cold:>12} {wall_med:>8.2f}/{cpu_med:.2f} {max(w for w, _ in warm):>10.2f}"
                    f" {statistics.median(cached) * 1000:>7.2f}ms {statistics.median(http) * 1000:>10.2f}ms"
                    f"  {image.info.get('drawn', 0)}/{len(image.info.get('labels', []))}"
                )
                if fmt == "png" and min(wall_med, cpu_med) > WARM_LIMIT_S:
                    failures.append(f"{name} {fmt}: warm {wall_med:.2f} s > {WARM_LIMIT_S} s")
                if statistics.median(http) > CACHED_LIMIT_S:
                    failures.append(
                        f"{name} {fmt}: cached over HTTP {statistics.median(http) * 1000:.1f} ms > 20 ms"
                    )
    print(
        "\n* cold: the first image of the process, with loading the gazetteer, the font and the base layers"
    )
    print(
        "targets: warm PNG ≤ 1 s, cached ≤ 20 ms —",
        "met" if not failures else "NOT met: " + "; ".join(failures),
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
