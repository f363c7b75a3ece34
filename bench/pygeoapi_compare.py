"""geoapp and pygeoapi side by side on the same PostGIS table, behind the same WSGI server.

Installs pygeoapi (from PyPI) into its own virtualenv ``var/bench-pygeoapi`` on
first use, starts a throwaway PostGIS cluster with 100,000 synthetic projects
(see ``bench_ogc.py``), points pygeoapi's PostgreSQL provider at the ``projects``
table, serves both apps with gunicorn (same workers and threads) and prints, for
each, the latency and throughput of the same requests and the ratio geoapp/pygeoapi.

Note what is compared: pygeoapi serves the table's own columns; geoapp's features
carry more (labels, the county lists and the first source sentence, joined from
two other tables), so geoapp does more work per feature.

Usage::

    .venv/bin/python bench/pygeoapi_compare.py [--projects 100000] [--requests 300] [--clients 4]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ogc import (  # noqa: E402
    AREA,
    ROOT,
    Client,
    free_port,
    generate,
    gunicorn,
    items_paths,
    latency,
    paging_throughput,
    pg_cluster,
    say,
)

PEER_VENV = ROOT / "var" / "bench-pygeoapi"
PEER_PACKAGES = ["pygeoapi", "psycopg2-binary", "geoalchemy2", "gunicorn"]


def ensure_pygeoapi() -> str:
    """Create the peer's virtualenv if needed; its pygeoapi version."""
    py = PEER_VENV / "bin" / "python"
    if not py.exists():
        say(f"creating {PEER_VENV} and installing {' '.join(PEER_PACKAGES)} from PyPI …")
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    probe = subprocess.run([str(py), "-c", "import pygeoapi, geoalchemy2, psycopg2, gunicorn; print(pygeoapi.__version__)"],
                           capture_output=True, text=True)  # fmt: skip
    if probe.returncode != 0:
        subprocess.run([str(PEER_VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", *PEER_PACKAGES],
                       check=True)  # fmt: skip
        probe = subprocess.run([str(py), "-c", "import pygeoapi; print(pygeoapi.__version__)"],
                               capture_output=True, text=True, check=True)  # fmt: skip
    return probe.stdout.strip()


def pygeoapi_config(folder: Path, url: str, port: int, max_items: int) -> dict[str, str]:
    """Write pygeoapi's configuration and OpenAPI document; the environment to serve it."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    config = {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "language": "en-US",
            "pretty_print": False,
            "limits": {"default_items": 100, "max_items": max_items},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OSM"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": "bench", "description": "bench", "keywords": ["bench"],
                               "keywords_type": "theme", "terms_of_service": "none", "url": "http://example.org"},
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "bench", "url": "http://example.org"},
            "contact": {"name": "bench", "position": "bench", "address": "x", "city": "x", "stateorprovince": "x",
                        "postalcode": "x", "country": "x", "phone": "x", "fax": "x", "email": "x@example.org",
                        "url": "http://example.org", "hours": "x", "instructions": "x", "role": "pointOfContact"},
        },
        "resources": {
            "projects": {
                "type": "collection",
                "title": "projects",
                "description": "the same synthetic projects table",
                "keywords": ["projects"],
                "extents": {"spatial": {"bbox": list(AREA), "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
                "providers": [{
                    "type": "feature",
                    "name": "PostgreSQL",
                    "data": {"host": u.host, "port": u.port, "dbname": u.database, "user": u.username, "password": ""},
                    "id_field": "id",
                    "table": "projects",
                    "geom_field": "geom",
                }],
            }
        },
    }  # fmt: skip
    cfg = folder / "pygeoapi-config.yml"
    cfg.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    oas = folder / "pygeoapi-openapi.yml"
    env = {"PYGEOAPI_CONFIG": str(cfg), "PYGEOAPI_OPENAPI": str(oas)}
    subprocess.run([str(PEER_VENV / "bin" / "pygeoapi"), "openapi", "generate", str(cfg), "--output-file", str(oas)],
                   check=True, capture_output=True, env={**os.environ, **env})  # fmt: skip
    return env


def concurrent(base: str, paths: list[str], clients: int, per_client: int) -> dict[str, float]:
    """``clients`` keep-alive connections issuing ``per_client`` requests each: requests per second."""
    errors: list[str] = []

    def run(k: int) -> None:
        client = Client(base)
        try:
            for i in range(per_client):
                status, body = client.get(paths[(k + i) % len(paths)])
                if status != 200:
                    errors.append(f"HTTP {status}: {body[:200]!r}")
        finally:
            client.close()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    dt = time.perf_counter() - t
    if errors:
        raise RuntimeError(errors[0])
    return {
        "requests": clients * per_client,
        "seconds": round(dt, 2),
        "req_per_s": round(clients * per_client / dt, 1),
    }


METRICS = ("latency", "concurrent", "item", "paging")


def measure(metric: str, base: str, args) -> dict:
    if metric == "latency":
        return latency(base, items_paths(), args.requests)
    if metric == "concurrent":
        return concurrent(base, items_paths(), args.clients, args.requests // args.clients)
    if metric == "item":
        return latency(base, [f"/collections/projects/items/{i}" for i in range(1, 2000, 37)], 100)
    return paging_throughput(base, "/collections/projects/items")


def better(metric: str, a: dict | None, b: dict) -> dict:
    """The better of two runs (the machine is shared: keep each app's best)."""
    if a is None:
        return b
    if metric in ("latency", "item"):
        return a if a["p50_ms"] <= b["p50_ms"] else b
    key = "req_per_s" if metric == "concurrent" else "features_per_s"
    return a if a[key] >= b[key] else b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    version = ensure_pygeoapi()
    say(f"pygeoapi {version} in {PEER_VENV}")
    with pg_cluster() as url, tempfile.TemporaryDirectory(prefix="pygeoapi-bench-") as tmp:
        say(f"generated {args.projects} synthetic projects in {generate(url, args.projects):.1f} s ({url})")
        ours_port, peer_port = free_port(), free_port()
        peer_env = pygeoapi_config(Path(tmp), url, peer_port, 10_000)
        ours_env = {"GEOAPP_DATABASE_URL": url, "GEOAPP_MAX_PAGE_SIZE": "10000"}
        server = {"workers": args.workers, "threads": args.threads}
        say(
            f"both under gunicorn -k gthread -w {args.workers} --threads {args.threads}; {args.clients} concurrent clients"
        )
        results: dict[str, dict[str, dict]] = {"geoapp": {}, "pygeoapi": {}}
        with (
            gunicorn("geoapp:create_app()", ours_port, ours_env, **server) as ours_base,
            gunicorn("pygeoapi.flask_app:APP", peer_port, peer_env, bin_dir=PEER_VENV / "bin", cwd=Path(tmp),
                     **server) as peer_base,
        ):  # fmt: skip
            bases = {"geoapp": ours_base, "pygeoapi": peer_base}
            for name, base in bases.items():
                doc = json.loads(Client(base).get(items_paths()[0])[1])
                say(
                    f"  {name}: sample page numberMatched={doc.get('numberMatched')} returned={len(doc['features'])}"
                )
            # both servers run side by side; the measurements alternate, best of --rounds each
            for metric in METRICS:
                for _ in range(args.rounds):
                    for name, base in bases.items():
                        results[name][metric] = better(
                            metric, results[name].get(metric), measure(metric, base, args)
                        )
                for name in bases:
                    say(f"  {name:9s} {metric:10s} {results[name][metric]}")

    ours, peer = results["geoapp"], results["pygeoapi"]
    say("\nratio geoapp / pygeoapi (higher is better for geoapp)")
    say(f"  items?limit=100&bbox&category, {args.clients} clients: "
        f"{ours['concurrent']['req_per_s'] / peer['concurrent']['req_per_s']:.2f}× requests/s")  # fmt: skip
    say(
        f"  same, sequential p50 latency:          {peer['latency']['p50_ms'] / ours['latency']['p50_ms']:.2f}× faster"
    )
    say(
        f"  items/{{id}} p50 latency:               {peer['item']['p50_ms'] / ours['item']['p50_ms']:.2f}× faster"
    )
    say(f"  paging all features, limit=10000:       "
        f"{ours['paging']['features_per_s'] / peer['paging']['features_per_s']:.2f}× features/s")  # fmt: skip


if __name__ == "__main__":
    main()
