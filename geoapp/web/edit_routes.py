"""Corrections over HTTP: ``POST /api/projects/<id>/corrections``, ``POST
/api/corrections/<id>/revert`` (an editor's bearer token) and ``GET /projects/<id>/history``
(JSON or HTML). Each route is one line around :mod:`geoapp.editing`."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from geoapp import editing
from geoapp.errors import InvalidParameter
from geoapp.store.accounts import authenticate, require_role
from geoapp.store.models import MAX_ID, User
from geoapp.web import respond
from geoapp.web.boundary import context, current_request, get_db
from geoapp.web.security import load_json_body

__all__ = ["bp", "MAX_CORRECTION_BYTES"]

bp = Blueprint("editing", __name__)

#: the largest correction body (a detailed polygon fits many times over)
MAX_CORRECTION_BYTES = 5 * 1024 * 1024


def _user(role: str = "editor") -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = authenticate(get_db(), token if scheme.lower() == "bearer" else None)
    return require_role(user, role)


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


@bp.get(f"/projects/<int(max={MAX_ID}):project_id>/history")
def history(project_id: int):
    data = editing.history(context(layers=False), project_id)
    if current_request().format == "json" or request.accept_mimetypes.best == "application/json":
        return respond(({"Cache-Control": "no-cache"}, 200, data))
    return render_template("history.html", h=data)
