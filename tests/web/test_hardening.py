"""Bad requests get a 4xx with a JSON body, outages a 503 with Retry-After, and every
response the security headers (issue: hardening)."""

from __future__ import annotations

import json
import re

import pytest

API = "application/json"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _json_error(r, status: int) -> dict:
    assert r.status_code == status, (r.status_code, r.get_data()[:300])
    assert r.mimetype == API, r.mimetype
    body = r.get_json()
    assert set(body) == {"code", "description"} and body["description"], body
    assert "Traceback" not in body["description"]
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/api/projects/9223372036854775808",
        "/api/projects/2147483648",
        "/collections/projects/items/2147483648",
        "/collections/projects/items/99999999999999999999",
        "/api/nothing",
        "/maps/nothing",
    ],
)
def test_ids_beyond_the_column_are_404(client, path):
    _json_error(client.get(path), 404)


@pytest.mark.parametrize(
    "path",
    [
        "/api/projects.geojson?offset=9223372036854775808",
        "/collections/projects/items?offset=9223372036854775808",
        "/collections/projects/items?filter=id%20%3D%2099999999999999999999999999",
        "/api/projects.geojson?q=a%00b",
        "/collections/projects/items?corridor=a%00b",
        "/collections/places/items/%00",
        "/api/projects.geojson?q=%ff%fe",
        "/collections?f=junk",
        "/api/projects.geojson?f=junk",
        "/api/geocode?q=新生港&f=junk",
        "/healthz?f=junk",
        "/maps/render.png?f=junk",
    ],
)
def test_malformed_requests_are_400(client, path):
    _json_error(client.get(path), 400)


def test_geocode_bodies_are_type_checked_and_depth_limited(client):
    _json_error(client.post("/api/geocode", json={"names": ["a"], "county": 5}), 400)
    deep = "[" * 100_000 + "]" * 100_000
    body = _json_error(client.post("/api/geocode", data=deep, content_type=API), 400)
    assert "deeper" in body["description"]
    _json_error(client.post("/api/geocode", data="{not json", content_type=API), 400)
    _json_error(client.post("/api/geocode", data="新生港", content_type="text/plain"), 415)
    ok = client.post("/api/geocode", json={"names": ["新生港"], "county": "忠县"})
    assert ok.status_code == 200 and ok.get_json()["matched"] == 1


def test_wrong_methods_are_405_with_allow(client):
    for method, path in (
        ("TRACE", "/api/projects.geojson"),
        ("DELETE", "/collections"),
        ("PUT", "/api/geocode"),
    ):
        r = client.open(path, method=method)
        _json_error(r, 405)
        assert "GET" in r.headers["Allow"] or "POST" in r.headers["Allow"]


def test_long_urls_get_a_json_414_and_long_filters_pass(client):
    from geoapp.web.security import MAX_REQUEST_LINE

    _json_error(client.get("/api/projects.geojson?q=" + "a" * (MAX_REQUEST_LINE + 10)), 414)
    # a 20,000-character CQL2 filter (the documented maximum) of 400 terms is accepted (a long
    # chain once overflowed pygeofilter's recursion; SQLite itself refuses 1,000+ terms: 400)
    long_filter = " OR ".join(f"name = '{i:05d}{'长' * 38}'" for i in range(400))[:20_000].rsplit(" OR ", 1)[
        0
    ]
    r = client.get("/collections/projects/items", query_string={"filter": long_filter, "limit": 1})
    assert r.status_code == 200, r.get_data()[:300]


def test_security_headers_and_csp(client):
    page = client.get("/", headers=BROWSER)
    csp = page.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in csp
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'nonce-" in script_src
    assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = page.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all('type="application/json"' in a or f'nonce="{nonce}"' in a for a in inline), inline
    assert "onclick=" not in html and "javascript:" not in html
    assert (
        client.get("/", headers=BROWSER).headers["Content-Security-Policy"] != csp
    )  # a fresh nonce each time
    for path in ("/", "/api/projects.geojson?limit=1", "/collections", "/healthz", "/reports/忠县"):
        r = client.get(path)
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        assert r.headers["X-Frame-Options"] == "SAMEORIGIN", path
        assert r.headers["Referrer-Policy"], path
        assert "Python" not in r.headers.get("Server", "") and "Werkzeug" not in r.headers.get("Server", "")


def test_the_csp_lets_the_optional_basemaps_load(app):
    """Every tile host a user may switch on (OSM, Gaode's webrd01–04, Tianditu's t0–t7) is an
    allowed image source; nothing else on the internet is."""
    import fnmatch
    from urllib.parse import urlsplit

    from geoapp.pages.planner_map import map_config_basemaps
    from geoapp.web.security import content_security_policy

    settings = {**app.config["GEOAPP"], "tianditu_key": "k"}
    img = re.search(r"img-src ([^;]+)", content_security_policy("n", settings)).group(1).split()
    sources = [s.removeprefix("https://") for s in img if s.startswith("https://")]
    for basemap in map_config_basemaps(settings):
        for key in ("url", "overlay"):
            for sub in basemap.get("subdomains") or "a":
                if basemap.get(key):
                    host = urlsplit(basemap[key].replace("{s}", sub)).hostname
                    assert any(fnmatch.fnmatch(host, s) for s in sources), (host, img)
    assert not any(s in ("https:", "*", "https://*") for s in img)


def test_openapi_lists_maps_and_reports(client):
    doc = client.get("/api?f=json").get_json()
    assert "/maps/render.{format}" in doc["paths"] and "/reports/{county}" in doc["paths"]
    assert "/api/projects/{projectId}" in doc["paths"]
    assert "Retry-After" in doc["components"]["responses"]["ServiceUnavailable"]["headers"]


def test_an_unreachable_database_is_a_503_with_retry_after(backend, tmp_path):
    """A real driver error, not a mock: PostgreSQL on a port where nothing listens, and a
    SpatiaLite file in a folder that does not exist."""
    import socket

    from geoapp import create_app
    from geoapp.store.database import forget_database

    if backend == "postgis":
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        url = f"postgresql+psycopg://geoapp:secret-password@127.0.0.1:{port}/geoapp"
    else:
        (tmp_path / "a-file").write_text("not a folder")
        url = f"sqlite:///{tmp_path}/a-file/geoapp.sqlite"  # cannot be opened, let alone created
    try:
        app = create_app({"database_url": url})
    except Exception as exc:  # SpatiaLite may refuse at start-up: then it says so in one line
        assert "Traceback" not in str(exc)
        return
    client = app.test_client()
    for path in (
        "/api/projects.geojson",
        "/collections/projects/items",
        "/api/projects/1",
        "/download/projects.geojson",
    ):
        r = client.get(path)
        body = _json_error(r, 503)
        assert int(r.headers["Retry-After"]) > 0
        assert str(port if backend == "postgis" else "a-file") not in json.dumps(body), body
    health = client.get("/healthz")
    assert health.status_code == 503
    text = health.get_data(as_text=True)
    assert "127.0.0.1" not in text and "secret" not in text and "geoapp:" not in text, text
    page = client.get("/projects/1")
    assert page.status_code == 503 and "Traceback" not in page.get_data(as_text=True)
    forget_database(url)
