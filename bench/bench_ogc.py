"""Benchmark of the OGC API – Features on PostGIS with 100,000 synthetic projects.

Starts a throwaway PostGIS cluster (scripts/pg-cluster.sh), fills it with
synthetic projects (points, lines and polygons in Chongqing, Chinese names and
source sentences, one or two counties each), serves geoapp with gunicorn and
prints:

* p50/p95 latency of ``/collections/projects/items?limit=100&bbox=…&category=…``
  (sequential requests over one keep-alive connection, 10 different boxes);
* streaming throughput of the full GeoJSON export ``/download/projects.geojson``
  (features per second, whole body read by the client);
* the same for paging through ``items?limit=10000``.

Targets (issue "GIS export"): p95 ≤ 50 ms; export ≥ 100,000 features/s.

Usage::

    .venv/bin/python bench/bench_ogc.py [--projects 100000] [--requests 300] [--workers 2]

``pygeoapi_compare.py`` imports the helpers here (cluster, data, server, client).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = ROOT / ".venv" / "bin"

COUNTIES = [
    ("500233", "忠县"),
    ("500101", "万州区"),
    ("500154", "开州区"),
    ("500151", "铜梁区"),
    ("500152", "潼南区"),
]
WORKS = ["高速公路", "污水处理厂", "产业园", "水库", "物流园", "旅游度假区", "综合管廊", "光伏电站"]
#: the data area (lon/lat) and the boxes the latency test cycles through (0.5° × 0.5°)
AREA = (105.3, 28.2, 110.2, 32.2)
BOXES = [(105.6 + 0.4 * i, 28.6 + 0.3 * i, 106.1 + 0.4 * i, 29.1 + 0.3 * i) for i in range(10)]


# ----------------------------------------------------------------------------- PostGIS
@contextlib.contextmanager
def pg_cluster() -> Iterator[str]:
    """A throwaway PostGIS cluster; yields its database URL and stops it afterwards."""
    folder = tempfile.mkdtemp(prefix="geoapp-bench-pg.")
    url = subprocess.run(
        [str(ROOT / "scripts" / "pg-cluster.sh"), "start", folder], check=True, capture_output=True, text=True
    ).stdout.strip()
    try:
        yield url
    finally:
        subprocess.run([str(ROOT / "scripts" / "pg-cluster.sh"), "stop", folder], check=False)


def generate(url: str, n: int, stored_properties: bool = True) -> float:
    """Create the schema and ``n`` synthetic projects (with counties and mentions); seconds taken.

    ``stored_properties``: fill ``projects.feature_properties`` as ingestion does (False
    measures the path that builds every feature's properties when reading)."""
    import psycopg
    from sqlalchemy.engine import make_url

    from geoapp.catalog.style import CATEGORIES, STATUSES, SUBTYPES
    from geoapp.store.database import Database

    t0 = time.perf_counter()
    db = Database(url)
    db.upgrade()
    db.dispose()
    u = make_url(url)
    with psycopg.connect(
        host=u.host, port=u.port, user=u.username, dbname=u.database, autocommit=True
    ) as conn:
        conn.execute("SELECT setseed(0.42)")
        conn.execute(
            "INSERT INTO documents (id, file_name, sha256, title, county_code, county_name, text, ingested_at) "
            "VALUES (1, 'bench_synthetic.txt', repeat('0', 64), '基准测试用合成规划文件', '500233', '忠县', '合成', now())"
        )
        conn.execute(
            """
            INSERT INTO projects (id, key, kind, name, aliases, category, subtype, status, county_code, county_name,
                investment_wan, period_start, period_end, lead_unit, precision, location_class, location_note,
                gazetteer_ids, updated_at, geom)
            SELECT g, 'bench:' || g, 'project',
                (%(cn)s::text[])[1 + g %% 5] || (%(works)s::text[])[1 + g %% 8] || g || '号工程',
                '[]'::json, (%(cats)s::text[])[1 + g %% 10], (%(subs)s::text[])[1 + (g / 10) %% %(nsub)s],
                (%(stats)s::text[])[1 + g %% 4], (%(cc)s::text[])[1 + g %% 5], (%(cn)s::text[])[1 + g %% 5],
                CASE WHEN g %% 3 = 0 THEN NULL ELSE round((random() * 100000)::numeric, 1) END,
                CASE WHEN g %% 4 = 0 THEN NULL ELSE 2020 + g %% 6 END,
                CASE WHEN g %% 4 = 0 THEN NULL ELSE 2025 + g %% 6 END,
                '县发展和改革委员会', 1 + g %% 6, 1 + g %% 4,
                CASE WHEN g %% 5 = 0 THEN '位置按所在区县估计' END, '[]'::json, now(),
                CASE WHEN g %% 20 < 16 THEN ST_SetSRID(ST_MakePoint(x, y), 4326)
                     WHEN g %% 20 < 19 THEN ST_SetSRID(ST_MakeLine(ARRAY[ST_MakePoint(x, y),
                          ST_MakePoint(x + 0.03, y + 0.02), ST_MakePoint(x + 0.06, y + 0.025)]), 4326)
                     ELSE ST_Expand(ST_SetSRID(ST_MakePoint(x, y), 4326), 0.01) END
            FROM (SELECT g, %(x0)s + random() * %(dx)s AS x, %(y0)s + random() * %(dy)s AS y
                  FROM generate_series(1, %(n)s) g) s
            """,
            {
                "cn": [c[1] for c in COUNTIES],
                "cc": [c[0] for c in COUNTIES],
                "works": WORKS,
                "cats": list(CATEGORIES),
                "subs": list(SUBTYPES),
                "nsub": len(SUBTYPES),
                "stats": list(STATUSES),
                "n": n,
                "x0": AREA[0],
                "dx": AREA[2] - AREA[0],
                "y0": AREA[1],
                "dy": AREA[3] - AREA[1],
            },
        )
        conn.execute(
            "INSERT INTO project_counties (project_id, county_code, county_name, position) "
            "SELECT id, county_code, county_name, 0 FROM projects"
        )
        conn.execute(
            "INSERT INTO project_counties (project_id, county_code, county_name, position) "
            "SELECT id, '500230', '丰都县', 1 FROM projects WHERE id % 10 = 0"
        )
        conn.execute(
            """
            INSERT INTO mentions (id, project_id, document_id, section, start, "end", surface, sentence, status)
            SELECT id, id, 1, '三、重点项目', id, id + 10, name,
                   '加快推进' || name || '建设，力争' || (2025 + id % 5) || '年建成投用，带动周边产业发展和乡村振兴。',
                   status
            FROM projects
            """
        )
        for table in ("documents", "projects", "mentions"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    if stored_properties:
        # As ingestion does: each project's feature properties written once, when its data change.
        from geoapp.catalog.sources.projects import refresh_stored_properties

        db = Database(url)
        with db.session() as session:
            refresh_stored_properties(session, db.backend)
        db.dispose()
    with psycopg.connect(
        host=u.host, port=u.port, user=u.username, dbname=u.database, autocommit=True
    ) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - t0


# ----------------------------------------------------------------------------- serving
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app: str, port: int, env: dict[str, str], *, workers: int, threads: int, bin_dir: Path = VENV_BIN,
             cwd: Path = ROOT, flags: tuple[str, ...] = (), on_log=None) -> Iterator[str]:  # fmt: skip
    """Serve the WSGI ``app`` with gunicorn (gthread workers, extra ``flags``); yields the base
    URL. ``on_log(lines)`` gets gunicorn's log when it has stopped."""
    cmd = [str(bin_dir / "gunicorn"), "-b", f"127.0.0.1:{port}", "-w", str(workers), "-k", "gthread",
           "--threads", str(threads), "--timeout", "300", "--log-level", "warning", *flags, app]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
        try:
            for _ in range(300):
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"gunicorn exited: {log.read()[-2000:]}")
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if on_log is not None:
                log.seek(0)
                on_log(log.read().splitlines())


# ----------------------------------------------------------------------------- client
class Client:
    """One keep-alive HTTP connection."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)

    def get(self, path: str) -> tuple[int, bytes]:
        self.conn.request("GET", path, headers={"Accept": "application/geo+json, application/json"})
        resp = self.conn.getresponse()
        return resp.status, resp.read()

    def close(self) -> None:
        self.conn.close()


def percentiles(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    return {
        "n": len(s),
        "p50_ms": round(statistics.median(s) * 1000, 2),
        "p95_ms": round(s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))] * 1000, 2),
        "max_ms": round(s[-1] * 1000, 2),
    }


def latency(base: str, paths: list[str], n: int, warmup: int = 20) -> dict[str, float]:
    """Sequential GETs cycling through ``paths``; every answer must be 200."""
    client = Client(base)
    samples = []
    try:
        for i in range(warmup + n):
            path = paths[i % len(paths)]
            t = time.perf_counter()
            status, body = client.get(path)
            dt = time.perf_counter() - t
            if status != 200:
                raise RuntimeError(f"{path}: HTTP {status}: {body[:300]!r}")
            if i >= warmup:
                samples.append(dt)
    finally:
        client.close()
    return percentiles(samples)


def throughput(base: str, path: str) -> dict[str, float]:
    """Read one (streamed) response whole; features per second (counted after the clock stops)."""
    client = Client(base)
    try:
        t = time.perf_counter()
        status, body = client.get(path)
        dt = time.perf_counter() - t
    finally:
        client.close()
    if status != 200:
        raise RuntimeError(f"{path}: HTTP {status}: {body[:300]!r}")
    n = len(json.loads(body)["features"])
    return {
        "features": n,
        "seconds": round(dt, 3),
        "MB": round(len(body) / 1e6, 1),
        "features_per_s": round(n / dt),
    }


def paging_throughput(base: str, path: str, limit: int = 10_000) -> dict[str, float]:
    """Page through ``path`` with ``limit`` and ``offset`` until a short page; features per second.

    Only ``numberReturned`` is read from each page (no JSON parsing in the timing), so
    the number is the server's and the transfer's, not the client's.
    """
    import re

    client = Client(base)
    n = pages = 0
    t = time.perf_counter()
    try:
        while True:
            status, body = client.get(f"{path}{'&' if '?' in path else '?'}limit={limit}&offset={n}")
            if status != 200:
                raise RuntimeError(f"{path}: HTTP {status}: {body[:300]!r}")
            returned = int(re.search(rb'"numberReturned":\s*(\d+)', body).group(1))
            n += returned
            pages += 1
            if returned < limit:
                break
    finally:
        client.close()
    dt = time.perf_counter() - t
    return {"features": n, "pages": pages, "seconds": round(dt, 3), "features_per_s": round(n / dt)}


def items_paths(prefix: str = "/collections/projects/items", category: str = "transport") -> list[str]:
    return [f"{prefix}?limit=100&bbox={','.join(map(str, b))}&category={category}" for b in BOXES]


# ----------------------------------------------------------------------------- main
def say(*parts) -> None:
    print(*parts, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--no-stored-properties",
        action="store_true",
        help="leave projects.feature_properties empty: measure building properties on every read",
    )
    args = parser.parse_args()
    random.seed(1)

    with pg_cluster() as url:
        say(f"PostGIS: {url}")
        seconds = generate(url, args.projects, stored_properties=not args.no_stored_properties)
        say(f"generated {args.projects} synthetic projects in {seconds:.1f} s")
        env = {"GEOAPP_DATABASE_URL": url, "GEOAPP_MAX_PAGE_SIZE": "10000"}
        with gunicorn(
            "geoapp:create_app()", free_port(), env, workers=args.workers, threads=args.threads
        ) as base:
            say(f"geoapp under gunicorn ({args.workers} workers × {args.threads} threads): {base}")
            paths = items_paths()
            _, body = Client(base).get(paths[0])
            doc = json.loads(body)
            say(f"sample page: numberMatched={doc['numberMatched']} numberReturned={doc['numberReturned']}")
            lat = latency(base, paths, args.requests)
            say(f"items?limit=100&bbox&category  {lat}   (target p95 ≤ 50 ms)")
            lat1 = latency(
                base,
                [f"/collections/projects/items/{random.randint(1, args.projects)}" for _ in range(50)],
                100,
            )
            say(f"items/{{id}}                      {lat1}")
            runs = [throughput(base, "/download/projects.geojson") for _ in range(3)]
            best = max(runs, key=lambda r: r["features_per_s"])
            say(f"download/projects.geojson       best of 3: {best}   (target ≥ 100,000 features/s)")
            say(f"                                all runs: {[r['features_per_s'] for r in runs]}")
            page = paging_throughput(base, "/collections/projects/items")
            say(f"items?limit=10000 paging        {page}")


if __name__ == "__main__":
    main()
