"""OGC API – Features routes (filled in by the GIS-export work)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ogc", __name__)
