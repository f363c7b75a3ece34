"""Bounded rendering (geoapp.maps.render.RenderPool) over real HTTP on real databases: one drawing
per image however many ask at once, a full queue and a timeout answer 503, renders hold no
database connection and no more server threads than allowed, near sizes are one image.

The drawing itself is the real one, wrapped to count calls and to be held or slowed down.
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from PIL import Image

from geoapp.errors import ServiceUnavailable
from geoapp.maps import pool as drawing
from geoapp.maps import render as rendering
from geoapp.store.database import get_database
from tests.test_serve import stop

SMALL = "width=800&height=600&dpi=100"
SPATIALITE = pytest.mark.parametrize("backend", ["spatialite"], indirect=True)


class Drawing:
    """Replaces ``rendering.draw_image``: counts calls; ``gate`` holds them; ``delay`` slows them."""

    def __init__(self, monkeypatch, delay: float = 0.0):
        self.real = rendering.draw_image
        self.calls = 0
        self.delay = delay
        self.gate = threading.Event()
        self.gate.set()
        self.started = threading.Event()
        self.lock = threading.Lock()
        monkeypatch.setattr(rendering, "draw_image", self)

    def __call__(self, *args, **kwargs):
        with self.lock:
            self.calls += 1
        self.started.set()
        assert self.gate.wait(30), "a test forgot to open the gate"
        time.sleep(self.delay)
        return self.real(*args, **kwargs)


@pytest.fixture
def make_server(seeded_db):
    """``make_server(**settings)`` → a waitress server (``geoapp serve``'s) on a free port."""
    from geoapp import create_app
    from geoapp.cli import wsgi_server
    from geoapp.store.database import forget_database

    servers = []

    def make(threads: int = 8, **settings):
        rendering.clear_cache()
        app = create_app({"database_url": seeded_db.url, **settings})
        server = wsgi_server(app, "127.0.0.1", 0, threads)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        server.url = f"http://127.0.0.1:{server.effective_port}"
        servers.append((server, thread))
        return server

    yield make
    for server, thread in servers:
        stop(server, thread)
    forget_database(seeded_db.url)


def _get(url: str, timeout: float = 60) -> requests.Response:
    return requests.get(url, timeout=timeout)


def _is_busy(response: requests.Response) -> None:
    """A 503 with the OGC JSON body and a Retry-After in seconds."""
    assert response.status_code == 503, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "ServiceUnavailable"
    assert (
        re.fullmatch(r"\d+", response.headers["Retry-After"])
        and 1 <= int(response.headers["Retry-After"]) <= 60
    )


def test_concurrent_misses_of_one_image_draw_it_once(make_server, monkeypatch):
    drawing = Drawing(monkeypatch, delay=0.3)
    server = make_server(threads=8, render_queue=7)
    url = f"{server.url}/maps/render.png?county=垫江县&labels=off&{SMALL}"
    with ThreadPoolExecutor(6) as clients:
        responses = list(clients.map(_get, [url] * 6))
    assert [r.status_code for r in responses] == [200] * 6
    assert len({r.content for r in responses}) == 1 and len({r.headers["ETag"] for r in responses}) == 1
    assert drawing.calls == 1


def test_a_full_queue_is_503_and_cheap_requests_still_get_threads(make_server, seeded_db, monkeypatch):
    drawing = Drawing(monkeypatch)
    drawing.gate.clear()
    # 4 server threads; renders may hold at most 1 drawing + 1 waiting = 2 of them.
    server = make_server(threads=4, render_workers=1, render_queue=1)
    urls = [
        f"{server.url}/maps/render.png?county={c}&labels=off&{SMALL}" for c in ("忠县", "开州区", "铜梁区")
    ]
    with ThreadPoolExecutor(3) as clients:
        first = clients.submit(_get, urls[0])
        assert drawing.started.wait(30)
        second = clients.submit(_get, urls[1])
        deadline = time.monotonic() + 10
        while rendering.render_pool(1, 1).waiting < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        start = time.monotonic()
        _is_busy(_get(urls[2]))  # the third image: no room in the queue
        _is_busy(_get(urls[0]))  # nor for another request of an image being drawn
        refused = time.monotonic() - start
        # While the drawing is held: the items, a single item and a geocode still answer at once,
        # and neither the drawing nor the requests waiting for it hold a database connection.
        start = time.monotonic()
        items = _get(f"{server.url}/collections/projects/items?limit=5&category=transport")
        assert items.status_code == 200 and items.json()["features"]
        item = _get(f"{server.url}/collections/projects/items/{items.json()['features'][0]['id']}")
        assert item.status_code == 200
        assert _get(f"{server.url}/api/geocode?q=新生港&county=忠县").status_code == 200
        cheap = time.monotonic() - start
        assert get_database(seeded_db.url).engine.pool.checkedout() == 0  # the app's engine
        drawing.gate.set()
        assert first.result().status_code == 200 and second.result().status_code == 200
    assert refused < 1.0 and cheap < 2.0, (refused, cheap)
    assert _get(urls[2]).status_code == 200  # once the queue has room again
    assert drawing.calls == 3


@SPATIALITE
def test_a_render_past_its_timeout_is_503_and_is_cached_for_the_retry(make_server, monkeypatch):
    drawing = Drawing(monkeypatch, delay=1.5)
    server = make_server(render_timeout=1, render_queue=5)
    url = f"{server.url}/maps/render.svg?county=铜梁区&labels=off&{SMALL}"
    start = time.monotonic()
    _is_busy(_get(url))
    assert 0.9 < time.monotonic() - start < 1.4
    time.sleep(1.2)  # the drawing goes on and lands in the cache
    again = _get(url)
    assert again.status_code == 200 and again.content.startswith(b"<?xml")
    assert drawing.calls == 1


@SPATIALITE
def test_near_sizes_are_one_image_drawn_at_the_normalised_size(make_server, monkeypatch):
    drawing = Drawing(monkeypatch)
    server = make_server()
    base = f"{server.url}/maps/render.png?county=开州区&labels=off"
    a = _get(f"{base}&width=790&height=610&dpi=98")
    b = _get(f"{base}&width=812&height=590&dpi=100")
    assert a.status_code == b.status_code == 200
    assert a.headers["ETag"] == b.headers["ETag"] and a.content == b.content
    assert a.headers["X-Geoapp-Image-Size"] == "800x600; dpi=100"
    assert Image.open(io.BytesIO(a.content)).size == (800, 600)
    assert drawing.calls == 1
    other = _get(f"{base}&width=830&height=600&dpi=100")
    assert other.headers["X-Geoapp-Image-Size"] == "850x600; dpi=100"
    assert other.headers["ETag"] != a.headers["ETag"] and drawing.calls == 2


def test_normalise_size():
    n = rendering.normalise_size
    assert n(200, 10_000, 50, 400_000_000) == (200, 10_000, 72)
    assert n(224, 226, 125, 10**9) == (200, 250, 150)  # 125 is as near 100 as 150: the larger
    assert n(6000, 6000, 600, 36_000_000) == (6000, 6000, 600)
    assert n(5990, 6010, 300, 36_000_000) == (6000, 6000, 300)
    w, h, _ = n(4976, 7234, 150, 36_000_000)
    assert w * h <= 36_000_000 and (w, h) == (4950, 7200)


def test_pool_unit_single_flight_queue_and_cancel():
    """The pool alone: joining, refusing, and dropping a queued drawing nobody waits for."""
    pool = rendering.RenderPool(workers=1, queue=1)
    gate = threading.Event()
    calls = []

    def compute(tag):
        def run():
            calls.append(tag)
            gate.wait(10)
            return tag

        return run

    with ThreadPoolExecutor(4) as ex:
        a1 = ex.submit(pool.run, "k-a", compute("a"), 0)
        a2 = ex.submit(pool.run, "k-a", compute("a-again"), 0)
        deadline = time.monotonic() + 5
        while pool.waiting < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(ServiceUnavailable) as refused:
            pool.run("k-b", compute("b"), 0)
        assert 1 <= refused.value.retry_after <= 60
        gate.set()
        assert a1.result() == a2.result() == "a"
    assert calls == ["a"]
    # A queued drawing whose only waiter gave up is never drawn.
    gate.clear()
    pool2 = rendering.RenderPool(workers=1, queue=5)
    with ThreadPoolExecutor(2) as ex:
        busy = ex.submit(pool2.run, "busy", compute("busy"), 0)
        deadline = time.monotonic() + 5
        while "busy" not in calls and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(ServiceUnavailable, match="not drawn within 0.2 s"):
            pool2.run("queued", compute("queued"), 0.2)
        gate.set()
        assert busy.result() == "busy"
    time.sleep(0.1)
    assert "queued" not in calls and pool2.waiting == 0


@SPATIALITE
def test_drawing_processes_draw_the_same_bytes_at_a_lower_priority(seeded_db):
    from geoapp.context import Context
    from geoapp.settings import load_settings

    images = {}
    with seeded_db.session() as session:
        for isolation in ("process", "thread"):
            settings = load_settings(
                overrides={
                    "database_url": seeded_db.url,
                    "render_cache_size": 0,
                    "render_isolation": isolation,
                }
            )
            ctx = Context(session, seeded_db.backend, settings)
            images[isolation] = rendering.render_map(
                ctx, {"county": ["垫江县"], "width": ["600"], "height": ["400"], "dpi": ["72"]}, "png"
            )
    assert images["process"].data == images["thread"].data and images["process"].info == images["thread"].info
    assert drawing._drawer(1).submit(os.nice, 0).result() == os.nice(0) + drawing.DRAW_NICENESS
