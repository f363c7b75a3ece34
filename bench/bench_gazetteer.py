"""Gazetteer benchmark: load time, single lookups, 10,000-name batches in process and over HTTP.

Targets (issue 3): load ≤ 1 s; one lookup median ≤ 50 µs; 10,000 names ≤ 1 s in
process and ≤ 3 s over HTTP. Run: .venv/bin/python bench/bench_gazetteer.py
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gazetteer import Gazetteer  # noqa: E402


def names_for(gaz: Gazetteer, n: int, seed: int = 7) -> list[str]:
    """A realistic mix: township and county names, curated features and lines,
    planning-document phrases and misses."""
    rng = random.Random(seed)
    pool = [e.name for e in gaz.entries if e.kind in ("township", "county", "feature", "line")]
    phrases = [
        "G350忠县至南溪",
        "梁忠石高速",
        "长垫梁开物流通道",
        "达开巫襄铁路",
        "新生港物流园区",
        "石宝镇污水处理厂",
    ]
    misses = ["查无此地", "某某工业园", "abc"]
    out = []
    for _ in range(n):
        r = rng.random()
        out.append(rng.choice(pool) if r < 0.8 else rng.choice(phrases) if r < 0.95 else rng.choice(misses))
    return out


def main() -> None:
    t = time.perf_counter()
    gaz = Gazetteer.load()
    load_s = time.perf_counter() - t
    print(f"load built gazetteer: {load_s:.3f} s ({len(gaz.entries)} entries)")

    names = names_for(gaz, 10_000)
    for name in names[:200]:  # warm caches
        gaz.resolve(name)
    singles = []
    for name in names[:5000]:
        t = time.perf_counter()
        gaz.resolve(name, limit=1)
        singles.append(time.perf_counter() - t)
    print(
        f"single lookup: median {statistics.median(singles) * 1e6:.1f} µs, "
        f"p95 {statistics.quantiles(singles, n=20)[-1] * 1e6:.1f} µs"
    )

    t = time.perf_counter()
    for name in names:
        gaz.resolve(name, limit=1)
    print(f"batch of 10,000 in process: {time.perf_counter() - t:.3f} s")

    import tempfile

    from werkzeug.serving import make_server

    from geoapp import create_app

    # The geocoding API does not read the database; an empty temporary one will do.
    tmp = tempfile.mkdtemp()
    app = create_app({"database_url": f"sqlite:///{tmp}/bench.sqlite"})
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api/geocode"
    body = json.dumps(names, ensure_ascii=False).encode()
    times, parse = [], []
    for _ in range(5):
        t = time.perf_counter()
        req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req) as resp:
            raw = resp.read()
        times.append(time.perf_counter() - t)
        t = time.perf_counter()
        result = json.loads(raw)
        parse.append(time.perf_counter() - t)
    server.shutdown()
    print(
        f"batch of 10,000 over HTTP (request sent → last byte received): median "
        f"{statistics.median(times):.3f} s, best {min(times):.3f} s; response {len(raw) / 1e6:.1f} MB, "
        f"{result['matched']} matched; client-side JSON parse {statistics.median(parse):.3f} s"
    )


if __name__ == "__main__":
    main()
