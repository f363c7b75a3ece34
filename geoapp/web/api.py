"""JSON API routes: ``/api/projects.geojson``, ``/api/projects/<id>``, ``/api/geocode``."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from geoapp import api as core
from geoapp.db import get_db
from geoapp.web import respond

bp = Blueprint("api", __name__, url_prefix="/api")


def _ctx() -> core.Context:
    return core.Context(
        session=get_db(),
        backend=current_app.extensions["geoapp.db"].backend,
        settings=current_app.config["GEOAPP"],
    )


@bp.get("/projects.geojson")
def projects_geojson():
    return respond(core.projects_geojson(_ctx(), request.args))


@bp.get("/places.geojson")
def places_geojson():
    return respond(core.places_geojson(_ctx(), request.args))


@bp.get("/geocode")
def geocode():
    return respond(core.geocode_one(_ctx(), request.args))


@bp.post("/geocode")
def geocode_batch():
    return respond(core.geocode_batch(_ctx(), _json_body(), request.args))


def _json_body():
    from geoapp.errors import InvalidParameter

    body = request.get_json(silent=True)
    if body is None:
        raise InvalidParameter("the request body must be JSON (Content-Type: application/json)")
    return body


@bp.get("/projects/<int:project_id>")
def project(project_id: int):
    return respond(core.project(_ctx(), project_id, request.args))
