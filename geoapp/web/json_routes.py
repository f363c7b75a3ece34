"""JSON API routes: ``/api/projects.geojson``, ``/api/projects/<id>``, ``/api/geocode``."""

from __future__ import annotations

from flask import Blueprint

from geoapp import jsonapi as core
from geoapp.store.models import MAX_ID
from geoapp.web import respond
from geoapp.web.boundary import context, current_request
from geoapp.web.security import load_json_body

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/projects.geojson")
def projects_geojson():
    return respond(core.projects_geojson(context(), current_request().args))


@bp.get("/places.geojson")
def places_geojson():
    return respond(core.places_geojson(context(), current_request().args))


@bp.get("/geocode")
def geocode():
    return respond(core.geocode_one(context(), current_request().args))


@bp.post("/geocode")
def geocode_batch():
    return respond(core.geocode_batch(context(), load_json_body(), current_request().args))


@bp.get(f"/projects/<int(max={MAX_ID}):project_id>")
def project(project_id: int):
    return respond(core.project(context(), project_id, current_request().args))
