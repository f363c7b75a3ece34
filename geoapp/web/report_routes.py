"""Rendered map images and printable county reports.

``GET /maps/render.{png,svg,pdf}`` — the filtered projects as a static map (see
:mod:`geoapp.maps.render`); ``GET /reports/<county>`` — a printable A4 page with the
county map, counts and investment by category and status, and the project table
with its sources (:mod:`geoapp.pages.county_report`). The routes are one-liners.
"""

from __future__ import annotations

from flask import Blueprint, request

from geoapp.maps.render import render_response
from geoapp.pages.county_report import county_report
from geoapp.web import respond
from geoapp.web.boundary import context, current_request

__all__ = ["bp"]

bp = Blueprint("reports", __name__)


def _prefers_json() -> bool:
    return current_request().format == "json" or request.accept_mimetypes.best == "application/json"


@bp.get("/maps/render.<fmt>")
def render(fmt: str):
    # The session's connection goes back to the pool before the request waits for a drawing.
    ctx = context(layers=False)
    return respond(
        render_response(
            ctx, current_request().args, fmt, request.headers.get("If-None-Match"), ctx.session.close
        )
    )


@bp.get("/reports/<county>")
def report(county: str):
    return respond(
        county_report(
            context(layers=False),
            county,
            current_request().args,
            as_json=_prefers_json(),
            root=current_request().script_root,
        )
    )
