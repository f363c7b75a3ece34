"""Validators for what GIS clients fetch again and again: collections, items, single
items, downloads and the map's data get a weak ``ETag`` made of the data's version
(:mod:`geoapp.store.data_version`), the code's version and the request (path, query, the
``Accept`` header that chose the format); ``If-None-Match`` with it → ``304 Not Modified``
before any query runs. ``Cache-Control`` lets a client reuse a response for a minute and
then revalidate (``private`` when reading needs a login: no shared cache may hand one user's
copy to another). A malformed ``If-None-Match`` simply does not match.

Weak, because a page carries a ``timeStamp`` and may be compressed or not: the same data
in the same representation, not the same bytes (RFC 9110, 8.8.1).
"""

from __future__ import annotations

import hashlib

from flask import Response, current_app, g, request

from geoapp import __version__
from geoapp.store import data_version
from geoapp.web.boundary import get_db

__all__ = ["check_not_modified", "add_validators", "VALIDATED_PATHS", "CACHE_CONTROL"]

VALIDATED_PATHS = ("/collections", "/conformance", "/download/", "/api/projects", "/api/places")
CACHE_CONTROL = "public, max-age=60, must-revalidate"


def _etag() -> str:
    parts = [
        __version__,
        data_version.current(get_db()),
        request.full_path,
        request.headers.get("Accept", ""),
        request.headers.get("Accept-Language", ""),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _cache_control() -> str:
    if current_app.config["GEOAPP"].get("read_requires_login"):
        return CACHE_CONTROL.replace("public", "private")
    return CACHE_CONTROL


def check_not_modified() -> Response | None:
    """Before a validated GET: ``304`` when the client's copy is current."""
    if request.method not in ("GET", "HEAD") or not request.path.startswith(VALIDATED_PATHS):
        return None
    g.etag = _etag()
    if request.if_none_match.contains_weak(g.etag):
        response = Response(status=304)
        response.set_etag(g.etag, weak=True)
        response.headers["Cache-Control"] = _cache_control()
        return response
    return None


def add_validators(response: Response) -> Response:
    etag = g.get("etag")
    if etag and response.status_code == 200 and "ETag" not in response.headers:
        response.set_etag(etag, weak=True)
        response.headers.setdefault("Cache-Control", _cache_control())
    return response
