"""Load and outage benchmark: gunicorn (gthread) + a throwaway PostGIS with the seeds.

Starts a PostGIS cluster (scripts/pg-cluster.sh), creates the schema and ingests
``seeds/*.txt``, serves geoapp with gunicorn (``-k gthread``, the Dockerfile's flags) on
loopback, then:

(a) **load**: ``--clients`` closed-loop clients (each its own keep-alive connection, no
    think time) for ``--duration`` seconds, a quarter each on

    * items — ``/collections/projects/items?limit=100&bbox=…&category=…`` (rotating boxes
      and categories),
    * item — ``/collections/projects/items/<id>`` (rotating ids),
    * geocode — ``/api/geocode?q=…&county=…`` (rotating place names),
    * render — ``/maps/render.png?county=…&width=…`` (4 counties × 5 rotating widths;
      800 and 810 are one image once sizes are normalised),

    and prints per kind: requests, errors, 503s, p50/p95/p99 latency.
    Targets (issue #11): 0 errors; p99 ≤ 500 ms for items, item and geocode; renders may
    queue (a 503 with Retry-After when the render queue is full is allowed, and counted).

(b) **outage**: ``--outage-clients`` clients on the same mix; after a few seconds
    PostgreSQL is stopped (``pg_ctl -m fast``) for ``--outage`` seconds and started again.
    Prints the status codes of the failed requests, how many were 503 with JSON and with
    ``Retry-After``, and the recovery time: from PostgreSQL accepting connections again to
    the end of the last failed request. Targets: every failure a 503 JSON with
    Retry-After; recovery ≤ 5 s.

Clients run in ``--client-procs`` processes so the client's own GIL is not the bottleneck;
the server, PostgreSQL and the clients share the machine's cores, so the figures are
noisy on a small or shared machine. A benchmark, not a test: it prints, it never fails.

Usage::

    .venv/bin/python bench/bench_load.py                     # ~2 min: 32 clients × 60 s + outage
    .venv/bin/python bench/bench_load.py --duration 15 --skip-outage
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))

KINDS = ("items", "item", "geocode", "render")
CHEAP = ("items", "item", "geocode")
COUNTIES = {"500233": "忠县", "500231": "垫江县", "500151": "铜梁区", "500154": "开州区"}
#: 0.2° boxes around the seeded counties
BOXES = [
    (107.9, 30.2, 108.1, 30.4),
    (107.7, 30.1, 107.9, 30.3),
    (107.25, 30.2, 107.45, 30.4),
    (105.95, 29.75, 106.15, 29.95),
    (108.3, 31.05, 108.5, 31.25),
    (108.0, 30.3, 108.2, 30.5),
]
CATEGORIES = ("transport", "water", "energy", "urban")
WIDTHS = (800, 810, 1000, 1210, 1600)


def say(*parts) -> None:
    print(*parts, flush=True)


# ----------------------------------------------------------------------------- PostGIS
def _as_postgres(*cmd: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)


class Cluster:
    """scripts/pg-cluster.sh's cluster, with stop/start for the outage."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="geoapp-bench-load-pg.")
        self.url = subprocess.run(
            [str(ROOT / "scripts" / "pg-cluster.sh"), "start", self.dir],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        self.port = Path(self.dir, "port").read_text().strip()

    def stop(self) -> None:
        subprocess.run(_as_postgres(str(PGBIN / "pg_ctl"), "-D", f"{self.dir}/data", "-m", "fast", "-w", "stop"),
                       check=True, capture_output=True)  # fmt: skip

    def start(self) -> None:
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off")  # fmt: skip
        subprocess.run(_as_postgres(str(PGBIN / "pg_ctl"), "-D", f"{self.dir}/data", "-l", f"{self.dir}/log",
                                    "-w", "-o", opts, "start"), check=True, capture_output=True)  # fmt: skip

    def remove(self) -> None:
        subprocess.run([str(ROOT / "scripts" / "pg-cluster.sh"), "stop", self.dir], check=False)


def load_seeds(env: dict[str, str]) -> float:
    t = time.perf_counter()
    geoapp = str(VENV_BIN / "geoapp")
    subprocess.run([geoapp, "db", "init"], check=True, env=env, cwd=ROOT, capture_output=True)
    seeds = sorted(str(p) for p in (ROOT / "seeds").glob("*.txt"))
    subprocess.run([geoapp, "ingest", *seeds], check=True, env=env, cwd=ROOT, capture_output=True)
    return time.perf_counter() - t


def sample_rows(url: str) -> tuple[list[int], list[tuple[str, str]]]:
    """Project ids and (place name, county code) pairs for the item and geocode requests."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    with psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=u.database) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM projects ORDER BY id")]
        names = list(conn.execute(
            "SELECT name, county_code FROM places WHERE county_code = ANY(%s) AND kind <> 'county' "
            "ORDER BY id LIMIT 60", (list(COUNTIES),)))  # fmt: skip
    return ids, names


# ----------------------------------------------------------------------------- serving
def gunicorn(port: int, env: dict[str, str], workers: int, threads: int):
    """geoapp under gunicorn with the Dockerfile's flags (bench_ogc's starter); yields the base URL."""
    from bench_ogc import gunicorn as serve

    flags = ("--limit-request-line", "0", "--limit-request-field_size", "16384")
    return serve(
        "geoapp:create_app()", port, env, workers=workers, threads=threads, flags=flags, on_log=_log_errors
    )


def _log_errors(lines: list[str]) -> None:
    # the exception line ending each traceback, and gunicorn's own error lines
    ends = [next((x for x in lines[i + 1:] if x and not x.startswith(" ")), "?")
            for i, line in enumerate(lines) if line.startswith("Traceback")]  # fmt: skip
    ends += [line for line in lines if "[ERROR]" in line]
    if ends:
        say(f"  gunicorn log: {len(ends)} errors: {dict(Counter(e[:160] for e in ends).most_common(4))}")


# ----------------------------------------------------------------------------- clients
def paths_for(kind: str, ids: list[int], names: list[tuple[str, str]]) -> list[str]:
    if kind == "items":
        return [f"/collections/projects/items?limit=100&bbox={','.join(map(str, b))}&category={c}"
                for b in BOXES for c in CATEGORIES]  # fmt: skip
    if kind == "item":
        return [f"/collections/projects/items/{i}" for i in ids]
    if kind == "geocode":
        return [f"/api/geocode?q={quote(n)}&county={c}" for n, c in names]
    return [f"/maps/render.png?county={quote(name)}&width={w}&height=700&dpi=100"
            for name in COUNTIES.values() for w in WIDTHS]  # fmt: skip


def _client(port: int, kind: str, paths: list[str], until: float, seed: int, out: list) -> None:
    """One closed-loop client: (kind, start, end, status, has Retry-After, JSON body, why) per request;
    ``why`` tells a render 503 for a full queue ("queue") from one for a timeout ("timeout")."""
    rnd = random.Random(seed)
    paths = paths[:]
    rnd.shuffle(paths)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    i = 0
    while time.time() < until:
        path = paths[i % len(paths)]
        i += 1
        t0 = time.time()
        try:
            conn.request("GET", path, headers={"Accept": "application/json"})
            resp = conn.getresponse()
            body = resp.read()
            status = resp.status
            retry = resp.getheader("Retry-After") is not None
            is_json = (resp.getheader("Content-Type") or "").startswith(
                ("application/json", "application/geo+json")
            )
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            status, retry, is_json, body = 0, False, False, b""
            conn.close()
        why = ""
        if status == 503:
            why = (
                "queue" if b"busy drawing" in body else "timeout" if b"not drawn within" in body else "other"
            )
        out.append((kind, t0, time.time(), status, retry, is_json, why))
    conn.close()


def _client_proc(args: tuple) -> list:
    port, jobs, until = args
    out: list = []
    threads = [
        threading.Thread(target=_client, args=(port, kind, paths, until, seed, out))
        for kind, paths, seed in jobs
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def run_clients(port: int, n: int, procs: int, seconds: float, kinds_paths: dict[str, list[str]],
                during=None) -> list:  # fmt: skip
    """``n`` clients (kinds in turn) in ``procs`` processes for ``seconds``; ``during`` runs meanwhile."""
    until = time.time() + seconds
    jobs: list[list] = [[] for _ in range(procs)]
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        jobs[i % procs].append((kind, kinds_paths[kind], i))
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(procs) as pool:
        pending = pool.map_async(_client_proc, [(port, j, until) for j in jobs if j])
        if during is not None:
            during()
        results = pending.get()
    return [r for part in results for r in part]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else float("nan")


# ----------------------------------------------------------------------------- phases
def load_phase(port: int, opts, kinds_paths) -> None:
    say(f"\n(a) load: {opts.clients} clients × {opts.duration:g} s, {opts.clients // 4} per kind "
        f"({opts.client_procs} client processes)")  # fmt: skip
    t = time.time()
    records = run_clients(port, opts.clients, opts.client_procs, opts.duration, kinds_paths)
    wall = time.time() - t
    say(f"{'kind':<8} {'requests':>8} {'req/s':>7} {'errors':>6} {'503':>5} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8}")  # fmt: skip
    verdict = []
    for kind in KINDS:
        rows = [r for r in records if r[0] == kind]
        ok = [(r[2] - r[1]) * 1000 for r in rows if r[3] == 200]
        busy = sum(1 for r in rows if r[3] == 503)
        errors = sum(1 for r in rows if r[3] != 200 and not (kind == "render" and r[3] == 503))
        say(f"{kind:<8} {len(rows):>8} {len(rows) / wall:>7.1f} {errors:>6} {busy:>5} {pct(ok, .5):>8.1f} "
            f"{pct(ok, .95):>8.1f} {pct(ok, .99):>8.1f} {max(ok, default=float('nan')):>8.1f}")  # fmt: skip
        if errors:
            codes = Counter(r[3] for r in rows if r[3] != 200)
            say(f"         status codes of the errors: {dict(codes)}")
            verdict.append(f"{kind}: {errors} errors")
        if kind in CHEAP and pct(ok, 0.99) > 500:
            verdict.append(f"{kind}: p99 {pct(ok, 0.99):.0f} ms > 500 ms")
    renders = [r for r in records if r[0] == "render"]
    if renders:
        busy = [r for r in renders if r[3] == 503]
        say(
            f"render 503s: {len(busy)} ({dict(Counter(r[6] for r in busy))}; {sum(r[4] for r in busy)} with "
            f"Retry-After, {sum(r[5] for r in busy)} JSON); renders served: {sum(r[3] == 200 for r in renders)}"
        )
    say(
        "targets (0 errors, p99 ≤ 500 ms for items/item/geocode):",
        "met" if not verdict else "NOT met: " + "; ".join(verdict),
    )


def outage_phase(port: int, opts, kinds_paths, cluster: Cluster) -> None:
    before, after = 3.0, max(8.0, opts.outage + 3.0)
    total = before + opts.outage + after
    say(f"\n(b) outage: {opts.outage_clients} clients; PostgreSQL stopped {before:g} s in for {opts.outage:g} s; "
        f"{total:g} s in all")  # fmt: skip
    marks: dict[str, float] = {}

    def outage() -> None:
        time.sleep(before)
        marks["stop_begin"] = time.time()
        cluster.stop()
        marks["stopped"] = time.time()
        time.sleep(opts.outage)
        marks["start_begin"] = time.time()
        cluster.start()
        marks["started"] = time.time()

    records = run_clients(port, opts.outage_clients, min(opts.client_procs, opts.outage_clients), total,
                          kinds_paths, during=outage)  # fmt: skip
    say(
        f"pg_ctl stop took {marks['stopped'] - marks['stop_begin']:.2f} s, start {marks['started'] - marks['start_begin']:.2f} s"
    )
    failed = [r for r in records if r[3] != 200]
    say(f"requests: {len(records)}; failed: {len(failed)}")
    for kind in KINDS:
        rows = [r for r in failed if r[0] == kind]
        if rows:
            say(f"  {kind:<8} {len(rows):>6} failed; status codes {dict(Counter(r[3] for r in rows))}; "
                f"JSON {sum(r[5] for r in rows)}; Retry-After {sum(r[4] for r in rows)}")  # fmt: skip
    n503 = sum(1 for r in failed if r[3] == 503)
    good = sum(1 for r in failed if r[3] == 503 and r[4] and r[5])
    say(f"503 JSON with Retry-After: {good} of {len(failed)} failed requests ({n503} were 503)")
    # Failures outside the outage window (render queue 503s aside) say something else is wrong.
    early = [r for r in failed if r[2] < marks["stop_begin"] and not (r[0] == "render" and r[3] == 503)]
    if early:
        say(
            f"  {len(early)} failures before PostgreSQL was stopped: {dict(Counter((r[0], r[3]) for r in early))}"
        )
    late = [r for r in failed if r[1] >= marks["started"] and not (r[0] == "render" and r[3] == 503)]
    last_fail = max((r[2] for r in late), default=marks["started"])
    recovery = max(0.0, last_fail - marks["started"])
    firsts = {}
    for kind in KINDS:
        oks = [r[2] for r in records if r[0] == kind and r[3] == 200 and r[1] >= marks["started"]]
        firsts[kind] = f"{min(oks) - marks['started']:.2f} s" if oks else "never"
    say(
        f"recovery (PostgreSQL accepting → last failure ended): {recovery:.2f} s; first 200 after restart: {firsts}"
    )
    verdict = []
    if good != len(
        [r for r in failed if not (r[0] == "render" and r[3] == 503 and r[2] < marks["stop_begin"])]
    ):
        verdict.append("not every failure was a 503 JSON with Retry-After")
    if recovery > 5:
        verdict.append(f"recovery {recovery:.1f} s > 5 s")
    say(
        "targets (every failure a 503 JSON with Retry-After, recovery ≤ 5 s):",
        "met" if not verdict else "NOT met: " + "; ".join(verdict),
    )


def long_url_check(port: int) -> None:
    """Long CQL2 filter URLs must get through the server (whatever the app answers): ~16 KB of
    ids, and a name of 20,000 Chinese characters (~180 KB encoded, the documented maximum)."""
    ids = ",".join(str(i) for i in range(1, 3000))
    for what in (f"id IN ({ids})", "name = '" + "中" * 19_990 + "'"):
        path = "/collections/projects/items?limit=1&filter=" + quote(what)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", path, headers={"Accept": "application/json"})
            resp = conn.getresponse()
            resp.read()
            say(
                f"a {len(path):,}-byte URL (CQL2 filter): HTTP {resp.status} {resp.getheader('Content-Type')}"
            )
        finally:
            conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (a)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients in (a)")
    parser.add_argument("--outage-clients", type=int, default=16, help="concurrent clients in (b)")
    parser.add_argument("--outage", type=float, default=5, help="seconds PostgreSQL is down in (b)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per process")
    parser.add_argument("--client-procs", type=int, default=4, help="processes the clients run in")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-outage", action="store_true")
    opts = parser.parse_args()

    say(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (server, PostgreSQL and "
        "clients share them: noisy figures)")  # fmt: skip
    cluster = Cluster()
    try:
        env = {**os.environ, "GEOAPP_DATABASE_URL": cluster.url}
        say(f"PostGIS: {cluster.url}; schema + seeds in {load_seeds(env):.1f} s")
        ids, names = sample_rows(cluster.url)
        kinds_paths = {kind: paths_for(kind, ids, names) for kind in KINDS}
        from geoapp.settings import load_settings

        settings = {k: v for k, v in load_settings(env).items() if k.startswith("render_") and "max" not in k}
        say(f"{len(ids)} projects, {len(names)} place names; gunicorn -w {opts.workers} -k gthread --threads "
            f"{opts.threads}; render settings {settings}")  # fmt: skip
        from bench_ogc import free_port

        port = free_port()
        with gunicorn(port, env, opts.workers, opts.threads):
            # Warm both workers' gazetteer and imports on the cheap kinds (renders start cold).
            warm = {k: v for k, v in kinds_paths.items() if k in CHEAP}
            run_clients(port, 12, 3, 4, {**warm, "render": warm["geocode"]})
            long_url_check(port)
            if not opts.skip_load:
                load_phase(port, opts, kinds_paths)
            if not opts.skip_outage:
                outage_phase(port, opts, kinds_paths, cluster)
    finally:
        cluster.remove()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
