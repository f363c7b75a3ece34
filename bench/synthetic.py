"""Synthetic projects for benchmarks, on either backend.

Projects are spread over Chongqing's districts (random points inside the real
county outlines), with the product's mix of geometries: points near towns,
estimated lines between places, and county-level areas. Names, categories and
statuses come from the style table; every project has a county and a mention.

    .venv/bin/python bench/synthetic.py sqlite:///var/bench.sqlite 10000
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import shapely  # noqa: E402,F401  (before SpatiaLite: see geoapp.store.backend)
from sqlalchemy import insert  # noqa: E402

from gazetteer import Gazetteer  # noqa: E402
from geoapp.catalog.style import CATEGORIES, STATUSES, SUBTYPES  # noqa: E402
from geoapp.store.database import Database  # noqa: E402
from geoapp.store.models import Document, Mention, Project, ProjectCounty  # noqa: E402

WORKS = [
    "高速公路",
    "污水处理厂",
    "产业园",
    "水库",
    "物流园",
    "旅游度假区",
    "综合管廊",
    "光伏电站",
    "学校",
    "医院",
]


def _random_point(rng: random.Random, geom) -> tuple[float, float]:
    minx, miny, maxx, maxy = geom.bounds
    while True:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if geom.contains(shapely.Point(x, y)):
            return round(x, 6), round(y, 6)


def generate(db: Database, n: int, seed: int = 42, batch: int = 5000) -> float:
    """Add ``n`` synthetic projects (schema created if needed); returns the seconds taken."""
    started = time.perf_counter()
    rng = random.Random(seed)
    gaz = Gazetteer.load()
    counties = [c for c in gaz.of_kind("county") if c.admin[:1] == ("重庆市",)]
    prepared = [(c, shapely.prepared.prep(c.geometry)) for c in counties]
    db.upgrade()
    with db.session() as s:
        doc = Document(
            file_name="bench_synthetic.txt", sha256=f"{seed:064d}", title="合成规划文件", text="合成"
        )
        s.add(doc)
        s.flush()
        doc_id = doc.id
    made = 0
    while made < n:
        projects, counties_rows, mentions = [], [], []
        with db.session() as s:
            for _ in range(min(batch, n - made)):
                made += 1
                county, prep = prepared[rng.randrange(len(prepared))]
                x, y = _random_point(rng, county.geometry)
                kind = rng.random()
                if kind < 0.80:
                    wkt, precision = f"POINT({x} {y})", rng.choice((1, 2, 2))
                elif kind < 0.95:
                    wkt = f"LINESTRING({x} {y},{x + 0.05:.6f} {y + 0.03:.6f},{x + 0.1:.6f} {y + 0.04:.6f})"
                    precision = 5
                else:
                    wkt, precision = county.display_geometry.wkt, 3
                name = f"{county.short or county.name}{rng.choice(WORKS)}{made}号"
                projects.append(
                    {
                        "key": f"bench:{seed}:{made}",
                        "kind": "project",
                        "name": name,
                        "aliases": [],
                        "category": rng.choice(CATEGORIES),
                        "subtype": rng.choice(SUBTYPES),
                        "status": rng.choice(STATUSES),
                        "county_code": county.code,
                        "county_name": county.name,
                        "investment_wan": round(rng.uniform(100, 500000), 1) if rng.random() < 0.6 else None,
                        "period_start": 2020 + rng.randrange(6),
                        "period_end": 2025 + rng.randrange(6),
                        "precision": precision,
                        "location_class": 3,
                        "location_note": "合成数据" if precision >= 3 else None,
                        "gazetteer_ids": [county.id],
                        "geom": f"SRID=4326;{wkt}",
                    }
                )
            ids = list(s.scalars(insert(Project).returning(Project.id), projects))
            for pid, p in zip(ids, projects, strict=True):
                counties_rows.append(
                    {
                        "project_id": pid,
                        "county_code": p["county_code"],
                        "county_name": p["county_name"],
                        "position": 0,
                    }
                )
                mentions.append(
                    {
                        "project_id": pid,
                        "document_id": doc_id,
                        "section": "三、重点项目",
                        "start": 0,
                        "end": len(p["name"]),
                        "surface": p["name"],
                        "sentence": f"加快推进{p['name']}建设，力争早日建成投用。",
                        "status": p["status"],
                    }
                )
            s.execute(insert(ProjectCounty), counties_rows)
            s.execute(insert(Mention), mentions)
    return time.perf_counter() - started


if __name__ == "__main__":
    url, count = sys.argv[1], int(sys.argv[2])
    database = Database(url)
    print(f"{count} synthetic projects in {generate(database, count):.1f} s")
