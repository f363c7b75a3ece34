"""JSON API routes: ``/api/projects.geojson``, ``/api/projects/<id>``, ``/api/geocode``."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from geoapp import api as core
from geoapp.db import get_db
from geoapp.models import MAX_ID
from geoapp.web import respond
from geoapp.web.security import load_json_body

bp = Blueprint("api", __name__, url_prefix="/api")


def _ctx() -> core.Context:
    database = current_app.extensions["geoapp.db"]
    return core.Context(
        session=get_db(), backend=database.backend, settings=current_app.config["GEOAPP"], database=database
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
    return respond(core.geocode_batch(_ctx(), load_json_body(), request.args))


@bp.get(f"/projects/<int(max={MAX_ID}):project_id>")
def project(project_id: int):
    return respond(core.project(_ctx(), project_id, request.args))
