"""Corrections over HTTP, each route one line around :mod:`geoapp.editing`:

* ``POST /api/projects/<id>/corrections``, ``POST /api/corrections/<id>/revert``;
* ``POST /api/projects/<id>/merge`` (into another) and ``POST /api/projects/<id>/split``;
* OGC API – Features Part 4 on ``projects``: ``POST /collections/projects/items`` (a project
  drawn by hand), ``PUT``/``PATCH`` (JSON merge patch) and ``DELETE`` ("not a project") on
  ``/collections/projects/items/<id>``, with ``If-Match``; the comment comes with the feature
  (``properties.comment``), an ``X-Geoapp-Comment`` header (UTF-8, percent-encoded) or
  ``?comment=``;
* ``GET /projects/<id>/history`` (JSON or HTML; the HTML offers editors an "undo" per
  correction, ``static/js/history.js``).

Writes need an editor: a bearer token (``Authorization: Bearer gat_…``) or a signed-in
browser session with its CSRF token (``X-CSRF-Token``; see :mod:`geoapp.web.auth`).
"""

from __future__ import annotations

from urllib.parse import unquote

from flask import Blueprint, render_template, request

from geoapp import editing
from geoapp.errors import InvalidParameter
from geoapp.store.models import MAX_ID, User
from geoapp.web import respond
from geoapp.web.auth import require_user
from geoapp.web.boundary import context, current_request
from geoapp.web.security import load_json_body

__all__ = ["bp", "MAX_CORRECTION_BYTES"]

bp = Blueprint("editing", __name__)

#: the largest correction body (a detailed polygon fits many times over)
MAX_CORRECTION_BYTES = 5 * 1024 * 1024


def _user(role: str = "editor") -> User:
    return require_user(role)


def _body():
    if (request.content_length or 0) > MAX_CORRECTION_BYTES:
        raise InvalidParameter(f"the body is larger than {MAX_CORRECTION_BYTES // (1024 * 1024)} MB")
    return load_json_body()


@bp.post(f"/api/projects/<int(max={MAX_ID}):project_id>/corrections")
def correct(project_id: int):
    user = _user("editor")
    return respond(editing.correct(context(), user, project_id, _body(), request.headers.get("If-Match")))


@bp.post(f"/api/corrections/<int(max={MAX_ID}):correction_id>/revert")
def revert(correction_id: int):
    user = _user("editor")
    return respond(editing.revert(context(), user, correction_id, _body()))


@bp.post(f"/api/projects/<int(max={MAX_ID}):project_id>/merge")
def merge(project_id: int):
    return respond(editing.merge(context(), _user("editor"), project_id, _body()))


@bp.post(f"/api/projects/<int(max={MAX_ID}):project_id>/split")
def split(project_id: int):
    return respond(editing.split(context(), _user("editor"), project_id, _body()))


def _comment() -> str | None:
    # header values are Latin-1 on the wire: Chinese comes percent-encoded (UTF-8)
    header = request.headers.get("X-Geoapp-Comment")
    return unquote(header) if header else current_request().args.get("comment")


def _base() -> str:
    return current_request().base_url


@bp.post("/collections/projects/items")
def ogc_create():
    user = _user("editor")
    return respond(editing.ogc_create(context(), user, _body(), _comment(), _base()))


@bp.put(f"/collections/projects/items/<int(max={MAX_ID}):project_id>")
def ogc_replace(project_id: int):
    user = _user("editor")
    body, match = _body(), request.headers.get("If-Match")
    return respond(editing.ogc_replace(context(), user, project_id, body, _comment(), match, partial=False))


@bp.patch(f"/collections/projects/items/<int(max={MAX_ID}):project_id>")
def ogc_patch(project_id: int):
    user = _user("editor")
    body, match = _body(), request.headers.get("If-Match")
    return respond(editing.ogc_replace(context(), user, project_id, body, _comment(), match, partial=True))


@bp.delete(f"/collections/projects/items/<int(max={MAX_ID}):project_id>")
def ogc_delete(project_id: int):
    user = _user("editor")
    return respond(
        editing.ogc_delete(context(), user, project_id, _comment(), request.headers.get("If-Match"))
    )


@bp.get(f"/projects/<int(max={MAX_ID}):project_id>/history")
def history(project_id: int):
    data = editing.history(context(layers=False), project_id)
    if current_request().format == "json" or request.accept_mimetypes.best == "application/json":
        return respond(({"Cache-Control": "no-cache"}, 200, data))
    return render_template("history.html", h=data)
