"""The review page's saves as a browser makes them, on SpatiaLite and PostGIS: an editor signs
in (/login), then for each of the queue's first N items the three requests behind "open,
click, save" — the feature, its version (history) and the save (POST
/api/projects/<id>/corrections with the session cookie, the CSRF token and If-Match) — plus
the queue itself (/api/review). Server time through the WSGI app (no network).
Target (issue 16): ≤ 2 s server time per save.

    .venv/bin/python bench/bench_review.py [--saves 50]

PostGIS comes from GEOAPP_TEST_POSTGIS_URL, or a throwaway cluster is started.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import shapely  # noqa: E402,F401  (before SpatiaLite)
from bench_ingest import SEEDS, fresh, postgis  # noqa: E402

from gazetteer import Gazetteer  # noqa: E402
from geoapp import create_app  # noqa: E402
from geoapp.ingest import ingest_files  # noqa: E402
from geoapp.store.accounts import add_user, create_token  # noqa: E402
from geoapp.store.database import Database, forget_database  # noqa: E402


def _timed(times: list[float], call, *args, **kwargs):
    t = time.perf_counter()
    response = call(*args, **kwargs)
    times.append(time.perf_counter() - t)
    return response


def _signed_in(app, token: str):
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = client.post("/login", data={"name": "bench", "token": token, "csrf_token": csrf, "next": "/review"})
    assert r.status_code == 302, r.status_code
    with client.session_transaction() as s:
        return client, s["csrf"]


def _line(label: str, what: str, times: list[float]) -> str:
    times = sorted(times)
    return (
        f"{label:10} {what}: median {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {times[int(len(times) * 0.95)] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms over {len(times)}"
    )


def run(label: str, url: str, gaz: Gazetteer, saves: int) -> None:
    target = fresh(url, gaz, 77)
    db = Database(target)
    assert ingest_files(db, gaz, SEEDS).failed == 0
    with db.session() as session:
        add_user(session, "bench", "editor")
        token = create_token(session, "bench")
    app = create_app({"database_url": target, "log_level": "WARNING"})
    client, csrf = _signed_in(app, token)
    queue_t: list[float] = []
    open_t: list[float] = []
    save_t: list[float] = []
    items = _timed(queue_t, client.get, f"/api/review?limit={saves}").get_json()["items"]
    for n, item in enumerate(items):
        pid = item["id"]
        _timed(open_t, client.get, f"/api/projects/{pid}")
        version = _timed(open_t, client.get, f"/projects/{pid}/history?f=json").get_json()["version"]
        body = {
            "changes": {"geometry": {"type": "Point", "coordinates": [107.9 + n * 0.001, 30.3]}},
            "comment": f"bench {n}",
        }
        r = _timed(
            save_t,
            client.post,
            f"/api/projects/{pid}/corrections",
            data=json.dumps(body),
            content_type="application/json",
            headers={"X-CSRF-Token": csrf, "If-Match": version},
        )
        assert r.status_code == 201, r.get_json()
        _timed(queue_t, client.get, "/api/review?limit=200")
    done = client.get("/api/review").get_json()["done"]
    print(_line(label, "save (POST, cookie + CSRF + If-Match)", save_t) + " (target ≤ 2 s)")
    print(_line(label, "open (feature + version)", open_t))
    print(_line(label, "queue (/api/review, 200 items)", queue_t) + f"; progress {done} done")
    forget_database(target)
    db.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--saves", type=int, default=50)
    args = ap.parse_args()
    gaz = Gazetteer.load()
    run("spatialite", "sqlite://", gaz, args.saves)
    with postgis() as url:
        run("postgis", url, gaz, args.saves)


if __name__ == "__main__":
    main()
