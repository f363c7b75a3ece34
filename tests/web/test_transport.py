"""Compression and CORS over real HTTP (a live server), and a page on another origin in
Chromium calling the API with CORS on and refused with it off."""

from __future__ import annotations

import gzip
import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from tests.conftest import LiveServer


def _get(url: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def _same(a: bytes, b: bytes) -> bool:
    """Equal bodies, but for the time stamp JSON pages carry."""
    if a[:1] != b"{":
        return a == b
    x, y = json.loads(a), json.loads(b)
    x.pop("timeStamp", None), y.pop("timeStamp", None)
    return x == y


@pytest.fixture
def app_with(seeded_db):
    """A factory: the app on the seeded database with some settings."""
    from geoapp import create_app

    def make(**settings):
        return create_app({"database_url": seeded_db.url, **settings})

    return make


def test_json_html_and_streamed_exports_are_gzipped(app_with):
    with LiveServer(app_with()) as server:
        for path in (
            "/collections/projects/items?limit=500",
            "/download/projects.geojson",
            "/download/projects.csv",
            "/api/projects.geojson?limit=500",
            "/",
        ):
            plain = _get(server.url, path, {"Accept": "text/html" if path == "/" else "*/*"})
            packed = _get(
                server.url, path, {"Accept": "text/html" if path == "/" else "*/*", "Accept-Encoding": "gzip"}
            )
            assert plain[0] == packed[0] == 200, path
            assert (
                packed[1]["content-encoding"] == "gzip" and "accept-encoding" in packed[1]["vary"].lower()
            ), path
            assert "content-encoding" not in plain[1], path
            assert _same(gzip.decompress(packed[2]), plain[2]) or path == "/", (
                path
            )  # / has a fresh nonce each time
            assert len(packed[2]) < len(plain[2]) / 3, (path, len(packed[2]), len(plain[2]))
        png = _get(
            server.url, "/maps/render.png?county=500233&width=400&height=300", {"Accept-Encoding": "gzip"}
        )
        assert png[0] == 200 and "content-encoding" not in png[1]  # images are compressed already


def test_compression_can_be_turned_off(app_with):
    with LiveServer(app_with(compress_level=0)) as server:
        _, headers, _ = _get(server.url, "/collections/projects/items?limit=500", {"Accept-Encoding": "gzip"})
        assert "content-encoding" not in headers


def test_cors_is_off_by_default_and_on_when_configured(app_with):
    origin = {"Origin": "http://portal.example"}
    with LiveServer(app_with()) as server:
        _, headers, _ = _get(server.url, "/collections", origin)
        assert "access-control-allow-origin" not in headers
    with LiveServer(app_with(cors_origins="http://portal.example")) as server:
        _, headers, _ = _get(server.url, "/collections", origin)
        assert headers["access-control-allow-origin"] == "http://portal.example"
        _, headers, _ = _get(server.url, "/collections", {"Origin": "http://elsewhere.example"})
        assert "access-control-allow-origin" not in headers  # a disallowed origin: no grant, no error
        u = urlsplit(server.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        conn.request("OPTIONS", "/api/geocode", headers={**origin, "Access-Control-Request-Method": "GET"})
        pre = conn.getresponse()
        pre.read()
        assert pre.status == 200 and pre.getheader("Access-Control-Allow-Origin") == "http://portal.example"
        assert "GET" in pre.getheader("Access-Control-Allow-Methods")


class _Portal(BaseHTTPRequestHandler):
    """A page on a second local origin that fetches the API."""

    api = ""

    def do_GET(self):  # noqa: N802
        page = (
            "<!doctype html><meta charset=utf-8><body><script>"
            f"fetch({json.dumps(self.api + '/collections/projects/items?limit=3')})"
            ".then(r => r.json()).then(d => { document.body.dataset.got = String(d.numberReturned); })"
            ".catch(e => { document.body.dataset.got = 'refused'; });</script>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *args):
        pass


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
@pytest.mark.parametrize("cors, expected", [("", "refused"), ("*", "3")])
def test_a_page_on_another_origin(app_with, page, cors, expected):
    with LiveServer(app_with(cors_origins=cors)) as server:
        _Portal.api = server.url
        portal = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
        thread = threading.Thread(target=portal.serve_forever, daemon=True)
        thread.start()
        try:
            page.goto(f"http://127.0.0.1:{portal.server_port}/")
            page.locator("body[data-got]").wait_for(state="attached", timeout=15_000)
            assert page.evaluate("document.body.dataset.got") == expected
        finally:
            portal.shutdown()
            portal.server_close()
