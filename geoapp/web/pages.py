"""HTML pages: the planner map."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from geoapp.db import get_db
from geoapp.mapview import build_map_page

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    page = build_map_page(get_db(), current_app.extensions["geoapp.db"].backend, current_app.config["GEOAPP"])
    return render_template("map.html", page=page)
