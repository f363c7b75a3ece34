"""Behind a reverse proxy, under a path prefix: every absolute link is the public one.

Two set-ups, each followed through every ``next`` link to the last page:
``GEOAPP_PUBLIC_URL`` with a proxy that passes the prefix on, and a real proxy process
(an HTTP server in front of the live app) that strips the prefix and sets the
``X-Forwarded-*`` headers, trusted with ``GEOAPP_TRUSTED_PROXIES=1``. Headers from an
untrusted client change nothing. The request log names the public path.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from geoapp import create_app
from geoapp.errors import ConfigError
from geoapp.store.models import Project
from geoapp.web.requestlog import LOGGER
from tests.conftest import LiveServer

PUBLIC = "https://maps.example.cn/geo"


def _all_ids(db) -> list[int]:
    with db.session() as s:
        return sorted(s.scalars(select(Project.id)).all())


def _links(doc: dict) -> list[str]:
    return [link["href"] for link in doc["links"]]


def _follow(get, first: str, base: str) -> tuple[list[int], int]:
    """Every feature id from ``first`` through the ``next`` links; the number of pages."""
    ids: list[int] = []
    url, pages = first, 0
    while url:
        doc = get(url)
        pages += 1
        assert all(href.startswith(base + "/") for href in _links(doc)), _links(doc)
        assert doc["numberReturned"] == len(doc["features"])
        ids += [f["id"] for f in doc["features"]]
        url = next((link["href"] for link in doc["links"] if link["rel"] == "next"), None)
        assert pages < 100
    return ids, pages


def test_public_url_makes_every_link_public_and_next_reaches_the_end(seeded_db):
    app = create_app({"database_url": seeded_db.url, "public_url": PUBLIC, "page_size": 97})
    client = app.test_client()

    def get(url: str) -> dict:
        assert url.startswith(PUBLIC)
        with client.get(
            url.removeprefix("https://maps.example.cn"), headers={"Accept": "application/geo+json"}
        ) as r:
            assert r.status_code == 200, r.get_data(as_text=True)[:300]
            return r.get_json()

    ids, pages = _follow(get, f"{PUBLIC}/collections/projects/items", PUBLIC)
    assert sorted(ids) == _all_ids(seeded_db) and len(set(ids)) == len(ids)
    assert pages == -(-len(ids) // 97) > 2
    with client.get("/geo/", headers={"Accept": "application/json"}) as r:  # the landing page too
        assert all(href.startswith(PUBLIC + "/") for href in _links(r.get_json()))
    with client.get("/geo/api?f=json") as r:
        assert r.get_json()["servers"][0]["url"].startswith(PUBLIC)
    # a proxy that strips the prefix (or DispatcherMiddleware) reaches the same routes
    with client.get("/collections/projects/items?limit=1", headers={"Accept": "application/geo+json"}) as r:
        assert _links(r.get_json())[0].startswith(f"{PUBLIC}/collections/projects/items")


class _Proxy(BaseHTTPRequestHandler):
    """A reverse proxy like nginx's ``location /geo/ { proxy_pass http://app/; }`` with the
    usual X-Forwarded-* headers."""

    upstream: tuple[str, int]
    prefix = "/geo"

    def do_GET(self):  # noqa: N802 (http.server's naming)
        if not self.path.startswith(self.prefix + "/"):
            self.send_error(404)
            return
        conn = http.client.HTTPConnection(*self.upstream, timeout=60)
        host = self.headers["Host"]
        conn.request(
            "GET",
            self.path[len(self.prefix) :],
            headers={  # fmt: skip
                "Accept": self.headers.get("Accept", "*/*"),
                "X-Forwarded-For": "203.0.113.7",
                "X-Forwarded-Proto": "http",
                "X-Forwarded-Host": host,
                "X-Forwarded-Prefix": self.prefix,
            },
        )
        upstream = conn.getresponse()
        body = upstream.read()
        self.send_response(upstream.status)
        for name in ("Content-Type",):
            if upstream.getheader(name):
                self.send_header(name, upstream.getheader(name))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        conn.close()

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def proxied(seeded_db):
    app = create_app({"database_url": seeded_db.url, "trusted_proxies": 1, "page_size": 150})
    with LiveServer(app) as server:
        handler = type("Proxy", (_Proxy,), {"upstream": ("127.0.0.1", server.server.server_port)})
        proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=proxy.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{proxy.server_port}/geo", server
        finally:
            proxy.shutdown()
            proxy.server_close()
            thread.join(5)


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_forwarded_headers_of_a_trusted_proxy_make_the_links_and_the_log(proxied, seeded_db):
    base, _server = proxied
    lines = _Lines()
    LOGGER.addHandler(lines)
    try:

        def get(url: str) -> dict:
            request = urllib.request.Request(url, headers={"Accept": "application/geo+json"})
            with urllib.request.urlopen(request, timeout=60) as r:
                return json.loads(r.read())

        ids, pages = _follow(get, f"{base}/collections/projects/items", base)
    finally:
        LOGGER.removeHandler(lines)
    assert sorted(ids) == _all_ids(seeded_db) and pages > 2
    # one line per request: method, the public path, status, duration, the client behind the proxy
    items = [line for line in lines.lines if "/collections/projects/items" in line]
    assert len(items) == pages
    method, path, status, ms, unit, client = items[0].split(" ")
    assert (method, path, status, unit, client) == (
        "GET",
        "/geo/collections/projects/items",
        "200",
        "ms",
        "203.0.113.7",
    )
    assert float(ms) > 0


def test_forwarded_headers_are_ignored_unless_trusted(seeded_db):
    app = create_app({"database_url": seeded_db.url})
    with LiveServer(app) as server:
        request = urllib.request.Request(
            f"{server.url}/collections/projects/items?limit=1",
            headers={"Accept": "application/geo+json", "X-Forwarded-Host": "evil.example",
                     "X-Forwarded-Proto": "https", "X-Forwarded-Prefix": "/x"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=60) as r:
            doc = json.loads(r.read())
    assert all(urlsplit(href).netloc == urlsplit(server.url).netloc for href in _links(doc))
    assert all(urlsplit(href).path.startswith("/collections/") for href in _links(doc))


@pytest.mark.parametrize(
    "bad", ["maps.example.cn/geo", "ftp://maps.example.cn", "https://maps.example.cn/?a=1"]
)
def test_a_malformed_public_url_is_a_configuration_error(seeded_db, bad):
    with pytest.raises(ConfigError, match="GEOAPP_PUBLIC_URL"):
        create_app({"database_url": seeded_db.url, "public_url": bad})


def test_the_request_log_escapes_control_characters(client):
    lines = _Lines()
    LOGGER.addHandler(lines)
    try:
        with client.get("/%1b[31mred%1b[0m/%E5%BF%A0") as r:
            assert r.status_code == 400
    finally:
        LOGGER.removeHandler(lines)
    assert lines.lines and "\x1b" not in lines.lines[-1]
    assert "/\\x1b[31mred\\x1b[0m/忠 400" in lines.lines[-1]


@pytest.mark.parametrize("first", ["without a prefix", "with it"])
def test_html_pages_link_under_the_prefix(seeded_db, first):
    """The map page and a project page: every link, script, style sheet and API URL of the
    page starts with the public prefix (no root-relative path escapes it)."""
    import re

    plain = create_app({"database_url": seeded_db.url, "map_feature_limit": 0}).test_client()
    app = create_app({"database_url": seeded_db.url, "public_url": PUBLIC, "map_feature_limit": 0})
    client = app.test_client()
    pid = _all_ids(seeded_db)[0]
    if first == "without a prefix":  # folium's asset URLs are process-wide: the order must not matter
        with plain.get("/", headers={"Accept": "text/html"}) as r:
            assert '="/static/vendor/leaflet' in r.get_data(as_text=True)
    for path in ("/geo/", f"/geo/projects/{pid}", "/geo/api?f=html", "/geo/collections?f=html"):
        with client.get(path, headers={"Accept": "text/html"}) as r:
            assert r.status_code == 200, path
            html = r.get_data(as_text=True)
        urls = re.findall(r'(?:href|src|action)="([^"#]+)"', html)
        assert urls, path
        for url in urls:
            assert url.startswith(("/geo/", PUBLIC + "/", "data:")) or not url.startswith(("/", "http")), (
                path,
                url,
            )
        if path == "/geo/":
            config = json.loads(re.search(r'id="geoapp-config"[^>]*>(.*?)</script>', html, re.S).group(1))
            assert config["root"] == "/geo"
            assert config["api"].startswith("/geo/api/") and config["placesApi"].startswith("/geo/api/")
            assert '="/geo/static/vendor/leaflet' in html
    with plain.get("/", headers={"Accept": "text/html"}) as r:  # and the other app is unchanged
        assert '="/static/vendor/leaflet' in r.get_data(as_text=True)
