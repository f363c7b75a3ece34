"""``geoapp serve``: a real pool of ``--threads`` threads (waitress), room for 16 KB URLs,
the command's one line, over real HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from geoapp.cli import wsgi_server

ROOT = Path(__file__).resolve().parent.parent


class SlowApp:
    """A WSGI app that takes ``delay`` seconds and records how many requests ran at once."""

    def __init__(self, delay: float):
        self.delay = delay
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.delay)
        with self.lock:
            self.running -= 1
        body = str(len(environ.get("QUERY_STRING", ""))).encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]


def stop(server, thread) -> None:
    """Stop a waitress server run in ``thread``: its worker threads first (they finish what they
    are writing), then every socket, closed by the server's own loop (closing them from this
    thread races with the loop), which then ends."""
    from waitress import wasyncore

    server.task_dispatcher.shutdown()
    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
    thread.join(5)
    assert not thread.is_alive()


@pytest.fixture
def serve():
    servers = []

    def start(app, threads: int):
        server = wsgi_server(app, "127.0.0.1", 0, threads)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.effective_port}"

    yield start
    for server, thread in servers:
        stop(server, thread)


def test_threads_bound_the_requests_served_at_once(serve):
    app = SlowApp(0.3)
    url = serve(app, threads=2)
    start = time.monotonic()
    with ThreadPoolExecutor(6) as clients:
        statuses = [r.status_code for r in clients.map(lambda _: requests.get(url, timeout=30), range(6))]
    elapsed = time.monotonic() - start
    assert statuses == [200] * 6
    assert app.most == 2  # never more than --threads, and the pool was used in full
    assert elapsed >= 0.85  # three rounds of two


def test_a_16_kb_url_is_served_and_the_banner_has_no_version(serve):
    url = serve(SlowApp(0), threads=1)
    query = "filter=" + "a" * 20_000
    response = requests.get(f"{url}/?{query}", timeout=30)
    assert response.status_code == 200 and response.text == str(len(query))
    assert response.headers["Server"] == "geoapp"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_geoapp_serve_runs_waitress_with_its_threads(seeded_db):
    port = _free_port()
    env = {**os.environ, "GEOAPP_DATABASE_URL": seeded_db.url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "geoapp.cli", "serve", "--port", str(port), "--threads", "3"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()
        assert line.strip() == f"geoapp serving on http://127.0.0.1:{port}/ (sqlite); Ctrl-C to stop"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "geoapp serve did not answer"
                time.sleep(0.1)
        assert health.status_code == 200 and health.headers["Server"] == "geoapp"
        items = requests.get(f"http://127.0.0.1:{port}/collections/projects/items?limit=2", timeout=30)
        assert items.status_code == 200 and len(items.json()["features"]) == 2
        # A 16 KB CQL2 filter reaches the app; a URL past the app's own limit gets its JSON 414.
        ids = ",".join(str(i) for i in range(1, 3300))
        long = requests.get(
            f"http://127.0.0.1:{port}/collections/projects/items",
            params={"limit": "1", "filter": f"id IN ({ids})"},
            timeout=30,
        )
        assert len(long.url) > 16_000 and long.status_code == 200, long.text[:300]
        from geoapp.web.security import MAX_REQUEST_LINE

        too_long = requests.get(
            f"http://127.0.0.1:{port}/collections/projects/items?q={'a' * MAX_REQUEST_LINE}", timeout=30
        )
        assert too_long.status_code == 414 and too_long.headers["Content-Type"].startswith("application/json")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert proc.returncode == 0, err
