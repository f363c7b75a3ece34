"""The request boundary's guards and the security headers every response carries.

Contract:

* :func:`check_request` runs before any route. It refuses, with a 4xx and a JSON body on
  API paths, what no route can use: a NUL or other C0 control character in the path or
  the query, a query string that is not UTF-8, and a request line longer than
  :data:`MAX_REQUEST_LINE` (the server itself is configured to accept more, so the client
  gets our JSON 414 rather than the server's HTML page).
* :func:`load_json_body` parses a JSON request body with a depth limit (a 100,000-deep
  array must be a 400, not a ``RecursionError``).
* :func:`security_headers` adds ``Content-Security-Policy`` (scripts only from this site
  or with the response's nonce; no ``unsafe-eval``, no ``unsafe-inline`` scripts),
  ``X-Content-Type-Options``, ``X-Frame-Options``, ``Referrer-Policy``, and drops the
  ``Server`` version banner where the WSGI layer lets us.
* :func:`csp_nonce` is the per-request nonce templates put on the inline scripts we
  write ourselves; :func:`add_nonce` puts it on the inline scripts of folium's output
  (which carries no document text: see :mod:`geoapp.pages.planner_map`).

>>> depth(b'[[["a", {"b": [1]}]], "[[["]')
5
>>> add_nonce('<script>x()</script><script src="/a.js"></script>', "N")
'<script nonce="N">x()</script><script src="/a.js"></script>'
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Response, g, request

from geoapp.errors import InvalidParameter, RequestLineTooLong, UnsupportedMediaType

__all__ = [
    "MAX_REQUEST_LINE",
    "MAX_JSON_DEPTH",
    "check_request",
    "load_json_body",
    "depth",
    "csp_nonce",
    "add_nonce",
    "security_headers",
]

#: longest accepted path and query: CQL2 filters up to 20,000 characters are documented,
#: and 20,000 Chinese characters take 180 KB URL-encoded. The WSGI servers are configured
#: to pass at least this much, so a longer URL gets this JSON 414, not a server's HTML page.
MAX_REQUEST_LINE = 256 * 1024
#: deepest JSON nesting a request body may have (GeoJSON needs 5 for a polygon)
MAX_JSON_DEPTH = 32

#: the values of ``f`` any endpoint understands (each endpoint may accept fewer)
FORMAT_VALUES = frozenset({"json", "html", "application/json", "text/html"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_request() -> None:
    """Refuse what no route can use (raises :class:`InvalidParameter` or a subclass)."""
    raw_query = request.query_string
    if len(request.path) + len(raw_query) > MAX_REQUEST_LINE:
        raise RequestLineTooLong(f"the URL is longer than {MAX_REQUEST_LINE} bytes")
    try:
        unquote_to_bytes(raw_query).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidParameter("the query string is not valid UTF-8 (percent-encode UTF-8 bytes)") from None
    if _CONTROL.search(request.path):
        raise InvalidParameter("the path contains a control character")
    for name, value in request.args.items(multi=True):
        if _CONTROL.search(name) or _CONTROL.search(value):
            raise InvalidParameter(f"parameter {name[:40]!r} contains a control character (e.g. NUL)")
    fmt = request.args.get("f")
    if fmt is not None and fmt not in FORMAT_VALUES:
        raise InvalidParameter(f"f={fmt[:40]!r} is not supported; use f=json or f=html")
    if "\ufffd" in request.path and b"%EF%BF%BD" not in request.environ.get("RAW_URI", "").encode().upper():
        # werkzeug replaces undecodable path bytes with U+FFFD
        raise InvalidParameter("the path is not valid UTF-8")


def depth(data: bytes) -> int:
    """Deepest nesting of arrays/objects in JSON text, without parsing it (strings skipped)."""
    deepest = level = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            level += 1
            deepest = max(deepest, level)
        elif byte in (0x5D, 0x7D):
            level -= 1
    return deepest


def load_json_body() -> Any:
    """The request body as JSON: 415 for another content type, 400 for bad or too deep JSON."""
    if not request.is_json:
        raise UnsupportedMediaType("the request body must be JSON (Content-Type: application/json)")
    data = request.get_data(cache=True)
    if depth(data) > MAX_JSON_DEPTH:
        raise InvalidParameter(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidParameter(f"the request body is not valid JSON: {str(exc)[:120]}") from None


def csp_nonce() -> str:
    """This request's nonce for inline scripts (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)([^>]*)>", re.I)


def add_nonce(html: str, nonce: str) -> str:
    """Put ``nonce`` on every inline ``<script>`` of trusted markup (folium's own output)."""
    return _INLINE_SCRIPT.sub(lambda m: f'<script nonce="{nonce}"{m.group(1)}>', html)


def _tile_hosts(settings: dict[str, Any]) -> list[str]:
    """Image hosts of the optional internet basemaps (a user may switch one on)."""
    from geoapp.pages.planner_map import map_config_basemaps

    hosts = set()
    for basemap in map_config_basemaps(settings):
        for key in ("url", "overlay"):
            if basemap.get(key):
                host = urlsplit(basemap[key].replace("{s}", "SUBDOMAIN")).hostname or ""
                first, _, parent = host.partition(".")
                # a subdomain placeholder (webrd0{s}.is.autonavi.com, t{s}.tianditu.gov.cn):
                # every host of the parent domain
                hosts.add(f"https://*.{parent}" if "subdomain" in first else f"https://{host}")
    return sorted(hosts)


def content_security_policy(nonce: str | None, settings: dict[str, Any]) -> str:
    scripts = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    images = " ".join(["'self'", "data:", "blob:", *_tile_hosts(settings)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            # Leaflet and folium position map panes with inline style attributes
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


def security_headers(response: Response, settings: dict[str, Any]) -> Response:
    headers = response.headers
    if response.mimetype in ("text/html", "image/svg+xml") and "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = content_security_policy(g.get("csp_nonce"), settings)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return response
