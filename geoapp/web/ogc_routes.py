"""OGC API – Features and download routes: each one line around a
framework-free function of :mod:`geoapp.ogcapi.core` or :mod:`geoapp.exports.downloads`.

``/`` belongs to the map page (``geoapp.web.page_routes``), which answers with
:func:`geoapp.ogcapi.core.landing_page` when a client asks for JSON.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from flask import Blueprint, Response, current_app

from geoapp.errors import NotAcceptable
from geoapp.exports import downloads as exporting
from geoapp.ogcapi import core as ogc
from geoapp.store.database import close_quietly
from geoapp.web import respond
from geoapp.web.boundary import context, current_request, streaming_sessions

__all__ = ["bp", "send"]

bp = Blueprint("ogc", __name__)


def send(result) -> Response:
    """Like :func:`geoapp.web.respond`, but streams a generator body (large pages, downloads).

    The database session of :func:`geoapp.web.boundary.context` is closed when the response is, after its
    last chunk: Flask tears the request's own session down before a stream ends.
    """
    headers, status, body = result
    sessions = streaming_sessions()
    if not isinstance(body, Iterator):
        for session in sessions:  # the body is complete: done with the database
            close_quietly(session)
        return respond(result)
    # The first chunk is made here, before the status line is sent: a query that fails at
    # once (database down, bad filter) still gets its proper error response.
    try:
        first = next(body)
    except StopIteration:
        first = b""
    except BaseException:
        for session in sessions:
            close_quietly(session)
        raise
    response = Response(itertools.chain([first], body), status=status, headers=headers)
    for session in sessions:
        response.call_on_close(lambda s=session: close_quietly(s))
    return response


@bp.app_errorhandler(NotAcceptable)
def _not_acceptable(exc: NotAcceptable):
    # JSON whatever was asked for (it is all we can say), with the media types offered: also on
    # ``/``, whose other errors are plain text for browsers
    body = {"code": exc.code, "description": str(exc), "offered": list(exc.offered)}
    return respond(({"Vary": "Accept"}, exc.http_status, body))


@bp.teardown_app_request
def _close_unsent(_exc: BaseException | None = None) -> None:
    # an error before send(): nobody else will close these
    for session in streaming_sessions():
        close_quietly(session)


def _base() -> str:
    return current_request().base_url


def _accept() -> str | None:
    return current_request().accept


def _routes() -> set[str]:
    # converter arguments (<int(max=…):id>) are a detail of the routing, not another path
    return {re.sub(r"<(\w+)\([^)>]*\):", r"<\1:", rule.rule) for rule in current_app.url_map.iter_rules()}


@bp.get("/conformance")
def conformance():
    return send(
        ogc.conformance(context(streaming=True, layers=False), current_request().args, _base(), _accept())
    )


@bp.get("/api")
def openapi():
    return send(
        ogc.openapi(
            context(streaming=True, layers=False), current_request().args, _base(), _accept(), _routes()
        )
    )


@bp.get("/collections")
def collections():
    return send(
        ogc.collections(context(streaming=True, layers=False), current_request().args, _base(), _accept())
    )


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    return send(
        ogc.collection(
            context(streaming=True, layers=False), collection_id, current_request().args, _base(), _accept()
        )
    )


@bp.get("/collections/<collection_id>/queryables")
def queryables(collection_id: str):
    return send(
        ogc.queryables(
            context(streaming=True, layers=False), collection_id, current_request().args, _base(), _accept()
        )
    )


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    return send(
        ogc.items(
            context(streaming=True, layers=False), collection_id, current_request().args, _base(), _accept()
        )
    )


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    return send(
        ogc.item(
            context(streaming=True, layers=False),
            collection_id,
            feature_id,
            current_request().args,
            _base(),
            _accept(),
        )
    )


@bp.get("/download/projects.<fmt>")
def download(fmt: str):
    return send(exporting.download(context(streaming=True, layers=False), fmt, current_request().args))
